// Reminders with an injected clock: due by the Swedish working-day calendar, one step at a time
// along the routing (the handler, the delegate, the fallback inbox), one digest per person, and
// nothing when nothing is waiting.
import t from 'tap'
import type { ParsedMail } from 'mailparser'
import type { FastifyInstance } from 'fastify'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { smtpSink, type SmtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'

const FALLBACK = 'kontakt@ri.se'
const COPY = 'team@ri.se'
const isDigest = (mail: ParsedMail) => /^(Påminnelse|Reminder):/.test(mail.subject ?? '')
const digests = (sink: SmtpSink) => sink.delivered.filter(isDigest)
/** The digests once `count` have been parsed (the server accepts a message before it is parsed). */
const digestsWhen = async (sink: SmtpSink, count: number) =>
  await eventually(async () => digests(sink).length >= count ? digests(sink) : undefined, { what: `${count} digests` })
const to = (mail: ParsedMail | undefined) => [mail?.to].flat().map((a) => a?.text).join(',')

async function setup (t: Parameters<typeof buildTestApp>[0], env: Record<string, string> = {}) {
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await buildTestApp(t, { SMTP_URL: sink.url, NOTIFY_FALLBACK_EMAIL: FALLBACK, PUBLIC_BASE_URL: 'https://kontakt.ri.se', MAIL_BACKOFF_MS: '50', ...env })
  const workers = await startTestWorkers(t, config)
  const followUp = workers.services.followUp
  /** A request stored now, delivered, then dated back to `receivedAt`. */
  async function request (receivedAt: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const before = sink.delivered.length
    const { id } = (await post(app, await altchaSubmission(app, { message: `Fråga ${Math.random()}`, ...overrides }))).json<{ id: string }>()
    await sink.waitForDelivered(before + 1)
    await app.core.database.prisma.contactRequest.update({ where: { id }, data: { receivedAt: new Date(receivedAt) } })
    return id
  }
  return { app, sink, followUp, request }
}

const history = async (app: FastifyInstance, id: string) =>
  (await app.core.database.prisma.requestEvent.findMany({ where: { requestId: id, kind: 'follow_up' }, orderBy: { at: 'asc' } })).map((e) => e.value)

t.test('a Friday-afternoon request on midsommarafton: reminded on the Wednesday after, then the delegate, then the fallback inbox', async (t) => {
  const { app, sink, followUp, request } = await setup(t, { FOLLOW_UP_COPY_EMAIL: COPY })
  const id = await request('2026-06-19T15:30:00+02:00')

  t.match(await followUp.run(new Date('2026-06-23T08:00:00+02:00')), { workingDay: true, steps: 0 }, 'Tuesday: two working days have not passed')
  t.match(await followUp.run(new Date('2026-06-24T08:00:00+02:00')), { steps: 1, digests: { sent: 1 } }, 'Wednesday: the reminder')
  const [reminder] = await digestsWhen(sink, 1)
  t.equal(to(reminder), 'lotta.fransson@example.org', 'to the contact it was addressed to')
  t.match(reminder?.subject, 'Påminnelse: en förfrågan väntar på svar')
  t.match(reminder?.text, /https:\/\/kontakt\.ri\.se\/handle\/\S+/, 'with its action links')
  t.match(reminder?.text, id)

  t.match(await followUp.run(new Date('2026-06-24T14:00:00+02:00')), { steps: 0, digests: { sent: 0 } }, 'a second run the same day sends nothing again')
  t.match(await followUp.run(new Date('2026-06-26T08:00:00+02:00')), { steps: 0 }, 'Friday: the delegate\'s turn has not come (two more working days)')
  t.match(await followUp.run(new Date('2026-06-29T08:00:00+02:00')), { steps: 1, digests: { sent: 2 } }, 'Monday: the delegate, and the team\'s copy')
  const escalation = (await digestsWhen(sink, 3)).find((m) => to(m) === 'sofia.frolander@example.org')
  t.match(escalation?.text, /Lotta Fransson har inte svarat, och du är ersättare/)
  t.match(escalation?.text, /\/handle\//, 'the delegate can act from it')
  const copy = digests(sink).find((m) => to(m) === COPY)
  t.notMatch(copy?.text, /\/handle\//, 'the copy carries no links: the team reads, the handler acts')

  t.match(await followUp.run(new Date('2026-07-01T08:00:00+02:00')), { steps: 0 }, 'Wednesday: not yet')
  t.match(await followUp.run(new Date('2026-07-02T08:00:00+02:00')), { steps: 1 }, 'Thursday, two working days on: the fallback inbox')
  t.ok((await digestsWhen(sink, 5)).some((m) => to(m) === FALLBACK))
  t.match(await followUp.run(new Date('2026-07-10T08:00:00+02:00')), { steps: 0, digests: { sent: 0 } }, 'nobody further: nothing more')
  t.same(await history(app, id), ['reminded', 'escalated:delegate', 'escalated:fallback'], 'each step in the request\'s history')
  t.equal(digests(sink).length, 5, 'five digests in all: Lotta, Sofia and a copy, the fallback inbox and a copy')
})

t.test('a Friday-afternoon request before Christmas 2025 is reminded on Monday the 29th; nothing runs on a holiday', async (t) => {
  const { sink, followUp, request } = await setup(t)
  await request('2025-12-19T15:00:00+01:00')
  t.match(await followUp.run(new Date('2025-12-23T08:00:00+01:00')), { steps: 0 })
  t.match(await followUp.run(new Date('2025-12-24T08:00:00+01:00')), { workingDay: false }, 'julafton')
  t.match(await followUp.run(new Date('2025-12-27T08:00:00+01:00')), { workingDay: false }, 'a Saturday')
  t.equal(digests(sink).length, 0)
  t.match(await followUp.run(new Date('2025-12-29T08:00:00+01:00')), { steps: 1, digests: { sent: 1 } })
})

t.test('one digest per person lists every request waiting for them; another person gets their own', async (t) => {
  const { sink, followUp, request } = await setup(t)
  const ids = [await request('2026-12-01T09:00:00+01:00'), await request('2026-12-01T11:00:00+01:00'), await request('2026-12-02T10:00:00+01:00')]
  const sofias = await request('2026-12-01T09:30:00+01:00', { contactId: 'sofia-frolander' })
  t.match(await followUp.run(new Date('2026-12-07T08:00:00+01:00')), { steps: 4, digests: { sent: 2 } })
  const lotta = (await digestsWhen(sink, 2)).find((m) => to(m) === 'lotta.fransson@example.org')
  t.match(lotta?.subject, 'Påminnelse: 3 förfrågningar väntar på svar')
  for (const id of ids) t.match(lotta?.text, id)
  t.notMatch(lotta?.text, sofias, 'not another person\'s request')
  t.equal(digests(sink).length, 2)
})

t.test('nothing is sent when nothing is pending, nor about a request answered, closed, erased, restricted or quarantined', async (t) => {
  const { app, sink, followUp, request } = await setup(t)
  const key = await adminKey(app)
  t.match(await followUp.run(new Date('2026-12-09T08:00:00+01:00')), { steps: 0, digests: { sent: 0 } }, 'an empty day: no mail at all')

  const answered = await request('2026-12-01T09:00:00+01:00')
  const closed = await request('2026-12-01T09:00:00+01:00')
  const erased = await request('2026-12-01T09:00:00+01:00', { email: 'erase.me@example.se' })
  const restricted = await request('2026-12-01T09:00:00+01:00')
  const quarantined = await request('2026-12-01T09:00:00+01:00')
  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${answered}/answered` })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${closed}/status`, payload: { status: 'closed' } })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/erase', payload: { email: 'erase.me@example.se' } })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'PUT', url: `/v1/admin/contact-requests/${restricted}/restriction` })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${quarantined}/mark-spam` })).statusCode, 200)
  t.match(await followUp.run(new Date('2026-12-09T08:00:00+01:00')), { steps: 0, digests: { sent: 0 } })
  t.equal(digests(sink).length, 0)
  t.equal(await app.core.database.prisma.contactRequest.count({ where: { id: erased } }), 0)
})

t.test('a digest not sent yet is skipped, not sent, once its request is answered; one that failed is sent by the next run', async (t) => {
  let refuse = true
  const sink = await smtpSink((_n, raw) => refuse && raw.toString().includes('<digest-') ? { code: 451, message: 'try later' } : { code: 250 })
  t.teardown(sink.close)
  const { app, config } = await buildTestApp(t, { SMTP_URL: sink.url, MAIL_BACKOFF_MS: '50' })
  const { services: { followUp } } = await startTestWorkers(t, config)
  const key = await adminKey(app)
  const ids: string[] = []
  for (const message of ['Första', 'Andra']) {
    const { id } = (await post(app, await altchaSubmission(app, { message }))).json<{ id: string }>()
    ids.push(id)
    await app.core.database.prisma.contactRequest.update({ where: { id }, data: { receivedAt: new Date('2026-12-01T09:00:00+01:00') } })
  }
  t.match(await followUp.run(new Date('2026-12-07T08:00:00+01:00')), { steps: 2, digests: { sent: 0, failed: 1 } }, 'the SMTP server refused the digest')
  await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${ids[0] ?? ''}/answered` })
  refuse = false
  t.match(await followUp.run(new Date('2026-12-07T09:00:00+01:00')), { steps: 0, digests: { sent: 1 } }, 'the next attempt sends what is still pending')
  const digest = await eventually(async () => digests(sink)[0], { what: 'the digest' })
  t.match(digest.subject, 'Påminnelse: en förfrågan väntar på svar', 'one request: the answered one was dropped')
  t.notMatch(digest.text, ids[0] ?? '')
  t.match(digest.text, ids[1] ?? '')
})
