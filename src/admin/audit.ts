// The audit log's one rule about people: a data subject appears in it only as a keyed hash of their address.
import { createHmac } from 'node:crypto'

/** The keyed hash under which a data subject's address appears in the audit log. */
export function subjectHash (pseudonymKey: string, email: string): string {
  return createHmac('sha256', pseudonymKey).update(`subject\u0000${email.trim().toLowerCase()}`).digest('hex')
}
