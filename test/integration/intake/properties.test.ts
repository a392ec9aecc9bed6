// Hostile input never costs a 500: properties over every route, public and admin, the CLI's
// arguments and the directory file, with generated inputs (fast-check) against the real
// PostgreSQL and Redis. CI runs a fixed seed; `npm run fuzz` runs the same for longer.
import t from 'tap'
import fc from 'fast-check'
import MailComposer from 'nodemailer/lib/mail-composer'
import { simpleParser } from 'mailparser'
import { buildTestApp, NOTICE_VERSION } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { eventually } from '../../helpers/wait.js'
import { altchaToken } from '../../helpers/altcha.js'
import { resetData, testDatabase, testRepositories } from '../../helpers/database.js'
import { anyJson, anyString, checkProperty, deepJson, errorShapeProblem, field, headerValue, humanString, SEED, withExtraMembers } from '../../helpers/properties.js'
import { composeNotification } from '../../../src/notifications/compose.js'
import { parseCommand, UsageError } from '../../../src/cli/commands.js'
import { DirectoryError, parseDirectory } from '../../../src/contacts/directory.js'
import { Email, Line } from '../../../src/schemas/common.js'
import { Settings } from '../../../src/webhooks/schemas.js'
import { Value } from '@sinclair/typebox/value'

t.comment(`seed ${SEED} (replay with FUZZ_SEED=${SEED})`)

// The rate limits are properties of their own (test/abuse.test.ts, test/admin.test.ts): here they
// would turn most generated cases into 429s before they reach what they test.
const { app } = await buildTestApp(t, { RATE_LIMIT_MAX: '1000000000', ADMIN_RATE_LIMIT_MAX: '1000000000' })
const prisma = await testDatabase()
const key = await adminKey(app)

/** Throws with what went wrong; fast-check then shrinks the input and reports it. */
function expect (ok: boolean, problem: () => string): void {
  if (!ok) throw new Error(problem())
}

/** Statuses answered, per property: printed with the case counts, to show what the cases reached. */
const answered = new Map<string, number>()
const tally = (statusCode: number) => { answered.set(String(statusCode), (answered.get(String(statusCode)) ?? 0) + 1) }
function reportStatuses (t: { comment: (...message: unknown[]) => void }, name: string): void {
  t.comment(`${name} answered: ${[...answered].sort().map(([status, n]) => `${status}×${n}`).join(', ')}`)
  answered.clear()
}

function expectNoServerError (res: { statusCode: number, body: string }, what: string): void {
  tally(res.statusCode)
  expect(res.statusCode < 500, () => `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`)
  if (res.statusCode >= 400 && res.statusCode !== 404) {
    const problem = errorShapeProblem(res.statusCode, res.body)
    expect(problem === null, () => `${what}: ${res.statusCode} error body: ${problem ?? ''}`)
  }
}

const stored = async () => ({ requests: await prisma.contactRequest.count(), jobs: await app.core.queues.notify.count() })

// ---------------------------------------------------------------------------------------------
// The intake

const TOKEN = '__fresh ALTCHA token__'

/** Text that people write, mostly, and hostile text often enough: most cases should get past the schema. */
const text = (hostile: fc.Arbitrary<string>, human: fc.Arbitrary<string>) => fc.oneof({ weight: 1, arbitrary: hostile }, { weight: 3, arbitrary: human })
const FIELDS = ['contactId', 'name', 'email', 'phone', 'organisation', 'message', 'locale', 'pageUrl', 'consent', 'captcha', 'website']

const SUBMISSION_FIELDS = {
  contactId: field(fc.constantFrom('lotta-fransson', 'sofia-frolander', 'lotta-fransson', 'sofia-frolander', 'nobody')),
  name: field(text(anyString(220), fc.oneof(humanString(150), fc.constantFrom('Anna Andersson', ' Åsa Öberg ')))),
  email: field(text(anyString(40).map((s) => `${s}@example.se`), fc.emailAddress())),
  phone: field(text(anyString(45), fc.constant('+46 70 123 45 67'))),
  organisation: field(text(anyString(220), humanString(150))),
  message: field(text(anyString(400), fc.oneof(humanString(400), fc.lorem({ maxCount: 30 })))),
  locale: field(fc.constantFrom('sv', 'en')),
  pageUrl: field(text(anyString(50), fc.webUrl())),
  consent: field(fc.record({ accepted: field(fc.constant(true)), noticeVersion: field(fc.constant(NOTICE_VERSION)) })),
  captcha: field(fc.constant({ provider: 'altcha', token: TOKEN })),
  website: field(fc.constant(''))
}
// Mostly every field, sometimes any of them missing.
const submissions = withExtraMembers(fc.oneof(
  { weight: 3, arbitrary: fc.record(SUBMISSION_FIELDS) },
  { weight: 1, arbitrary: fc.record(SUBMISSION_FIELDS, { requiredKeys: [] }) }
), FIELDS)

/** What the e-mail about this request shows: its subject, reply address and text, as a mail client parses them. */
async function mailFor (request: { id: string, name: string, email: string, phone: string | null, organisation: string | null, message: string, pageUrl: string | null, receivedAt: Date, retainUntil: Date }) {
  const message = composeNotification({ ...request, contactName: 'Lotta Fransson' }, { reason: 'direct', email: 'lotta@example.org', locale: 'sv', contactId: 'lotta-fransson' }, { from: 'Kontakt <no-reply@example.org>', notificationId: request.id })
  const raw = await new MailComposer(message).compile().build()
  return await simpleParser(raw)
}

const lines = (text: string) => text.replace(/\r\n?/g, '\n')

/** An accepted submission round-trips: the stored request and its e-mail show exactly what was sent. */
async function checkRoundTrip (id: string, sent: Record<string, unknown>): Promise<void> {
  const row = await prisma.contactRequest.findUniqueOrThrow({ where: { id } })
  const expected = { name: String(sent.name).trim(), email: String(sent.email).trim(), message: sent.message, phone: sent.phone ?? null, organisation: sent.organisation ?? null, pageUrl: sent.pageUrl ?? null }
  for (const [name, value] of Object.entries(expected)) {
    expect(row[name as keyof typeof row] === value, () => `stored ${name} ${JSON.stringify(row[name as keyof typeof row])} is not what was sent, ${JSON.stringify(value)}`)
  }
  const mail = await mailFor(row)
  expect(mail.subject === `Kontaktförfrågan från ${row.name}`, () => `e-mail subject ${JSON.stringify(mail.subject)}`)
  const replyTo = mail.replyTo?.value[0]
  expect(replyTo?.address === row.email, () => `e-mail Reply-To ${JSON.stringify(replyTo)}`)
  expect(lines(mail.text ?? '').includes(lines(row.message)), () => `e-mail text does not show the message ${JSON.stringify(row.message)}`)
}

t.test('POST /v1/contact-requests: any body and Idempotency-Key gets a 202 or a documented 4xx; a refusal stores and enqueues nothing; an accepted one round-trips', async (t) => {
  await checkProperty(t, 'intake', fc.asyncProperty(submissions, fc.option(fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: headerValue }), { nil: undefined }), async (payload, idempotencyKey) => {
    const body = payload.includes(JSON.stringify(TOKEN)) ? payload.replaceAll(JSON.stringify(TOKEN), JSON.stringify(await altchaToken(app))) : payload
    const before = await stored()
    const res = await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: body, headers: { 'content-type': 'application/json', ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) } })
    expectNoServerError(res, 'intake')
    const after = await stored()
    if (res.statusCode !== 202) {
      expect(after.requests === before.requests && after.jobs === before.jobs, () => `a ${res.statusCode} stored or enqueued something`)
      return
    }
    // A repeat stores nothing new; a new request is stored, with its job unless it is quarantined.
    if (after.requests === before.requests) return
    expect(after.requests === before.requests + 1, () => 'one request')
    const { id } = res.json<{ id: string }>()
    const { status } = await prisma.contactRequest.findUniqueOrThrow({ where: { id } })
    if (status === 'quarantined') {
      expect(await prisma.notification.count({ where: { requestId: id } }) === 0, () => 'a quarantined request has no notification')
      answered.set('202 quarantined', (answered.get('202 quarantined') ?? 0) + 1)
      return
    }
    // The job lands after the answer (or is left to the relay): wait for it, so no late job is
    // counted against the next case.
    const notification = await prisma.notification.findFirstOrThrow({ where: { requestId: id } })
    await eventually(async () => await app.core.queues.notify.getJob(notification.id) ?? undefined, { what: 'the notification\'s job' })
    await checkRoundTrip(id, JSON.parse(body) as Record<string, unknown>)
  }), { share: 0.3, weight: 5 })
  reportStatuses(t, 'intake')
})

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1',
  'text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream',
  'application/jsonx', 'APPLICATION/JSON', 'application/json;;', '', '*/*']

t.test('POST /v1/contact-requests: any bytes under any content type, truncated, invalid UTF-8 or deeply nested, gets a documented 4xx', async (t) => {
  const valid = JSON.stringify({ contactId: 'lotta-fransson', name: 'Anna', email: 'anna@example.se', message: 'Hej', consent: { accepted: true, noticeVersion: NOTICE_VERSION }, captcha: { provider: 'altcha', token: 'x' } })
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.integer({ min: 0, max: valid.length - 1 }).map((n) => Buffer.from(valid.slice(0, n))),
    fc.tuple(fc.integer({ min: 1, max: valid.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([n, junk]) => Buffer.concat([Buffer.from(valid.slice(0, n)), Buffer.from(junk), Buffer.from(valid.slice(n))])),
    deepJson.map((s) => Buffer.from(s)),
    fc.integer({ min: 64 * 1024, max: 200 * 1024 }).map((n) => Buffer.alloc(n, 'a'))
  )
  await checkProperty(t, 'intake bytes', fc.asyncProperty(bytes, fc.constantFrom(...CONTENT_TYPES), async (payload, contentType) => {
    const before = await stored()
    const res = await app.inject({ method: 'POST', url: '/v1/contact-requests', payload, headers: contentType === '' ? {} : { 'content-type': contentType } })
    expectNoServerError(res, `intake bytes (${contentType})`)
    expect(res.statusCode >= 400, () => `accepted ${payload.toString('latin1').slice(0, 80)}`)
    const after = await stored()
    expect(after.requests === before.requests, () => 'stored something')
  }), { share: 0.1 })
  reportStatuses(t, 'intake bytes')
})

// ---------------------------------------------------------------------------------------------
// Every other route

/** A freshly stored request's id. */
async function existingRequest (): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: { contactId: 'sofia-frolander', name: 'Named Person', email: `named${Math.random()}@example.se`, message: `Hej ${Math.random()}`, consent: { accepted: true, noticeVersion: NOTICE_VERSION }, captcha: { provider: 'altcha', token: await altchaToken(app) } } })
  return res.json<{ id: string }>().id
}

/** Every UTF-8 byte percent-encoded: any string, lone surrogates included (as U+FFFD), becomes a path segment. */
const percentEncoded = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
/** Stands for the id of a request that exists; replaced at run time. */
const EXISTING = 'existing-request-id'
const idSegment = fc.oneof(
  fc.uuid(),
  fc.constant(EXISTING),
  anyString(40).map(percentEncoded),
  fc.constantFrom('', '%00', '..', '%2e%2e%2f', '%ZZ', '%C3%28', '%ED%A0%80', 'a'.repeat(300))
)
const date = fc.oneof({ weight: 3, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) }, { weight: 1, arbitrary: anyString(30) })
const query = (keys: Record<string, fc.Arbitrary<string>>) =>
  fc.tuple(fc.record(keys, { requiredKeys: [] }), fc.dictionary(anyString(10), anyString(20), { maxKeys: 2 })).map(([known, extra]) => {
    const params = new URLSearchParams()
    for (const [k, v] of [...Object.entries(known), ...Object.entries(extra)]) if (v !== undefined) params.append(k, v)
    return params.size === 0 ? '' : `?${params.toString()}`
  })

/** Stands for the id of a webhook endpoint that exists; replaced at run time. */
const EXISTING_ENDPOINT = 'existing-endpoint-id'
const endpointSegment = fc.oneof(fc.constant(EXISTING_ENDPOINT), idSegment)
async function existingEndpoint (): Promise<string> {
  const res = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/webhooks', payload: { url: 'https://crm.example.org/hook', events: ['contact_request.received'] } })
  return res.json<{ endpoint: { id: string } }>().endpoint.id
}
const EVENTS = ['contact_request.received', 'notification.failed', 'contact_request.erased']
const endpointSettings = {
  url: field(text(anyString(80), fc.oneof(
    { weight: 3, arbitrary: fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }) },
    { weight: 1, arbitrary: fc.constantFrom('https://crm.example.org/hook', 'http://127.0.0.1:9/hook', 'http://crm.example.org/', 'https://u:p@crm.example.org/') }))),
  events: field(fc.oneof({ weight: 4, arbitrary: fc.subarray(EVENTS, { minLength: 1 }) }, { weight: 1, arbitrary: fc.array(fc.oneof(fc.constantFrom(...EVENTS), anyString(30)), { maxLength: 4 }) })),
  description: field(text(anyString(220), fc.constantFrom('', 'CRM', 'Ärendesystemet för Akademin'))),
  contactId: field(fc.constantFrom('lotta-fransson', 'sofia-frolander', null, null, 'nobody')),
  payloadMode: field(fc.constantFrom('thin', 'full', 'thin', 'full', 'everything'))
}

interface RouteCase { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: string }

const bodyOf = (valid: fc.Arbitrary<Record<string, unknown>>, keys: string[]) => fc.oneof(withExtraMembers(valid, keys), anyJson.map((v) => JSON.stringify(v)))

const adminRoutes: Array<[string, fc.Arbitrary<RouteCase>]> = [
  ['GET /contact-requests', query({ contactId: text(anyString(70), fc.constantFrom('lotta-fransson', 'sofia-frolander')), status: text(anyString(10), fc.constantFrom('received', 'closed')), from: date, to: date, limit: text(anyString(5), fc.integer({ min: -5, max: 300 }).map(String)), cursor: text(anyString(250), fc.base64String({ maxLength: 80 })) }).map((q) => ({ method: 'GET', url: `/v1/admin/contact-requests${q}` }))],
  ['GET /contact-requests/:id', idSegment.map((id) => ({ method: 'GET', url: `/v1/admin/contact-requests/${id}` }))],
  ['POST /contact-requests/:id/status', fc.tuple(idSegment, bodyOf(fc.record({ status: field(fc.constantFrom('received', 'taken', 'closed')) }), ['status'])).map(([id, payload]) => ({ method: 'POST', url: `/v1/admin/contact-requests/${id}/status`, payload }))],
  ['POST /contact-requests/:id/take', fc.tuple(idSegment, bodyOf(fc.record({ contactId: field(fc.constantFrom('lotta-fransson', 'sofia-frolander', 'nobody')) }), ['contactId'])).map(([id, payload]) => ({ method: 'POST', url: `/v1/admin/contact-requests/${id}/take`, payload }))],
  ['POST /contact-requests/:id/answered', idSegment.map((id) => ({ method: 'POST', url: `/v1/admin/contact-requests/${id}/answered` }))],
  ['POST /contact-requests/:id/pass', fc.tuple(idSegment, bodyOf(fc.record({ to: field(fc.constantFrom('lotta-fransson', 'sofia-frolander', 'fallback', 'nobody')) }), ['to'])).map(([id, payload]) => ({ method: 'POST', url: `/v1/admin/contact-requests/${id}/pass`, payload }))],
  ['POST /contact-requests/:id/release', idSegment.map((id) => ({ method: 'POST', url: `/v1/admin/contact-requests/${id}/release` }))],
  ['POST /contact-requests/:id/mark-spam', idSegment.map((id) => ({ method: 'POST', url: `/v1/admin/contact-requests/${id}/mark-spam` }))],
  ['PUT /contact-requests/:id/legal-hold', fc.tuple(idSegment, bodyOf(fc.record({ reason: field(anyString(520)) }), ['reason'])).map(([id, payload]) => ({ method: 'PUT', url: `/v1/admin/contact-requests/${id}/legal-hold`, payload }))],
  ['DELETE /contact-requests/:id/legal-hold', idSegment.map((id) => ({ method: 'DELETE', url: `/v1/admin/contact-requests/${id}/legal-hold` }))],
  ['PUT /contact-requests/:id/restriction', idSegment.map((id) => ({ method: 'PUT', url: `/v1/admin/contact-requests/${id}/restriction` }))],
  ['DELETE /contact-requests/:id/restriction', idSegment.map((id) => ({ method: 'DELETE', url: `/v1/admin/contact-requests/${id}/restriction` }))],
  ['POST /contact-requests/:id/withdraw-consent', idSegment.map((id) => ({ method: 'POST', url: `/v1/admin/contact-requests/${id}/withdraw-consent` }))],
  ['GET /notifications/failed', fc.constant({ method: 'GET', url: '/v1/admin/notifications/failed' })],
  ['POST /notifications/:id/redrive', idSegment.map((id) => ({ method: 'POST', url: `/v1/admin/notifications/${id}/redrive` }))],
  ['GET /contacts', fc.constant({ method: 'GET', url: '/v1/admin/contacts' })],
  ['PATCH /contacts/:id', fc.tuple(fc.oneof(fc.constantFrom('lotta-fransson', 'sofia-frolander'), idSegment), bodyOf(fc.record({ active: field(fc.boolean()), delegateId: field(fc.constantFrom('lotta-fransson', 'sofia-frolander', null)), delegateStandsIn: field(fc.boolean()), retentionDays: field(fc.integer({ min: -10, max: 5000 })) }, { requiredKeys: [] }), ['active', 'delegateId', 'delegateStandsIn', 'retentionDays'])).map(([id, payload]) => ({ method: 'PATCH', url: `/v1/admin/contacts/${id}`, payload }))],
  ['POST /purges', bodyOf(fc.record({ dryRun: field(fc.constant(true)) }), ['dryRun']).map((payload) => ({ method: 'POST', url: '/v1/admin/purges', payload }))],
  ['GET /purges', query({ limit: fc.oneof(fc.integer({ min: -5, max: 300 }).map(String), anyString(5)) }).map((q) => ({ method: 'GET', url: `/v1/admin/purges${q}` }))],
  ['POST /subjects/export', bodyOf(fc.record({ email: field(fc.oneof(fc.emailAddress(), anyString(40))) }), ['email']).map((payload) => ({ method: 'POST', url: '/v1/admin/subjects/export', payload }))],
  ['POST /subjects/erase', bodyOf(fc.record({ email: field(fc.oneof(fc.emailAddress(), anyString(40))) }), ['email']).map((payload) => ({ method: 'POST', url: '/v1/admin/subjects/erase', payload }))],
  ['GET /audit', query({ action: text(anyString(110), fc.constantFrom('requests.read', 'subjects.erase', 'retention.purge')), targetId: text(anyString(70), fc.uuid()), from: date, to: date, limit: text(anyString(5), fc.integer({ min: -5, max: 600 }).map(String)) }).map((q) => ({ method: 'GET', url: `/v1/admin/audit${q}` }))],
  ['GET /processing-record', fc.constant({ method: 'GET', url: '/v1/admin/processing-record' })],
  ['GET /webhooks', fc.constant({ method: 'GET', url: '/v1/admin/webhooks' })],
  ['POST /webhooks', bodyOf(fc.record(endpointSettings, { requiredKeys: ['url', 'events'] }), Object.keys(endpointSettings)).map((payload) => ({ method: 'POST', url: '/v1/admin/webhooks', payload }))],
  ['GET /webhooks/:id', endpointSegment.map((id) => ({ method: 'GET', url: `/v1/admin/webhooks/${id}` }))],
  ['PATCH /webhooks/:id', fc.tuple(endpointSegment, bodyOf(fc.record({ ...endpointSettings, enabled: field(fc.boolean()) }, { requiredKeys: [] }), [...Object.keys(endpointSettings), 'enabled'])).map(([id, payload]) => ({ method: 'PATCH', url: `/v1/admin/webhooks/${id}`, payload }))],
  ['DELETE /webhooks/:id', endpointSegment.map((id) => ({ method: 'DELETE', url: `/v1/admin/webhooks/${id}` }))],
  ['POST /webhooks/:id/rotate-secret', endpointSegment.map((id) => ({ method: 'POST', url: `/v1/admin/webhooks/${id}/rotate-secret` }))],
  ['POST /webhooks/:id/test', endpointSegment.map((id) => ({ method: 'POST', url: `/v1/admin/webhooks/${id}/test` }))],
  ['GET /webhooks/:id/deliveries', fc.tuple(endpointSegment, query({ limit: text(anyString(5), fc.integer({ min: -5, max: 300 }).map(String)), cursor: text(anyString(250), fc.base64String({ maxLength: 80 })) })).map(([id, q]) => ({ method: 'GET', url: `/v1/admin/webhooks/${id}/deliveries${q}` }))],
  ['POST /webhook-deliveries/:id/replay', idSegment.map((id) => ({ method: 'POST', url: `/v1/admin/webhook-deliveries/${id}/replay` }))]
]

t.test('every admin route, with a valid key: any id, filter, cursor, date or body gets success or a documented 4xx, never another request\'s data', async (t) => {
  // A request that no generated input names: none of its personal data may come back.
  const bystander = await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: { contactId: 'lotta-fransson', name: 'Bystander Person', email: 'bystander@example.se', message: 'Not yours to see', consent: { accepted: true, noticeVersion: NOTICE_VERSION }, captcha: { provider: 'altcha', token: await altchaToken(app) } } })
  t.equal(bystander.statusCode, 202)
  for (const [name, route] of adminRoutes) {
    await checkProperty(t, name, fc.asyncProperty(route, async ({ method, url: template, payload }) => {
      // Some cases name a request that exists (one stored for the purpose, each time: a case may erase it).
      let url = template.includes(EXISTING) ? template.replace(EXISTING, await existingRequest()) : template
      if (url.includes(EXISTING_ENDPOINT)) url = url.replace(EXISTING_ENDPOINT, await existingEndpoint())
      const res = await asAdmin(app, key, { method, url, ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }) })
      expectNoServerError(res, `${method} ${url}`)
      expect(!res.body.includes('bystander@example.se') && !res.body.includes('Bystander Person'), () => `${method} ${url} answered another request's data`)
    }), { share: 0.3 / adminRoutes.length })
    reportStatuses(t, name)
  }
  await resetData(prisma)
})

t.test('every public route: any path, query and method gets an answer below 500', async (t) => {
  const paths = fc.constantFrom('/', '/en', '/v1/contacts', '/v1/privacy-notice', '/v1/captcha/challenge', '/health/live', '/health/ready', '/openapi.json', '/embed/v1/contact-form.js', '/demo/demo.css',
    '/withdraw', '/handle', `/handle/${'A'.repeat(34)}.${'b'.repeat(43)}`,
    '/console', '/console/sign-in', '/console/callback', '/console/requests', '/console/subjects', '/console/subjects/check', '/console/link', '/console/directory',
    '/console/audit', '/console/retention', '/console/keys', '/console/webhooks', '/console/quarantine')
  const url = fc.oneof(
    fc.tuple(paths, query({ locale: fc.oneof(fc.constantFrom('sv', 'en'), anyString(10)) })).map(([p, q]) => `${p}${q}`),
    fc.webPath().map((p) => `/${p.replace(/^\/+/, '')}`),
    fc.tuple(paths, anyString(30)).map(([p, s]) => `${p}/${percentEncoded(s)}`),
    fc.tuple(paths, fc.constantFrom('%ZZ', '%C3%28', '%00', '%ED%A0%80', '%', 'a%2')).map(([p, s]) => `${p}/${s}`)
  )
  await checkProperty(t, 'public routes', fc.asyncProperty(url, fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'), async (path, method) => {
    const res = await app.inject({ method: method as 'GET', url: path, headers: { origin: 'https://www.ri.se' } })
    expect(res.statusCode < 500, () => `${method} ${path}: ${res.statusCode} ${res.body.slice(0, 200)}`)
  }), { share: 0.1 })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200, 'the service is ready afterwards')
})

// ---------------------------------------------------------------------------------------------
// The CLI's arguments and the directory file

t.test('the CLI takes any argument list as a command whose values keep the API\'s rules, or refuses it as a usage error', async (t) => {
  const word = fc.oneof(fc.constantFrom('db', 'migrate', 'seed', 'setup', 'purge', 'subject', 'export', 'erase', 'keys', 'create', 'list', 'revoke',
    '--dry-run', '--email', '--name', '--scopes', '--id', '--', '-x', 'requests:read,audit:read',
    'webhooks', 'rotate', 'replay', '--url', '--events', '--payload', '--contact'), anyString(30), fc.emailAddress())
  // Well-formed commands with any values, and any lists of words.
  const value = fc.oneof(anyString(40), anyString(20).map((s) => `${s}@example.se`), fc.emailAddress(), fc.uuid(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 12, maxLength: 12 }))
  const argvs = fc.oneof(
    fc.tuple(fc.constantFrom('export', 'erase'), value).map(([action, email]) => ['subject', action, '--email', email]),
    fc.tuple(value, fc.constantFrom('requests:read', 'audit:read,contacts:read', 'nope')).map(([name, scopes]) => ['keys', 'create', '--name', name, '--scopes', scopes]),
    value.map((id) => ['keys', 'revoke', '--id', id]),
    fc.tuple(fc.constantFrom('take', 'answered', 'pass'), value, fc.constantFrom('--contact', '--to'), fc.oneof(value, fc.constantFrom('sofia-frolander', 'fallback')))
      .map(([action, id, option, to]) => ['handle', action, '--id', id, option, to]),
    fc.tuple(fc.constantFrom('rotate', 'enable', 'disable', 'delete', 'test', 'deliveries', 'replay'), value).map(([action, id]) => ['webhooks', action, '--id', id]),
    fc.tuple(fc.oneof(value, fc.webUrl()), fc.oneof(value, fc.constantFrom('contact_request.received', 'notification.failed,contact_request.erased')), fc.constantFrom('thin', 'full', 'x'), value)
      .map(([url, events, payload, description]) => ['webhooks', 'create', '--url', url, '--events', events, '--payload', payload, '--description', description]),
    fc.array(word, { maxLength: 7 })
  )
  await checkProperty(t, 'cli arguments', fc.asyncProperty(argvs, async (argv) => {
    let command
    try {
      command = parseCommand(argv)
    } catch (err) {
      expect(err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true, () => `${JSON.stringify(argv)}: ${String(err)}`)
      return
    }
    if (command.command === 'subject') expect(Value.Check(Email, command.email), () => `email ${JSON.stringify(command.email)} passed`)
    if (command.command === 'keys create') expect(Value.Check(Line(200, { required: true }), command.name), () => `name ${JSON.stringify(command.name)} passed`)
    if (command.command === 'webhooks create') {
      expect(Value.Check(Settings.url, command.url) && Value.Check(Settings.events, command.events) && Value.Check(Settings.description, command.description), () => `webhook ${JSON.stringify(command)} passed`)
    }
    if (command.command === 'webhooks') expect(/^[0-9a-f-]{36}$/.test(command.id), () => `id ${JSON.stringify(command.id)} passed`)
    if (command.command === 'keys revoke') expect(/^([0-9a-f]{12}|[0-9a-f-]{36})$/.test(command.id), () => `id ${JSON.stringify(command.id)} passed`)
  }), { share: 0.05, weight: 5 })
})

t.test('a contact directory file the service accepts can be stored: no refusal comes from PostgreSQL instead', async (t) => {
  const entry = fc.record({
    id: fc.oneof(fc.constantFrom('lotta-fransson', 'anna-berg'), anyString(20)),
    name: fc.oneof(fc.constant('Anna Berg'), anyString(60)),
    title: fc.oneof(fc.constant('Projektledare'), anyString(60)),
    email: fc.oneof(fc.emailAddress(), anyString(30)),
    phone: fc.oneof(fc.constant('+46 10 228 42 92'), anyString(45)),
    locale: fc.constantFrom('sv', 'en'),
    active: fc.boolean()
  }, { requiredKeys: ['id', 'name', 'title', 'email'] })
  const { contacts } = await testRepositories()
  await checkProperty(t, 'directory file', fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 3 }), async (entries) => {
    let parsed
    try {
      parsed = parseDirectory({ contacts: entries })
    } catch (err) {
      expect(err instanceof DirectoryError, () => String(err))
      return
    }
    await contacts.sync(parsed)
  }), { share: 0.05 })
  await resetData(prisma)
})

// ---------------------------------------------------------------------------------------------
// The class, not the instances

/** The string schemas in an OpenAPI schema that no pattern, format, enum or const constrains. */
function unconstrainedStrings (schema: unknown, path: string): string[] {
  if (schema === null || typeof schema !== 'object') return []
  const s = schema as Record<string, unknown>
  const own = s.type === 'string' && s.pattern === undefined && s.format === undefined && s.enum === undefined && s.const === undefined ? [path] : []
  return [...own, ...Object.entries(s).flatMap(([k, v]) => Array.isArray(v) ? v.flatMap((item, i) => unconstrainedStrings(item, `${path}/${k}/${i}`)) : unconstrainedStrings(v, `${path}/${k}`))]
}

/** Takes anything on purpose: a robot's honeypot answer is never stored, and refusing it would tell the robot. */
const UNCONSTRAINED_ON_PURPOSE = new Set(['POST /v1/contact-requests body/properties/website'])

t.test('every string the API takes (path, query, header, body) has a rule for its characters', async (t) => {
  const doc = app.swagger() as { paths: Record<string, Record<string, { parameters?: Array<{ in: string, name: string, schema: unknown }>, requestBody?: { content: Record<string, { schema: unknown }> } }>> }
  const found = Object.entries(doc.paths).flatMap(([path, operations]) => Object.entries(operations).flatMap(([method, operation]) => [
    ...(operation.parameters ?? []).flatMap((p) => unconstrainedStrings(p.schema, `${p.in} ${p.name}`)),
    ...Object.values(operation.requestBody?.content ?? {}).flatMap((c) => unconstrainedStrings(c.schema, 'body'))
  ].map((where) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')} ${where}`)))
  t.same(found.filter((where) => !UNCONSTRAINED_ON_PURPOSE.has(where)), [], 'no string is taken without a rule')
  t.ok(found.some((where) => UNCONSTRAINED_ON_PURPOSE.has(where)), 'the check sees the honeypot, the one string taken as it comes')
})
