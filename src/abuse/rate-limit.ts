// Cross-cutting: @fastify/rate-limit on the routes that opt in, keyed on pseudonymous client keys.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { RedisClient } from '../redis/connect.js'
import { AppError } from '../errors.js'
import { createClientKey } from './client-key.js'
import { degradingStore } from './degrading-store.js'

export interface RateLimitPluginOptions {
  /** Counts are shared through this (fail-fast) connection while Redis answers. */
  redis: RedisClient
  secret: string
  prefix: string
}

export default fp<RateLimitPluginOptions>(async function rateLimitPlugin (app, opts) {
  const clientKey = createClientKey(opts.secret)
  await app.register(rateLimit, {
    global: false,
    store: degradingStore(opts.redis, app.log, `${opts.prefix}:rl:`),
    // request.ip honours TRUST_PROXY; only its keyed hash is used from here on.
    keyGenerator: (request) => clientKey(request.ip),
    errorResponseBuilder: (_request, context) => new AppError(
      429, 'RATE_LIMITED', `Too many requests. Try again in ${context.after}.`, undefined, Math.ceil(context.ttl / 1000)
    )
  })
}, { name: 'rate-limit', fastify: '5.x' })
