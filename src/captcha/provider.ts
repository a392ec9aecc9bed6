// What every CAPTCHA verifier implements, and the HTTP call the third-party ones share.
import { createHash } from 'node:crypto'
import type { CaptchaProviderName } from '../config.js'

/** A pass says, when the provider can tell, when the challenge was issued: the spam filter's fill time starts there. */
export type CaptchaResult = { ok: true, issuedAt?: Date } | { ok: false, reason: string }

export interface CaptchaVerifier {
  readonly name: CaptchaProviderName
  /**
   * What makes a solution single-use: the same token (or, for ALTCHA, the same
   * challenge) always gives the same key, which is stored with the request.
   */
  replayKey: (token: string) => string
  /** Resolves with the provider's verdict; throws CaptchaUnreachable when there is none. */
  verify: (token: string, context: { remoteIp: string | undefined }) => Promise<CaptchaResult>
}

/** The provider could not give a verdict: network error, timeout, 5xx, or an answer that is not its API's. */
export class CaptchaUnreachable extends Error {
  constructor (readonly provider: CaptchaProviderName, readonly detail: string) {
    super(`${provider} could not be reached: ${detail}`)
    this.name = 'CaptchaUnreachable'
  }
}

export const tokenKey = (provider: string, token: string): string =>
  createHash('sha256').update(`${provider}\u0000${token}`).digest('hex')

export interface ProviderAnswer { status: number, body: unknown }

/**
 * POSTs to a provider's verify endpoint within `timeoutMs` and returns its
 * status and JSON body. Anything that is not a JSON answer below 500 means the
 * provider gave no verdict, and throws CaptchaUnreachable.
 */
export async function callProvider (
  provider: CaptchaProviderName,
  url: string,
  init: { body: URLSearchParams | string, headers?: Record<string, string> },
  timeoutMs: number
): Promise<ProviderAnswer> {
  let response: Response
  try {
    response = await fetch(url, { method: 'POST', body: init.body, headers: init.headers, signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    const error = err as Error
    throw new CaptchaUnreachable(provider, error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${error.message} (${(error.cause as { code?: string } | undefined)?.code ?? 'network'})`)
  }
  const text = await response.text().catch(() => '')
  if (response.status >= 500) throw new CaptchaUnreachable(provider, `HTTP ${response.status}`)
  try {
    const body: unknown = JSON.parse(text)
    if (typeof body !== 'object' || body === null) throw new Error('not an object')
    return { status: response.status, body }
  } catch {
    throw new CaptchaUnreachable(provider, `HTTP ${response.status} with a body that is not JSON`)
  }
}
