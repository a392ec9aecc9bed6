// The quarantine, end to end: a submission over the threshold is stored and held, answered like any
// other, sends nothing until an admin releases it, and then sends each thing once.
import t from 'tap'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { webhookReceiver } from '../../helpers/webhook-receiver.js'
import { eventually } from '../../helpers/wait.js'
import { sampleValue } from '../../helpers/metrics.js'

/** Quarantined for its keyword alone, whatever else it says. */
const SPAM = 'Hej! Vi har ett erbjudande: köp billigt annonsutrymme hos oss, svara på detta mejl så ringer vi upp.'
const env = { SPAM_KEYWORDS: 'köp billigt', SPAM_WEIGHT_KEYWORD: '1', RECEIPTS: 'true', MAIL_BACKOFF_MS: '50' }

/** The app with workers delivering to an SMTP sink and one webhook endpoint subscribed to new requests. */
async function setup (t: Parameters<typeof buildTestApp>[0], extra: Record<string, string> = {}) {
  const sink = await smtpSink()
  t.teardown(sink.close)
  const receiver = await webhookReceiver()
  t.teardown(receiver.close)
  const mailDropDir = await mkdtemp(join(tmpdir(), 'spam-mail-'))
  const built = await buildTestApp(t, { ...env, SMTP_URL: sink.url, MAIL_DROP_DIR: mailDropDir, ...extra })
  const key = await adminKey(built.app)
  const res = await asAdmin(built.app, key, { method: 'POST', url: '/v1/admin/webhooks', payload: { url: receiver.url, events: ['contact_request.received'] } })
  receiver.secrets.push(res.json<{ secret: string }>().secret)
  return { ...built, sink, receiver, key, mailDropDir }
}

const rowOf = async (app: FastifyInstance, id: string) =>
  await app.core.database.prisma.contactRequest.findUniqueOrThrow({ where: { id }, include: { notifications: true, receipt: true, webhooks: true } })

/** Jobs of every state in the three delivery queues. */
async function jobIds (app: FastifyInstance): Promise<string[]> {
  const { notify, receipt, webhook } = app.core.queues
  const all = await Promise.all([notify, receipt, webhook].map(async (q) => await q.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])))
  return all.flat().map((job) => job.id ?? '')
}

t.test('a quarantined submission is stored with its reasons and sends nothing: no e-mail, no webhook, no job', async (t) => {
  const { app, config, sink, receiver, mailDropDir } = await setup(t)
  await startTestWorkers(t, config)
  const held = (await post(app, await altchaSubmission(app, { message: SPAM, email: 'spam@example.org' }))).json<{ id: string }>()
  // A request accepted after it: once its e-mails and webhook are through, the held one had its chance.
  const passed = (await post(app, await altchaSubmission(app, { email: 'anna@example.se' }))).json<{ id: string }>()
  await eventually(async () => sink.delivered.length === 2 && receiver.received.length === 1 ? true : undefined, { what: 'the accepted request\'s notification, receipt and webhook', timeoutMs: 10_000 })

  const row = await rowOf(app, held.id)
  t.equal(row.status, 'quarantined')
  t.same(row.spamReasons, ['fill_time', 'keyword'])
  t.equal(row.spamScore, 1.6)
  t.ok(row.quarantinedAt !== null)
  t.same([row.notifications.length, row.receipt, row.webhooks.length], [0, null, 0], 'no notification, receipt or delivery row')
  t.notOk(sink.delivered.some((m) => (m.text ?? '').includes(held.id) || JSON.stringify(m.to).includes('spam@example.org')), 'no e-mail about it or to its sender')
  t.notOk(receiver.received.some((d) => d.body.includes(held.id)), 'no webhook about it')
  t.notOk((await jobIds(app)).some((id) => [held.id].includes(id)), 'no job')
  t.notOk((await readdir(mailDropDir)).some((f) => f.includes(held.id)))
  t.match(receiver.received[0]?.body, passed.id)
  t.equal(sampleValue(await app.core.metrics.registry.metrics(), 'contact_intake_spam_decisions_total', { decision: 'quarantined', reason: 'keyword' }), 1)
  t.equal(sampleValue(await app.core.metrics.registry.metrics(), 'contact_intake_submissions_total', { outcome: 'quarantined', reason: 'none' }), 1)
})

t.test('a honeypot filled by autofill on a real message ends in quarantine, not nowhere, and can be released', async (t) => {
  const { app, config, key, sink } = await setup(t)
  await startTestWorkers(t, config)
  const res = await post(app, await altchaSubmission(app, { website: 'Anna Andersson', email: 'autofill@example.se' }))
  t.equal(res.statusCode, 202)
  const { id } = res.json<{ id: string }>()
  t.match(await rowOf(app, id), { status: 'quarantined', spamReasons: ['honeypot', 'fill_time'] })
  const released = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/release` })
  t.match(released.json(), { id, status: 'received', changed: true, sent: { notifications: 1, receipts: 1, webhookDeliveries: 1 } })
  await eventually(async () => sink.delivered.length === 2 ? true : undefined, { what: 'its notification and receipt', timeoutMs: 10_000 })
  t.ok(sink.delivered.some((m) => (m.text ?? '').includes('Akademin för Livslångt Lärande')), 'the project manager is told what was written')
})

t.test('a quarantined and an accepted submission get the same answer: status, headers, body shape, time', async (t) => {
  const { app } = await setup(t)
  const shape = (res: Awaited<ReturnType<typeof post>>) => ({
    status: res.statusCode,
    headers: Object.keys(res.headers).sort(),
    body: Object.fromEntries(Object.entries(res.json<Record<string, unknown>>()).map(([k, v]) => [k, k === 'status' ? v : typeof v]))
  })
  const timed = async (message: string, n: number) => {
    const started = performance.now()
    const res = await post(app, await altchaSubmission(app, { message, email: `p${n}@example.se` }))
    return { res, ms: performance.now() - started }
  }
  const accepted: number[] = []
  const quarantined: number[] = []
  for (let i = 0; i < 15; i++) {
    // Interleaved, so drift hits both alike; the CAPTCHA is solved before the clock starts.
    const a = await timed(`Hej! Jag undrar över projektet ${['Akademin', 'Biogas', 'Cirkulärt byggande', 'Digital tvilling', 'Energilager'][i % 5] ?? ''}, ${['kan ni ringa', 'finns en rapport', 'när startar nästa omgång'][i % 3] ?? ''}? Fråga ${i}.`, i)
    const q = await timed(`${SPAM} (${i})`, 100 + i)
    t.same(shape(q.res), shape(a.res), `same status, header names and body shape (${i})`)
    t.equal(q.res.json<{ retainUntil: string }>().retainUntil.slice(0, 10), a.res.json<{ retainUntil: string }>().retainUntil.slice(0, 10), `the same deletion date is told (${i})`)
    accepted.push(a.ms)
    quarantined.push(q.ms)
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0
  const spread = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return (s[11] ?? 0) - (s[3] ?? 0) }
  t.comment(`median ms: accepted ${median(accepted).toFixed(1)}, quarantined ${median(quarantined).toFixed(1)}; accepted IQR ${spread(accepted).toFixed(1)}`)
  t.ok(Math.abs(median(quarantined) - median(accepted)) <= Math.max(spread(accepted), spread(quarantined), 2), 'the medians differ by less than the noise between answers')
  t.equal(await app.core.database.prisma.contactRequest.count({ where: { status: 'quarantined' } }), 15)
})

t.test('two admins releasing at once send the notification, the receipt and the webhook exactly once', async (t) => {
  const { app, config, sink, receiver, key } = await setup(t)
  const { id } = (await post(app, await altchaSubmission(app, { message: SPAM, email: 'ben@example.org' }))).json<{ id: string }>()
  const [first, second] = await Promise.all([1, 2].map(async () => await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/release` })))
  const answers = [first, second].map((r) => r?.json<{ changed: boolean, sent: { notifications: number } }>())
  t.same(answers.map((a) => a?.changed).sort(), [false, true], 'one release changed it; the other found it released')
  t.same(answers.map((a) => a?.sent.notifications).sort(), [0, 1])
  await startTestWorkers(t, config)
  await eventually(async () => sink.delivered.length === 2 && receiver.received.length === 1 ? true : undefined, { what: 'what the release sent', timeoutMs: 10_000 })
  const again = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/release` })
  t.match(again.json(), { changed: false, sent: { notifications: 0, receipts: 0, webhookDeliveries: 0 } })
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(sink.delivered.length, 2, 'one notification and one receipt, nothing more')
  t.equal(receiver.received.length, 1, 'one webhook')
  const row = await rowOf(app, id)
  t.match(row, { status: 'received', quarantinedAt: null })
  t.same([row.notifications.length, row.notifications[0]?.status, row.receipt?.status, row.webhooks.length], [1, 'sent', 'sent', 1])
  const history = await app.core.database.prisma.requestEvent.findMany({ where: { requestId: id }, select: { kind: true, value: true } })
  t.same(history, [{ kind: 'spam', value: 'released' }, { kind: 'spam', value: 'released' }, { kind: 'spam', value: 'released' }])
})

t.test('mark as spam: a delivered request goes into quarantine, its pending work is held, and its retention is the quarantine\'s', async (t) => {
  const { app, key } = await setup(t, { QUARANTINE_RETENTION_DAYS: '30' })
  // No workers: its notification is still pending when it is marked.
  const { id } = (await post(app, await altchaSubmission(app, { email: 'carl@example.se' }))).json<{ id: string }>()
  const marked = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/mark-spam` })
  t.match(marked.json(), { id, status: 'quarantined', changed: true })
  t.match(await rowOf(app, id), { status: 'quarantined', spamReasons: ['fill_time'] })
  const status = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/status`, payload: { status: 'closed' } })
  t.equal(status.statusCode, 409, 'its status changes after a release only')

  // Its pending notification is settled as held when a worker claims it.
  t.equal(await app.core.repositories.notifications.claimForDelivery((await rowOf(app, id)).notifications[0]?.id ?? ''), null)
  t.match((await rowOf(app, id)).notifications[0], { status: 'failed', lastError: 'quarantined as spam' })

  // 31 days in quarantine: the purge removes it, counted under its reason, though retain_until is far.
  await app.core.database.pool.query("UPDATE contact_requests SET quarantined_at = now() - interval '31 days' WHERE id = $1", [id])
  const run = (await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: {} })).json<{ requests: number, quarantinedByReason: Record<string, number> }>()
  t.match(run, { requests: 1, quarantinedByReason: { fill_time: 1 } })
  t.equal(await app.core.database.prisma.contactRequest.count({ where: { id } }), 0)
})

t.test('the review list holds no personal data; the summary counts decisions by reason; unknown ids are 404', async (t) => {
  const { app, key } = await setup(t)
  const ids: string[] = []
  for (const email of ['d1@example.se', 'd2@example.se']) ids.push((await post(app, await altchaSubmission(app, { message: `${SPAM} ${email}`, email }))).json<{ id: string }>().id)
  const list = await asAdmin(app, key, { method: 'GET', url: '/v1/admin/spam/quarantine?limit=1' })
  t.equal(list.statusCode, 200)
  const page = list.json<{ items: Array<Record<string, unknown>>, nextCursor: string }>()
  t.same(Object.keys(page.items[0] ?? {}).sort(), ['contactId', 'id', 'quarantinedAt', 'receivedAt', 'spamReasons', 'spamScore'])
  t.equal(page.items[0]?.id, ids[1], 'newest first')
  t.notMatch(list.body, /d[12]@example\.se|erbjudande/, 'no address, no text')
  const next = (await asAdmin(app, key, { method: 'GET', url: `/v1/admin/spam/quarantine?limit=1&cursor=${page.nextCursor}` })).json<{ items: Array<{ id: string }>, nextCursor: null }>()
  t.same([next.items[0]?.id, next.nextCursor], [ids[0], null])

  await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${ids[0] ?? ''}/release` })
  const summary = (await asAdmin(app, key, { method: 'GET', url: '/v1/admin/spam/summary' })).json<{ quarantined: number, decisions: unknown[] }>()
  t.equal(summary.quarantined, 1)
  t.same(summary.decisions, [
    { decision: 'quarantined', reason: 'fill_time', count: 2 },
    { decision: 'quarantined', reason: 'keyword', count: 2 },
    { decision: 'released', reason: 'fill_time', count: 1 },
    { decision: 'released', reason: 'keyword', count: 1 }
  ])
  const audit = await app.core.database.prisma.auditEntry.findMany({ where: { action: { startsWith: 'requests.spam' } }, select: { action: true, targetId: true, outcome: true } })
  t.same(audit, [{ action: 'requests.spam.release', targetId: ids[0], outcome: 'ok' }])
  const missing = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/contact-requests/00000000-0000-4000-8000-000000000000/release' })
  t.match({ status: missing.statusCode, code: missing.json<{ code: string }>().code }, { status: 404, code: 'NOT_FOUND' })
})

t.test('the campaign signal: the same text from the third address within the window', async (t) => {
  const { app } = await setup(t, { SPAM_WEIGHT_CAMPAIGN: '1', SPAM_MIN_FILL_SECONDS: '0' })
  const text = (n: number) => `Vi hjälper ert företag att synas mer på nätet med annonser, ring oss på 070-${n}00 00 00 idag.`
  const answers = []
  for (const [n, email] of ['e1@example.se', 'e2@example.se', 'e2@example.se', 'e3@example.se'].entries()) {
    answers.push((await post(app, await altchaSubmission(app, { message: text(n), email }))).json<{ id: string }>().id)
  }
  const rows = await Promise.all(answers.map(async (id) => await rowOf(app, id)))
  t.same(rows.map((r) => [r.status, r.spamReasons]), [
    ['received', []], ['received', []],
    ['received', []], // the same address again is not a campaign
    ['quarantined', ['campaign']]
  ])
})
