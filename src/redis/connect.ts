// Redis connections by role, to a single server, through Sentinel or to a Cluster: the only place
// that opens one. Every connection has a deadline of its own against a Redis that goes silent.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Config } from '../config.js'
import { withTimeout } from '../with-timeout.js'

/** A connection as the service uses it: BullMQ, the rate limiter and our own commands take either. */
export type RedisClient = Redis | Cluster

/**
 * fail-fast: the request path and producers. No offline queue, one retry and a command deadline:
 * a command fails within REDIS_COMMAND_TIMEOUT_MS whether Redis is down or silent, so callers fall
 * back (the outbox, per-process rate limits) instead of waiting.
 * blocking: BullMQ workers' connections. Commands wait for Redis however long it takes (BullMQ
 * requires maxRetriesPerRequest null; its own watchdog bounds the blocking BZPOPMIN).
 */
export type RedisRole = 'fail-fast' | 'blocking'

export type RedisTopology =
  | { kind: 'standalone', url: string }
  | { kind: 'sentinel', sentinels: HostPort[], name: string }
  | { kind: 'cluster', nodes: HostPort[] }

interface HostPort { host: string, port: number }

/** The longest a blocking connection waits before trying Redis again. */
export const BLOCKING_RECONNECT_MAX_MS = 1000

type RedisConfig = Pick<Config, 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD' | 'REDIS_CLUSTER_NODES' |
'REDIS_USERNAME' | 'REDIS_PASSWORD' | 'REDIS_COMMAND_TIMEOUT_MS' | 'QUEUE_PREFIX'>

/** "host:port" or "[v6]:port" as ioredis's node address. */
export function parseHostPort (value: string): HostPort {
  const at = value.lastIndexOf(':')
  return { host: value.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(value.slice(at + 1)) }
}

/** Which Redis the configuration names: Sentinel or Cluster when their variables are set, else REDIS_URL. */
export function redisTopology (config: RedisConfig): RedisTopology {
  if (config.REDIS_SENTINELS.length > 0) {
    return { kind: 'sentinel', sentinels: config.REDIS_SENTINELS.map(parseHostPort), name: config.REDIS_SENTINEL_NAME ?? '' }
  }
  if (config.REDIS_CLUSTER_NODES.length > 0) return { kind: 'cluster', nodes: config.REDIS_CLUSTER_NODES.map(parseHostPort) }
  return { kind: 'standalone', url: config.REDIS_URL }
}

/**
 * BullMQ's key prefix. On a Cluster it carries a hash tag ({contact-intake}), so that each queue's
 * keys share one slot, as BullMQ's Lua scripts need; elsewhere it is QUEUE_PREFIX as it always was.
 */
export function queuePrefix (config: RedisConfig): string {
  const prefix = config.QUEUE_PREFIX
  return redisTopology(config).kind === 'cluster' && !/\{[^}]+\}/.test(prefix) ? `{${prefix}}` : prefix
}

/** What every connection of a role gets, whatever the topology. */
function roleOptions (role: RedisRole, config: RedisConfig): RedisOptions {
  if (role === 'blocking') {
    // Back within a second of Redis: BullMQ's blocking clients (duplicates of this one) must not sit
    // in a long reconnect backoff, since closing a worker whose client is in one waits for an "end"
    // that ioredis never emits (redis/ioredis#1247).
    return { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 100, BLOCKING_RECONNECT_MAX_MS) }
  }
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000)
  }
}

/** Builds one connection of `role`; it connects on first use (fail-fast) or at once (blocking). */
export function createRedis (config: RedisConfig, role: RedisRole): RedisClient {
  const topology = redisTopology(config)
  const options = roleOptions(role, config)
  const credentials = { username: config.REDIS_USERNAME, password: config.REDIS_PASSWORD }
  switch (topology.kind) {
    case 'standalone':
      return new Redis(topology.url, options)
    case 'sentinel':
      return new Redis({
        ...options,
        ...credentials,
        sentinels: topology.sentinels,
        name: topology.name,
        sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
        // No failoverDetector: its disconnect on +switch-master raced BullMQ's own watchdog on the
        // blocking connection and left a worker idle (seen 2 times in 9 failovers). A dead master's
        // socket closes, and ioredis then asks the sentinels again.
        // A demoted master answers writes with READONLY: ask the sentinels again.
        reconnectOnError: (err) => err.message.startsWith('READONLY')
      })
    case 'cluster': {
      const { lazyConnect, enableOfflineQueue, enableAutoPipelining, retryStrategy, ...perNode } = options
      const clusterOptions: ClusterOptions = {
        lazyConnect,
        enableOfflineQueue,
        enableAutoPipelining,
        clusterRetryStrategy: (attempt) => retryStrategy?.(attempt) ?? null,
        redisOptions: { ...perNode, ...credentials }
      }
      return new Cluster(topology.nodes, clusterOptions)
    }
  }
}

/**
 * Pings the connection every `timeoutMs` while it is up, and re-opens it when a ping goes
 * unanswered that long, or a handshake hangs: a silent peer never closes the socket, so without
 * this a connection waits on it for as long as TCP does. While it re-opens, fail-fast commands
 * fail at once (no offline queue); blocking ones wait and are sent again once it is back.
 */
export function watchConnection (redis: RedisClient, { timeoutMs, log, role }: { timeoutMs: number, log: Logger, role: RedisRole }): void {
  let pinging = false
  let handshakeSince: number | null = null
  redis.on('connect', () => { handshakeSince = Date.now() })
  redis.on('ready', () => { handshakeSince = null })
  const reopen = (why: string) => {
    log.warn({ role, why }, 'redis: connection silent; re-opening it')
    redis.disconnect(true)
  }
  const timer = setInterval(() => {
    if (redis.status === 'connect' && handshakeSince !== null && Date.now() - handshakeSince > timeoutMs) {
      handshakeSince = null
      reopen('handshake unanswered')
      return
    }
    if (redis.status !== 'ready' || pinging) return
    pinging = true
    withTimeout(redis.ping(), timeoutMs).then(() => {}, (err: Error) => {
      if (redis.status === 'ready' && /timed out/.test(err.message)) reopen('ping unanswered')
    }).finally(() => { pinging = false })
  }, timeoutMs)
  timer.unref()
  redis.once('end', () => { clearInterval(timer) })
}

/** The fail-fast connection, watched, reporting an outage once and the recovery once. */
export async function connectFailFast (config: RedisConfig, log: Logger): Promise<RedisClient> {
  const redis = createRedis(config, 'fail-fast')
  watchConnection(redis, { timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS, log, role: 'fail-fast' })
  let down = false
  redis.on('error', (err) => {
    if (!down) log.warn({ err }, 'redis unreachable; rate limits fall back to per-instance counters, notifications to the outbox relay')
    down = true
  })
  redis.on('ready', () => {
    if (down) log.info('redis reachable again')
    down = false
  })
  // A process starts even when Redis does not answer yet, or answers nothing: the error listener
  // has reported it, and the connection keeps trying.
  await withTimeout(redis.connect(), 2000 + config.REDIS_COMMAND_TIMEOUT_MS).catch(() => {})
  return redis
}

/** A blocking connection for BullMQ workers, watched like the fail-fast one. */
export function connectBlocking (config: RedisConfig, log: Logger): RedisClient {
  const redis = createRedis(config, 'blocking')
  watchConnection(redis, { timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS, log, role: 'blocking' })
  redis.on('error', () => { /* the workers using it report it */ })
  return redis
}
