// The intake path end to end: what a form sees, and what is stored.
import t from 'tap'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { Job } from 'bullmq'
import { altchaSubmission, buildTestApp, post, submission, NOTICE_VERSION } from '../../helpers/app.js'
import { testDatabase } from '../../helpers/database.js'
import { sha256Hex } from '../../../src/notices/catalog.js'
import { readFile } from 'node:fs/promises'

t.test('a valid submission is accepted with a receipt stating when it will be deleted', async (t) => {
  const { app } = await buildTestApp(t)
  const before = Date.now()
  const res = await post(app, await altchaSubmission(app))
  t.equal(res.statusCode, 202)
  const receipt = res.json()
  t.match(receipt, { id: /^[0-9a-f-]{36}$/, status: 'received' })
  const days = (Date.parse(receipt.retainUntil) - before) / 86_400_000
  t.ok(days > 179.9 && days < 180.1, `retained 180 days (got ${days})`)
})

t.test('the request, its consent record and its notification are stored together', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const res = await post(app, await altchaSubmission(app))
  const id = res.json().id as string
  const stored = await prisma.contactRequest.findUniqueOrThrow({ where: { id }, include: { consent: true, notifications: true } })
  t.match(stored, {
    contactId: 'lotta-fransson',
    name: 'Anna Andersson',
    email: 'anna.andersson@example.se',
    organisation: 'Skellefteå kommun',
    locale: 'sv',
    status: 'received',
    captchaProvider: 'altcha',
    captchaVerified: true
  })
  const text = await readFile(`data/privacy-notices/${NOTICE_VERSION}/sv.txt`, 'utf8')
  t.match(stored.consent, { noticeVersion: NOTICE_VERSION, noticeLocale: 'sv', noticeSha256: sha256Hex(text), method: 'checkbox' })
  t.equal(stored.consent?.consentedAt.getTime(), stored.receivedAt.getTime(), 'consent time is the server time of receipt')
  t.equal(stored.notifications.length, 1)
  // Its job is in the queue (next test); the row stays pending until a worker sends it.
  t.match(stored.notifications[0], { status: 'pending', queuedAt: null })
})

t.test('the notification job carries ids only', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const res = await post(app, await altchaSubmission(app))
  const notification = await prisma.notification.findFirstOrThrow({ where: { requestId: res.json().id } })
  const job = await Job.fromId(app.core.queues.notify, notification.id)
  t.ok(job, 'job is in the queue under the notification id')
  t.same(job?.data, { notificationId: notification.id })
})

t.test('a contact with a retention override sets the receipt date', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { retentionDays: 30 } })
  const res = await post(app, await altchaSubmission(app, { contactId: 'sofia-frolander' }))
  t.equal(res.statusCode, 202)
  const days = (Date.parse(res.json().retainUntil) - Date.now()) / 86_400_000
  t.ok(days > 29.9 && days < 30.1, `retained 30 days (got ${days})`)
})

t.test('an invalid body is refused field by field, and nothing is stored', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const res = await post(app, await altchaSubmission(app, { email: 'not-an-address', name: '   ', unexpected: 1, consent: { accepted: true } }))
  t.equal(res.statusCode, 400)
  const body = res.json()
  t.equal(body.code, 'VALIDATION_FAILED')
  const paths = body.details.map((d: { path: string }) => d.path).sort()
  t.same(paths, ['/consent/noticeVersion', '/email', '/name', '/unexpected'])
  t.equal(await prisma.contactRequest.count(), 0)
})

t.test('a body that is not JSON is refused with 415, or 400 when it only claims to be', async (t) => {
  const { app } = await buildTestApp(t)
  const form = await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: 'name=Anna', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  t.equal(form.statusCode, 415)
  t.equal(form.json().code, 'UNSUPPORTED_MEDIA_TYPE')
  const broken = await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: '{"name": ', headers: { 'content-type': 'application/json' } })
  t.equal(broken.statusCode, 400)
  t.equal(broken.json().code, 'VALIDATION_FAILED')
})

t.test('a body over the limit is refused with 413', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await post(app, submission({ message: 'x'.repeat(70 * 1024) }))
  t.equal(res.statusCode, 413)
  t.equal(res.json().code, 'PAYLOAD_TOO_LARGE')
})

t.test('consent must be given to a published notice', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const declined = await post(app, await altchaSubmission(app, { consent: { accepted: false, noticeVersion: NOTICE_VERSION } }))
  t.equal(declined.statusCode, 422)
  t.match(declined.json(), { code: 'CONSENT_REQUIRED', details: [{ path: '/consent/accepted' }] })
  const unknown = await post(app, await altchaSubmission(app, { consent: { accepted: true, noticeVersion: '1999-01-01' } }))
  t.equal(unknown.statusCode, 422)
  t.match(unknown.json(), { code: 'CONSENT_REQUIRED', details: [{ path: '/consent/noticeVersion' }] })
  t.equal(await prisma.contactRequest.count(), 0)
})

t.test('an unknown contact, or an inactive one nobody stands in for, is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const unknown = await post(app, await altchaSubmission(app, { contactId: 'nobody-here' }))
  t.equal(unknown.statusCode, 422)
  t.equal(unknown.json().code, 'UNKNOWN_CONTACT')

  // As an admin makes the change: the directory the intake uses is read again at once.
  const patched = await asAdmin(app, await adminKey(app), { method: 'PATCH', url: '/v1/admin/contacts/sofia-frolander', payload: { active: false } })
  t.equal(patched.statusCode, 200)
  const inactive = await post(app, await altchaSubmission(app, { contactId: 'sofia-frolander' }))
  t.equal(inactive.statusCode, 422)
  t.equal(inactive.json().code, 'UNKNOWN_CONTACT')
  t.equal(await prisma.contactRequest.count(), 0)
})

t.test('an inactive contact with an active delegate still takes requests', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  await prisma.contact.update({ where: { id: 'lotta-fransson' }, data: { active: false } })
  const res = await post(app, await altchaSubmission(app))
  t.equal(res.statusCode, 202)
})

t.test('an inactive contact goes to the fallback inbox when one is configured', async (t) => {
  const { app } = await buildTestApp(t, { NOTIFY_FALLBACK_EMAIL: 'kontakt@example.org' })
  const prisma = await testDatabase()
  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: false } })
  const res = await post(app, await altchaSubmission(app, { contactId: 'sofia-frolander' }))
  t.equal(res.statusCode, 202)
})

// A filled honeypot: test/integration/spam/quarantine.test.ts (quarantined, never dropped).

t.test('a retry with the same Idempotency-Key and body gets the first answer', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const body = await altchaSubmission(app)
  const headers = { 'idempotency-key': 'form-7f3a2c' }
  const first = await post(app, body, headers)
  const second = await post(app, body, headers)
  t.equal(first.statusCode, 202)
  t.equal(second.statusCode, 202)
  t.same(second.json(), first.json())
  t.equal(await prisma.contactRequest.count(), 1)
})

t.test('the Idempotency-Key alone: a retry with a fresh CAPTCHA solution gets the first answer and stores nothing new', async (t) => {
  // A one-second duplicate window, waited out: the same-person-same-message rule cannot answer the retry, only the key can.
  const { app } = await buildTestApp(t, { DUPLICATE_WINDOW_SECONDS: '1' })
  const prisma = await testDatabase()
  const headers = { 'idempotency-key': 'form-retry-4b1d' }
  const first = await post(app, await altchaSubmission(app), headers)
  t.equal(first.statusCode, 202)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const retry = await post(app, await altchaSubmission(app), headers)
  t.equal(retry.statusCode, 202)
  t.same(retry.json(), first.json())
  t.equal(await prisma.contactRequest.count(), 1)
  t.equal(await prisma.notification.count(), 1)
  t.equal(await app.core.queues.notify.count(), 1, 'one job')
})

t.test('the same Idempotency-Key with another body is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const headers = { 'idempotency-key': 'form-7f3a2c' }
  await post(app, await altchaSubmission(app), headers)
  const res = await post(app, await altchaSubmission(app, { message: 'Something else' }), headers)
  t.equal(res.statusCode, 422)
  t.equal(res.json().code, 'IDEMPOTENCY_KEY_REUSED')
})

t.test('a double click (the same submission twice at once) gets one request and the first answer twice', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const body = await altchaSubmission(app)
  const [a, b] = await Promise.all([post(app, body), post(app, body)])
  t.equal(a.statusCode, 202)
  t.equal(b.statusCode, 202)
  t.equal(a.json().id, b.json().id)
  t.equal(await prisma.contactRequest.count(), 1)
  const again = await post(app, body)
  t.equal(again.json().id, a.json().id, 'a later repeat gets the same answer too')
})

t.test('a used CAPTCHA solution with a different body is a replay', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const body = await altchaSubmission(app)
  await post(app, body)
  const res = await post(app, { ...body, message: 'Another message riding on the same solution' })
  t.equal(res.statusCode, 403)
  t.match(res.json(), { code: 'CAPTCHA_FAILED', details: [{ path: '/captcha', message: 'already-used' }] })
  t.equal(await prisma.contactRequest.count(), 1)
})

t.test('the same person and message again within minutes, with a new CAPTCHA, returns the first request', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const first = await post(app, await altchaSubmission(app))
  const second = await post(app, await altchaSubmission(app, { name: 'Anna A.', email: 'Anna.Andersson@example.se' }))
  t.equal(second.statusCode, 202)
  t.equal(second.json().id, first.json().id)
  t.equal(await prisma.contactRequest.count(), 1)
})

t.test('the same message after the duplicate window is a new request', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const first = await post(app, await altchaSubmission(app))
  await prisma.contactRequest.update({ where: { id: first.json().id }, data: { receivedAt: new Date(Date.now() - 11 * 60_000) } })
  const second = await post(app, await altchaSubmission(app))
  t.equal(second.statusCode, 202)
  t.not(second.json().id, first.json().id)
})

t.test('a repeat of a message still needs a valid CAPTCHA', async (t) => {
  const { app } = await buildTestApp(t)
  await post(app, await altchaSubmission(app))
  const res = await post(app, submission({ captcha: { provider: 'altcha', token: 'bm90LWEtc29sdXRpb24=' } }))
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'CAPTCHA_FAILED')
})

t.test('a CAPTCHA from a provider that is not enabled is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await post(app, submission({ captcha: { provider: 'hcaptcha', token: '10000000-aaaa-bbbb-cccc-000000000001' } }))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { code: 'CAPTCHA_FAILED', details: [{ message: 'unknown or disabled provider' }] })
})

t.test('when PostgreSQL is down a submission gets 503 with Retry-After', async (t) => {
  const { app } = await buildTestApp(t, { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/contact_intake' })
  const res = await post(app, await altchaSubmission(app))
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'UNAVAILABLE')
  t.ok(Number(res.headers['retry-after']) > 0, 'Retry-After is set')
})

t.test('when Redis is down a submission is still accepted and its notification waits in the outbox', async (t) => {
  const { app } = await buildTestApp(t, { REDIS_URL: 'redis://127.0.0.1:1' })
  const prisma = await testDatabase()
  const res = await post(app, await altchaSubmission(app))
  t.equal(res.statusCode, 202)
  const notification = await prisma.notification.findFirstOrThrow({ where: { requestId: res.json().id } })
  t.equal(notification.status, 'pending')
})

t.test('while Redis is down a used CAPTCHA solution is still refused', async (t) => {
  const { app } = await buildTestApp(t, { REDIS_URL: 'redis://127.0.0.1:1' })
  const body = await altchaSubmission(app)
  t.equal((await post(app, body)).statusCode, 202)
  const replay = await post(app, { ...body, message: 'Replayed while Redis is down' })
  t.equal(replay.statusCode, 403)
  t.equal(replay.json().code, 'CAPTCHA_FAILED')
})

t.test('characters no field may hold are refused as VALIDATION_FAILED naming the field, and nothing is stored', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['NUL in the name (PostgreSQL refuses it: it was a 500)', { name: 'Anna\u0000Andersson' }, '/name'],
    ['NUL in the message', { message: 'Hej\u0000då' }, '/message'],
    ['NUL in the e-mail address', { email: 'anna\u0000@example.se' }, '/email'],
    ['NUL in the page address', { pageUrl: 'https://www.ri.se/\u0000' }, '/pageUrl'],
    ['NUL in the organisation', { organisation: 'RISE\u0000' }, '/organisation'],
    ['NUL in the notice version', { consent: { accepted: true, noticeVersion: '2026-11-26\u0000' } }, '/consent/noticeVersion'],
    ['a line break in the name (it goes into the e-mail subject)', { name: 'Anna\nBcc: x@example.org' }, '/name'],
    ['a bidirectional override in the name', { name: 'Anna \u202Egnissarrab' }, '/name'],
    ['a lone surrogate in the name (it cannot be stored as UTF-8)', { name: 'Anna \uD800' }, '/name'],
    ['a control character in the message', { message: 'Hej\u001bdå' }, '/message'],
    ['a C1 control in the organisation', { organisation: 'RISE\u0085' }, '/organisation']
  ]
  for (const [what, overrides, path] of refused) {
    const res = await post(app, await altchaSubmission(app, overrides))
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'VALIDATION_FAILED', what)
    t.ok(res.json().details.some((d: { path: string }) => d.path === path), `${what}: names ${path}`)
  }
  t.equal(await prisma.contactRequest.count(), 0)
})

t.test('what people really write is accepted and stored exactly: tabs, line breaks, right-to-left text, emoji', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const body = await altchaSubmission(app, {
    name: 'محمد Åström 👩‍🔬',
    organisation: 'שלום AB',
    message: 'Rad ett\r\nRad två\n\tIndragen 🙂\n\u202Bمرحبا\u202C'
  })
  const res = await post(app, body)
  t.equal(res.statusCode, 202)
  const stored = await prisma.contactRequest.findUniqueOrThrow({ where: { id: res.json().id } })
  t.same({ name: stored.name, organisation: stored.organisation, message: stored.message }, { name: body.name, organisation: body.organisation, message: body.message })
})
