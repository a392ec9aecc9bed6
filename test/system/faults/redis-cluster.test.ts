// Redis Cluster: three masters. The queues live under a hash-tagged prefix (each queue's keys in one
// slot); intake, notification, rate limits and erasure work end to end, and after the erasure the
// residue search finds the person on no node.
import t from 'tap'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { redisCluster, cli } from '../../helpers/redis-ha.js'
import { redisDump } from '../../helpers/residue.js'
import { checkAnswers, checkNotifiedOnce, submitUnderLoad } from '../../helpers/load.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'

const ANNA = 'anna.andersson@example.se'

t.test('on a three-master cluster: intake → notification → receipt → erasure, and the address is on no node afterwards', async (t) => {
  const cluster = await redisCluster(t)
  const sink = await smtpSink()
  t.teardown(sink.close)
  const mailDropDir = await mkdtemp(join(tmpdir(), 'cluster-mail-'))
  const env = { REDIS_CLUSTER_NODES: cluster.addresses, SMTP_URL: sink.url, MAIL_DROP_DIR: mailDropDir }
  const limits = { RECEIPTS: 'true', RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' }
  const { app, config } = await buildTestApp(t, { ...env, ...limits })
  t.equal(app.core.queuePrefix, `{${config.QUEUE_PREFIX}}`, 'the queues share a hash tag')
  await startTestWorkers(t, config)
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, 'ready on the cluster')

  const ids: string[] = []
  for (const message of ['Första frågan', 'Andra frågan']) {
    const res = await post(app, await altchaSubmission(app, { email: ANNA, message }))
    t.equal(res.statusCode, 202, message)
    ids.push(res.json<{ id: string }>().id)
  }
  await sink.waitForDelivered(3, 20_000)
  const notified = sink.delivered.filter((m) => /lotta\.fransson/.test(JSON.stringify(m.to)))
  t.same(notified.map((m) => m.headers.get('x-contact-request-id')).sort(), [...ids].sort(), 'each request notified once')
  // The receipt window (one key, SET NX) works on the cluster: one receipt per address and day.
  const receipts = await eventually(async () => {
    const rows = await app.core.database.prisma.receipt.findMany({ where: { requestId: { in: ids } } })
    return rows.every((r) => r.status === 'sent' || r.status === 'skipped') ? rows : undefined
  }, { what: 'both receipts to be settled' })
  t.same(receipts.map((r) => r.status).sort(), ['sent', 'skipped'], 'the second receipt to the same address is skipped')
  t.equal(sink.delivered.length - notified.length, 1, 'one receipt went out')

  // The limit is counted in the cluster, not per process: the third is allowed, the fourth refused.
  t.equal((await post(app, await altchaSubmission(app, { email: 'bertil.berg@example.se', message: 'Tredje' }))).statusCode, 202)
  const limited = await post(app, await altchaSubmission(app, { email: 'bertil.berg@example.se', message: 'Fjärde' }))
  t.equal(limited.statusCode, 429, 'the rate limit holds on the cluster')
  const rateKeys = (await redisDump(app.core.redis, `${config.QUEUE_PREFIX}:rl:`)).split('\n').filter((l) => l !== '')
  t.ok(rateKeys.length > 0, 'its counter lives in the cluster')

  const before = await redisDump(app.core.redis, config.QUEUE_PREFIX)
  const notificationIds = (await app.core.database.prisma.notification.findMany({ where: { requestId: { in: ids } } })).map((n) => n.id)
  for (const id of notificationIds) t.match(before, id, 'her notification jobs are in the cluster')
  // Every queue key hashes to the tag's slot: BullMQ's scripts touch many keys of a queue at once.
  const queueKeys = before.split('\n').map((line) => line.split(' ')[0] ?? '').filter((k) => k.startsWith(app.core.queuePrefix))
  t.ok(queueKeys.length > 10, `${queueKeys.length} queue keys`)
  const slots = new Set(await Promise.all(queueKeys.map(async (k) => await cli(cluster.nodes[0]!.port, 'cluster', 'keyslot', k))))
  t.equal(slots.size, 1, 'in one slot')

  const key = await adminKey(app, ['subjects:erase'])
  const erased = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/erase', payload: { email: ANNA } })
  t.equal(erased.statusCode, 200)
  t.match(erased.json(), { requests: 2, notifications: 2 })
  await eventually(async () => {
    const after = await redisDump(app.core.redis, config.QUEUE_PREFIX)
    return notificationIds.every((id) => !after.includes(id)) ? after : undefined
  }, { what: 'her jobs and their history to be gone from every node' })
  const after = await redisDump(app.core.redis, config.QUEUE_PREFIX)
  t.notMatch(after, /anna\.andersson/i, 'no key or value on any node holds the address')
  for (const id of [...ids, ...notificationIds]) t.same(after.split('\n').filter((line) => line.includes(id)), [], `nothing names ${id.slice(0, 8)}… on any node`)
})

t.test('the master holding the queues is killed under load: every answer within bounds, and once it is back every accepted request is notified once', async (t) => {
  const cluster = await redisCluster(t)
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await buildTestApp(t, { REDIS_CLUSTER_NODES: cluster.addresses, SMTP_URL: sink.url })
  await startTestWorkers(t, config, { tuning: { relayDelayMs: 1000, relayIntervalMs: 500 } })
  // The queues' keys share one slot: the node serving it is the one whose loss matters.
  t.equal((await post(app, await altchaSubmission(app, { message: 'Före' }))).statusCode, 202)
  const counts = await Promise.all(cluster.nodes.map(async (n) => (await cli(n.port, 'keys', `${app.core.queuePrefix}:*`)).split('\n').filter(Boolean).length))
  const holder = cluster.nodes[counts.findIndex((c) => c > 0)]
  t.ok(holder !== undefined, `the queues live on one node (${counts.join(', ')} keys)`)
  if (holder === undefined) return

  let stop = false
  const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))
  const load = submitUnderLoad(app, { clients: 4, done: () => stop })
  await sleep(1500)
  await holder.kill()
  await sleep(4000)
  await holder.restart()
  await eventually(async () => {
    const infos = await Promise.all(cluster.nodes.map(async (n) => await cli(n.port, 'cluster', 'info')))
    return infos.every((info) => /cluster_state:ok/.test(info)) ? true : undefined
  }, { timeoutMs: 20_000, intervalMs: 200, what: 'the cluster to be whole again' })
  await sleep(3000)
  stop = true
  const answers = await load
  checkAnswers(t, 'cluster node loss', answers)
  const accepted = answers.filter((a) => a.status === 202)
  t.ok(accepted.length > answers.length / 2, 'intake kept accepting: the outbox carries what the lost node held')
  await checkNotifiedOnce(t, accepted, sink)
})
