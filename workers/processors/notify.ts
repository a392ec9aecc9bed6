// The notify job: route the request, send the e-mail, record its fate.
import { UnrecoverableError, type Job } from 'bullmq'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Config } from '../../src/config.js'
import { scrubAddresses } from '../../src/logger.js'
import { routeTo, type Route } from '../../src/contacts/routing.js'
import { handlerOf, type HandlingLinks } from '../../src/handling/links.js'
import type { NotifyPayload } from '../../src/jobs/notify.js'
import type { WebhookProducer } from '../../src/jobs/webhook.js'
import type { Mailer } from '../../src/mail/mailer.js'
import { composeNotification } from '../../src/notifications/compose.js'
import type { NotificationRepository } from '../../src/repositories/notifications.js'
import type { Metrics } from '../../src/ops/metrics.js'
import { recordSent, type RecordRetry } from './record-sent.js'

export interface NotifyProcessorDeps {
  notifications: NotificationRepository
  mailer: Mailer
  /** Delivers the notification.failed webhooks a failure writes. */
  webhooks: WebhookProducer
  config: Pick<Config, 'MAIL_FROM' | 'NOTIFY_FALLBACK_EMAIL'>
  /** Signs the recipient's action links (take, answer, pass on). */
  links: HandlingLinks
  metrics: Metrics['notifications']
  log: Logger
  /** How long a sent message's record is retried while the database is unreachable. */
  recordRetry: RecordRetry
}

interface MailError { code?: string, responseCode?: number, response?: string, command?: string, message?: string }

/**
 * What went wrong, in words safe to store and log: codes and the server's
 * status, with any address in its text replaced. SMTP 5xx is permanent.
 */
export function describeMailError (err: unknown): { permanent: boolean, text: string } {
  const e = (err ?? {}) as MailError
  const response = scrubAddresses(e.response ?? e.message ?? 'unknown error').slice(0, 300)
  const parts = [e.code, e.command, e.responseCode === undefined ? undefined : String(e.responseCode)].filter((p) => p !== undefined && p !== '')
  return {
    permanent: e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode < 600,
    text: `${parts.join(' ')}${parts.length > 0 ? ': ' : ''}${response}`
  }
}

/** How a failed send is written down: for good, or as an attempt to retry. */
export interface FailureRecord {
  failed: (text: string, permanent: boolean) => Promise<void>
  retrying: (text: string) => Promise<void>
}

/**
 * After a failed send: a permanent failure, or the last attempt, is recorded as failed and ends
 * the job; anything else is recorded and thrown, for BullMQ to retry with backoff.
 */
export async function settleSendFailure (err: unknown, job: Job, record: FailureRecord, log: Logger): Promise<never> {
  const failure = describeMailError(err)
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
  if (failure.permanent || lastAttempt) {
    await record.failed(failure.text, failure.permanent)
    log.error({ attempt: job.attemptsMade + 1, permanent: failure.permanent, error: failure.text }, 'mail failed; it can be re-driven by an admin')
    throw failure.permanent ? new UnrecoverableError(failure.text) : new Error(failure.text)
  }
  await record.retrying(failure.text)
  log.warn({ attempt: job.attemptsMade + 1, error: failure.text }, 'mail not delivered yet; will retry')
  throw new Error(failure.text)
}

/** Failed for good; its webhooks are enqueued now, or by the outbox relay if Redis refuses. */
async function fail (
  { notifications, metrics, webhooks }: NotifyProcessorDeps, notificationId: string, reason: string, why: 'permanent' | 'exhausted' | 'no_recipient', route?: Route
): Promise<void> {
  const deliveries = await notifications.markFailed(notificationId, reason, route)
  metrics.failed.inc({ reason: why })
  await Promise.allSettled(deliveries.map(webhooks.enqueue))
}

/** One attempt to hand the message over, timed by its result. */
async function send ({ mailer, metrics }: NotifyProcessorDeps, message: Parameters<Mailer['send']>[0]): ReturnType<Mailer['send']> {
  const stop = metrics.duration.startTimer()
  try {
    const sent = await mailer.send(message)
    stop({ result: 'sent' })
    return sent
  } catch (err) {
    stop({ result: 'error' })
    throw err
  }
}

/** Claims the notification, routes it, sends it and records the outcome: sent, retrying, or failed. */
async function processNotify (deps: NotifyProcessorDeps, job: Job<NotifyPayload>): Promise<void> {
  const { notifications, config, metrics, log, recordRetry } = deps
  const { notificationId } = job.data
  const jobLog = log.child({ jobId: job.id, notificationId })
  const data = await notifications.claimForDelivery(notificationId)
  if (data === null) {
    jobLog.info('nothing to send: the notification is already settled, or was erased')
    return
  }
  const route = routeTo(data.handler === 'inbox:fallback' ? null : data.contact, config.NOTIFY_FALLBACK_EMAIL)
  if (route === null) {
    const reason = 'no recipient: the contact is inactive, with no active delegate and no fallback inbox'
    await fail(deps, notificationId, reason, 'no_recipient')
    throw new UnrecoverableError(reason)
  }
  const attempt = data.attempts
  let sent
  try {
    // The links act as whoever receives the message: the contact, their delegate, or the fallback inbox.
    const actions = deps.links.urls({
      requestId: data.request.id, handler: handlerOf(route.contactId), expiresAt: data.request.retainUntil, locale: route.locale === 'en' ? 'en' : 'sv'
    })
    const passedOn = data.handler !== null
    const message = composeNotification(data.request, route, { from: config.MAIL_FROM, notificationId, actions, passedOn })
    sent = await send(deps, message)
  } catch (err) {
    return await settleSendFailure(err, job, {
      failed: async (text, permanent) => { await fail(deps, notificationId, text, permanent ? 'permanent' : 'exhausted', route) },
      retrying: async (text) => {
        await notifications.recordError(notificationId, route, text)
        metrics.retried.inc()
      }
    }, jobLog)
  }
  await recordSent(async () => { await notifications.markSent(notificationId, route, sent) }, jobLog, recordRetry)
  metrics.sent.inc()
  metrics.attempts.observe(attempt)
  jobLog.info({ routeReason: route.reason, attempt, result: scrubAddresses(sent.response) }, 'notification sent')
}

export function createNotifyProcessor (deps: NotifyProcessorDeps) {
  return async (job: Job<NotifyPayload>): Promise<void> => { await processNotify(deps, job) }
}
