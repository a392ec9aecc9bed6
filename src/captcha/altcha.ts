// ALTCHA: self-hosted proof of work. Challenges are signed here and verified in-process.
import { createChallenge, verifySolution, type Challenge, type DeriveKeyFunction, type Solution } from 'altcha-lib'
import { deriveKey as pbkdf2 } from 'altcha-lib/algorithms/pbkdf2'
import { deriveKey as sha } from 'altcha-lib/algorithms/sha'
import type { CaptchaResult, CaptchaVerifier } from './provider.js'
import { tokenKey } from './provider.js'

export interface AltchaOptions {
  hmacKey: string
  algorithm: string
  cost: number
  expiresSeconds: number
}

interface AltchaPayload { challenge: Challenge, solution: Solution }

const deriveKeyFor = (algorithm: string): DeriveKeyFunction => algorithm.startsWith('PBKDF2/') ? pbkdf2 : sha

/** The widget posts base64 of JSON {challenge, solution}; anything else is not a payload. */
function decodePayload (token: string): AltchaPayload | null {
  try {
    const payload = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Partial<AltchaPayload>
    const nonce = payload.challenge?.parameters?.nonce
    if (typeof nonce !== 'string' || typeof payload.solution !== 'object' || payload.solution === null) return null
    return payload as AltchaPayload
  } catch {
    return null
  }
}

/** The key under which a submission's challenge counts as used: its nonce, which our signature covers. */
function replayKey (token: string): string {
  const payload = decodePayload(token)
  return tokenKey('altcha', payload === null ? token : `nonce:${payload.challenge.parameters.nonce}`)
}

/**
 * When a challenge was issued: its signed issue time, or (for a challenge signed before issue
 * times were) its expiry less the configured lifetime.
 */
function issuedAt (options: AltchaOptions, challenge: Challenge): Date {
  const signed = challenge.parameters.data?.issuedAt
  const seconds = typeof signed === 'number' ? signed : (challenge.parameters.expiresAt ?? 0) - options.expiresSeconds
  return new Date(seconds * 1000)
}

async function verify (options: AltchaOptions, token: string): Promise<CaptchaResult> {
  const payload = decodePayload(token)
  if (payload === null) return { ok: false, reason: 'malformed-payload' }
  // A challenge without an expiry would be valid forever; ours always have one.
  if (payload.challenge.parameters.expiresAt === undefined) return { ok: false, reason: 'no-expiry' }
  try {
    const result = await verifySolution({
      challenge: payload.challenge,
      solution: payload.solution,
      deriveKey: deriveKeyFor(options.algorithm),
      hmacSignatureSecret: options.hmacKey
    })
    if (result.verified) return { ok: true, issuedAt: issuedAt(options, payload.challenge) }
    if (result.expired) return { ok: false, reason: 'expired' }
    if (result.invalidSignature === true) return { ok: false, reason: 'invalid-signature' }
    return { ok: false, reason: 'invalid-solution' }
  } catch {
    // altcha-lib throws on parameters it cannot use (unknown algorithm, bad lengths).
    return { ok: false, reason: 'malformed-payload' }
  }
}

async function newChallenge (options: AltchaOptions): Promise<Challenge> {
  const now = Date.now()
  return await createChallenge({
    algorithm: options.algorithm,
    cost: options.cost,
    deriveKey: deriveKeyFor(options.algorithm),
    expiresAt: new Date(now + options.expiresSeconds * 1000),
    // Signed with the rest: when the form fetched it (the widget does on the first focus in the form).
    data: { issuedAt: Math.floor(now / 1000) },
    hmacSignatureSecret: options.hmacKey
  })
}

/** One challenge, one submission, whatever solution is presented for it. */
export function createAltcha (options: AltchaOptions) {
  const verifier: CaptchaVerifier = { name: 'altcha', replayKey, verify: async (token) => await verify(options, token) }
  return { verifier, createChallenge: async () => await newChallenge(options) }
}
export type Altcha = ReturnType<typeof createAltcha>
