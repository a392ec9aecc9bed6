// Receipts and self-service withdrawal: the person who wrote gets a confirmation with nothing
// they typed in it and a link that erases their request, after they confirm, everywhere.
import t from 'tap'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ParsedMail } from 'mailparser'
import type { FastifyInstance } from 'fastify'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { smtpSink, type SmtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { privateRedis } from '../../helpers/private-redis.js'
import { eventually } from '../../helpers/wait.js'
import { databaseMentions, mailDropText, redisDump } from '../../helpers/residue.js'

/** What a robot would want a receipt to carry: none of it may appear there. */
const TYPED = {
  name: 'Zyxwer Qowpel',
  phone: '+46 70 999 88 77',
  organisation: 'Spamfabriken AB',
  message: 'Köp billiga klockor på https://spam.example/buy-now',
  pageUrl: 'https://www.ri.se/sv/zzz-unik-sida'
}

async function withReceipts (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  const built = await buildTestApp(t, { RECEIPTS: 'true', MAIL_BACKOFF_MS: '50', PUBLIC_BASE_URL: 'https://kontakt.ri.se', ...env })
  return built
}

const isReceipt = (mail: ParsedMail) => mail.headers.get('auto-submitted') === 'auto-replied'
const receiptsIn = (sink: SmtpSink) => sink.delivered.filter(isReceipt)
/** The path of the withdrawal link in a receipt's text, on this service. */
const linkPath = (mail: ParsedMail) => /https:\/\/kontakt\.ri\.se(\/withdraw\/[A-Za-z0-9._-]+)/.exec(mail.text ?? '')?.[1]

async function receiptRow (app: FastifyInstance, requestId: string, status: string) {
  return await eventually(async () => {
    const row = await app.core.database.prisma.receipt.findUnique({ where: { requestId } })
    return row?.status === status ? row : undefined
  }, { what: `the receipt to be ${status}`, timeoutMs: 10_000 })
}

t.test('a receipt arrives for an accepted request: the contact, the dates, a working link, in the request\'s language; nothing the person typed', async (t) => {
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await withReceipts(t, { SMTP_URL: sink.url })
  await startTestWorkers(t, config)
  // Sofia answers within a week: her receipts say so.
  const patched = await asAdmin(app, await adminKey(app), { method: 'PATCH', url: '/v1/admin/contacts/sofia-frolander', payload: { responseDays: 5 } })
  t.match(patched.json(), { responseDays: 5 })
  const sv = (await post(app, await altchaSubmission(app, { ...TYPED, email: 'anna@example.se' }))).json<{ id: string, retainUntil: string }>()
  const en = (await post(app, await altchaSubmission(app, { ...TYPED, email: 'ben@example.org', locale: 'en', contactId: 'sofia-frolander' }))).json<{ id: string }>()
  await eventually(async () => receiptsIn(sink).length === 2 ? true : undefined, { what: 'two receipts', timeoutMs: 10_000 })

  const swedish = receiptsIn(sink).find((m) => m.text?.includes(sv.id) === true)
  const english = receiptsIn(sink).find((m) => m.text?.includes(en.id) === true)
  t.match(swedish, { subject: 'Vi har tagit emot din förfrågan', to: { text: 'anna@example.se' } })
  t.match(swedish?.text, /Lotta Fransson, projektledare/)
  t.match(swedish?.text, /Du kan räkna med svar inom 2 arbetsdagar\./, 'what to expect: the default response time')
  t.match(swedish?.text, new RegExp(`Raderas: ${new Intl.DateTimeFormat('sv-SE', { dateStyle: 'long', timeZone: 'Europe/Stockholm' }).format(new Date(sv.retainUntil))}`))
  t.match(english, { subject: 'We have received your request', to: { text: 'ben@example.org' } })
  t.match(english?.text, /Sofia Frölander, projektledare/)
  t.match(english?.text, /You can expect an answer within 5 working days\./, 'the contact\'s own response time')
  for (const mail of [swedish, english]) {
    const whole = `${JSON.stringify([...mail?.headers ?? []])}\n${mail?.text ?? ''}\n${String(mail?.html)}`
    for (const [field, value] of Object.entries(TYPED)) t.notMatch(whole, value, `the receipt carries no ${field}`)
  }

  const path = swedish === undefined ? undefined : linkPath(swedish)
  t.ok(path, 'the link starts with PUBLIC_BASE_URL')
  const page = await app.inject({ method: 'GET', url: path ?? '/' })
  t.equal(page.statusCode, 200)
  t.match(page.body, /<h1>Dra tillbaka din förfrågan<\/h1>/)
  t.match(page.body, /<button type="submit">Radera min förfrågan<\/button>/)
  t.match(await receiptRow(app, sv.id, 'sent'), { attempts: 1, lastError: null })
  const englishPage = await app.inject({ method: 'GET', url: english === undefined ? '/' : linkPath(english) ?? '/' })
  t.match([englishPage.statusCode, englishPage.body], [200, /<html lang="en">[\s\S]*<h1>Withdraw your request<\/h1>[\s\S]*You sent a request to Sofia Frölander/], 'the English link opens the English page')
})

t.test('one receipt per address per window: a second request gets none, and its receipt row says why', async (t) => {
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await withReceipts(t, { SMTP_URL: sink.url })
  await startTestWorkers(t, config)
  const first = (await post(app, await altchaSubmission(app, { email: 'cecilia@example.se', message: 'Första' }))).json<{ id: string }>()
  await receiptRow(app, first.id, 'sent')
  const second = (await post(app, await altchaSubmission(app, { email: 'Cecilia@Example.se', message: 'Andra' }))).json<{ id: string }>()
  t.match(await receiptRow(app, second.id, 'skipped'), { lastError: /another receipt went to this address within 24 h/ })
  await eventually(async () => sink.delivered.length === 3 ? true : undefined, { what: 'both notifications and one receipt' })
  t.equal(receiptsIn(sink).length, 1, 'one receipt for the two requests')
  t.notMatch(await redisDump(app.core.redis, config.QUEUE_PREFIX), /cecilia/i, 'the window is kept under a keyed hash, not the address')
})

t.test('the honeypot and refused submissions get no receipt', async (t) => {
  const { app } = await withReceipts(t)
  const decoy = await post(app, await altchaSubmission(app, { website: 'https://spam.example' }))
  const refused = await post(app, await altchaSubmission(app, { consent: { accepted: false, noticeVersion: '2026-11-27' } }))
  t.same([decoy.statusCode, refused.statusCode], [202, 422])
  t.equal(await app.core.database.prisma.receipt.count(), 0)
  t.equal(await app.core.queues.receipt.count(), 0)
})

t.test('GET of the link changes nothing, however often; POST erases the request everywhere and is audited without personal data', async (t) => {
  const mailDropDir = await mkdtemp(join(tmpdir(), 'receipt-mail-'))
  const { app, config } = await withReceipts(t, { MAIL_DROP_DIR: mailDropDir })
  await startTestWorkers(t, config)
  const email = 'dora.drop@example.se'
  const { id } = (await post(app, await altchaSubmission(app, { ...TYPED, email }))).json<{ id: string }>()
  await receiptRow(app, id, 'sent')
  t.match(await mailDropText(mailDropDir), email, 'the receipt and the notification are in the mail drop')
  const path = `/withdraw/${app.services.withdrawalLinks.token({ requestId: id, expiresAt: new Date(Date.now() + 86_400_000), locale: 'sv' })}`

  // Jobs are named by their notification's and receipt's ids: those are what Redis would still hold.
  const jobIds = [
    ...(await app.core.database.prisma.notification.findMany({ where: { requestId: id } })).map((n) => n.id),
    (await app.core.database.prisma.receipt.findUniqueOrThrow({ where: { requestId: id } })).id
  ]
  const before = await redisDump(app.core.redis, config.QUEUE_PREFIX)
  for (const jobId of jobIds) t.match(before, jobId, 'the request\'s job is in Redis before')

  for (let i = 0; i < 3; i++) t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 200)
  t.equal(await app.core.database.prisma.contactRequest.count({ where: { id } }), 1, 'three GETs changed nothing')

  const done = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.equal(done.statusCode, 200)
  t.match(done.body, /<h1>Din förfrågan är raderad<\/h1>/)
  t.same(await databaseMentions(email), [], 'the address is in no table')
  t.same(await databaseMentions(TYPED.message), [], 'nor the message')
  // The receipt window stays until it expires (RECEIPT_WINDOW_HOURS): a keyed hash of the address
  // holding the id of the receipt that took it, which names nothing once the receipt is erased.
  const after = (await redisDump(app.core.redis, config.QUEUE_PREFIX)).split('\n').filter((line) => !line.startsWith(`${config.QUEUE_PREFIX}:receipt-window:`))
  t.notMatch(after.join('\n'), new RegExp(`${email}|${jobIds.join('|')}`), 'nothing in Redis names the address, and the request\'s jobs are gone')
  t.notMatch(await mailDropText(mailDropDir), email, 'no mail-drop copy is left')
  const [entry] = await app.core.database.prisma.auditEntry.findMany({ where: { action: 'requests.withdraw_consent' } })
  t.match(entry, { actor: 'self-service', targetId: id, subjectHash: null, outcome: 'ok' })
  t.notMatch(JSON.stringify(entry), /dora|Zyxwer/)
})

t.test('a request under a legal hold stays, and the page says it is kept for a legal reason', async (t) => {
  const { app } = await withReceipts(t)
  const { id } = (await post(app, await altchaSubmission(app))).json<{ id: string }>()
  const key = await adminKey(app)
  await asAdmin(app, key, { method: 'PUT', url: `/v1/admin/contact-requests/${id}/legal-hold`, payload: { reason: 'Ärende 2026/12' } })
  const path = `/withdraw/${app.services.withdrawalLinks.token({ requestId: id, expiresAt: new Date(Date.now() + 86_400_000), locale: 'en' })}`
  const page = await app.inject({ method: 'GET', url: path })
  t.match([page.statusCode, page.body], [200, /<h1>The request is kept<\/h1>[\s\S]*legal reason/])
  const post_ = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.match([post_.statusCode, post_.body], [200, /The request is kept/])
  t.equal(await app.core.database.prisma.contactRequest.count({ where: { id } }), 1, 'still there')
})

t.test('forged, altered, expired, other-request and malformed links get the same 404 page while the request still exists; a used one after', async (t) => {
  const { app } = await withReceipts(t)
  const { id } = (await post(app, await altchaSubmission(app))).json<{ id: string }>()
  const links = app.services.withdrawalLinks
  const valid = links.token({ requestId: id, expiresAt: new Date(Date.now() + 86_400_000), locale: 'sv' })
  const flip = (s: string, at: number) => `${s.slice(0, at)}${s[at] === 'A' ? 'B' : 'A'}${s.slice(at + 1)}`
  const expired = links.token({ requestId: id, expiresAt: new Date(Date.now() - 1000), locale: 'sv' })
  const otherRequest = links.token({ requestId: '00000000-0000-4000-8000-000000000000', expiresAt: new Date(Date.now() + 86_400_000), locale: 'sv' })
  const bodies = new Set<string>()
  const refused = async (what: string, token: string) => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await app.inject({ method, url: `/withdraw/${token}`, ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' } : {}) })
      t.equal(res.statusCode, 404, `${method} ${what}`)
      bodies.add(res.body)
    }
  }
  // The request is there to be erased: only the signature and the expiry stand between these links and it.
  for (const [what, token] of [['altered payload', flip(valid, 3)], ['forged signature', flip(valid, 40)], ['expired', expired], ['another request', otherRequest], ['malformed', 'abc'], ['not even a token', '%00%E2%80%AE']] as const) {
    await refused(what, token)
  }
  t.equal(await app.core.database.prisma.contactRequest.count({ where: { id } }), 1, 'none of them erased the request')
  const erase = await app.inject({ method: 'POST', url: `/withdraw/${valid}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.equal(erase.statusCode, 200, 'the real link works once')
  await refused('used', valid)
  t.equal(bodies.size, 1, 'one and the same page for all of them: no oracle')
  t.match([...bodies][0], /<h1>Länken gäller inte<\/h1>/)
})

t.test('SMTP 4xx, then 250: the receipt is retried and sent', async (t) => {
  // The receipt's first attempt is refused for now; everything else is taken.
  let refused = 0
  const sink = await smtpSink((_n, raw) => /^Auto-Submitted: auto-replied/m.test(raw.toString()) && refused++ === 0 ? { code: 451, message: '4.3.0 Try again later' } : { code: 250 })
  t.teardown(sink.close)
  const { app, config } = await withReceipts(t, { SMTP_URL: sink.url })
  await startTestWorkers(t, config)
  const { id } = (await post(app, await altchaSubmission(app))).json<{ id: string }>()
  const receipt = await receiptRow(app, id, 'sent')
  t.equal(receipt.attempts, 2, 'sent on the second attempt')
  t.equal(refused, 2, 'the first was refused')
  t.equal(receiptsIn(sink).length, 1, 'and it arrived once')
})

t.test('with Redis down at submit time, the receipt still arrives once Redis is back', async (t) => {
  const redis = await privateRedis(t)
  await redis.start()
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await withReceipts(t, { REDIS_URL: redis.url, SMTP_URL: sink.url })
  await startTestWorkers(t, config, { tuning: { relayDelayMs: 300, relayIntervalMs: 200 } })
  await redis.stop()
  const res = await post(app, await altchaSubmission(app, { email: 'erik@example.se' }))
  t.equal(res.statusCode, 202, 'accepted while Redis is down')
  const { id } = res.json<{ id: string }>()
  t.match(await app.core.database.prisma.receipt.findUniqueOrThrow({ where: { requestId: id } }), { status: 'pending' })
  await redis.start()
  await receiptRow(app, id, 'sent')
  t.equal(receiptsIn(sink).length, 1)
  await redis.settled()
})

t.test('the admin view and the subject export show the receipt\'s fate', async (t) => {
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await withReceipts(t, { SMTP_URL: sink.url })
  await startTestWorkers(t, config)
  const { id } = (await post(app, await altchaSubmission(app, { email: 'frida@example.se' }))).json<{ id: string }>()
  await receiptRow(app, id, 'sent')
  const key = await adminKey(app)
  const detail = await asAdmin(app, key, { method: 'GET', url: `/v1/admin/contact-requests/${id}` })
  t.match(detail.json(), { receipt: { status: 'sent', attempts: 1, sentAt: String } })
  const exported = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/export', payload: { email: 'frida@example.se' } })
  t.match(exported.json(), { requests: [{ id, receipt: { status: 'sent' } }] })
  const record = await asAdmin(app, key, { method: 'GET', url: '/v1/admin/processing-record' })
  t.match(record.json().purposes, [String, /A receipt to the address given in the form, at most one per 24 h/])
})

t.test('the withdrawal link is rate-limited like the intake', async (t) => {
  const { app } = await withReceipts(t, { RATE_LIMIT_MAX: '2' })
  const token = app.services.withdrawalLinks.token({ requestId: '00000000-0000-4000-8000-000000000000', expiresAt: new Date(Date.now() + 86_400_000), locale: 'sv' })
  const statuses = []
  // A client of its own (inject's remote address, no connection is made): the other tests' visits are not counted.
  for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'GET', url: `/withdraw/${token}`, remoteAddress: '203.0.113.9' })).statusCode)
  t.same(statuses, [404, 404, 429])
})

t.test('a restricted request (GDPR Art. 18) gets no receipt: it is skipped, visibly, with the restriction as its reason', async (t) => {
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await withReceipts(t, { SMTP_URL: sink.url })
  const prisma = app.core.database.prisma
  // Restricted before any worker runs: the receipt's claim is the first to see it.
  await app.core.queues.receipt.pause()
  const id = (await post(app, await altchaSubmission(app, { email: 'rut.restriktion@example.se' }))).json<{ id: string }>().id
  await prisma.contactRequest.update({ where: { id }, data: { restrictedAt: new Date() } })
  await app.core.queues.receipt.resume()
  await startTestWorkers(t, config)
  const receipt = await eventually(async () => {
    const row = await prisma.receipt.findFirstOrThrow({ where: { requestId: id } })
    return row.status === 'pending' || row.status === 'queued' ? undefined : row
  }, { what: 'the receipt to be settled' })
  t.match(receipt, { status: 'skipped', attempts: 0, lastError: 'processing restricted (GDPR Art. 18)' })
  t.same(receiptsIn(sink), [], 'nothing was sent to her')
})
