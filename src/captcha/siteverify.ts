// hCaptcha, Cloudflare Turnstile and Google reCAPTCHA v3: the "siteverify" family of APIs.
import type { CaptchaProviderName } from '../config.js'
import { CaptchaUnreachable, callProvider, tokenKey, type CaptchaResult, type CaptchaVerifier } from './provider.js'

interface SiteverifyAnswer {
  success?: unknown
  hostname?: unknown
  action?: unknown
  score?: unknown
  'error-codes'?: unknown
}

export interface SiteverifyOptions {
  name: Extract<CaptchaProviderName, 'hcaptcha' | 'turnstile' | 'recaptcha'>
  url: string
  secret: string
  timeoutMs: number
  hostnames: string[]
  sendRemoteIp: boolean
  /** hCaptcha: pins the token to our widget. */
  sitekey?: string
  /** Turnstile (when set) and reCAPTCHA v3: the action the widget declared. */
  action?: string
  /** reCAPTCHA v3: the lowest score accepted. */
  minScore?: number
}

/** Checks a provider's answer: success, then where and for what the token was solved, then the score. */
export function judgeSiteverify (answer: SiteverifyAnswer, options: SiteverifyOptions): CaptchaResult {
  // JSON, but not the provider's answer (a captive portal, a misrouted proxy): no verdict.
  if (typeof answer.success !== 'boolean') throw new CaptchaUnreachable(options.name, 'an answer without a success field')
  if (!answer.success) {
    const codes = Array.isArray(answer['error-codes']) ? answer['error-codes'].map(String) : []
    return { ok: false, reason: codes.join(',') || 'rejected' }
  }
  if (typeof answer.hostname !== 'string' || !options.hostnames.includes(answer.hostname)) {
    return { ok: false, reason: 'hostname-mismatch' }
  }
  if (options.action !== undefined && answer.action !== options.action) {
    return { ok: false, reason: 'action-mismatch' }
  }
  if (options.minScore !== undefined && !(typeof answer.score === 'number' && answer.score >= options.minScore)) {
    return { ok: false, reason: 'score-too-low' }
  }
  return { ok: true }
}

export function createSiteverifyVerifier (options: SiteverifyOptions): CaptchaVerifier {
  return {
    name: options.name,
    replayKey: (token) => tokenKey(options.name, token),
    async verify (token, { remoteIp }) {
      const form = new URLSearchParams({ secret: options.secret, response: token })
      if (options.sitekey !== undefined) form.set('sitekey', options.sitekey)
      if (options.sendRemoteIp && remoteIp !== undefined) form.set('remoteip', remoteIp)
      const { body } = await callProvider(options.name, options.url, { body: form }, options.timeoutMs)
      return judgeSiteverify(body as SiteverifyAnswer, options)
    }
  }
}
