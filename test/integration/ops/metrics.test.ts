// Metrics as an operator scrapes them: the real operations listener after real traffic, counters
// that moved by exactly what happened, and no personal data or id anywhere in the exposition.
import t, { type Test } from 'tap'
import { altchaSubmission, buildTestApp, post, submission } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { testDatabase } from '../../helpers/database.js'
import { sampleValue, samples, scrape } from '../../helpers/metrics.js'
import { smtpSink, type Answer } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { opsListener } from '../../helpers/ops.js'
import { eventually } from '../../helpers/wait.js'
import { DEAD_URL_PORT } from '../../helpers/config.js'
import { createMetrics, METRIC_PREFIX } from '../../../src/ops/metrics.js'
import { registerStateGauges } from '../../../src/ops/state.js'

const m = (suffix: string): string => `${METRIC_PREFIX}${suffix}`

/** The API and the workers in one process, sharing one set of metrics, scraped on a real listener. */
async function setup (t: Test, answer: (n: number) => Answer = () => ({ code: 250 }), env: Record<string, string> = {}) {
  const sink = await smtpSink(answer)
  t.teardown(sink.close)
  const metrics = createMetrics()
  const { app, config } = await buildTestApp(t, { SMTP_URL: sink.url, MAIL_BACKOFF_MS: '50', ...env }, { metrics })
  const workers = await startTestWorkers(t, config, { metrics })
  const ops = await opsListener(t, { role: 'api+worker', metrics, core: app.core, worker: workers.readiness })
  return { app, config, sink, workers, ops, metrics }
}

// What the person typed, and what identifies them or their request: none of it may reach the exposition.
const PERSON = {
  name: 'Zebulon Quixotewright',
  email: 'zq.7731@quixote.example',
  phone: '+46 70 999 31 77',
  organisation: 'Quixotewright Holdings',
  message: 'A xylophone-shaped question nobody else asks.',
  pageUrl: 'https://www.ri.se/sv/qx-unique-page'
}
const CLIENT_ADDRESS = '127.0.0.77'
const IDEMPOTENCY_KEY = 'idem-qx-991-distinct'

t.test('after real traffic the counters moved by exactly what happened, and no personal data or id appears', async (t) => {
  // 1st message delivered; 2nd refused for now (retried), then delivered; 3rd refused for good.
  const answers: Record<number, Answer> = { 2: { code: 451, message: 'try later' }, 4: { code: 550, message: `no such user ${PERSON.email}` } }
  const { app, sink, ops } = await setup(t, (n) => answers[n] ?? { code: 250 })
  const prisma = await testDatabase()
  const inject = async (body: unknown, headers: Record<string, string> = {}) =>
    await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: body as object, headers, remoteAddress: CLIENT_ADDRESS })

  // Accepted, then repeated with its Idempotency-Key: one request, one notification.
  const first = await altchaSubmission(app, PERSON)
  const accepted = await inject(first, { 'idempotency-key': IDEMPOTENCY_KEY })
  t.equal(accepted.statusCode, 202)
  t.equal((await inject(first, { 'idempotency-key': IDEMPOTENCY_KEY })).statusCode, 202)
  await sink.waitForDelivered(1)
  // A second request (retried once, then delivered) and a third (refused for good by the server).
  t.equal((await inject(await altchaSubmission(app, { ...PERSON, message: `${PERSON.message} Part two.` }))).statusCode, 202)
  await sink.waitForDelivered(2)
  const third = await inject(await altchaSubmission(app, { ...PERSON, message: `${PERSON.message} Part three.` }))
  await eventually(async () => (await prisma.notification.findFirst({ where: { requestId: third.json().id, status: 'failed' } })) ?? undefined, { what: 'the third notification to fail' })
  // A robot (quarantined), and three refusals: invalid, no consent, a wrong CAPTCHA.
  t.equal((await inject(await altchaSubmission(app, { ...PERSON, message: 'Köp billiga klockor nu!', website: 'http://spam.example' }))).statusCode, 202)
  t.equal((await inject({ ...submission(PERSON), email: 'not an address' })).statusCode, 400)
  t.equal((await inject(await altchaSubmission(app, { ...PERSON, consent: { accepted: false, noticeVersion: '2026-11-27' } }))).statusCode, 422)
  t.equal((await inject(submission({ ...PERSON, captcha: { provider: 'altcha', token: 'bm90IGEgc29sdXRpb24=' } }))).statusCode, 403)
  // An admin: a purge, an access export and an erasure; a look at one request; a made-up path.
  const key = await adminKey(app)
  t.equal((await asAdmin(app, key, { method: 'GET', url: `/v1/admin/contact-requests/${accepted.json().id as string}` })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: {} })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/export', payload: { email: PERSON.email } })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/erase', payload: { email: PERSON.email } })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: `/v1/${PERSON.email}/probe` })).statusCode, 404)

  const text = await scrape(ops.url)
  const submissions = (outcome: string, reason: string) => sampleValue(text, m('submissions_total'), { outcome, reason })
  t.equal(submissions('accepted', 'none'), 3)
  t.equal(submissions('repeat', 'idempotency_key'), 1)
  t.equal(submissions('quarantined', 'none'), 1)
  t.equal(sampleValue(text, m('spam_decisions_total'), { decision: 'quarantined', reason: 'honeypot' }), 1)
  t.equal(sampleValue(text, m('spam_decisions_total'), { decision: 'delivered', reason: 'fill_time' }), 3, 'the accepted ones were sent in a hurry')
  t.equal(submissions('refused', 'VALIDATION_FAILED'), 1)
  t.equal(submissions('refused', 'CONSENT_REQUIRED'), 1)
  t.equal(submissions('refused', 'CAPTCHA_FAILED'), 1)
  // Verified once each: the three accepted, the robot (quarantined) and the wrong one. The repeat
  // reused its first verdict; the invalid body and the refused consent were turned away before any verification.
  t.equal(sampleValue(text, m('captcha_verifications_total'), { provider: 'altcha', result: 'passed' }), 4)
  t.equal(sampleValue(text, m('captcha_verifications_total'), { provider: 'altcha', result: 'failed' }), 1)
  t.equal(sampleValue(text, m('captcha_verification_duration_seconds_count'), { provider: 'altcha' }), 5)
  t.equal(sampleValue(text, m('notifications_sent_total')), 2)
  t.equal(sampleValue(text, m('notifications_retried_total')), 1)
  t.equal(sampleValue(text, m('notifications_failed_total'), { reason: 'permanent' }), 1)
  t.equal(sampleValue(text, m('notification_delivery_duration_seconds_count'), { result: 'sent' }), 2)
  t.equal(sampleValue(text, m('notification_delivery_duration_seconds_count'), { result: 'error' }), 2)
  t.equal(sampleValue(text, m('notification_attempts_count')), 2)
  t.equal(sampleValue(text, m('notification_attempts_sum')), 3, 'one notification took one attempt, the other two')
  t.equal(sampleValue(text, m('purge_runs_total'), { trigger: 'api', result: 'success' }), 1)
  t.equal(sampleValue(text, m('subject_exports_total')), 1)
  t.equal(sampleValue(text, m('erasures_total'), { source: 'subject' }), 1)
  t.ok(Math.abs(sampleValue(text, m('purge_last_success_timestamp_seconds')) - Date.now() / 1000) < 60, 'the purge just now is the last success')
  t.equal(sampleValue(text, m('dependency_up'), { dependency: 'database' }), 1)
  t.equal(sampleValue(text, m('dependency_up'), { dependency: 'redis' }), 1)
  t.equal(sampleValue(text, m('dependency_up'), { dependency: 'smtp' }), 1)
  t.equal(sampleValue(text, m('queue_jobs'), { queue: 'notify', state: 'waiting' }), 0)
  t.equal(sampleValue(text, m('outbox_backlog')), 0)
  // Routes by template: the admin's look at one request, and the made-up path as one unmatched series.
  t.equal(sampleValue(text, m('http_request_duration_seconds_count'), { method: 'POST', route: '/v1/contact-requests', status_code: '202' }), 5)
  t.equal(sampleValue(text, m('http_request_duration_seconds_count'), { method: 'GET', route: '/v1/admin/contact-requests/:id', status_code: '200' }), 1)
  t.equal(sampleValue(text, m('http_request_duration_seconds_count'), { method: 'GET', route: '(unmatched)', status_code: '404' }), 1)
  t.ok(sampleValue(text, 'process_cpu_user_seconds_total') > 0, 'the process metrics are there too')
  const lag = sampleValue(text, 'nodejs_eventloop_lag_p99_seconds')
  t.ok(Number.isFinite(lag) && lag >= 0, `the event-loop lag is exposed (${lag} s)`)

  const ids = [accepted.json().id as string, third.json().id as string, key]
  for (const value of [...Object.values(PERSON), CLIENT_ADDRESS, IDEMPOTENCY_KEY, ...ids, 'quixote', 'Quixotewright', '7731', 'xylophone']) {
    t.notOk(text.toLowerCase().includes(value.toLowerCase()), `the exposition does not contain ${value}`)
  }
})

t.test('a withdrawal counts as an erasure of its own source; a dry run is not a success', async (t) => {
  const { app, ops } = await setup(t)
  const res = await post(app, await altchaSubmission(app))
  const removed = await app.services.subjects.withdrawConsent({ requestId: res.json().id, actor: 'withdrawal-link' })
  t.ok('erased' in removed)
  const key = await adminKey(app)
  await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: { dryRun: true } })
  const text = await scrape(ops.url)
  t.equal(sampleValue(text, m('erasures_total'), { source: 'withdrawal' }), 1)
  t.equal(sampleValue(text, m('purge_runs_total'), { trigger: 'api', result: 'dry_run' }), 1)
  t.equal(sampleValue(text, m('purge_runs_total'), { trigger: 'api', result: 'success' }), 0)
  t.equal(sampleValue(text, m('purge_last_success_timestamp_seconds')), 0, 'no purge has ever succeeded: the alert must see it')
})

t.test('with Redis unreachable the scrape says so: redis down, queue depth absent rather than stale', async (t) => {
  const metrics = createMetrics({ defaultMetrics: false })
  const { app } = await buildTestApp(t, { REDIS_URL: `redis://127.0.0.1:${DEAD_URL_PORT}` }, { metrics })
  const ops = await opsListener(t, { role: 'api', metrics, core: app.core })
  const text = await scrape(ops.url)
  t.equal(sampleValue(text, m('dependency_up'), { dependency: 'redis' }), 0)
  t.equal(sampleValue(text, m('dependency_up'), { dependency: 'database' }), 1)
  t.equal(samples(text).filter((s) => s.name === m('queue_jobs')).length, 0)
  const ready = await fetch(`${ops.url}/health/ready`)
  t.equal(ready.status, 503)
  t.match(await ready.json(), { status: 'unavailable', process: 'api', checks: { database: 'up', redis: 'down' } })
})

t.test('a storm of scrapes reads queues and tables once per cache period', async (t) => {
  const metrics = createMetrics({ defaultMetrics: false })
  let reads = 0
  const counts = async () => { reads++; return { waiting: 3, active: 1, delayed: 0, failed: 2 } }
  registerStateGauges(metrics, {
    queues: { notify: { getJobCounts: counts }, webhook: { getJobCounts: counts } },
    backlog: async () => 7,
    lastPurge: async () => new Date(1_800_000_000_000),
    quarantine: async () => 4,
    unanswered: async () => { reads++; return { '0-2': 5, '3-5': 0 } }
  }, { database: async () => 'up' }, 60_000)
  const texts = await Promise.all(Array.from({ length: 50 }, async () => await metrics.registry.metrics()))
  t.equal(reads, 3, 'one read of each queue and of the unanswered requests for 50 scrapes')
  for (const text of texts) {
    t.equal(sampleValue(text, m('queue_jobs'), { queue: 'webhook', state: 'failed' }), 2)
    t.equal(sampleValue(text, m('outbox_backlog')), 7)
    t.equal(sampleValue(text, m('purge_last_success_timestamp_seconds')), 1_800_000_000)
    t.equal(sampleValue(text, m('spam_quarantine_requests')), 4)
    t.equal(sampleValue(text, m('unanswered_requests'), { age: '0-2' }), 5)
  }
})

t.test('METRICS_ENABLED=false: no /metrics and no HTTP histogram, the health probes stay', async (t) => {
  const metrics = createMetrics({ defaultMetrics: false })
  const { app } = await buildTestApp(t, { METRICS_ENABLED: 'false' }, { metrics })
  const ops = await opsListener(t, { role: 'api', metrics, core: app.core })
  await app.inject({ method: 'GET', url: '/health/live' })
  t.equal((await fetch(`${ops.url}/metrics`)).status, 404)
  t.equal((await fetch(`${ops.url}/health/ready`)).status, 200)
  t.equal(sampleValue(await metrics.registry.metrics(), m('http_request_duration_seconds_count'), { route: '/health/live' }), 0)
})
