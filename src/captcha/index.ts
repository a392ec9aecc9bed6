// The enabled CAPTCHA providers behind one call, with each provider's outage policy.
import type { FastifyBaseLogger } from 'fastify'
import type { CaptchaProviderName, Config } from '../config.js'
import { captchaFailed, captchaUnavailable } from '../errors.js'
import { createAltcha, type Altcha } from './altcha.js'
import { createFriendlyCaptchaVerifier } from './friendly-captcha.js'
import { CaptchaUnreachable, type CaptchaResult, type CaptchaVerifier } from './provider.js'
import { createSiteverifyVerifier } from './siteverify.js'
import type { Metrics } from '../ops/metrics.js'

const VERDICT_TTL_MS = 60_000
const VERDICT_CACHE_SIZE = 10_000

/** Where each third-party provider's verification API answers. */
export interface CaptchaEndpoints {
  hcaptcha: string
  turnstile: string
  recaptcha: string
  friendlycaptcha: string
}

export const CAPTCHA_ENDPOINTS: CaptchaEndpoints = {
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
  friendlycaptcha: 'https://global.frcapi.com/api/v2/captcha/siteverify'
}

export interface CaptchaCheck {
  provider: CaptchaProviderName
  /** False when the provider was unreachable and its policy let the submission through. */
  verified: boolean
  /** When the form's challenge was issued, if the provider tells (ALTCHA does). */
  issuedAt: Date | null
}

function createVerifiers (config: Config, altcha: Altcha | null, endpoints: CaptchaEndpoints): CaptchaVerifier[] {
  const timeoutMs = config.CAPTCHA_TIMEOUT_MS
  const common = { timeoutMs, hostnames: config.SITE_HOSTNAMES, sendRemoteIp: config.CAPTCHA_SEND_REMOTE_IP }
  return config.CAPTCHA_PROVIDERS.map((name): CaptchaVerifier => {
    switch (name) {
      case 'altcha':
        return (altcha as Altcha).verifier
      case 'hcaptcha':
        return createSiteverifyVerifier({
          ...common, name, url: endpoints.hcaptcha, secret: config.HCAPTCHA_SECRET as string, sitekey: config.HCAPTCHA_SITEKEY
        })
      case 'turnstile':
        return createSiteverifyVerifier({
          ...common, name, url: endpoints.turnstile, secret: config.TURNSTILE_SECRET as string, action: config.TURNSTILE_ACTION
        })
      case 'recaptcha':
        return createSiteverifyVerifier({
          ...common,
          name,
          url: endpoints.recaptcha,
          secret: config.RECAPTCHA_SECRET as string,
          action: config.RECAPTCHA_ACTION,
          minScore: config.RECAPTCHA_MIN_SCORE
        })
      case 'friendlycaptcha':
        return createFriendlyCaptchaVerifier({
          url: endpoints.friendlycaptcha,
          apiKey: config.FRIENDLYCAPTCHA_API_KEY as string,
          sitekey: config.FRIENDLYCAPTCHA_SITEKEY,
          timeoutMs
        })
    }
    throw new Error(`unknown CAPTCHA provider ${String(name)}`)
  })
}

/** What a verdict is reached with: the enabled verifiers, which of them fail open, and where it is counted and told. */
interface Verdicts {
  verifiers: Map<string, CaptchaVerifier>
  failOpen: Set<string>
  metrics: Metrics['captcha']
  log: FastifyBaseLogger
}

/**
 * Verdicts in flight and recent successes, by replay key. A double click sends one token twice;
 * providers refuse a token's second use, so it must reach the provider once: the twin shares the
 * first one's verdict, then meets the stored request's unique CAPTCHA key and gets its answer.
 * The map keeps insertion order and every entry lives VERDICT_TTL_MS: the oldest, first in line,
 * expire first, so pruning stops at the first live one and each call costs O(1).
 */
class VerdictCache {
  readonly #entries = new Map<string, { pending: Promise<CaptchaCheck>, until: number }>()

  get (key: string): Promise<CaptchaCheck> | undefined {
    const known = this.#entries.get(key)
    return known !== undefined && known.until > Date.now() ? known.pending : undefined
  }

  /** Keeps a verdict for its twins; a failure, or a fail-open verdict (the provider may be back), is forgotten. */
  remember (key: string, pending: Promise<CaptchaCheck>): void {
    const now = Date.now()
    for (const [k, v] of this.#entries) {
      if (v.until > now && this.#entries.size < VERDICT_CACHE_SIZE) break
      this.#entries.delete(k)
    }
    this.#entries.delete(key)
    this.#entries.set(key, { pending, until: now + VERDICT_TTL_MS })
    pending.then((c) => { if (!c.verified) this.#entries.delete(key) }, () => { this.#entries.delete(key) })
  }
}

function verifierFor ({ verifiers }: Verdicts, provider: string): CaptchaVerifier {
  const verifier = verifiers.get(provider)
  if (verifier === undefined) throw captchaFailed('unknown or disabled provider')
  return verifier
}

/** Asks the provider, timing the answer and counting its result. */
async function ask ({ metrics }: Verdicts, verifier: CaptchaVerifier, token: string, remoteIp: string | undefined): Promise<CaptchaResult> {
  const provider = verifier.name
  const stop = metrics.duration.startTimer({ provider })
  try {
    const result = await verifier.verify(token, { remoteIp })
    metrics.verifications.inc({ provider, result: result.ok ? 'passed' : 'failed' })
    return result
  } catch (err) {
    if (err instanceof CaptchaUnreachable) metrics.verifications.inc({ provider, result: 'unreachable' })
    throw err
  } finally {
    stop()
  }
}

/** The verdict on one token: verified, or accepted unverified by a provider that fails open; otherwise it throws. */
async function check (verdicts: Verdicts, verifier: CaptchaVerifier, token: string, remoteIp: string | undefined): Promise<CaptchaCheck> {
  const { failOpen, metrics, log } = verdicts
  let result
  try {
    result = await ask(verdicts, verifier, token, remoteIp)
  } catch (err) {
    if (!(err instanceof CaptchaUnreachable)) throw err
    if (failOpen.has(verifier.name)) {
      metrics.failOpen.inc({ provider: verifier.name })
      log.warn({ provider: verifier.name, detail: err.detail, alert: 'captcha_fail_open' }, 'CAPTCHA provider unreachable; request accepted unverified')
      return { provider: verifier.name, verified: false, issuedAt: null }
    }
    log.error({ provider: verifier.name, detail: err.detail }, 'CAPTCHA provider unreachable; request refused')
    throw captchaUnavailable()
  }
  if (!result.ok) throw captchaFailed(result.reason)
  return { provider: verifier.name, verified: true, issuedAt: result.issuedAt ?? null }
}

export function createCaptcha (config: Config, { log, metrics }: { log: FastifyBaseLogger, metrics: Metrics['captcha'] }, endpoints: Partial<CaptchaEndpoints> = {}) {
  const altcha = config.CAPTCHA_PROVIDERS.includes('altcha')
    ? createAltcha({
      hmacKey: config.ALTCHA_HMAC_KEY,
      algorithm: config.ALTCHA_ALGORITHM,
      cost: config.ALTCHA_COST,
      expiresSeconds: config.ALTCHA_EXPIRES_SECONDS
    })
    : null
  const verdicts: Verdicts = {
    verifiers: new Map(createVerifiers(config, altcha, { ...CAPTCHA_ENDPOINTS, ...endpoints }).map((v) => [v.name as string, v])),
    failOpen: new Set<string>(config.CAPTCHA_FAIL_OPEN),
    metrics,
    log
  }
  const cache = new VerdictCache()

  return {
    altcha,

    /** The key under which this solution is stored; throws CAPTCHA_FAILED for a provider that is not enabled. */
    replayKey: (provider: string, token: string): string => verifierFor(verdicts, provider).replayKey(token),

    /** Verifies a token; throws CAPTCHA_FAILED or CAPTCHA_UNAVAILABLE. */
    async verify (provider: string, token: string, remoteIp: string | undefined): Promise<CaptchaCheck> {
      const verifier = verifierFor(verdicts, provider)
      const key = verifier.replayKey(token)
      const known = cache.get(key)
      if (known !== undefined) return await known
      const pending = check(verdicts, verifier, token, remoteIp)
      cache.remember(key, pending)
      return await pending
    }
  }
}
export type Captcha = ReturnType<typeof createCaptcha>
