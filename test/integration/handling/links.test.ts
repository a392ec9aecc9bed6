// The notification's action links end to end, through the real mail: a GET only asks, a POST
// acts; a second person is told who took it; "Not mine" reaches the delegate with links of their
// own; forged, altered, expired and cross-request links are refused while the request exists.
import t from 'tap'
import type { ParsedMail } from 'mailparser'
import type { FastifyInstance } from 'fastify'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { smtpSink, type SmtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'
import { sampleValue } from '../../helpers/metrics.js'
import { createHandlingLinks } from '../../../src/handling/links.js'

const BASE = 'https://kontakt.ri.se'
const FALLBACK = 'kontakt@ri.se'
const LABELS = { take: 'Jag tar den', answer: 'Besvarad', pass: 'Inte min – skicka vidare' } as const

/** The path of one action link in a notification's text. */
function linkIn (mail: ParsedMail | undefined, action: keyof typeof LABELS): string {
  const match = new RegExp(`- ${LABELS[action]}: ${BASE}(/handle/[a-z0-9:-]+/[A-Za-z0-9._-]+)`).exec(mail?.text ?? '')
  if (match?.[1] === undefined) throw new Error(`no ${action} link in ${mail?.text ?? 'no mail'}`)
  return match[1]
}

async function setup (t: Parameters<typeof buildTestApp>[0]) {
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await buildTestApp(t, { SMTP_URL: sink.url, PUBLIC_BASE_URL: BASE, NOTIFY_FALLBACK_EMAIL: FALLBACK, MAIL_BACKOFF_MS: '50' })
  await startTestWorkers(t, config)
  /** Submits a request and returns it with the notification it caused, once delivered. */
  async function submit (message: string): Promise<{ id: string, mail: ParsedMail }> {
    const { id } = (await post(app, await altchaSubmission(app, { message }))).json<{ id: string }>()
    return { id, mail: await mailAbout(sink, id) }
  }
  return { app, config, sink, submit }
}

async function mailAbout (sink: SmtpSink, id: string, to?: string): Promise<ParsedMail> {
  return await eventually(async () => sink.delivered.find((m) => m.headers.get('x-contact-request-id') === id && (to === undefined || [m.to].flat().some((a) => a?.text === to))),
    { what: `the notification of ${id}${to === undefined ? '' : ` to ${to}`}`, timeoutMs: 10_000 })
}

const row = async (app: FastifyInstance, id: string) => await app.core.database.prisma.contactRequest.findUniqueOrThrow({ where: { id } })
const page = async (app: FastifyInstance, method: 'GET' | 'POST', url: string, form?: Record<string, string>) => await app.inject({
  method, url, ...(form === undefined ? {} : { payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
})

t.test('"I\'ll take it": the GET asks and changes nothing, the POST takes it; then "Answered" records the first answer', async (t) => {
  const { app, submit } = await setup(t)
  const { id, mail } = await submit('Hej! Kan ni berätta mer om Akademin?')
  t.match(mail.text, /Hantera förfrågan \(inloggning behövs inte\):/)

  const asked = await page(app, 'GET', linkIn(mail, 'take'))
  t.equal(asked.statusCode, 200)
  t.match(asked.body, /<h1>Ta förfrågan<\/h1>[\s\S]*Förfrågan till Lotta Fransson, mottagen[\s\S]*<button type="submit">Jag tar den<\/button>/)
  t.match(asked.headers['content-security-policy'], /default-src 'none'.*form-action 'self'.*frame-ancestors 'none'/)
  t.equal(asked.headers['cache-control'], 'no-store')
  t.match(await row(app, id), { status: 'received', handler: null, takenAt: null }, 'opening the link changed nothing')

  const taken = await page(app, 'POST', linkIn(mail, 'take'))
  t.match([taken.statusCode, taken.body], [200, /<h1>Du har tagit förfrågan<\/h1>[\s\S]*<button type="submit">Markera som besvarad<\/button>/])
  t.match(await row(app, id), { status: 'taken', handler: 'contact:lotta-fransson', takenAt: Date })
  const again = await page(app, 'POST', linkIn(mail, 'take'))
  t.match(again.body, /Lotta Fransson tog förfrågan/, 'a second click says so, and changes nothing')

  const answered = await page(app, 'POST', linkIn(mail, 'answer'))
  t.match(answered.body, /<h1>Förfrågan är besvarad<\/h1>/)
  const after = await row(app, id)
  t.match(after, { status: 'answered', answeredAt: Date })
  const events = await app.core.database.prisma.requestEvent.findMany({ where: { requestId: id }, orderBy: { at: 'asc' } })
  t.same(events.map((e) => [e.kind, e.value, e.actor]), [['status', 'taken', 'contact:lotta-fransson'], ['status', 'answered', 'contact:lotta-fransson']], 'each change with its actor')
  const metrics = await app.core.metrics.registry.metrics()
  t.equal(sampleValue(metrics, 'contact_intake_first_answer_seconds_count'), 1, 'the time to a first answer is measured')
  t.equal(sampleValue(metrics, 'contact_intake_handling_actions_total', { action: 'take', source: 'link' }), 1)
  t.notMatch(metrics, /lotta|sofia/i, 'no metric names a person')
})

t.test('"Not mine" reaches the delegate with links of their own; a second person\'s click is told who took it', async (t) => {
  const { app, sink, submit } = await setup(t)
  const { id, mail } = await submit('En fråga som Sofia kan svara på')

  const form = await page(app, 'GET', linkIn(mail, 'pass'))
  t.match(form.body, /<label for="to">Skicka till<\/label>[\s\S]*<select id="to" name="to" required>/)
  t.match(form.body, /<optgroup label="Ersättare och funktionsbrevlåda"><option value="contact:sofia-frolander">Sofia Frölander<\/option><option value="inbox:fallback">funktionsbrevlådan<\/option><\/optgroup>/)
  t.notMatch(form.body, /value="contact:lotta-fransson"/, 'not to oneself')
  const mailsBefore = sink.delivered.length
  const passed = await page(app, 'POST', linkIn(mail, 'pass'), { to: 'contact:sofia-frolander' })
  t.match(passed.body, /<h1>Förfrågan är vidareskickad<\/h1>[\s\S]*Sofia Frölander har fått den/)
  t.match(await row(app, id), { status: 'received', handler: 'contact:sofia-frolander', handedAt: Date })

  const sofias = await mailAbout(sink, id, 'sofia.frolander@example.org')
  t.match(sofias.text, /En förfrågan till Lotta Fransson har skickats vidare till dig\./)
  t.match(sofias.text, /En fråga som Sofia kan svara på/)
  t.equal((await page(app, 'POST', linkIn(sofias, 'take'))).statusCode, 200)
  t.match(await row(app, id), { status: 'taken', handler: 'contact:sofia-frolander' })

  const lottasLook = await page(app, 'GET', linkIn(mail, 'answer'))
  t.match(lottasLook.body, /Sofia Frölander tog förfrågan/, 'opening her old link already says who has it')
  t.notMatch(lottasLook.body, /<button/, 'with no button that could not work')
  const lottasClick = await page(app, 'POST', linkIn(mail, 'take'))
  t.match([lottasClick.statusCode, lottasClick.body], [200, /<h1>Redan hanterad<\/h1>[\s\S]*Sofia Frölander tog förfrågan \d+ december \d{4} kl\. \d\d:\d\d\./])
  t.match(await row(app, id), { handler: 'contact:sofia-frolander' }, 'Lotta\'s old link changed nothing')
  t.equal(sink.delivered.length, mailsBefore + 1, 'one mail, to Sofia: Lotta is told nothing more')
})

t.test('forged, altered, expired and cross-request links are refused while the request still exists', async (t) => {
  const { app, config, submit } = await setup(t)
  const { id, mail } = await submit('Den här förfrågan ska ingen förfalskad länk kunna ta')
  const other = await submit('En annan förfrågan')
  const tokenOf = (path: string) => path.slice('/handle/contact:lotta-fransson/'.length)
  const take = tokenOf(linkIn(mail, 'take'))
  const [payload = '', signature = ''] = take.split('.')
  const [otherPayload = '', otherSignature = ''] = tokenOf(linkIn(other.mail, 'take')).split('.')
  const [answerPayload = ''] = tokenOf(linkIn(mail, 'answer')).split('.')
  const links = createHandlingLinks({ pseudonymKey: config.PSEUDONYM_KEY, baseUrl: BASE })
  const expired = links.token({ requestId: id, handler: 'contact:lotta-fransson', action: 'take', locale: 'sv', expiresAt: new Date(Date.now() - 1000) })
  const forgedKey = createHandlingLinks({ pseudonymKey: 'someone-elses-key-0123456789', baseUrl: BASE }).token({ requestId: id, handler: 'contact:lotta-fransson', action: 'take', locale: 'sv', expiresAt: new Date(Date.now() + 86_400_000) })
  const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`

  const refused = {
    'presented as another contact\'s': `contact:sofia-frolander/${take}`,
    'an altered signature': `${payload}.${flipped}`,
    'another request\'s signature on this payload': `${payload}.${otherSignature}`,
    'this signature on another request\'s payload': `${otherPayload}.${signature}`,
    'the take signature on the answer payload': `${answerPayload}.${signature}`,
    'signed with another key': forgedKey,
    'an expired one': expired,
    'a truncated one': take.slice(0, -1),
    'a malformed one': 'not-a-token'
  }
  for (const [what, token] of Object.entries(refused)) {
    const path = token.includes('/') ? `/handle/${token}` : `/handle/contact:lotta-fransson/${token}`
    for (const method of ['GET', 'POST'] as const) {
      const res = await page(app, method, path)
      t.match([res.statusCode, res.body], [404, /<h1>Länken gäller inte<\/h1>/], `${what}: ${method} gets the neutral 404 page`)
    }
  }
  t.match(await row(app, id), { status: 'received', handler: null }, 'and the request is as it was')
  t.match(await row(app, other.id), { status: 'received', handler: null })
  t.equal((await page(app, 'POST', linkIn(mail, 'take'))).statusCode, 200, 'while the real link still works')
})

t.test('a link of an erased request gets the same 404 page; the admin API acts as key:<name>, passing to the fallback inbox', async (t) => {
  const { app, sink, submit } = await setup(t)
  const key = await adminKey(app)
  const { id, mail } = await submit('Till funktionsbrevlådan, tack')
  t.match((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/pass`, payload: { to: 'fallback' } })).json(), { id, status: 'received', handler: 'inbox:fallback', changed: true })
  const inbox = await mailAbout(sink, id, FALLBACK)
  t.match(inbox.text, /skickats vidare till dig/)
  t.equal((await page(app, 'POST', linkIn(inbox, 'take'))).statusCode, 200)
  t.match(await row(app, id), { status: 'taken', handler: 'inbox:fallback' })
  const refused = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/pass`, payload: { to: 'fallback' } })
  t.match([refused.statusCode, refused.json()], [409, { code: 'CONFLICT', message: /with that handler already/ }])
  t.match((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/pass`, payload: { to: 'nobody-here' } })).json(), { code: 'CONFLICT', message: /No such contact/ })
  t.equal((await asAdmin(app, key, { method: 'POST', url: '/v1/admin/contact-requests/00000000-0000-4000-8000-000000000000/answered' })).statusCode, 404)
  const events = await app.core.database.prisma.requestEvent.findMany({ where: { requestId: id }, orderBy: { at: 'asc' } })
  t.same(events.map((e) => e.actor), ['key:test-admin', 'inbox:fallback'])

  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/withdraw-consent` })).statusCode, 200)
  for (const method of ['GET', 'POST'] as const) {
    const res = await page(app, method, linkIn(mail, 'answer'))
    t.match([res.statusCode, res.body], [404, /<h1>Länken gäller inte<\/h1>/], `${method} on an erased request`)
  }
})
