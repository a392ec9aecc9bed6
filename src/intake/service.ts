// Intake: turns a valid form submission into a stored, consented, CAPTCHA-checked request.
import { createHash, randomUUID } from 'node:crypto'
import { keyedHash, normaliseAddress } from '../privacy/pseudonyms.js'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { Captcha, CaptchaCheck } from '../captcha/index.js'
import type { ContactRouter } from '../contacts/routing.js'
import type { Notice, NoticeCatalog } from '../notices/catalog.js'
import { AppError, captchaFailed, consentRequired, idempotencyKeyReused, unknownContact } from '../errors.js'
import { DuplicateSubmission, type PriorRequest, type RepeatKeys, type RequestRepository, type StoredRequest } from '../repositories/requests.js'
import type { Accepted, ContactRequestBody } from './schemas.js'
import type { RepeatKind, SubmissionOutcome } from '../ops/metrics.js'
import { enqueueWork, type WorkProducers } from '../jobs/request-work.js'
import type { SpamScorer } from '../spam/scorer.js'
import type { SpamReason } from '../spam/rule.js'

/** With the producers of a stored request's work: its notification, receipt and contact_request.received webhooks. */
export interface IntakeDeps extends WorkProducers {
  config: Pick<Config, 'PSEUDONYM_KEY'>
  requests: RequestRepository
  notices: NoticeCatalog
  captcha: Captcha
  router: ContactRouter
  /** How long to wait for Redis to take the job before leaving it to the outbox relay. */
  enqueueTimeoutMs: number
  /** The spam signals (src/spam/scorer.ts); the store completes the score and quarantines. */
  spam: SpamScorer
}

/** One submission to take in, as the route hands it over. */
export interface IntakeInput {
  body: ContactRequestBody
  idempotencyKey: string | undefined
  remoteIp: string
  log: FastifyBaseLogger
}

/**
 * The answer, and what the submission turned out to be (it is counted, never shown: a repeat and
 * a quarantined request look like an acceptance).
 */
export interface Submitted {
  accepted: Accepted
  outcome: Exclude<SubmissionOutcome, { outcome: 'refused' | 'error' }>
  /** The spam signals that fired, for a new request (quarantined or not); none for a repeat. */
  spamReasons: SpamReason[]
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex')

/**
 * What an Idempotency-Key binds: the submission's content. The CAPTCHA solution is
 * left out: it is good for one attempt, and a retry may carry a fresh one.
 */
function contentSha256 (body: ContactRequestBody): string {
  const { captcha: _solution, ...content } = body
  return sha256(JSON.stringify(content))
}

const toAccepted = (stored: StoredRequest): Accepted => ({ id: stored.id, status: 'received', retainUntil: stored.retainUntil.toISOString() })

/** The request's fields as stored: trimmed where the form may have padded them. */
function requestFields (body: ContactRequestBody) {
  return {
    contactId: body.contactId,
    name: body.name.trim(),
    email: body.email.trim(),
    phone: body.phone ?? null,
    organisation: body.organisation ?? null,
    message: body.message,
    locale: body.locale ?? 'sv',
    pageUrl: body.pageUrl ?? null
  }
}

/** Keyed, so the stored value reveals nothing to someone who guesses a message. */
const fingerprintOf = (pseudonymKey: string, body: ContactRequestBody): string =>
  keyedHash(pseudonymKey, 'fingerprint', body.contactId, normaliseAddress(body.email), body.message.trim())

/** What makes a submission a repeat of an earlier one: its CAPTCHA solution, its content, its Idempotency-Key. */
function repeatKeys ({ config, captcha }: IntakeDeps, body: ContactRequestBody, idempotencyKey: string | undefined): RepeatKeys {
  return {
    captchaKey: captcha.replayKey(body.captcha.provider, body.captcha.token),
    fingerprint: fingerprintOf(config.PSEUDONYM_KEY, body),
    idempotencyKey: idempotencyKey === undefined ? null : sha256(idempotencyKey)
  }
}

const repeatOf = (of: StoredRequest, reason: RepeatKind): Submitted => ({ accepted: toAccepted(of), outcome: { outcome: 'repeat', reason }, spamReasons: [] })

/**
 * Answers the submission `prior` repeats, or null if it repeats none; throws when it may not
 * repeat it. Only a submission whose own CAPTCHA passed may repeat an earlier request by content alone.
 */
function answerRepeat (prior: PriorRequest[], bodySha256: string | null, captchaPassed: boolean): Submitted | null {
  const byKey = prior.find((p) => p.sameIdempotencyKey)
  if (byKey !== undefined) {
    if (byKey.bodySha256 !== bodySha256) throw idempotencyKeyReused()
    return repeatOf(byKey, 'idempotency_key')
  }
  const byCaptcha = prior.find((p) => p.sameCaptcha)
  if (byCaptcha !== undefined) {
    // A double click repeats the whole submission; anything else reusing a solution is a replay.
    if (byCaptcha.sameFingerprint) return repeatOf(byCaptcha, 'captcha')
    throw captchaFailed('already-used')
  }
  const byFingerprint = prior.find((p) => p.sameFingerprint)
  // The same message again with a fresh CAPTCHA: still a person, not a new request.
  if (byFingerprint !== undefined && captchaPassed) return repeatOf(byFingerprint, 'message')
  return null
}

/** The published notice the person consented to; throws CONSENT_REQUIRED otherwise. */
async function consentedNotice (notices: NoticeCatalog, body: ContactRequestBody): Promise<Notice> {
  if (body.consent.accepted !== true) {
    throw consentRequired([{ path: '/consent/accepted', message: 'must be true' }])
  }
  const locale = body.locale ?? 'sv'
  const notice = await notices.find(body.consent.noticeVersion, locale)
  if (notice === null) {
    throw consentRequired([{ path: '/consent/noticeVersion', message: `no published ${locale} notice with this version` }])
  }
  return notice
}

/**
 * Verifies the CAPTCHA. A provider refuses a token's second use, but a double click (or a retry
 * with its Idempotency-Key) must still get the first answer: that answer, if any, is returned
 * instead of a check.
 */
async function checkCaptcha (
  { captcha, requests }: IntakeDeps, body: ContactRequestBody, remoteIp: string, keys: RepeatKeys, bodySha256: string | null
): Promise<CaptchaCheck | Submitted> {
  try {
    return await captcha.verify(body.captcha.provider, body.captcha.token, remoteIp)
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'CAPTCHA_FAILED')) throw err
    const repeat = answerRepeat(await requests.findPrior(keys), bodySha256, false)
    if (repeat !== null) return repeat
    throw err
  }
}

/**
 * Consent, CAPTCHA, the recipient, the spam signals, then one stored request (or the answer of the
 * one it repeats), then its jobs. A quarantined request has none, and is answered as any other: its
 * retainUntil is the latest it is kept (the quarantine's shorter retention ends it sooner).
 */
// eslint-disable-next-line max-lines-per-function -- the intake's steps in order, each a call
async function submit (
  deps: IntakeDeps, { body, idempotencyKey, remoteIp, log }: IntakeInput, later: (jobs: Promise<void>) => void
): Promise<Submitted> {
  const notice = await consentedNotice(deps.notices, body)
  const keys = repeatKeys(deps, body, idempotencyKey)
  const bodySha256 = idempotencyKey === undefined ? null : contentSha256(body)
  const check = await checkCaptcha(deps, body, remoteIp, keys, bodySha256)
  if (!('provider' in check)) return check
  const destination = await deps.router.find(body.contactId)
  if (destination === null) throw unknownContact()

  const spam = await deps.spam.assess({
    message: body.message,
    email: body.email,
    locale: body.locale ?? 'sv',
    honeypotFilled: body.website !== undefined && body.website !== '',
    startedAt: check.issuedAt
  })
  const notificationId = randomUUID()
  const receiptId = deps.receipts === null ? null : randomUUID()
  const outcome = await deps.requests.store({
    id: randomUUID(),
    notificationId,
    receiptId,
    ...requestFields(body),
    captchaProvider: check.provider,
    captchaVerified: check.verified,
    ...keys,
    bodySha256,
    retentionDays: destination.retentionDays,
    notice: { version: notice.version, locale: notice.locale, sha256: notice.sha256 },
    spam
  })
  if ('prior' in outcome) {
    // An empty list: a twin was stored at the same instant; it is there now.
    const repeat = answerRepeat(outcome.prior.length > 0 ? outcome.prior : await deps.requests.findPrior(keys), bodySha256, true)
    if (repeat === null) throw new DuplicateSubmission()
    return repeat
  }
  const { stored } = outcome
  if (stored.quarantined) {
    log.info({ requestId: stored.id, contactId: body.contactId, spamReasons: stored.spamReasons }, 'contact request quarantined as spam')
    return { accepted: toAccepted(stored), outcome: { outcome: 'quarantined' }, spamReasons: stored.spamReasons }
  }
  // The request is committed with its work pending: the answer need not wait for Redis (the
  // outbox relay enqueues what Redis does not take), and so takes as long as a quarantined one's.
  const receiptIds = receiptId === null ? [] : [receiptId]
  const work = { notificationIds: [notificationId], receiptIds, webhookDeliveryIds: stored.webhookDeliveryIds }
  later(enqueueWork(deps, work, deps.enqueueTimeoutMs, log))
  log.info({ requestId: stored.id, contactId: body.contactId, captchaVerified: check.verified, spamReasons: stored.spamReasons }, 'contact request received')
  return { accepted: toAccepted(stored), outcome: { outcome: 'accepted' }, spamReasons: stored.spamReasons }
}

export function createIntakeService (deps: IntakeDeps) {
  const enqueuing = new Set<Promise<void>>()
  const later = (jobs: Promise<void>) => {
    enqueuing.add(jobs)
    jobs.finally(() => enqueuing.delete(jobs)).catch(() => {})
  }
  return {
    submit: async (input: IntakeInput): Promise<Submitted> => await submit(deps, input, later),
    /** Waits until the jobs of every answered submission are in Redis or left to the outbox relay (enqueueWork never rejects). */
    drain: async (): Promise<void> => { await Promise.allSettled([...enqueuing]) }
  }
}
export type IntakeService = ReturnType<typeof createIntakeService>
