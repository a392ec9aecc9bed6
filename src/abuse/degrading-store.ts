// A rate-limit store that counts in Redis and falls back to per-process counters while Redis is down.
import { createRequire } from 'node:module'
import type { FastifyBaseLogger } from 'fastify'
import type { RedisClient } from '../redis/connect.js'
import type { FastifyRateLimitOptions } from '@fastify/rate-limit'

interface Counter { current: number, ttl: number }
type Callback = (err: Error | null, result?: Counter) => void
interface Store {
  incr: (key: string, cb: Callback, timeWindow: number, max: number) => void
  child: (routeOptions: unknown) => Store
}

// @fastify/rate-limit's own stores are not part of its typed API, but are its public files.
const require = createRequire(import.meta.url)
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (continueExceeding: boolean, exponentialBackoff: boolean, redis: RedisClient, prefix?: string) => Store
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number) => Store

class DegradingStore implements Store {
  constructor (private readonly shared: Store, private readonly local: Store, private readonly log: FastifyBaseLogger) {}

  incr (key: string, cb: Callback, timeWindow: number, max: number): void {
    this.shared.incr(key, (err, result) => {
      if (err === null) {
        cb(null, result)
        return
      }
      this.log.warn({ err }, 'rate limit: redis unavailable, counting in this process only')
      this.local.incr(key, cb, timeWindow, max)
    }, timeWindow, max)
  }

  child (routeOptions: unknown): Store {
    return new DegradingStore(this.shared.child(routeOptions), this.local.child(routeOptions), this.log)
  }
}

/** The class @fastify/rate-limit instantiates with its settings (its `store` option). */
export function degradingStore (redis: RedisClient, log: FastifyBaseLogger, prefix: string) {
  return class extends DegradingStore {
    // The plugin passes its settled options, including these two flags its type leaves out.
    constructor (params: FastifyRateLimitOptions & { continueExceeding?: boolean, exponentialBackoff?: boolean }) {
      const continueExceeding = params.continueExceeding ?? false
      const exponentialBackoff = params.exponentialBackoff ?? false
      super(
        new RedisStore(continueExceeding, exponentialBackoff, redis, prefix),
        new LocalStore(continueExceeding, exponentialBackoff),
        log
      )
    }
  }
}
