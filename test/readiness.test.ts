// Readiness that tells the truth: the worker is ready when its mail transport verifies and its queues
// run, and the containers' health probe believes only the process it names.
import t, { type Test } from 'tap'
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { buildTestApp } from './helpers/app.js'
import { smtpSink } from './helpers/smtp.js'
import { startTestWorkers } from './helpers/workers.js'
import { opsListener } from './helpers/ops.js'
import { eventually } from './helpers/wait.js'
import { DEAD_URL_PORT } from './helpers/config.js'
import { privateRedis } from './helpers/private-redis.js'
import { createMetrics } from '../src/ops/metrics.js'
import { PROBE_TIMEOUT_MS } from '../src/ops/checks.js'
import type { ProcessRole, Readiness } from '../src/ops/readiness.js'
import type { Workers } from '../workers/index.js'

async function workerListener (t: Test, workers: Workers, role: ProcessRole = 'worker') {
  return await opsListener(t, { role, metrics: createMetrics({ defaultMetrics: false }), services: workers.services, worker: workers.readiness })
}

async function ready (url: string): Promise<{ status: number, body: Readiness }> {
  const res = await fetch(`${url}/health/ready`)
  return { status: res.status, body: await res.json() as Readiness }
}

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

  await app.services.queues.notify.pause()
  const paused = await ready(ops.url)
  t.equal(paused.status, 503)
  t.same(paused.body.paused, ['notify'])
  t.equal(paused.body.checks.queues, 'down')
  await app.services.queues.notify.resume()
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

/** Runs the containers' health probe against `port`, as the image's HEALTHCHECK does. */
async function probe (role: string, port: number): Promise<{ code: number, output: string }> {
  const child = fork('src/ops/probe.ts', [role], { env: { ...process.env, METRICS_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const [code] = await once(child, 'exit') as [number]
  return { code, output }
}

t.test('the health probe passes only for the process it names, ready', async (t) => {
  const { config } = await buildTestApp(t, {})
  const workers = await startTestWorkers(t, config)
  const worker = await workerListener(t, workers)
  const api = await workerListener(t, workers, 'api')
  await eventually(async () => (await ready(worker.url)).status === 200 ? true : undefined, { what: 'the worker to be ready' })
  const portOf = (url: string): number => Number(new URL(url).port)

  t.match(await probe('worker', portOf(worker.url)), { code: 0, output: /worker ready/ })
  t.match(await probe('worker', portOf(api.url)), { code: 1, output: /answered by api, not the worker/ }, 'an API on the port is not the worker')
  t.match(await probe('worker', DEAD_URL_PORT), { code: 1, output: /no answer/ })
  t.match(await probe('nobody', portOf(worker.url)), { code: 2 })

  await workers.notify.pause(true)
  t.match(await probe('worker', portOf(worker.url)), { code: 1, output: /not ready/ })
})
