// Webhook delivery survives its dependencies failing: Redis down when the request arrives, a worker killed mid-delivery.
import t from 'tap'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { testDatabase } from '../../helpers/database.js'
import { privateRedis } from '../../helpers/private-redis.js'
import { eventually } from '../../helpers/wait.js'
import { webhookReceiver } from '../../helpers/webhook-receiver.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { workerProcess } from '../../helpers/processes.js'
import type { FastifyInstance } from 'fastify'

async function subscribe (app: FastifyInstance, url: string): Promise<string> {
  const res = await asAdmin(app, await adminKey(app), { method: 'POST', url: '/v1/admin/webhooks', payload: { url, events: ['contact_request.received'] } })
  return res.json().secret as string
}

t.test('with Redis down when the request arrives, the delivery is made once Redis is back', async (t) => {
  const redis = await privateRedis(t)
  await redis.start()
  const receiver = await webhookReceiver()
  t.teardown(receiver.close)
  const { app, config } = await buildTestApp(t, { REDIS_URL: redis.url })
  receiver.secrets.push(await subscribe(app, receiver.url))
  const workers = await startTestWorkers(t, config, { tuning: { relayDelayMs: 300, relayIntervalMs: 200 } })
  const prisma = await testDatabase()

  await redis.stop()
  const res = await post(app, await altchaSubmission(app))
  t.equal(res.statusCode, 202, 'accepted while Redis is down')
  const delivery = await prisma.webhookDelivery.findFirstOrThrow({ where: { requestId: res.json().id } })
  t.equal(delivery.status, 'pending', 'written with the request, waiting for the relay')
  await eventually(async () => /outbox relay: redis unavailable/.test(workers.logs()) ? true : undefined, { what: 'the relay to try and fail' })
  t.equal(receiver.received.length, 0)

  await redis.start()
  const [received] = await receiver.waitFor(1, 20_000)
  t.equal(received?.id, delivery.id, 'the row\'s id is the webhook-id')
  t.equal(received?.verifiedBy.length, 1, 'signed')
  const settled = await eventually(async () => {
    const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })
    return row.status === 'delivered' ? row : undefined
  }, { timeoutMs: 10_000, what: 'the delivery to be recorded' })
  t.ok(settled.queuedAt, 'the relay queued it')
  t.equal(receiver.received.length, 1, 'exactly once')
  await redis.settled()
})

t.test('a worker killed with SIGKILL mid-delivery: after recovery the delivery is made with the same webhook-id', async (t) => {
  // The first delivery is never answered: the worker is in the middle of it when it dies.
  const receiver = await webhookReceiver((n) => n === 1 ? { hang: true } : { status: 200 })
  t.teardown(receiver.close)
  const env = { JOB_LOCK_MS: '1500' }
  const { app, config } = await buildTestApp(t, env)
  receiver.secrets.push(await subscribe(app, receiver.url))
  const prisma = await testDatabase()
  const child = workerProcess(config, env)
  t.teardown(() => { child.kill('SIGKILL') })

  const res = await post(app, await altchaSubmission(app))
  const [first] = await receiver.waitFor(1, 20_000)
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  t.match(await prisma.webhookDelivery.findFirstOrThrow({ where: { requestId: res.json().id } }), { status: 'pending', attempts: 1 }, 'the attempt was counted before the request went out')

  await startTestWorkers(t, config)
  const [, second] = await receiver.waitFor(2, 20_000)
  t.equal(second?.id, first?.id, 'the same webhook-id: the receiver can tell it is the same event')
  t.equal(second?.body, first?.body, 'the same body')
  t.equal(second?.verifiedBy.length, 1)
  const row = await eventually(async () => {
    const d = await prisma.webhookDelivery.findFirstOrThrow({ where: { requestId: res.json().id }, include: { attemptLog: true } })
    return d.status === 'delivered' ? d : undefined
  }, { timeoutMs: 10_000, what: 'the delivery to be recorded' })
  t.equal(row.attempts, 2, 'the killed attempt is counted')
  t.same(row.attemptLog.map((a) => a.statusCode), [200], 'the killed attempt left no log entry: it never ended')
})
