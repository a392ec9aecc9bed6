// The two privacy rules about identifying values, each defined here once: how an e-mail address is
// compared, and the keyed hash (HMAC-SHA-256 under PSEUDONYM_KEY) kept in place of a value.
import { createHmac } from 'node:crypto'

/** An address as it is compared and looked up: "Anna@Example.se " and "anna@example.se" are one person. */
export const normaliseAddress = (email: string): string => email.trim().toLowerCase()

/**
 * What a keyed hash is for. Each purpose hashes apart, so a value kept for one cannot be matched
 * with the same value kept for another (an audit entry's subject with a receipt window's key).
 */
export type HashPurpose = 'subject' | 'receipt' | 'fingerprint' | 'spam-token' | 'spam-campaign'

/** The keyed hash of `parts` for one purpose: hex, irreversible and unlinkable without the key. */
export function keyedHash (key: string, purpose: HashPurpose, ...parts: string[]): string {
  return createHmac('sha256', key).update([purpose, ...parts].join('\u0000')).digest('hex')
}

/** The keyed hash under which a data subject's address appears in the audit log (never the address). */
export function subjectHash (pseudonymKey: string, email: string): string {
  return keyedHash(pseudonymKey, 'subject', normaliseAddress(email))
}
