// What the worker process adds to its core: the blocking Redis connection its BullMQ workers wait
// on, the purge queue, the mailer, the webhook sender behind the SSRF guard, the receipt window and
// withdrawal links. Opened here, closed here: a shared core (npm start) is its owner's to close.
import { Queue } from 'bullmq'
import type { Core } from '../src/roots/core.js'
import { handlingLinksOf, retentionOn } from '../src/roots/admin.js'
import { PURGE_QUEUE, type PurgeQueue } from '../src/jobs/purge.js'
import { FOLLOW_UP_QUEUE, type FollowUpQueue } from '../src/jobs/follow-up.js'
import { createFollowUp } from '../src/follow-through/follow-up.js'
import type { HandlingLinks } from '../src/handling/links.js'
import { createMailer, type Mailer } from '../src/mail/mailer.js'
import { createReceiptWindow } from '../src/receipts/window.js'
import { createWithdrawalLinks } from '../src/receipts/withdrawal-link.js'
import { connectBlocking } from '../src/redis/connect.js'
import { closeEach } from '../src/lifecycle.js'
import { createGuardedAgent, type GuardedAgentOptions } from '../src/webhooks/address-guard.js'
import { createWebhookSender } from '../src/webhooks/sender.js'

export interface WorkerServicesOptions {
  /** A mailer owned by the caller (tests, benchmarks): used, and left open on close. */
  mailer?: Mailer
  /** How webhook deliveries open their sockets; tests watch it (the SSRF guard's). */
  connect?: GuardedAgentOptions['connect']
  /** The follow-up runs' clock; tests set a working day of their choosing. */
  clock?: () => Date
}

function followUpOf ({ config, log, repositories, metrics, calendar }: Core, mailer: Mailer, links: HandlingLinks, now?: () => Date) {
  return createFollowUp({
    handling: repositories.handling,
    directory: repositories.contacts.forRouting,
    calendar,
    links,
    mailer,
    metrics: metrics.handling,
    log,
    from: config.MAIL_FROM,
    fallbackEmail: config.NOTIFY_FALLBACK_EMAIL,
    copyEmail: config.FOLLOW_UP_COPY_EMAIL,
    responseDays: config.HANDLING_RESPONSE_DAYS,
    now
  })
}

export function createWorkerServices (core: Core, options: WorkerServicesOptions = {}) {
  const { config, log, tuning, redis } = core
  const blockingRedis = connectBlocking(config, log)
  // The purge is scheduled and run only here: it waits for Redis like the workers do.
  const purgeQueue: PurgeQueue = new Queue(PURGE_QUEUE, { prefix: core.queuePrefix, connection: blockingRedis })
  const followUpQueue: FollowUpQueue = new Queue(FOLLOW_UP_QUEUE, { prefix: core.queuePrefix, connection: blockingRedis })
  const webhookAgent = createGuardedAgent({
    policy: core.addressPolicy,
    connect: options.connect,
    connectTimeoutMs: tuning.webhookTimeoutMs,
    connections: config.WEBHOOK_MAX_CONNECTIONS ?? config.WEBHOOK_CONCURRENCY
  })
  const mailer = options.mailer ?? createMailer({
    smtpUrl: config.SMTP_URL,
    dropDir: config.MAIL_DROP_DIR,
    maxConnections: config.SMTP_MAX_CONNECTIONS ?? config.MAIL_CONCURRENCY,
    timeoutMs: config.SMTP_TIMEOUT_MS
  })

  const handlingLinks = handlingLinksOf(core)

  return {
    /** For BullMQ workers: commands wait for Redis rather than fail. */
    blockingRedis,
    purgeQueue,
    followUpQueue,
    mailer,
    /** Signs and posts webhook deliveries through the SSRF guard. */
    webhookSender: createWebhookSender({ dispatcher: webhookAgent, timeoutMs: tuning.webhookTimeoutMs }),
    /** One receipt per address per window. */
    receiptWindow: createReceiptWindow({
      redis, pseudonymKey: config.PSEUDONYM_KEY, prefix: config.QUEUE_PREFIX, hours: config.RECEIPT_WINDOW_HOURS
    }),
    withdrawalLinks: createWithdrawalLinks({ pseudonymKey: config.PSEUDONYM_KEY, baseUrl: config.PUBLIC_BASE_URL }),
    handlingLinks,
    /** The day's reminders and escalations, with their digests. */
    followUp: followUpOf(core, mailer, handlingLinks, options.clock),
    retention: retentionOn(core),

    /** Closes what was opened here, whatever fails to close; the caller's mailer stays open. */
    async close (): Promise<void> {
      await closeEach([purgeQueue, followUpQueue, webhookAgent], log)
      blockingRedis.disconnect()
      if (options.mailer === undefined) mailer.close()
    }
  }
}
export type WorkerServices = ReturnType<typeof createWorkerServices>
