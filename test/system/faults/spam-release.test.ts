// A release sends what the quarantine held exactly once, whatever dies around it: the worker
// delivering it, or the API's Redis before the jobs were in.
import t from 'tap'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { workerProcess } from '../../helpers/processes.js'
import { privateRedis } from '../../helpers/private-redis.js'
import { eventually } from '../../helpers/wait.js'

/** Quarantined for its keyword alone. */
const SPAM = { message: 'Hej! Vi har ett erbjudande: köp billigt annonsutrymme hos oss, svara så ringer vi upp.' }
const QUARANTINE = { SPAM_KEYWORDS: 'köp billigt', SPAM_WEIGHT_KEYWORD: '1' }

t.test('a worker killed with SIGKILL while it delivers a release, then a second release: one e-mail', async (t) => {
  // The first message is never answered: the worker hangs in the middle of sending it.
  const sink = await smtpSink((n) => n === 1 ? { hang: true } : { code: 250 })
  t.teardown(sink.close)
  const env = { ...QUARANTINE, SMTP_URL: sink.url, JOB_LOCK_MS: '1500', MAIL_BACKOFF_MS: '50' }
  const { app, config } = await buildTestApp(t, env)
  const key = await adminKey(app)
  const { id } = (await post(app, await altchaSubmission(app, SPAM))).json<{ id: string }>()

  const child = workerProcess(config, env)
  t.teardown(() => { child.kill('SIGKILL') })
  t.match((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/release` })).json(), { changed: true, sent: { notifications: 1 } })
  await eventually(async () => sink.received >= 1 ? true : undefined, { timeoutMs: 20_000, what: 'the worker process to start sending' })
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  // A second admin, seeing nothing arrive, releases it again: it is released already.
  t.match((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/release` })).json(), { changed: false, sent: { notifications: 0 } })

  await startTestWorkers(t, config)
  await sink.waitForDelivered(1, 20_000)
  const notifications = await eventually(async () => {
    const rows = await app.core.database.prisma.notification.findMany({ where: { requestId: id } })
    return rows.every((n) => n.status === 'sent') ? rows : undefined
  }, { what: 'the notification to be recorded sent' })
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(sink.delivered.length, 1, 'one e-mail')
  t.match(notifications, [{ status: 'sent', attempts: 2 }], 'one notification; the killed attempt counted')
})

t.test('a release whose jobs Redis does not take: the outbox relay sends them once Redis is back, once', async (t) => {
  const redis = await privateRedis(t)
  await redis.start()
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await buildTestApp(t, { ...QUARANTINE, REDIS_URL: redis.url, SMTP_URL: sink.url })
  const key = await adminKey(app)
  const { id } = (await post(app, await altchaSubmission(app, SPAM))).json<{ id: string }>()
  await startTestWorkers(t, config, { tuning: { relayDelayMs: 300, relayIntervalMs: 200 } })

  await redis.stop()
  const released = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/release` })
  t.match({ status: released.statusCode, body: released.json() }, { status: 200, body: { changed: true, sent: { notifications: 1 } } }, 'released while Redis is down')
  t.equal(sink.delivered.length, 0)

  await redis.start()
  const [mail] = await sink.waitForDelivered(1, 20_000)
  t.match(mail?.text, 'köp billigt')
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(sink.delivered.length, 1, 'exactly once')
  await redis.settled()
})
