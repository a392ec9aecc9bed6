// The core of every process, built once per process from the configuration and closed in one
// place: the database and its repositories, Redis (the fail-fast connection), the queues and their
// producers, the webhook secrets and address policy, erasure, metrics. Each role builds what only
// it uses on top: the API (src/roots/api.ts), the CLI (src/roots/admin.ts), the worker
// (workers/services.ts). Nothing else opens a connection.
import { Queue } from 'bullmq'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Config } from '../config.js'
import { createDatabase, type Database } from '../db/client.js'
import { NOTIFY_QUEUE, createNotifyProducer, type NotifyQueue } from '../jobs/notify.js'
import { RECEIPT_QUEUE, createReceiptProducer, type ReceiptQueue } from '../jobs/receipt.js'
import { WEBHOOK_QUEUE, createWebhookProducer, type WebhookQueue } from '../jobs/webhook.js'
import { quarantineRule } from '../spam/rule.js'
import { createRepositories } from '../repositories/index.js'
import { createErasure } from '../erasure/erase.js'
import { createAddressPolicy, type GuardedAgentOptions, type Resolver } from '../webhooks/address-guard.js'
import { createSecretBox } from '../webhooks/secrets.js'
import { createMetrics, type Metrics } from '../ops/metrics.js'
import { connectFailFast, queuePrefix } from '../redis/connect.js'
import { closeEach } from '../lifecycle.js'
import type { StateSource } from '../ops/state.js'
import { unansweredByAge } from '../follow-through/follow-up.js'
import { createWorkingCalendar } from '../handling/calendar.js'
import { FOLLOW_UP_TIMEZONE } from '../jobs/follow-up.js'

/**
 * Settings an operator has no reason to change, kept out of the environment. Tests and
 * benchmarks pass their own through ServicesOptions.tuning.
 */
export const TUNING = {
  /** How long the API waits for Redis to take a job before leaving it to the outbox relay. */
  enqueueTimeoutMs: 1000,
  /** Requests deleted per purge transaction. */
  purgeBatchSize: 1000,
  /** Pause between purge batches, leaving the database to intake for a moment. */
  purgePauseMs: 50,
  /** Purge batches under way at once: the deletes' foreign-key triggers keep one busy core per batch. */
  purgeLanes: 2,
  /** The outbox relay looks for notifications left pending this long (the API could not enqueue them)… */
  relayDelayMs: 10_000,
  /** …every this often. */
  relayIntervalMs: 5000,
  /** How long the intake uses one read of the contact directory (see createContactRouter). */
  directoryCacheMs: 5000,
  /** Delays before each retry of a webhook delivery (±20 % jitter): about a day in all. */
  webhookRetryMs: [5000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 24 * 3600_000] as readonly number[],
  /** How long one webhook attempt may take, connecting and reading the answer included. */
  webhookTimeoutMs: 10_000,
  /** How often the worker asks its SMTP server whether it would take mail (its readiness). */
  smtpVerifyIntervalMs: 60_000,
  /**
   * How long a worker keeps trying to record an e-mail it sent while the database is unreachable,
   * before it gives up (and sends it again).
   */
  recordSentRetryMs: 120_000
}
export type Tuning = typeof TUNING

export interface CoreOptions {
  log: Logger
  /** A database owned by the caller (tests): used, and left open on close. */
  database?: Database
  /** How webhooks resolve host names and open sockets; tests watch both (the SSRF guard's). */
  webhookNetwork?: { resolve?: Resolver, connect?: GuardedAgentOptions['connect'] }
  tuning?: Partial<Tuning>
  /** The process's metrics, shared by its API and workers; a private, unexposed set when absent (the CLI). */
  metrics?: Metrics
}

// eslint-disable-next-line max-lines-per-function -- the composition root: one line per part
export async function createCore (config: Config, options: CoreOptions) {
  const { log } = options
  const tuning: Tuning = { ...TUNING, ...options.tuning }
  const metrics = options.metrics ?? createMetrics({ defaultMetrics: false })
  const database = options.database ?? createDatabase({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMillis: config.DATABASE_QUERY_TIMEOUT_MS
  })
  const repositories = createRepositories(database, {
    duplicateWindowSeconds: config.DUPLICATE_WINDOW_SECONDS, quarantine: quarantineRule(config)
  })
  const redis = await connectFailFast(config, log)
  const prefix = queuePrefix(config)
  const queues: { notify: NotifyQueue, receipt: ReceiptQueue, webhook: WebhookQueue } = {
    notify: new Queue(NOTIFY_QUEUE, { prefix, connection: redis }),
    receipt: new Queue(RECEIPT_QUEUE, { prefix, connection: redis }),
    webhook: new Queue(WEBHOOK_QUEUE, { prefix, connection: redis })
  }
  // A job Redis refuses is left to the outbox relay: its error is only logged.
  for (const [name, queue] of Object.entries(queues)) queue.on('error', (err) => { log.debug({ err, queue: name }, 'queue: redis error') })
  const retryPolicy = { maxAttempts: config.MAIL_MAX_ATTEMPTS, backoffMs: config.MAIL_BACKOFF_MS }
  const producers = {
    notify: createNotifyProducer(queues.notify, retryPolicy),
    receipts: createReceiptProducer(queues.receipt, retryPolicy),
    webhooks: createWebhookProducer(queues.webhook, tuning.webhookRetryMs)
  }
  const calendar = createWorkingCalendar(FOLLOW_UP_TIMEZONE)
  /** What the scrape-time gauges read (src/ops/state.ts). */
  const opsState: StateSource = {
    queues: { [NOTIFY_QUEUE]: queues.notify, [RECEIPT_QUEUE]: queues.receipt, [WEBHOOK_QUEUE]: queues.webhook },
    backlog: async () => await repositories.notifications.backlog(config.OUTBOX_BACKLOG_SECONDS),
    lastPurge: repositories.purgeRuns.lastSuccess,
    quarantine: repositories.spam.quarantineSize,
    unanswered: async () => await unansweredByAge(repositories.handling, calendar, FOLLOW_UP_TIMEZONE)
  }

  return {
    config,
    /** Swedish working days in Europe/Stockholm: the follow-up's and the unanswered gauge's (its holidays read once a year). */
    calendar,
    log,
    tuning,
    metrics,
    opsState,
    database,
    repositories,
    /** The fail-fast connection: rate limits, health checks, producers, erasure. */
    redis,
    /** BullMQ's key prefix (QUEUE_PREFIX, in braces on a Cluster). */
    queuePrefix: prefix,
    queues,
    producers,
    secretBox: createSecretBox(config.WEBHOOK_SECRET_KEY),
    addressPolicy: createAddressPolicy(config.WEBHOOK_ALLOWED_HOSTS, options.webhookNetwork?.resolve),
    erasure: createErasure({
      ...repositories,
      queue: queues.notify,
      receiptQueue: queues.receipt,
      webhookProducer: producers.webhooks,
      redis,
      mailDropDir: config.MAIL_DROP_DIR
    }),

    /**
     * Closes what was opened here, the queues before their connection; the caller's database stays
     * open. A queue that never got going (its first command went unanswered) is closed all the same.
     */
    async close (): Promise<void> {
      await closeEach(Object.values(queues), log)
      redis.disconnect()
      if (options.database === undefined) await database.close()
    }
  }
}
export type Core = Awaited<ReturnType<typeof createCore>>
