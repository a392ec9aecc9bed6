// Infrastructure: a fail-fast Redis client as `app.redis`, for rate limits and health checks.
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis
  }
}

export interface RedisPluginOptions {
  url: string
}

/**
 * Commands fail at once while Redis is down (no offline queue, one retry), so
 * the request path can degrade instead of waiting. The client keeps reconnecting
 * in the background; the API starts even when Redis does not answer yet.
 */
export default fp<RedisPluginOptions>(async function redisPlugin (app, opts) {
  const redis = new Redis(opts.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000)
  })
  let down = false
  redis.on('error', (err) => {
    if (!down) app.log.warn({ err }, 'redis unreachable; rate limits fall back to per-instance counters')
    down = true
  })
  redis.on('ready', () => {
    if (down) app.log.info('redis reachable again')
    down = false
  })
  await redis.connect().catch(() => { /* reported by the error listener; reconnects on its own */ })
  app.decorate('redis', redis)
  app.addHook('onClose', async () => { redis.disconnect() })
}, { name: 'redis', fastify: '5.x' })
