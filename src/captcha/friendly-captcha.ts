// Friendly Captcha v2: JSON API, key in a header, real HTTP statuses.
import { CaptchaUnreachable, callProvider, tokenKey, type CaptchaVerifier } from './provider.js'

export interface FriendlyCaptchaOptions {
  url: string
  apiKey: string
  sitekey?: string
  timeoutMs: number
}

interface FriendlyAnswer {
  success?: unknown
  error?: { error_code?: unknown }
}

/**
 * Only HTTP 200 carries a verdict: `success` true, or false with the reason
 * (invalid, timed out, duplicate). Any other status is the vendor's own trouble
 * or ours (bad key), which it asks integrators not to hold against the visitor:
 * the caller's fail-open policy decides.
 */
export function createFriendlyCaptchaVerifier (options: FriendlyCaptchaOptions): CaptchaVerifier {
  return {
    name: 'friendlycaptcha',
    replayKey: (token) => tokenKey('friendlycaptcha', token),
    async verify (token) {
      const body = JSON.stringify(options.sitekey === undefined ? { response: token } : { response: token, sitekey: options.sitekey })
      const answer = await callProvider('friendlycaptcha', options.url, {
        body,
        headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey }
      }, options.timeoutMs)
      const result = answer.body as FriendlyAnswer
      const code = typeof result.error?.error_code === 'string' ? result.error.error_code : undefined
      if (answer.status !== 200) throw new CaptchaUnreachable('friendlycaptcha', `HTTP ${answer.status} ${code ?? ''}`.trim())
      if (result.success === true) return { ok: true }
      if (result.success === false) return { ok: false, reason: code ?? 'rejected' }
      throw new CaptchaUnreachable('friendlycaptcha', 'an answer without a success field')
    }
  }
}
