// Notifications: the e-mail that arrives, at the right inbox, and what happens when delivery fails.
import t from 'tap'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { testDatabase } from '../../helpers/database.js'
import { smtpSink, type Answer } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'
import { describeMailError } from '../../../workers/processors/notify.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { DEAD_URL_PORT } from '../../helpers/config.js'
import { TUNING } from '../../../src/roots/core.js'

/** API and workers wired to a fresh SMTP sink, with quick retries. */
async function setup (t: { teardown: (fn: () => unknown) => void }, answer?: (n: number) => Answer, env: Record<string, string> = {}) {
  const sink = await smtpSink(answer)
  t.teardown(sink.close)
  const settings = { SMTP_URL: sink.url, MAIL_FROM: 'Kontaktformulär <no-reply@example.org>', MAIL_BACKOFF_MS: '50', ...env }
  const { app, config } = await buildTestApp(t, settings)
  const workers = await startTestWorkers(t, config)
  return { app, config, sink, workers, prisma: await testDatabase() }
}

const settled = async (prisma: Awaited<ReturnType<typeof testDatabase>>, requestId: string) => await eventually(async () => {
  const n = await prisma.notification.findFirstOrThrow({ where: { requestId } })
  return n.status === 'sent' || n.status === 'failed' ? n : undefined
}, { what: 'the notification to be sent or failed' })

t.test('the project manager receives the request, ready to answer', async (t) => {
  const { app, sink, prisma } = await setup(t)
  const res = await post(app, await altchaSubmission(app))
  const id = res.json().id as string
  const [mail] = await sink.waitForDelivered(1)
  t.ok(mail)
  if (mail === undefined) return
  t.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'lotta.fransson@example.org')
  t.match(mail.from?.text, /no-reply@example\.org/)
  t.same(mail.replyTo?.value, [{ name: 'Anna Andersson', address: 'anna.andersson@example.se' }])
  t.equal(mail.subject, 'Kontaktförfrågan från Anna Andersson')
  for (const part of [mail.text ?? '', String(mail.html)]) {
    t.match(part, 'Hej! Jag vill veta mer om Akademin för Livslångt Lärande.')
    t.match(part, 'anna.andersson@example.se')
    t.match(part, '+46 70 123 45 67')
    t.match(part, 'Skellefteå kommun')
    t.match(part, 'https://www.ri.se/sv/berattelser/ny-kompetens-forandrade-perspektiven-for-skelleftea-kommun')
    t.match(part, 'Europe/Stockholm')
    t.match(part, id)
    t.match(part, /Raderas/)
  }
  const notification = await settled(prisma, id)
  t.equal(mail.messageId, `<${notification.id}@example.org>`, 'Message-ID is stable per notification')
  t.match(notification, { status: 'sent', attempts: 1, routeReason: 'direct', recipient: 'lotta.fransson@example.org', smtpResponse: /^250/, messageId: `<${notification.id}@example.org>`, sentAt: Date })
})

t.test('a delegate standing in receives it, told for whom', async (t) => {
  const { app, sink, prisma } = await setup(t)
  await prisma.contact.update({ where: { id: 'lotta-fransson' }, data: { delegateStandsIn: true } })
  const res = await post(app, await altchaSubmission(app))
  const [mail] = await sink.waitForDelivered(1)
  t.equal(mail?.to && !Array.isArray(mail.to) ? mail.to.text : '', 'sofia.frolander@example.org')
  t.match(mail?.text, 'i stället för Lotta Fransson')
  t.match(await settled(prisma, res.json().id), { routeReason: 'delegate', recipient: 'sofia.frolander@example.org' })
})

t.test('the fallback inbox receives it when nobody else can', async (t) => {
  const { app, sink, prisma } = await setup(t, undefined, { NOTIFY_FALLBACK_EMAIL: 'kontakt@example.org' })
  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: false } })
  const res = await post(app, await altchaSubmission(app, { contactId: 'sofia-frolander' }))
  const [mail] = await sink.waitForDelivered(1)
  t.equal(mail?.to && !Array.isArray(mail.to) ? mail.to.text : '', 'kontakt@example.org')
  t.match(mail?.text, 'i stället för Sofia Frölander')
  t.match(await settled(prisma, res.json().id), { routeReason: 'fallback', recipient: 'kontakt@example.org' })
})

t.test('a contact who reads English gets it in English', async (t) => {
  const { app, sink, prisma } = await setup(t)
  await prisma.contact.update({ where: { id: 'lotta-fransson' }, data: { locale: 'en' } })
  await post(app, await altchaSubmission(app))
  const [mail] = await sink.waitForDelivered(1)
  t.equal(mail?.subject, 'Contact request from Anna Andersson')
  t.match(mail?.text, 'You have a new request from the contact form.')
  t.match(mail?.text, /Deleted on/)
})

t.test('Swedish characters arrive intact in subject and body', async (t) => {
  const { app, sink } = await setup(t)
  await post(app, await altchaSubmission(app, { name: 'Åsa Öberg-Ärlig', message: 'Räksmörgås på Åland, tack. ÅÄÖ åäö é ü' }))
  const [mail] = await sink.waitForDelivered(1)
  t.equal(mail?.subject, 'Kontaktförfrågan från Åsa Öberg-Ärlig')
  t.match(mail?.text, 'Räksmörgås på Åland, tack. ÅÄÖ åäö é ü')
  t.match(String(mail?.html), 'Räksmörgås på Åland, tack. ÅÄÖ åäö é ü')
})

t.test('hostile input is rendered harmless', async (t) => {
  const { app, sink, prisma } = await setup(t)
  const refused = await post(app, await altchaSubmission(app, { name: 'Eve\r\nBcc: victim@example.net' }))
  t.equal(refused.statusCode, 400, 'a line break in a name is refused at the door')
  // One stored before that rule existed: the e-mail still keeps it on one line.
  const message = `<script>alert("x")</script> ${'lång text '.repeat(500)}`
  await withoutWorkersRunning(app, prisma, async (requestId) => {
    await prisma.contactRequest.update({ where: { id: requestId }, data: { name: 'Eve\r\nBcc: victim@example.net', message } })
  })
  const [mail] = await sink.waitForDelivered(1)
  t.equal(mail?.subject, 'Kontaktförfrågan från Eve Bcc: victim@example.net', 'the name stays on one line')
  t.notOk(mail?.bcc, 'no header was injected')
  t.notOk(mail?.headers.has('bcc'))
  t.notMatch(String(mail?.html), '<script>')
  t.match(String(mail?.html), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
  t.match(mail?.text, message, 'the 5,000-character message arrives whole')
})

t.test('a server that answers 421 twice, then 250, delivers once after three attempts', async (t) => {
  const { app, sink, prisma } = await setup(t, (n) => n <= 2 ? { code: 421, message: 'Try again later' } : { code: 250 })
  const res = await post(app, await altchaSubmission(app))
  const notification = await settled(prisma, res.json().id)
  t.match(notification, { status: 'sent', attempts: 3, lastError: null })
  t.equal(sink.received, 3)
  t.equal(sink.delivered.length, 1)
})

t.test('a server that stops answering times out, and the retry delivers', async (t) => {
  // The first message is never answered: only SMTP_TIMEOUT_MS ends that attempt.
  const { app, sink, prisma } = await setup(t, (n) => n === 1 ? { hang: true } : { code: 250 }, { SMTP_TIMEOUT_MS: '500' })
  const id = (await post(app, await altchaSubmission(app))).json().id as string
  const [mail] = await sink.waitForDelivered(1)
  t.ok(mail)
  t.match(await settled(prisma, id), { status: 'sent', attempts: 2, lastError: null }, 'the timed-out attempt counted, then retried')
  t.equal(sink.received, 2)
})

t.test('a server that answers 550 fails the notification at once, visibly', async (t) => {
  const { app, sink, prisma, workers } = await setup(t, () => ({ code: 550, message: '5.1.1 <lotta.fransson@example.org>: Recipient address rejected' }))
  const res = await post(app, await altchaSubmission(app))
  const notification = await settled(prisma, res.json().id)
  t.match(notification, { status: 'failed', attempts: 1, failedAt: Date, lastError: /550/ })
  t.notMatch(notification.lastError, /@/, 'the stored error carries no address')
  t.equal(sink.received, 1)
  t.notMatch(workers.logs(), /lotta\.fransson@|anna\.andersson|Anna Andersson/, 'nor do the logs')
})

t.test('a notification whose attempts run out is failed with its last error', async (t) => {
  const { app, prisma } = await setup(t, () => ({ code: 451, message: '4.3.0 Temporary failure' }), { MAIL_MAX_ATTEMPTS: '2' })
  const res = await post(app, await altchaSubmission(app))
  t.match(await settled(prisma, res.json().id), { status: 'failed', attempts: 2, lastError: /451/ })
})

t.test('a contact who left after the request came in, with nobody to stand in, fails it visibly', async (t) => {
  const { app, sink, prisma } = await setup(t)
  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: false } })
  // Lotta's delegate is Sofia: both gone by the time the worker runs.
  await app.core.queues.notify.pause()
  const res = await post(app, await altchaSubmission(app))
  await prisma.contact.update({ where: { id: 'lotta-fransson' }, data: { active: false } })
  await app.core.queues.notify.resume()
  t.match(await settled(prisma, res.json().id), { status: 'failed', lastError: /no recipient/ })
  t.equal(sink.received, 0)
})

t.test('mail errors are described without addresses', async (t) => {
  t.same(describeMailError({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.1.1 <a@b.se>: no such user' }),
    { permanent: true, text: 'EENVELOPE RCPT TO 550: 550 5.1.1 <address>: no such user' })
  t.same(describeMailError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' }),
    { permanent: false, text: 'ECONNECTION: connect ECONNREFUSED 127.0.0.1:25' })
})

t.test('without an SMTP server, mail is written to the drop folder', async (t) => {
  const dir = t.testdir({})
  const { app, config } = await buildTestApp(t, { MAIL_DROP_DIR: dir })
  const workers = await startTestWorkers(t, config)
  const prisma = await testDatabase()
  const res = await post(app, await altchaSubmission(app))
  const notification = await settled(prisma, res.json().id)
  t.match(notification, { status: 'sent', smtpResponse: `written to ${dir}/${notification.id}.eml` })
  const { readFile } = await import('node:fs/promises')
  const eml = await readFile(`${dir}/${notification.id}.eml`, 'utf8')
  t.match(eml, /Subject: =\?UTF-8\?Q\?Kontaktf=C3=B6rfr=C3=A5gan_fr=C3=A5n\?= Anna Andersson|Subject: .*Kontaktf/)
  t.match(workers.logs(), `written to ${dir}`, 'the path is logged')
})

t.test('readiness reports an outbox backlog without failing on it', async (t) => {
  const { app } = await buildTestApp(t, { OUTBOX_BACKLOG_SECONDS: '60' })
  const prisma = await testDatabase()
  const res = await post(app, await altchaSubmission(app))
  await prisma.notification.updateMany({ where: { requestId: res.json().id }, data: { createdAt: new Date(Date.now() - 120_000) } })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json().outbox, { backlog: 1 })
})

t.test('a restricted request (GDPR Art. 18) is not sent: its notification fails visibly until re-driven', async (t) => {
  const { app, sink, prisma } = await setup(t)
  const key = await adminKey(app, ['requests:write'])
  const id = await withoutWorkersRunning(app, prisma, async (requestId) => {
    await prisma.contactRequest.update({ where: { id: requestId }, data: { restrictedAt: new Date() } })
  })
  t.match(await settled(prisma, id), { status: 'failed', lastError: /restricted/ })
  t.equal(sink.delivered.length, 0, 'nothing was sent')
  const notification = await prisma.notification.findFirstOrThrow({ where: { requestId: id } })

  const refused = await redrive(app, key, notification.id)
  t.equal(refused.statusCode, 409, 'not while the restriction holds')
  t.equal((await prisma.notification.findUniqueOrThrow({ where: { id: notification.id } })).status, 'failed')

  t.equal((await asAdmin(app, key, { method: 'DELETE', url: `/v1/admin/contact-requests/${id}/restriction` })).statusCode, 200)
  t.equal((await redrive(app, key, notification.id)).statusCode, 202)
  const [mail] = await sink.waitForDelivered(1)
  t.match(mail?.text, 'Akademin för Livslångt Lärande', 'once lifted, the re-drive delivers it')
  t.equal((await settled(prisma, id)).status, 'sent')
})

t.test('re-drive recovers failed notifications, one or all, and leaves a sent one alone', async (t) => {
  // The mailbox refuses the first two messages for good (550), then accepts.
  const { app, sink, prisma } = await setup(t, (n) => n <= 2 ? { code: 550, message: '5.1.1 mailbox unavailable' } : { code: 250 })
  const key = await adminKey(app, ['requests:read', 'requests:write'])
  const first = (await post(app, await altchaSubmission(app))).json().id as string
  const second = (await post(app, await altchaSubmission(app, { message: 'Ett annat ärende.' }))).json().id as string
  t.match(await settled(prisma, first), { status: 'failed', lastError: /550/ })
  t.match(await settled(prisma, second), { status: 'failed', lastError: /550/ })
  const failed = (await asAdmin(app, key, { method: 'GET', url: '/v1/admin/notifications/failed' })).json().items as Array<{ id: string, requestId: string }>
  t.equal(failed.length, 2)
  const one = failed.find((n) => n.requestId === first)?.id ?? ''

  const res = await redrive(app, key, one)
  t.same([res.statusCode, res.json()], [202, { redriven: 1 }])
  const [mail] = await sink.waitForDelivered(1)
  t.match(mail?.text, 'Akademin för Livslångt Lärande')
  t.match(await settled(prisma, first), { status: 'sent', lastError: null })
  t.equal((await prisma.notification.findFirstOrThrow({ where: { requestId: second } })).status, 'failed', 'the other waits for its own re-drive')

  const all = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/notifications/redrive' })
  t.same([all.statusCode, all.json()], [202, { redriven: 1 }])
  const mails = await sink.waitForDelivered(2)
  t.match(mails[1]?.text, 'Ett annat ärende.')
  t.equal((await settled(prisma, second)).status, 'sent')

  // A sent notification is not sent again.
  const before = await prisma.notification.findUniqueOrThrow({ where: { id: one } })
  t.equal((await redrive(app, key, one)).statusCode, 409)
  t.same(await prisma.notification.findUniqueOrThrow({ where: { id: one } }), before, 'unchanged')
  t.not(await (await app.core.queues.notify.getJob(one))?.getState(), 'waiting', 'no job waits to send it again')
})

const redrive = async (app: Parameters<typeof asAdmin>[0], key: string, id: string) =>
  await asAdmin(app, key, { method: 'POST', url: `/v1/admin/notifications/${id}/redrive` })

/** Submits a request while the workers are paused, lets `prepare` change it, then lets them run. */
async function withoutWorkersRunning (app: Parameters<typeof asAdmin>[0], prisma: Awaited<ReturnType<typeof testDatabase>>, prepare: (requestId: string) => Promise<void>): Promise<string> {
  await app.core.queues.notify.pause()
  const id = (await post(app, await altchaSubmission(app))).json().id as string
  await prepare(id)
  await app.core.queues.notify.resume()
  return id
}

t.test('the relay takes a pending notification only once it is older than the shipped delay', async (t) => {
  const { app } = await buildTestApp(t, { REDIS_URL: `redis://127.0.0.1:${DEAD_URL_PORT}` })
  const prisma = await testDatabase()
  const { id } = (await post(app, await altchaSubmission(app))).json<{ id: string }>()
  const notification = await prisma.notification.findFirstOrThrow({ where: { requestId: id } })
  const age = async (ms: number) => { await prisma.notification.update({ where: { id: notification.id }, data: { createdAt: new Date(Date.now() - ms) } }) }
  const { notifications } = app.core.repositories
  await age(TUNING.relayDelayMs - 1000)
  t.same(await notifications.findUnqueued(TUNING.relayDelayMs, 10), [], 'still the API\'s to enqueue')
  await age(TUNING.relayDelayMs + 1000)
  t.same(await notifications.findUnqueued(TUNING.relayDelayMs, 10), [notification.id])
})
