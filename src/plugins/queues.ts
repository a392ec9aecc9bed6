// Infrastructure: BullMQ queue producers as `app.queues`.
import fp from 'fastify-plugin'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { NOTIFY_QUEUE, type NotifyQueue } from '../jobs/notify.js'

declare module 'fastify' {
  interface FastifyInstance {
    queues: { notify: NotifyQueue }
  }
}

export interface QueuesPluginOptions {
  redisUrl: string
  prefix: string
}

export default fp<QueuesPluginOptions>(async function queuesPlugin (app, opts) {
  // Fail fast: when Redis is down the request path leaves the notification
  // pending in the outbox, and the worker's relay enqueues it later.
  const connection = new Redis(opts.redisUrl, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000)
  })
  connection.on('error', () => { /* the redis plugin reports outages once; this client reconnects on its own */ })
  const notify: NotifyQueue = new Queue(NOTIFY_QUEUE, { prefix: opts.prefix, connection })
  notify.on('error', (err) => { app.log.debug({ err }, 'notify queue: redis error') })
  app.decorate('queues', { notify })
  app.addHook('onClose', async () => {
    await notify.close()
    connection.disconnect()
  })
}, { name: 'queues', fastify: '5.x' })
