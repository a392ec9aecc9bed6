// The webhook job: one signed attempt to deliver one event to one endpoint, and its consequences
// for the delivery (delivered, retried, failed) and for the endpoint (a 410, or failing too long, disables it).
import { UnrecoverableError, type Job } from 'bullmq'
import type { FastifyBaseLogger as Logger } from 'fastify'
import { RetryLater, type WebhookPayload } from '../../src/jobs/webhook.js'
import type { AttemptRecord, ClaimedDelivery, WebhookRepository } from '../../src/repositories/webhooks.js'
import type { AddressPolicy } from '../../src/webhooks/address-guard.js'
import { webhookBody } from '../../src/schemas/webhook-events.js'
import type { SecretBox } from '../../src/webhooks/secrets.js'
import type { WebhookSender } from '../../src/webhooks/sender.js'
import type { Metrics } from '../../src/ops/metrics.js'

export interface WebhookProcessorDeps {
  webhooks: WebhookRepository
  box: SecretBox
  policy: AddressPolicy
  sender: WebhookSender
  /** An endpoint whose every attempt has failed for this long is disabled. */
  disableAfterHours: number
  /** Counts the endpoints this worker disables. */
  disabledCount: Metrics['webhooks']['autoDisabled']
  log: Logger
}

/** An attempt that was not made: nothing reached the network. */
const notMade = (errorKind: string, detail: string): AttemptRecord & { ok: false, retryAfterMs: null } =>
  ({ ok: false, status: null, errorKind, detail, durationMs: 0, response: null, retryAfterMs: null })

/** The secrets that sign now: the current one, and the one before a rotation while it overlaps. */
function secretsOf (box: SecretBox, delivery: ClaimedDelivery): string[] {
  const sealed = [delivery.secretSealed, ...(delivery.previousSecretSealed === null ? [] : [delivery.previousSecretSealed])]
  return sealed.map((s) => box.open(s, delivery.endpointId))
}

/** Signs and posts the delivery, unless its URL is refused now or its secret cannot be opened. */
async function attempt ({ box, policy, sender }: WebhookProcessorDeps, delivery: ClaimedDelivery) {
  const urlProblem = policy.problemWith(delivery.url)
  if (urlProblem !== null) return notMade('url_refused', `url refused: ${urlProblem}`)
  let secrets: string[]
  try {
    secrets = secretsOf(box, delivery)
  } catch {
    return notMade('secret_unavailable', 'the signing secret cannot be opened: WEBHOOK_SECRET_KEY is missing or not the one it was sealed with')
  }
  const body = webhookBody(delivery.eventType, delivery.createdAt, delivery.data, delivery.submission)
  return await sender.send({ id: delivery.id, url: delivery.url, body, secrets })
}

type Failed = Exclude<Awaited<ReturnType<typeof attempt>>, { ok: true }>

/**
 * After a failed attempt: 410 Gone disables the endpoint; an endpoint failing for longer than
 * WEBHOOK_DISABLE_AFTER_HOURS is disabled; the last attempt ends the job; anything else is thrown
 * for BullMQ to retry, after the receiver's Retry-After when it gave one.
 */
async function settleFailure (
  deps: WebhookProcessorDeps, job: Job<WebhookPayload>, delivery: ClaimedDelivery, result: Failed, jobLog: Logger
): Promise<never> {
  const { webhooks, disableAfterHours, disabledCount } = deps
  const { deliveryId } = job.data
  if (result.status === 410) {
    await webhooks.recordAttempt(deliveryId, result, 'failed')
    if (await webhooks.disable(delivery.endpointId, 'the receiver answered 410 Gone')) disabledCount.inc({ reason: 'gone' })
    jobLog.warn('webhook endpoint answered 410 Gone: disabled, no further deliveries')
    throw new UnrecoverableError(result.detail)
  }
  const disabled = await webhooks.recordEndpointFailure(delivery.endpointId, disableAfterHours * 3600, `every attempt failed for more than ${disableAfterHours} h`)
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  await webhooks.recordAttempt(deliveryId, result, disabled || lastAttempt ? 'failed' : 'retrying')
  if (disabled) {
    disabledCount.inc({ reason: 'failing' })
    jobLog.warn({ disableAfterHours }, 'webhook endpoint disabled: every attempt failed for too long; an admin can enable it again')
  }
  if (disabled || lastAttempt) {
    jobLog.error({ error: result.detail }, 'webhook not delivered; it can be replayed by an admin')
    throw new UnrecoverableError(result.detail)
  }
  jobLog.warn({ error: result.detail, retryAfterMs: result.retryAfterMs }, 'webhook not delivered yet; will retry')
  throw result.retryAfterMs === null ? new Error(result.detail) : new RetryLater(result.detail, result.retryAfterMs)
}

async function processWebhook (deps: WebhookProcessorDeps, job: Job<WebhookPayload>): Promise<void> {
  const { webhooks, log } = deps
  const { deliveryId } = job.data
  const delivery = await webhooks.claim(deliveryId)
  if (delivery === null) {
    log.info({ deliveryId }, 'webhook: nothing to deliver (settled, erased, endpoint disabled or request restricted)')
    return
  }
  // Never the URL: it may carry a token.
  const jobLog = log.child({ deliveryId, endpointId: delivery.endpointId, eventType: delivery.eventType, attempt: delivery.attempts })
  const result = await attempt(deps, delivery)
  if (!result.ok) return await settleFailure(deps, job, delivery, result, jobLog)
  await webhooks.recordAttempt(deliveryId, result, 'delivered')
  jobLog.info({ status: result.status, durationMs: result.durationMs }, 'webhook delivered')
}

export function createWebhookProcessor (deps: WebhookProcessorDeps) {
  return async (job: Job<WebhookPayload>): Promise<void> => { await processWebhook(deps, job) }
}
