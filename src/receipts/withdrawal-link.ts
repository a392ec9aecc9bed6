// The withdrawal link's capability token: it names one request and is signed, so a forged or
// altered one is refused without asking the database; it expires with the request.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { LOCALES, type Locale } from '../schemas/common.js'

/** What a valid token stands for. */
export interface WithdrawalGrant {
  requestId: string
  /** The request's deletion date: the link is worthless after it. */
  expiresAt: Date
  /** The language of the pages it opens. */
  locale: Locale
}

// 16 bytes of request id, 8 of expiry (seconds), 1 of language; then 32 bytes of HMAC-SHA-256,
// each part in base64url: 34 and 43 characters, which the pattern holds them to.
const PAYLOAD_BYTES = 25
const PAYLOAD_CHARS = 34
const TOKEN = /^[A-Za-z0-9_-]{34}\.[A-Za-z0-9_-]{43}$/

const uuidBytes = (id: string): Buffer => Buffer.from(id.replace(/-/g, ''), 'hex')
function uuidOf (bytes: Buffer): string {
  const hex = bytes.toString('hex')
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-')
}

export function createWithdrawalLinks ({ pseudonymKey, baseUrl }: { pseudonymKey: string, baseUrl: string }) {
  // A key of its own, derived from PSEUDONYM_KEY: a token is no use for anything else that key signs.
  const key = Buffer.from(hkdfSync('sha256', pseudonymKey, '', 'contact-intake withdrawal link v1', 32))
  const sign = (payload: Buffer): Buffer => createHmac('sha256', key).update(payload).digest()

  function token ({ requestId, expiresAt, locale }: WithdrawalGrant): string {
    const payload = Buffer.alloc(PAYLOAD_BYTES)
    uuidBytes(requestId).copy(payload, 0)
    payload.writeBigUInt64BE(BigInt(Math.floor(expiresAt.getTime() / 1000)), 16)
    payload.writeUInt8(LOCALES.indexOf(locale), 24)
    return `${payload.toString('base64url')}.${sign(payload).toString('base64url')}`
  }

  return {
    /** The link a receipt carries. */
    url (grant: WithdrawalGrant): string {
      return `${baseUrl}/withdraw/${token(grant)}`
    },

    token,

    /** What a token grants, or null: malformed, forged, altered and expired alike. */
    verify (candidate: string, now = new Date()): WithdrawalGrant | null {
      if (!TOKEN.test(candidate)) return null
      const payload = Buffer.from(candidate.slice(0, PAYLOAD_CHARS), 'base64url')
      if (!timingSafeEqual(sign(payload), Buffer.from(candidate.slice(PAYLOAD_CHARS + 1), 'base64url'))) return null
      const expiresAt = new Date(Number(payload.readBigUInt64BE(16)) * 1000)
      const locale = LOCALES[payload.readUInt8(24)]
      if (locale === undefined || expiresAt <= now) return null
      return { requestId: uuidOf(payload.subarray(0, 16)), expiresAt, locale }
    }
  }
}
export type WithdrawalLinks = ReturnType<typeof createWithdrawalLinks>
