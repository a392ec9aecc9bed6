// The action links of a notification: "I'll take it", "Answered", "Not mine — pass it on". Each is
// a capability token bound to one request, one recipient (whose actor it acts as) and one action,
// expiring with the request; forged, altered, expired and cross-purpose ones are refused before
// any database lookup. The link is /handle/<handler>/<token>: the handler (contact:<id> or
// inbox:fallback) is signed into the token but kept beside it, so that a contact id of any length
// fits the path segments' 100 characters.
import { capabilityTokens, uuidBytes, uuidOf } from '../privacy/capability-token.js'
import { LOCALES, type Locale } from '../schemas/common.js'

export const HANDLING_ACTIONS = ['take', 'answer', 'pass'] as const
export type HandlingAction = typeof HANDLING_ACTIONS[number]

/** Who holds a request: a contact of the directory, or the fallback inbox. */
export type Handler = `contact:${string}` | 'inbox:fallback'
/** A handler's shape, as a route's pattern and a test. */
export const HANDLER_PATTERN = '^(contact:[a-z0-9]+(-[a-z0-9]+)*|inbox:fallback)$'
const HANDLER = new RegExp(HANDLER_PATTERN)
export const isHandler = (value: string): value is Handler => HANDLER.test(value) && value.length <= 72
export const handlerOf = (contactId: string | null): Handler => contactId === null ? 'inbox:fallback' : `contact:${contactId}`
/** The contact a handler names; null for the fallback inbox. */
export const contactOf = (handler: Handler): string | null => handler.startsWith('contact:') ? handler.slice('contact:'.length) : null

export interface HandlingGrant {
  requestId: string
  /** Whose link it is: the actor of what it does. */
  handler: Handler
  action: HandlingAction
  /** The request's deletion date: the link is worthless after it. */
  expiresAt: Date
  /** The language of the pages it opens (its recipient's). */
  locale: Locale
}

// 16 bytes of request id, 8 of expiry (seconds), 1 of action, 1 of language.
const PAYLOAD_BYTES = 26

export function createHandlingLinks ({ pseudonymKey, baseUrl }: { pseudonymKey: string, baseUrl: string }) {
  const tokens = capabilityTokens(pseudonymKey, 'contact-intake handling link v1', { maxPayloadBytes: PAYLOAD_BYTES })

  function token ({ requestId, handler, action, expiresAt, locale }: HandlingGrant): string {
    const payload = Buffer.alloc(PAYLOAD_BYTES)
    uuidBytes(requestId).copy(payload, 0)
    payload.writeBigUInt64BE(BigInt(Math.floor(expiresAt.getTime() / 1000)), 16)
    payload.writeUInt8(HANDLING_ACTIONS.indexOf(action), 24)
    payload.writeUInt8(LOCALES.indexOf(locale), 25)
    return tokens.seal(payload, handler)
  }
  /** The link's path on this service. */
  const path = (grant: HandlingGrant): string => `/handle/${grant.handler}/${token(grant)}`

  return {
    token,
    path,
    url: (grant: HandlingGrant): string => `${baseUrl}${path(grant)}`,

    /** The three links of one recipient for one request. */
    urls (grant: Omit<HandlingGrant, 'action'>): Record<HandlingAction, string> {
      return { take: this.url({ ...grant, action: 'take' }), answer: this.url({ ...grant, action: 'answer' }), pass: this.url({ ...grant, action: 'pass' }) }
    },

    /** What the link /handle/<handler>/<token> grants, or null: malformed, forged, altered and expired alike. */
    verify (handler: string, candidate: string, now = new Date()): HandlingGrant | null {
      if (!isHandler(handler)) return null
      const payload = tokens.open(candidate, handler)
      if (payload?.length !== PAYLOAD_BYTES) return null
      const expiresAt = new Date(Number(payload.readBigUInt64BE(16)) * 1000)
      const action = HANDLING_ACTIONS[payload.readUInt8(24)]
      const locale = LOCALES[payload.readUInt8(25)]
      if (action === undefined || locale === undefined || expiresAt <= now) return null
      return { requestId: uuidOf(payload.subarray(0, 16)), handler, action, expiresAt, locale }
    }
  }
}
export type HandlingLinks = ReturnType<typeof createHandlingLinks>
