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

export interface WorkerDeps {
  database?: Database
  mailer?: Mailer
  log?: Logger
}

export interface Workers {
  worker: Worker<NotifyPayload>
  relay: ReturnType<typeof createOutboxRelay>
  mailer: Mailer
  /** Stops taking jobs, lets running ones finish, then closes connections. */
  close: () => Promise<void>
}

export async function startWorkers (config: Config, deps: WorkerDeps = {}): Promise<Workers> {
  const log = deps.log ?? pino(loggerOptions(config))
  const database = deps.database ?? createDatabase({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE })
  const notifications = createNotificationRepository(database.prisma, database.pool)
  const mailer = deps.mailer ?? createMailer({ smtpUrl: config.SMTP_URL, dropDir: config.MAIL_DROP_DIR, maxConnections: config.SMTP_MAX_CONNECTIONS ?? config.NOTIFY_CONCURRENCY })

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

  return {
    worker,
    relay,
    mailer,
    async close () {
      await relay.stop()
      await worker.close()
      await queue.close()
      if (deps.mailer === undefined) mailer.close()
      if (deps.database === undefined) await database.close()
      workerConnection.disconnect()
      relayConnection.disconnect()
    }
  }
}
