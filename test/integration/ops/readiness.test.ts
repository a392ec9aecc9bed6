// Readiness that tells the truth: the worker is ready when its mail transport verifies and its queues
// run (the containers' health probe, a process of its own: test/system/health-probe.test.ts).
import t from 'tap'
import { buildTestApp } from '../../helpers/app.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { ready, workerListener } from '../../helpers/ops.js'
import { eventually } from '../../helpers/wait.js'
import { DEAD_URL_PORT } from '../../helpers/config.js'
import { privateRedis } from '../../helpers/private-redis.js'
import { PROBE_TIMEOUT_MS } from '../../../src/ops/checks.js'

t.test('the worker is ready once its SMTP server verifies, and not ready when it stops answering', async (t) => {
  const sink = await smtpSink()
  const { config } = await buildTestApp(t, { SMTP_URL: sink.url })
  const workers = await startTestWorkers(t, config, { tuning: { smtpVerifyIntervalMs: 100 } })
  const ops = await workerListener(t, workers)
  const up = await eventually(async () => { const r = await ready(ops.url); return r.status === 200 ? r : undefined }, { what: 'the worker to be ready' })
  t.same(up.body, { status: 'ok', process: 'worker', checks: { database: 'up', redis: 'up', smtp: 'up', queues: 'up' }, paused: [] })

  await sink.close()
  const down = await eventually(async () => { const r = await ready(ops.url); return r.status === 503 ? r : undefined }, { what: 'the worker to notice' })
  t.match(down.body, { status: 'unavailable', process: 'worker', checks: { smtp: 'down', database: 'up', redis: 'up' } })
})

t.test('a worker whose SMTP server never answers is not ready from the start', async (t) => {
  const { config } = await buildTestApp(t, { SMTP_URL: `smtp://127.0.0.1:${DEAD_URL_PORT}` })
  const workers = await startTestWorkers(t, config)
  const ops = await workerListener(t, workers)
  const { status, body } = await ready(ops.url)
  t.equal(status, 503)
  t.equal(body.checks.smtp, 'down')
  await eventually(async () => /mail transport does not verify/.test(workers.logs()) ? true : undefined, { what: 'the failed verify to be logged' })
  t.equal((await ready(ops.url)).body.checks.smtp, 'down', 'still down after the verify failed')
})

t.test('with the mail drop (no SMTP_URL) the worker is ready when the folder is writable', async (t) => {
  const { config } = await buildTestApp(t, {})
  const workers = await startTestWorkers(t, config)
  const ops = await workerListener(t, workers)
  const { body } = await eventually(async () => { const r = await ready(ops.url); return r.status === 200 ? r : undefined }, { what: 'the worker to be ready' })
  t.equal(body.checks.smtp, 'up')
})

t.test('a paused queue makes the worker not ready and is named, whether paused for everyone or in this worker', async (t) => {
  const { app, config } = await buildTestApp(t, {})
  const workers = await startTestWorkers(t, config)
  const ops = await workerListener(t, workers)
  await eventually(async () => (await ready(ops.url)).status === 200 ? true : undefined, { what: 'the worker to be ready' })

  await app.core.queues.notify.pause()
  const paused = await ready(ops.url)
  t.equal(paused.status, 503)
  t.same(paused.body.paused, ['notify'])
  t.equal(paused.body.checks.queues, 'down')
  await app.core.queues.notify.resume()
  t.equal((await ready(ops.url)).status, 200)

  await workers.webhook.pause(true)
  t.same((await ready(ops.url)).body.paused, ['webhook'])
  workers.webhook.resume()
  t.equal((await ready(ops.url)).status, 200)
})

t.test('with Redis gone the worker still answers, before a health probe gives up, that it is not ready; ready again when Redis is back', async (t) => {
  const redis = await privateRedis(t)
  await redis.start()
  const { config } = await buildTestApp(t, { REDIS_URL: redis.url })
  const workers = await startTestWorkers(t, config)
  const ops = await workerListener(t, workers)
  await eventually(async () => (await ready(ops.url)).status === 200 ? true : undefined, { what: 'the worker to be ready' })

  await redis.stop()
  // A probe gives up after a few seconds: an answer that waits for Redis is no answer at all.
  const down = await fetch(`${ops.url}/health/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS + 1000) })
  t.equal(down.status, 503)
  t.match(await down.json(), { status: 'unavailable', process: 'worker', checks: { redis: 'down', database: 'up' } })

  await redis.start()
  await eventually(async () => (await ready(ops.url)).status === 200 ? true : undefined, { what: 'the worker to be ready again' })
  await redis.settled()
})
