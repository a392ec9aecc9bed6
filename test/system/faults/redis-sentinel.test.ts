// Redis Sentinel: the master is killed under load; the service follows the promoted replica by
// itself, keeps answering within its bounds, and every accepted request is notified exactly once.
import t from 'tap'
import { buildTestApp } from '../../helpers/app.js'
import { checkAnswers, checkNotifiedOnce, submitUnderLoad, type Answer } from '../../helpers/load.js'
import { redisSentinelSet } from '../../helpers/redis-ha.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))

t.test('the master killed under load: intake answers within 5 s throughout, 0 accepted requests lost, 0 notified twice, no restart', async (t) => {
  const set = await redisSentinelSet(t)
  const sink = await smtpSink()
  t.teardown(sink.close)
  const env = { REDIS_SENTINELS: set.addresses, REDIS_SENTINEL_NAME: set.name, SMTP_URL: sink.url }
  const { app, config } = await buildTestApp(t, env)
  await startTestWorkers(t, config, { tuning: { relayDelayMs: 1000, relayIntervalMs: 500 } })
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, 'ready through the sentinels')

  let promotedAt = 0
  let killedAt = 0
  const started = performance.now()
  const load = submitUnderLoad(app, { clients: 4, done: () => promotedAt > 0 && performance.now() - promotedAt > 3000 })
  await sleep(1500)
  await set.master.kill()
  killedAt = performance.now()
  await eventually(async () => await set.masterPort() === set.replica.port ? true : undefined, { timeoutMs: 30_000, intervalMs: 100, what: 'the sentinels to promote the replica' })
  promotedAt = performance.now()
  const during: Answer[] = await load
  t.comment(`failover: master killed at ${Math.round(killedAt - started)} ms, replica promoted ${Math.round(promotedAt - killedAt)} ms later`)

  checkAnswers(t, 'sentinel failover', during)
  const accepted = during.filter((a) => a.status === 202)
  t.ok(accepted.length > during.length * 0.9, 'intake kept accepting through the failover')
  await checkNotifiedOnce(t, accepted, sink)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200, 'ready on the new master, without a restart')
  t.equal(await app.core.queues.notify.getWaitingCount(), 0, 'the queue on the new master is drained')
})
