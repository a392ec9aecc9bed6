// The worker side: the notify, receipt, webhook and purge workers and the outbox relays, started together, closed in order.
import { Worker, type Job, type WorkerOptions as BullWorkerOptions } from 'bullmq'
import { pino } from 'pino'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Config } from '../src/config.js'
import { NOTIFY_QUEUE, type NotifyPayload } from '../src/jobs/notify.js'
import { RECEIPT_QUEUE, type ReceiptPayload } from '../src/jobs/receipt.js'
import { PURGE_QUEUE, retireLegacyPurgeQueue, schedulePurge } from '../src/jobs/purge.js'
import { FOLLOW_UP_QUEUE, scheduleFollowUp } from '../src/jobs/follow-up.js'
import { createFollowUpProcessor } from './processors/follow-up.js'
import { WEBHOOK_QUEUE, webhookBackoff, type WebhookPayload } from '../src/jobs/webhook.js'
import { loggerOptions } from '../src/logger.js'
import { createOutboxRelay, type OutboxRelay } from '../src/notifications/relay.js'
import { createCore, type Core, type CoreOptions } from '../src/roots/core.js'
import { createWorkerServices, type WorkerServices } from './services.js'
import type { Mailer } from '../src/mail/mailer.js'
import { createNotifyProcessor } from './processors/notify.js'
import { createPurgeProcessor } from './processors/purge.js'
import { createReceiptProcessor } from './processors/receipt.js'
import { createWebhookProcessor } from './processors/webhook.js'
import { startMailCheck, workerReadiness } from './readiness.js'
import type { ReadinessSource } from '../src/ops/readiness.js'

export interface WorkerOptions extends Omit<CoreOptions, 'log'> {
  log?: Logger
  /** A mailer owned by the caller (tests, benchmarks): used, and left open on close. */
  mailer?: Mailer
  /** The follow-up runs' clock (tests). */
  clock?: () => Date
  /**
   * The core another part of the process owns (npm start's API): the workers build on it, and
   * leave closing it to its owner. Without it the workers build their own, and close it.
   */
  core?: Core
}

export interface Workers {
  notify: Worker<NotifyPayload>
  receipt: Worker<ReceiptPayload>
  webhook: Worker<WebhookPayload>
  /** Runs the scheduled retention purge. */
  purge: Worker
  /** Runs the day's reminders. */
  followUp: Worker
  relays: OutboxRelay[]
  core: Core
  /** What only the worker uses, on top of its core. */
  services: WorkerServices
  /** What this worker adds to its process's readiness (SMTP, paused queues). */
  readiness: ReadinessSource
  /** Stops taking jobs, lets running ones finish, then closes connections. */
  close: () => Promise<void>
}

/** The core and the worker's own services, as its parts are built from them. */
type Built = Omit<Core, 'close'> & Omit<WorkerServices, 'close'>

/** A BullMQ worker on the blocking connection, reporting Redis errors to the log. */
function startWorker<T> (services: Built, queue: string, process: (job: Job<T>) => Promise<void>, options: { concurrency: number, lockMs?: number, settings?: BullWorkerOptions['settings'] }): Worker<T> {
  const worker = new Worker<T>(queue, process, {
    connection: services.blockingRedis,
    prefix: services.queuePrefix,
    concurrency: options.concurrency,
    settings: options.settings,
    ...(options.lockMs === undefined ? {} : { lockDuration: options.lockMs, stalledInterval: options.lockMs })
  })
  worker.on('error', (err) => { services.log.error({ err, queue }, 'worker: redis error') })
  return worker
}

/** Delivers webhooks, retrying on the schedule in TUNING (or when a receiver says, with Retry-After). */
function startWebhookWorker (services: Built): Worker<WebhookPayload> {
  const { config, log } = services
  const worker = startWorker<WebhookPayload>(services, WEBHOOK_QUEUE, createWebhookProcessor({
    webhooks: services.repositories.webhooks,
    box: services.secretBox,
    policy: services.addressPolicy,
    sender: services.webhookSender,
    disableAfterHours: config.WEBHOOK_DISABLE_AFTER_HOURS,
    disabledCount: services.metrics.webhooks.autoDisabled,
    log
  }), {
    concurrency: config.WEBHOOK_CONCURRENCY,
    lockMs: config.JOB_LOCK_MS,
    settings: { backoffStrategy: webhookBackoff(services.tuning.webhookRetryMs) }
  })
  worker.on('stalled', (jobId) => { log.warn({ jobId }, 'webhook job stalled (its worker died or hung); it will run again') })
  if (!services.secretBox.configured) log.info('webhooks off: WEBHOOK_SECRET_KEY is not set')
  return worker
}

// eslint-disable-next-line max-lines-per-function -- the worker side's table of contents: one part a line or two
export async function startWorkers (config: Config, options: WorkerOptions = {}): Promise<Workers> {
  const log = options.core?.log ?? options.log ?? pino(loggerOptions(config))
  const core = options.core ?? await createCore(config, { ...options, log })
  const own = createWorkerServices(core, { mailer: options.mailer, connect: options.webhookNetwork?.connect, clock: options.clock })
  const services: Built = { ...core, ...own }
  const { repositories: { notifications, receipts, webhooks }, producers, tuning, mailer } = services

  const recordRetry = { maxMs: tuning.recordSentRetryMs }
  const processNotify = createNotifyProcessor({
    notifications,
    mailer,
    webhooks: producers.webhooks,
    config,
    links: services.handlingLinks,
    metrics: services.metrics.notifications,
    log,
    recordRetry
  })
  const notifyWorker = startWorker<NotifyPayload>(services, NOTIFY_QUEUE, processNotify, {
    concurrency: config.MAIL_CONCURRENCY,
    lockMs: config.JOB_LOCK_MS
  })
  notifyWorker.on('stalled', (jobId) => { log.warn({ jobId }, 'notify job stalled (its worker died or hung); it will run again') })

  const processReceipt = createReceiptProcessor({
    receipts, mailer, window: services.receiptWindow, links: services.withdrawalLinks, config, log, recordRetry
  })
  const receiptWorker = startWorker<ReceiptPayload>(services, RECEIPT_QUEUE, processReceipt, {
    concurrency: config.MAIL_CONCURRENCY,
    lockMs: config.JOB_LOCK_MS
  })

  const webhookWorker = startWebhookWorker(services)

  const timing = { log, delayMs: tuning.relayDelayMs, intervalMs: tuning.relayIntervalMs }
  const relays = [
    createOutboxRelay({ ...timing, name: 'notifications', outbox: notifications, enqueue: producers.notify.enqueue }),
    createOutboxRelay({ ...timing, name: 'receipts', outbox: receipts, enqueue: producers.receipts.enqueue }),
    createOutboxRelay({ ...timing, name: 'webhook deliveries', outbox: webhooks, enqueue: producers.webhooks.enqueue })
  ]
  for (const relay of relays) relay.start()
  log.info({ concurrency: config.MAIL_CONCURRENCY, destination: mailer.destination }, 'notify worker started')

  const purgeWorker = startWorker(services, PURGE_QUEUE, createPurgeProcessor({ retention: services.retention, log }), { concurrency: 1 })
  purgeWorker.on('failed', (_job, err) => { log.error({ err }, 'scheduled retention purge failed; the next run resumes it') })
  await schedulePurge(services.purgeQueue, config)
  await retireLegacyPurgeQueue(services.blockingRedis, services.queuePrefix)

  const processFollowUp = createFollowUpProcessor({ followUp: services.followUp })
  const followUpWorker = startWorker(services, FOLLOW_UP_QUEUE, processFollowUp, { concurrency: 1, lockMs: config.JOB_LOCK_MS })
  followUpWorker.on('failed', (_job, err) => { log.warn({ err }, 'follow-up run failed; BullMQ tries it again') })
  await scheduleFollowUp(services.followUpQueue, config)

  const mailCheck = startMailCheck(mailer, { intervalMs: tuning.smtpVerifyIntervalMs, log })
  const { queues } = services
  const readiness = workerReadiness(mailCheck, [notifyWorker, receiptWorker, webhookWorker, purgeWorker, followUpWorker], {
    [NOTIFY_QUEUE]: queues.notify,
    [RECEIPT_QUEUE]: queues.receipt,
    [WEBHOOK_QUEUE]: queues.webhook,
    [PURGE_QUEUE]: services.purgeQueue,
    [FOLLOW_UP_QUEUE]: services.followUpQueue
  })

  return {
    notify: notifyWorker,
    receipt: receiptWorker,
    webhook: webhookWorker,
    purge: purgeWorker,
    followUp: followUpWorker,
    relays,
    core,
    services: own,
    readiness,
    async close () {
      mailCheck.stop()
      await Promise.all(relays.map(async (relay) => { await relay.stop() }))
      await Promise.all([notifyWorker.close(), receiptWorker.close(), webhookWorker.close(), purgeWorker.close(), followUpWorker.close()])
      await own.close()
      if (options.core === undefined) await core.close()
    }
  }
}
