// A capability token: a payload and its HMAC, in base64url, under a key derived from PSEUDONYM_KEY
// for one purpose only. A forged or altered token is refused without asking the database; what the
// payload means (and when it expires) is its user's business.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'

const MAC_CHARS = 43 // 32 bytes of HMAC-SHA-256

export function capabilityTokens (pseudonymKey: string, purpose: string, { maxPayloadBytes }: { maxPayloadBytes: number }) {
  // A key of its own per purpose: a token is no use for anything else the key signs.
  const key = Buffer.from(hkdfSync('sha256', pseudonymKey, '', purpose, 32))
  // A context (what the token is bound to but does not carry) is signed after the payload.
  const sign = (payload: Buffer, context: string): Buffer => {
    const mac = createHmac('sha256', key).update(payload)
    if (context !== '') mac.update('\u0000').update(context)
    return mac.digest()
  }
  const shape = new RegExp(`^[A-Za-z0-9_-]{1,${Math.ceil(maxPayloadBytes * 4 / 3)}}\\.[A-Za-z0-9_-]{${MAC_CHARS}}$`)

  return {
    /** The token of `payload`, bound to `context` too (which the holder must present beside it). */
    seal: (payload: Buffer, context = ''): string => `${payload.toString('base64url')}.${sign(payload, context).toString('base64url')}`,

    /** The payload of a well-formed token whose signature holds for this context; null for anything else. */
    open (token: string, context = ''): Buffer | null {
      if (!shape.test(token)) return null
      const dot = token.length - MAC_CHARS - 1
      const payload = Buffer.from(token.slice(0, dot), 'base64url')
      const mac = Buffer.from(token.slice(dot + 1), 'base64url')
      // One spelling per token: base64url's last character has bits that decode to nothing.
      if (payload.toString('base64url') !== token.slice(0, dot) || mac.toString('base64url') !== token.slice(dot + 1)) return null
      return timingSafeEqual(sign(payload, context), mac) ? payload : null
    }
  }
}

/** A UUID as its 16 bytes, and back. */
export const uuidBytes = (id: string): Buffer => Buffer.from(id.replace(/-/g, ''), 'hex')
export function uuidOf (bytes: Buffer): string {
  const hex = bytes.toString('hex')
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-')
}
