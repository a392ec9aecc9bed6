// Which Redis the configuration names, and the connections built for it (nothing is connected here).
import t from 'tap'
import { Cluster, Redis } from 'ioredis'
import { loadConfig } from '../../../src/config.js'
import { createRedis, parseHostPort, queuePrefix, redisTopology } from '../../../src/redis/connect.js'

const base = { PSEUDONYM_KEY: 'unit-pseudonym-key-0123456789' }

t.test('host:port pairs, IPv6 in brackets included', async (t) => {
  t.same(parseHostPort('sentinel-1.internal:26379'), { host: 'sentinel-1.internal', port: 26379 })
  t.same(parseHostPort('[::1]:7000'), { host: '::1', port: 7000 })
})

t.test('REDIS_URL alone is one server; the queue prefix is QUEUE_PREFIX as it always was', async (t) => {
  const config = loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6390' })
  t.same(redisTopology(config), { kind: 'standalone', url: 'redis://127.0.0.1:6390' })
  t.equal(queuePrefix(config), 'contact-intake')
})

t.test('REDIS_SENTINELS builds every connection through the sentinels, with the master name and passwords', async (t) => {
  const config = loadConfig({ ...base, REDIS_SENTINELS: '127.0.0.1:26379, [::1]:26380', REDIS_SENTINEL_NAME: 'intake', REDIS_SENTINEL_PASSWORD: 's3', REDIS_PASSWORD: 'p4' })
  t.same(redisTopology(config), { kind: 'sentinel', sentinels: [{ host: '127.0.0.1', port: 26379 }, { host: '::1', port: 26380 }], name: 'intake' })
  for (const role of ['fail-fast', 'blocking'] as const) {
    const redis = createRedis(config, role) as Redis
    t.match(redis.options, { name: 'intake', sentinelPassword: 's3', password: 'p4', sentinels: [{ port: 26379 }, { port: 26380 }] }, role)
    t.equal(redis.options.maxRetriesPerRequest, role === 'blocking' ? null : 1, `${role}: retries as its role needs`)
    redis.disconnect()
  }
  t.equal(queuePrefix(config), 'contact-intake', 'no hash tag needed: one master holds every key')
})

t.test('REDIS_CLUSTER_NODES builds a cluster client, and the queue prefix gets a hash tag', async (t) => {
  const config = loadConfig({ ...base, REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001', REDIS_COMMAND_TIMEOUT_MS: '750' })
  t.same(redisTopology(config), { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }] })
  t.equal(queuePrefix(config), '{contact-intake}')
  t.equal(queuePrefix({ ...config, QUEUE_PREFIX: 'ri-{intake}' }), 'ri-{intake}', 'a prefix with a hash tag of its own is kept')
  const failFast = createRedis(config, 'fail-fast') as Cluster
  t.ok(failFast.isCluster)
  t.match(failFast.options, { enableOfflineQueue: false, redisOptions: { commandTimeout: 750, maxRetriesPerRequest: 1 } })
  failFast.disconnect()
  const blocking = createRedis(config, 'blocking') as Cluster
  t.match(blocking.options, { redisOptions: { maxRetriesPerRequest: null } })
  t.equal(blocking.options.redisOptions?.commandTimeout, undefined, 'no command deadline: BullMQ blocks on it')
  blocking.disconnect()
})

t.test('a fail-fast connection has a command deadline; a blocking one has none', async (t) => {
  const config = loadConfig({ ...base })
  const failFast = createRedis(config, 'fail-fast') as Redis
  const blocking = createRedis(config, 'blocking') as Redis
  t.match(failFast.options, { commandTimeout: 1000, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  t.equal(blocking.options.commandTimeout, undefined)
  failFast.disconnect()
  blocking.disconnect()
})

t.test('Sentinel and Cluster together, or sentinels without a master name, are refused', async (t) => {
  t.throws(() => loadConfig({ ...base, REDIS_SENTINELS: '127.0.0.1:26379', REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_SENTINEL_NAME: 'x' }), /REDIS_CLUSTER_NODES: set either it or REDIS_SENTINELS/)
  t.throws(() => loadConfig({ ...base, REDIS_SENTINELS: '127.0.0.1:26379' }), /REDIS_SENTINEL_NAME: required/)
  t.throws(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: '127.0.0.1' }), /REDIS_CLUSTER_NODES/, 'a node without a port')
})
