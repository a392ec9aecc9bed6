// A dependency that is there but says nothing (a partition, a stalled host, a failover in progress):
// every submission is still answered within its bound, and nothing accepted is lost or sent twice.
import t from 'tap'
import { buildTestApp } from '../../helpers/app.js'
import { checkAnswers, checkNotifiedOnce, submitUnderLoad } from '../../helpers/load.js'
import { silenceableProxy } from '../../helpers/silenceable-proxy.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../helpers/config.js'
import { PROBE_TIMEOUT_MS } from '../../../src/ops/checks.js'

const SILENCE_MS = 10_000
/** What the issue promises a person who submits while a dependency is silent. */
const ANSWER_BOUND_MS = 5000
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))

for (const dependency of ['redis', 'database'] as const) {
  t.test(`${dependency} silent for 10 s under load: every submission answered within 5 s, every 202 stored and notified exactly once after it heals`, async (t) => {
    const real = new URL(dependency === 'redis' ? TEST_REDIS_URL : TEST_DATABASE_URL)
    const proxy = await silenceableProxy(t, { host: real.hostname, port: Number(real.port) })
    const through = new URL(real)
    through.port = String(proxy.port)
    const sink = await smtpSink()
    t.teardown(sink.close)
    const env = { [dependency === 'redis' ? 'REDIS_URL' : 'DATABASE_URL']: through.toString(), SMTP_URL: sink.url }
    const { app, config } = await buildTestApp(t, env)
    // The workers go through the same silent path (their own pool when it is the database's).
    await startTestWorkers(t, config, { tuning: { relayDelayMs: 1000, relayIntervalMs: 500 }, ownDatabase: dependency === 'database' })

    let healed = false
    const load = submitUnderLoad(app, { clients: 4, done: () => healed })
    await sleep(1000)
    proxy.silence()
    const silencedAt = performance.now()
    await sleep(1000)
    const probeStarted = performance.now()
    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    const probeMs = performance.now() - probeStarted
    t.equal(ready.statusCode, 503, 'readiness says so while it is silent')
    t.ok(probeMs < PROBE_TIMEOUT_MS + 500, `readiness answered in ${Math.round(probeMs)} ms`)
    await sleep(SILENCE_MS - (performance.now() - silencedAt))
    proxy.heal()
    await sleep(1500)
    healed = true
    const answers = await load

    const accepted = answers.filter((a) => a.status === 202)
    checkAnswers(t, `${dependency} silent`, answers, ANSWER_BOUND_MS)
    t.ok(accepted.length > 0, 'submissions were accepted')
    if (dependency === 'redis') t.ok(accepted.length > answers.length / 2, 'a silent Redis does not stop intake (the outbox carries the notifications)')
    else t.ok(accepted.length < answers.length, 'a silent PostgreSQL refuses with 503 rather than hanging')
    await checkNotifiedOnce(t, accepted, sink)
    t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, 'ready again without a restart')
  })
}

t.test('the API starts while Redis is silent, within its bounds, and accepts submissions', async (t) => {
  const real = new URL(TEST_REDIS_URL)
  const proxy = await silenceableProxy(t, { host: real.hostname, port: Number(real.port) })
  proxy.silence()
  const through = new URL(real)
  through.port = String(proxy.port)
  const started = performance.now()
  const { app } = await buildTestApp(t, { REDIS_URL: through.toString() })
  const ms = performance.now() - started
  t.ok(ms < 5000, `built in ${Math.round(ms)} ms`)
  const answers = await submitUnderLoad(app, { clients: 1, done: () => false, max: 3 })
  t.same(answers.map((a) => a.status), [202, 202, 202], 'accepted: the outbox carries the notifications')
  t.ok(answers.every((a) => a.ms < ANSWER_BOUND_MS), `answered in ${answers.map((a) => Math.round(a.ms)).join(', ')} ms`)
  proxy.heal()
})
