// The withdrawal link's capability token: it names one request and is signed, so a forged or
// altered one is refused without asking the database; it expires with the request.
import { capabilityTokens, uuidBytes, uuidOf } from '../privacy/capability-token.js'
import { LOCALES, type Locale } from '../schemas/common.js'

/** What a valid token stands for. */
export interface WithdrawalGrant {
  requestId: string
  /** The request's deletion date: the link is worthless after it. */
  expiresAt: Date
  /** The language of the pages it opens. */
  locale: Locale
}

// 16 bytes of request id, 8 of expiry (seconds), 1 of language.
const PAYLOAD_BYTES = 25

export function createWithdrawalLinks ({ pseudonymKey, baseUrl }: { pseudonymKey: string, baseUrl: string }) {
  const tokens = capabilityTokens(pseudonymKey, 'contact-intake withdrawal link v1', { maxPayloadBytes: PAYLOAD_BYTES })

  function token ({ requestId, expiresAt, locale }: WithdrawalGrant): string {
    const payload = Buffer.alloc(PAYLOAD_BYTES)
    uuidBytes(requestId).copy(payload, 0)
    payload.writeBigUInt64BE(BigInt(Math.floor(expiresAt.getTime() / 1000)), 16)
    payload.writeUInt8(LOCALES.indexOf(locale), 24)
    return tokens.seal(payload)
  }

  return {
    /** The link a receipt carries. */
    url (grant: WithdrawalGrant): string {
      return `${baseUrl}/withdraw/${token(grant)}`
    },

    token,

    /** What a token grants, or null: malformed, forged, altered and expired alike. */
    verify (candidate: string, now = new Date()): WithdrawalGrant | null {
      const payload = tokens.open(candidate)
      if (payload?.length !== PAYLOAD_BYTES) return null
      const expiresAt = new Date(Number(payload.readBigUInt64BE(16)) * 1000)
      const locale = LOCALES[payload.readUInt8(24)]
      if (locale === undefined || expiresAt <= now) return null
      return { requestId: uuidOf(payload.subarray(0, 16)), expiresAt, locale }
    }
  }
}
export type WithdrawalLinks = ReturnType<typeof createWithdrawalLinks>
