// The audit log's one rule about people: a data subject appears in it only as a keyed hash of their address.
import { keyedHash, normaliseAddress } from '../privacy/pseudonyms.js'

/** The keyed hash under which a data subject's address appears in the audit log. */
export function subjectHash (pseudonymKey: string, email: string): string {
  return keyedHash(pseudonymKey, 'subject', normaliseAddress(email))
}
