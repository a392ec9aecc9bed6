// The worker side: the notify Worker and the outbox relay, started together, closed in order.
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Config } from '../src/config.js'
import { createDatabase, type Database } from '../src/db/client.js'
import { NOTIFY_QUEUE, type NotifyPayload, type NotifyQueue } from '../src/jobs/notify.js'
import { loggerOptions } from '../src/logger.js'
import { createMailer, type Mailer } from '../src/mail/mailer.js'
import { createOutboxRelay } from '../src/notifications/relay.js'
import { createNotificationRepository } from '../src/notifications/repository.js'
import { createNotifyProcessor } from './processors/notify.js'
import { createRemoval } from '../src/retention/removal.js'
import { runPurge } from '../src/retention/purge.js'
import { createAudit } from '../src/admin/audit.js'

export const MAINTENANCE_QUEUE = 'maintenance'
const PURGE_SCHEDULER = 'retention-purge'

/** Creates or updates the purge schedule from PURGE_CRON, or removes it when that is "off". */
export async function schedulePurge (queue: Queue, config: Pick<Config, 'PURGE_CRON' | 'PURGE_TIMEZONE'>): Promise<void> {
  if (config.PURGE_CRON === 'off') {
    await queue.removeJobScheduler(PURGE_SCHEDULER)
    return
  }
  await queue.upsertJobScheduler(PURGE_SCHEDULER, { pattern: config.PURGE_CRON, tz: config.PURGE_TIMEZONE }, {
    name: 'retention-purge',
    opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } }
  })
}

export interface WorkerDeps {
  database?: Database
  mailer?: Mailer
  log?: Logger
}

export interface Workers {
  worker: Worker<NotifyPayload>
  /** Runs the scheduled retention purge. */
  maintenance: Worker
  maintenanceQueue: Queue
  relay: ReturnType<typeof createOutboxRelay>
  mailer: Mailer
  /** Stops taking jobs, lets running ones finish, then closes connections. */
  close: () => Promise<void>
}

export async function startWorkers (config: Config, deps: WorkerDeps = {}): Promise<Workers> {
  const log = deps.log ?? pino(loggerOptions(config))
  const database = deps.database ?? createDatabase({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE })
  const notifications = createNotificationRepository(database.prisma, database.pool)
  const mailer = deps.mailer ?? createMailer({ smtpUrl: config.SMTP_URL, dropDir: config.MAIL_DROP_DIR, maxConnections: config.SMTP_MAX_CONNECTIONS ?? config.NOTIFY_CONCURRENCY, timeoutMs: config.SMTP_TIMEOUT_MS })

  // Workers wait for Redis forever (BullMQ's requirement); the relay's producer fails fast.
  const workerConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null })
  const relayConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n) => Math.min(n * 200, 2000) })
  for (const connection of [workerConnection, relayConnection]) connection.on('error', () => { /* reported by the worker and the relay */ })

  const worker = new Worker<NotifyPayload>(NOTIFY_QUEUE, createNotifyProcessor({ notifications, mailer, config, log }), {
    connection: workerConnection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.NOTIFY_CONCURRENCY,
    lockDuration: config.NOTIFY_LOCK_MS,
    stalledInterval: config.NOTIFY_LOCK_MS
  })
  worker.on('error', (err) => { log.error({ err }, 'notify worker: redis error') })
  worker.on('stalled', (jobId) => { log.warn({ jobId }, 'notify job stalled (its worker died or hung); it will run again') })

  const queue: NotifyQueue = new Queue(NOTIFY_QUEUE, { prefix: config.QUEUE_PREFIX, connection: relayConnection })
  queue.on('error', () => {})
  const relay = createOutboxRelay({
    notifications,
    queue,
    log,
    maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    backoffMs: config.NOTIFY_BACKOFF_MS,
    delayMs: config.RELAY_DELAY_MS,
    intervalMs: config.RELAY_INTERVAL_MS
  })
  relay.start()
  log.info({ concurrency: config.NOTIFY_CONCURRENCY, destination: mailer.destination }, 'notify worker started')

  // The retention purge on a schedule: BullMQ's job scheduler makes one job per
  // slot however many workers run, and a purge running elsewhere at the same
  // time takes other rows (FOR UPDATE SKIP LOCKED).
  const removal = createRemoval({ queue, redis: relayConnection, mailDropDir: config.MAIL_DROP_DIR })
  const maintenanceQueue = new Queue(MAINTENANCE_QUEUE, { prefix: config.QUEUE_PREFIX, connection: workerConnection })
  const maintenance = new Worker(MAINTENANCE_QUEUE, async () => {
    const run = await runPurge(database.pool, removal, { dryRun: false, actor: 'scheduler', trigger: 'schedule', batchSize: config.PURGE_BATCH_SIZE, pauseMs: config.PURGE_PAUSE_MS })
    await createAudit(database.prisma).record({ actor: 'scheduler', action: 'retention.purge', targetId: run.id, outcome: 'ok', detail: { dryRun: false, requests: run.requests } })
    log.info({ runId: run.id, requests: run.requests, batches: run.batches }, 'scheduled retention purge done')
  }, { connection: workerConnection, prefix: config.QUEUE_PREFIX, concurrency: 1 })
  maintenance.on('error', (err) => { log.error({ err }, 'maintenance worker: redis error') })
  maintenance.on('failed', (_job, err) => { log.error({ err }, 'scheduled retention purge failed; the next run resumes it') })
  await schedulePurge(maintenanceQueue, config)

  return {
    worker,
    maintenance,
    maintenanceQueue,
    relay,
    mailer,
    async close () {
      await relay.stop()
      await Promise.all([worker.close(), maintenance.close()])
      await Promise.all([queue.close(), maintenanceQueue.close()])
      if (deps.mailer === undefined) mailer.close()
      if (deps.database === undefined) await database.close()
      workerConnection.disconnect()
      relayConnection.disconnect()
    }
  }
}
