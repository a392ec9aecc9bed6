// The composition root: everything a process needs, built from the configuration in one place
// and closed in one place. The API (src/app.ts), the worker (workers/index.ts) and the CLI
// (src/cli/index.ts) each build their Services here; nothing else opens a connection.
import { Queue } from 'bullmq'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Config } from './config.js'
import { createDatabase, type Database } from './db/client.js'
import { createCaptcha, type CaptchaEndpoints } from './captcha/index.js'
import { createContactRouter } from './contacts/routing.js'
import { createIntakeService } from './intake/service.js'
import { NOTIFY_QUEUE, createNotifyProducer, type NotifyQueue } from './jobs/notify.js'
import { PURGE_QUEUE, type PurgeQueue } from './jobs/purge.js'
import { RECEIPT_QUEUE, createReceiptProducer, type ReceiptQueue } from './jobs/receipt.js'
import { createReceiptWindow } from './receipts/window.js'
import { createWithdrawalLinks } from './receipts/withdrawal-link.js'
import { createMailer, type Mailer } from './mail/mailer.js'
import { createRedrive } from './notifications/redrive.js'
import { createNoticeCatalog } from './notices/catalog.js'
import { createRepositories } from './repositories/index.js'
import { createErasure } from './erasure/erase.js'
import { createRetention } from './retention/purge.js'
import { createSubjectService } from './subjects/service.js'
import { createKeyStore } from './admin/keys.js'
import { createRequestChanges } from './admin/request-changes.js'
import { WEBHOOK_QUEUE, createWebhookProducer, type WebhookQueue } from './jobs/webhook.js'
import { createAddressPolicy, createGuardedAgent, type GuardedAgentOptions, type Resolver } from './webhooks/address-guard.js'
import { createWebhookEndpoints } from './webhooks/endpoints.js'
import { createSecretBox } from './webhooks/secrets.js'
import { createWebhookSender } from './webhooks/sender.js'
import { createMetrics, type Metrics } from './ops/metrics.js'
import { connectBlocking, connectFailFast, queuePrefix } from './redis/connect.js'
import type { StateSource } from './ops/state.js'

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
  purgePauseMs: 25,
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

export interface ServicesOptions {
  log: Logger
  /** A database owned by the caller (tests): used, and left open on close. */
  database?: Database
  /** A mailer owned by the caller (tests, benchmarks): used, and left open on close. */
  mailer?: Mailer
  /** Where third-party CAPTCHA providers are asked; tests point them at fakes. */
  captchaEndpoints?: Partial<CaptchaEndpoints>
  /** How webhooks resolve host names and open sockets; tests watch both (the SSRF guard's). */
  webhookNetwork?: { resolve?: Resolver, connect?: GuardedAgentOptions['connect'] }
  tuning?: Partial<Tuning>
  /** The process's metrics, shared by its API and workers; a private, unexposed set when absent (the CLI). */
  metrics?: Metrics
}

/** Builds a value on first use and keeps it; `built` says whether it was. */
function lazy<T> (build: () => T): { get: () => T, built: () => T | undefined } {
  let value: T | undefined
  return { get: () => (value ??= build()), built: () => value }
}

// eslint-disable-next-line max-lines-per-function -- the composition root: one line per part
export async function createServices (config: Config, options: ServicesOptions) {
  const { log } = options
  const tuning: Tuning = { ...TUNING, ...options.tuning }
  const metrics = options.metrics ?? createMetrics({ defaultMetrics: false })
  const database = options.database ?? createDatabase({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMillis: config.DATABASE_QUERY_TIMEOUT_MS
  })
  const repositories = createRepositories(database, { duplicateWindowSeconds: config.DUPLICATE_WINDOW_SECONDS })
  const redis = await connectFailFast(config, log)
  const blocking = lazy(() => connectBlocking(config, log))
  const prefix = queuePrefix(config)

  const notifyQueue: NotifyQueue = new Queue(NOTIFY_QUEUE, { prefix, connection: redis })
  notifyQueue.on('error', (err) => { log.debug({ err }, 'notify queue: redis error') })
  // Only the worker schedules and runs purges: it waits for Redis like its workers do.
  const purgeQueue = lazy((): PurgeQueue => new Queue(PURGE_QUEUE, { prefix, connection: blocking.get() }))
  const receiptQueue: ReceiptQueue = new Queue(RECEIPT_QUEUE, { prefix, connection: redis })
  receiptQueue.on('error', (err) => { log.debug({ err }, 'receipt queue: redis error') })
  const retryPolicy = { maxAttempts: config.MAIL_MAX_ATTEMPTS, backoffMs: config.MAIL_BACKOFF_MS }
  const notify = createNotifyProducer(notifyQueue, retryPolicy)
  const receipts = createReceiptProducer(receiptQueue, retryPolicy)
  const webhookQueue: WebhookQueue = new Queue(WEBHOOK_QUEUE, { prefix, connection: redis })
  webhookQueue.on('error', (err) => { log.debug({ err }, 'webhook queue: redis error') })
  const webhooks = createWebhookProducer(webhookQueue, tuning.webhookRetryMs)
  const secretBox = createSecretBox(config.WEBHOOK_SECRET_KEY)
  const addressPolicy = createAddressPolicy(config.WEBHOOK_ALLOWED_HOSTS, options.webhookNetwork?.resolve)
  // Only the worker delivers: its connections are opened on first use.
  const webhookAgent = lazy(() => createGuardedAgent({
    policy: addressPolicy,
    connect: options.webhookNetwork?.connect,
    connectTimeoutMs: tuning.webhookTimeoutMs,
    connections: config.WEBHOOK_MAX_CONNECTIONS ?? config.WEBHOOK_CONCURRENCY
  }))

  const erasure = createErasure({
    ...repositories, queue: notifyQueue, receiptQueue, webhookProducer: webhooks, redis, mailDropDir: config.MAIL_DROP_DIR
  })
  const notices = createNoticeCatalog(repositories.notices, config.PRIVACY_NOTICE_VERSION)
  const router = createContactRouter({
    load: repositories.contacts.forRouting,
    fallbackEmail: config.NOTIFY_FALLBACK_EMAIL,
    retentionDays: config.RETENTION_DAYS,
    cacheMs: tuning.directoryCacheMs
  })
  const captcha = createCaptcha(config, { log, metrics: metrics.captcha }, options.captchaEndpoints)
  const mailer = lazy(() => options.mailer ?? createMailer({
    smtpUrl: config.SMTP_URL,
    dropDir: config.MAIL_DROP_DIR,
    maxConnections: config.SMTP_MAX_CONNECTIONS ?? config.MAIL_CONCURRENCY,
    timeoutMs: config.SMTP_TIMEOUT_MS
  }))

  /** What the scrape-time gauges read (src/ops/state.ts). */
  const opsState: StateSource = {
    queues: { [NOTIFY_QUEUE]: notifyQueue, [RECEIPT_QUEUE]: receiptQueue, [WEBHOOK_QUEUE]: webhookQueue },
    backlog: async () => await repositories.notifications.backlog(config.OUTBOX_BACKLOG_SECONDS),
    lastPurge: repositories.purgeRuns.lastSuccess
  }

  return {
    config,
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
    /** A blocking connection, opened on first use: for BullMQ workers. */
    blockingRedis: blocking.get,
    queues: { notify: notifyQueue, receipt: receiptQueue, webhook: webhookQueue, purge: purgeQueue.get },
    notify,
    receipts,
    webhooks,
    secretBox,
    addressPolicy,
    webhookEndpoints: createWebhookEndpoints({
      repository: repositories.webhooks,
      box: secretBox,
      policy: addressPolicy,
      producer: webhooks,
      contactExists: repositories.contacts.exists,
      audit: repositories.audit
    }),
    /** Signs and posts webhook deliveries through the SSRF guard (the worker's). */
    webhookSender: lazy(() => createWebhookSender({ dispatcher: webhookAgent.get(), timeoutMs: tuning.webhookTimeoutMs })).get,
    /** One receipt per address per window (the worker's). */
    receiptWindow: createReceiptWindow({
      redis, pseudonymKey: config.PSEUDONYM_KEY, prefix: config.QUEUE_PREFIX, hours: config.RECEIPT_WINDOW_HOURS
    }),
    withdrawalLinks: createWithdrawalLinks({ pseudonymKey: config.PSEUDONYM_KEY, baseUrl: config.PUBLIC_BASE_URL }),
    notices,
    router,
    captcha,
    mailer: mailer.get,
    keys: createKeyStore(repositories.apiKeys),
    erasure,
    retention: createRetention({
      ...repositories,
      erasure,
      metrics: metrics.purge,
      detachedDeliveryDays: config.RETENTION_DAYS,
      batchSize: tuning.purgeBatchSize,
      pauseMs: tuning.purgePauseMs
    }),
    subjects: createSubjectService({ ...repositories, erasure, metrics: metrics.subjects, pseudonymKey: config.PSEUDONYM_KEY }),
    requestChanges: createRequestChanges(repositories),
    redrive: createRedrive({ notifications: repositories.notifications, notify, log }),
    intake: createIntakeService({
      config,
      requests: repositories.requests,
      notices,
      captcha,
      router,
      notify,
      receipts: config.RECEIPTS ? receipts : null,
      webhooks,
      enqueueTimeoutMs: tuning.enqueueTimeoutMs
    }),

    /** Closes what was opened here, producers before their connections; the caller's database and mailer stay open. */
    async close (): Promise<void> {
      await Promise.all([
        notifyQueue.close(), receiptQueue.close(), webhookQueue.close(), purgeQueue.built()?.close(), webhookAgent.built()?.close()
      ])
      redis.disconnect()
      blocking.built()?.disconnect()
      if (options.mailer === undefined) mailer.built()?.close()
      if (options.database === undefined) await database.close()
    }
  }
}
export type Services = Awaited<ReturnType<typeof createServices>>
