// Webhooks end to end: endpoints managed through the admin API, events written with the request,
// delivered by the real worker to a real HTTP receiver that verifies every signature, retried,
// disabled, replayed, rotated, erased.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { testDatabase } from '../../helpers/database.js'
import { databaseMentions, redisDump } from '../../helpers/residue.js'
import { smtpSink } from '../../helpers/smtp.js'
import { eventually, freePort } from '../../helpers/wait.js'
import { webhookReceiver, type ReceiverAnswer, type WebhookReceiver } from '../../helpers/webhook-receiver.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { sampleValue } from '../../helpers/metrics.js'
import { parseRetryAfter, RESPONSE_LOG_BYTES } from '../../../src/webhooks/sender.js'

/** Fast retries and a short timeout: the schedule's shape is the same, its steps are milliseconds. */
const tuning = { webhookRetryMs: [50, 50, 50, 50], webhookTimeoutMs: 500 }

interface Setup {
  app: FastifyInstance
  key: string
  logs: () => string
  workerLogs: () => string
  /** How many endpoints the worker disabled, for `reason`, as its metrics say. */
  disabledCount: (reason: 'gone' | 'failing') => Promise<number>
}

async function setup (t: Test, env: Record<string, string> = {}): Promise<Setup> {
  const { app, config, logs } = await buildTestApp(t, env, { tuning })
  const workers = await startTestWorkers(t, config, { tuning })
  const disabledCount = async (reason: string) => sampleValue(await workers.core.metrics.registry.metrics(), 'contact_intake_webhook_endpoints_disabled_total', { reason })
  return { app, key: await adminKey(app), logs, workerLogs: workers.logs, disabledCount }
}

async function receiverFor (t: Test, answer?: (n: number) => ReceiverAnswer | Promise<ReceiverAnswer>): Promise<WebhookReceiver> {
  const receiver = await webhookReceiver(answer)
  t.teardown(receiver.close)
  return receiver
}

/** Creates an endpoint through the admin API and gives its secret to the receiver. */
async function subscribe ({ app, key }: Pick<Setup, 'app' | 'key'>, receiver: WebhookReceiver, body: Record<string, unknown> = {}) {
  const res = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/webhooks', payload: { url: receiver.url, events: ['contact_request.received'], ...body } })
  if (res.statusCode !== 201) throw new Error(`endpoint not created: ${res.body}`)
  const { endpoint, secret } = res.json() as { endpoint: { id: string }, secret: string }
  receiver.secrets.push(secret)
  return { id: endpoint.id, secret }
}

/** A promise the test settles when it is ready. */
function deferred () {
  let release = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  return { released, release }
}

async function deliveryRow (id: string) {
  const prisma = await testDatabase()
  return await prisma.webhookDelivery.findUniqueOrThrow({ where: { id }, include: { attemptLog: { orderBy: { at: 'asc' } }, endpoint: true } })
}

/** Waits until the delivery is settled (delivered, failed or skipped) and answers it. */
async function settled (id: string, timeoutMs = 10_000) {
  return await eventually(async () => {
    const row = await deliveryRow(id)
    return ['delivered', 'failed', 'skipped'].includes(row.status) ? row : undefined
  }, { timeoutMs, what: `delivery ${id} to settle` })
}

t.test('a thin endpoint receives contact_request.received, signed, with ids and dates and nothing personal', async (t) => {
  const s = await setup(t)
  const receiver = await receiverFor(t)
  const { id: endpointId, secret } = await subscribe(s, receiver)
  t.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'a whsec_ secret of 32 random bytes')
  t.same(await databaseMentions(secret.slice('whsec_'.length)), [], 'the secret is nowhere in the database in clear')

  const body = await altchaSubmission(s.app)
  const res = await post(s.app, body)
  t.equal(res.statusCode, 202)
  const [received] = await receiver.waitFor(1)
  t.same(received?.verifiedBy, [secret], 'Webhook.verify accepts it with the endpoint\'s secret')
  t.equal(received?.headers['content-type'], 'application/json')
  const request = await (await testDatabase()).contactRequest.findUniqueOrThrow({ where: { id: res.json().id } })
  t.same(received?.payload, {
    type: 'contact_request.received',
    timestamp: received?.payload?.timestamp,
    data: { requestId: request.id, contactId: 'lotta-fransson', receivedAt: request.receivedAt.toISOString(), retainUntil: request.retainUntil.toISOString() }
  }, 'exactly the thin fields')
  for (const field of ['name', 'email', 'phone', 'organisation', 'message'] as const) {
    t.notMatch(received?.body, String(body[field]), `the body does not carry the ${field}`)
  }
  const row = await settled(received?.id ?? '')
  t.match(row, { status: 'delivered', attempts: 1, endpointId, requestId: request.id, lastStatus: 204 })
  t.equal(row.attemptLog.length, 1)
  t.match(row.attemptLog[0], { statusCode: 204, errorKind: null })

  const list = await asAdmin(s.app, s.key, { method: 'GET', url: '/v1/admin/webhooks' })
  t.equal(list.statusCode, 200)
  t.notMatch(list.body, /whsec_|secret_sealed|secretSealed|v1:/, 'no secret, sealed or not, in the admin answer')
})

t.test('a full endpoint receives the submitted fields; an endpoint filtered to another contact receives nothing', async (t) => {
  const s = await setup(t)
  const full = await receiverFor(t)
  const other = await receiverFor(t)
  await subscribe(s, full, { payloadMode: 'full' })
  await subscribe(s, other, { contactId: 'sofia-frolander' })
  const body = await altchaSubmission(s.app)
  t.equal((await post(s.app, body)).statusCode, 202)
  const [received] = await full.waitFor(1)
  t.same(received?.payload?.data.submission, {
    name: body.name, email: body.email, phone: body.phone, organisation: body.organisation, message: body.message, locale: body.locale, pageUrl: body.pageUrl
  })
  t.equal(await (await testDatabase()).webhookDelivery.count(), 1, 'one delivery: the filtered endpoint got none')
  t.equal(other.received.length, 0)
})

t.test('500 then 200: retried with the same webhook-id, both attempts logged with at most 1 KB of each answer, addresses masked', async (t) => {
  const s = await setup(t)
  const noisy = `Internal error for anna.andersson@example.se ${'x'.repeat(5000)}`
  const receiver = await receiverFor(t, (n) => n === 1 ? { status: 500, body: noisy } : { status: 200, body: 'ok' })
  await subscribe(s, receiver)
  await post(s.app, await altchaSubmission(s.app))
  const [first, second] = await receiver.waitFor(2)
  t.equal(second?.id, first?.id, 'the same webhook-id: the receiver\'s idempotency key')
  t.ok(first?.verifiedBy.length === 1 && second?.verifiedBy.length === 1, 'both signed')
  const row = await settled(first?.id ?? '')
  t.match(row, { status: 'delivered', attempts: 2 })
  t.same(row.attemptLog.map((a) => a.statusCode), [500, 200])
  const logged = row.attemptLog[0]?.response ?? ''
  t.ok(Buffer.byteLength(logged) <= RESPONSE_LOG_BYTES, `the log keeps at most ${RESPONSE_LOG_BYTES} bytes (${Buffer.byteLength(logged)})`)
  t.match(logged, /^Internal error for <address> x+$/)
  t.equal(row.attemptLog[1]?.response, 'ok')
})

t.test('a receiver that hangs past the timeout: the attempt fails as a timeout and the next one delivers', async (t) => {
  const s = await setup(t)
  const receiver = await receiverFor(t, (n) => n === 1 ? { hang: true } : { status: 200 })
  await subscribe(s, receiver)
  await post(s.app, await altchaSubmission(s.app))
  const [first] = await receiver.waitFor(2)
  const row = await settled(first?.id ?? '')
  t.equal(row.status, 'delivered')
  t.match(row.attemptLog.map((a) => ({ statusCode: a.statusCode, errorKind: a.errorKind })), [{ statusCode: null, errorKind: 'timeout' }, { statusCode: 200, errorKind: null }])
  t.ok((row.attemptLog[0]?.durationMs ?? 0) >= tuning.webhookTimeoutMs - 50, `gave up after the timeout (${row.attemptLog[0]?.durationMs} ms)`)
})

t.test('410 Gone disables the endpoint: no more attempts, and later events are not written for it', async (t) => {
  const s = await setup(t)
  const receiver = await receiverFor(t, () => ({ status: 410 }))
  const { id: endpointId } = await subscribe(s, receiver)
  await post(s.app, await altchaSubmission(s.app))
  const [first] = await receiver.waitFor(1)
  const row = await settled(first?.id ?? '')
  t.match(row, { status: 'failed', attempts: 1, lastStatus: 410 })
  const endpoint = (await asAdmin(s.app, s.key, { method: 'GET', url: `/v1/admin/webhooks/${endpointId}` })).json()
  t.match(endpoint, { enabled: false, disabledReason: /410/ })
  await post(s.app, await altchaSubmission(s.app, { message: 'En andra fråga.' }))
  t.equal(await (await testDatabase()).webhookDelivery.count(), 1, 'the second request wrote no delivery to a disabled endpoint')
  // A negative has nothing to poll for: give a retry that should not come the time it would take.
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.equal(receiver.received.length, 1, 'no second attempt')
  t.match(s.workerLogs(), /answered 410 Gone: disabled/)
  t.equal(await s.disabledCount('gone'), 1, 'counted once')
})

t.test('429 with Retry-After is honoured instead of the schedule', async (t) => {
  const s = await setup(t)
  const receiver = await receiverFor(t, (n) => n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 })
  await subscribe(s, receiver)
  await post(s.app, await altchaSubmission(s.app))
  const [first, second] = await receiver.waitFor(2)
  const gap = (second?.arrivedAt ?? 0) - (first?.arrivedAt ?? Infinity)
  t.ok(gap >= 900, `the retry waited for Retry-After: 1 s (${gap} ms; the schedule's step is ${tuning.webhookRetryMs[0]} ms)`)
  t.same((await settled(receiver.received[0]?.id ?? '')).attemptLog.map((a) => a.statusCode), [429, 200])
})

t.test('503 with Retry-After as an HTTP date is honoured too', async (t) => {
  const s = await setup(t)
  const receiver = await receiverFor(t, (n) => n === 1 ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() } } : { status: 200 })
  await subscribe(s, receiver)
  await post(s.app, await altchaSubmission(s.app))
  const [first, second] = await receiver.waitFor(2)
  // The date has whole seconds: the retry is due 1 to 2 s after the first answer.
  const gap = (second?.arrivedAt ?? 0) - (first?.arrivedAt ?? Infinity)
  t.ok(gap >= 900, `waited for the date (${gap} ms)`)
})

t.test('a 302 is a failed attempt: the redirect is not followed', async (t) => {
  const s = await setup(t)
  const receiver = await receiverFor(t, (n) => n === 1 ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 })
  await subscribe(s, receiver)
  await post(s.app, await altchaSubmission(s.app))
  const deliveries = await receiver.waitFor(2)
  t.same(deliveries.map((d) => d.path), ['/hooks/contact-requests', '/hooks/contact-requests'], 'the second attempt went to the endpoint again, not to the Location')
  t.same((await settled(deliveries[0]?.id ?? '')).attemptLog.map((a) => a.statusCode), [302, 200])
})

t.test('a delivery that fails every attempt is failed, and an admin can replay it under the same webhook-id', async (t) => {
  const s = await setup(t)
  let healthy = false
  const receiver = await receiverFor(t, () => ({ status: healthy ? 200 : 500 }))
  await subscribe(s, receiver)
  await post(s.app, await altchaSubmission(s.app))
  const [first] = await receiver.waitFor(tuning.webhookRetryMs.length + 1)
  const failed = await settled(first?.id ?? '')
  t.match(failed, { status: 'failed', attempts: tuning.webhookRetryMs.length + 1, lastError: 'HTTP 500' })
  t.match(s.workerLogs(), /webhook not delivered; it can be replayed by an admin/)

  healthy = true
  const replay = await asAdmin(s.app, s.key, { method: 'POST', url: `/v1/admin/webhook-deliveries/${failed.id}/replay` })
  t.equal(replay.statusCode, 202)
  const all = await receiver.waitFor(tuning.webhookRetryMs.length + 2)
  t.equal(all.at(-1)?.id, failed.id, 'the replay carries the same webhook-id')
  t.match(await settled(failed.id), { status: 'delivered' })
  const again = await asAdmin(s.app, s.key, { method: 'POST', url: `/v1/admin/webhook-deliveries/${crypto.randomUUID()}/replay` })
  t.equal(again.statusCode, 404)
  const audit = await (await testDatabase()).auditEntry.findMany({ where: { action: 'webhooks.replay' }, orderBy: { at: 'asc' } })
  t.match(audit, [{ targetId: failed.id, outcome: 'ok' }, { outcome: 'failed' }], 'replays are audited, found or not')
})

t.test('an endpoint failing for longer than WEBHOOK_DISABLE_AFTER_HOURS is disabled; enabling it again starts afresh', async (t) => {
  const s = await setup(t, { WEBHOOK_DISABLE_AFTER_HOURS: '2' })
  const receiver = await receiverFor(t, () => ({ status: 500 }))
  const { id: endpointId } = await subscribe(s, receiver)
  const prisma = await testDatabase()
  // It has failed for three hours already.
  await prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { failingSince: new Date(Date.now() - 3 * 3600_000) } })
  await post(s.app, await altchaSubmission(s.app))
  const [first] = await receiver.waitFor(1)
  t.match(await settled(first?.id ?? ''), { status: 'failed', attempts: 1 }, 'no retry once the endpoint is off')
  const view = await asAdmin(s.app, s.key, { method: 'GET', url: `/v1/admin/webhooks/${endpointId}` })
  t.match(view.json(), { enabled: false, disabledReason: 'every attempt failed for more than 2 h' })
  t.match(s.workerLogs(), /webhook endpoint disabled: every attempt failed for too long/)
  t.equal(await s.disabledCount('failing'), 1)

  const enabled = await asAdmin(s.app, s.key, { method: 'PATCH', url: `/v1/admin/webhooks/${endpointId}`, payload: { enabled: true } })
  t.match(enabled.json(), { enabled: true, disabledReason: null, failingSince: null })
})

t.test('an endpoint\'s failing streak starts at its first failure, holds through the next, and ends with a success', async (t) => {
  const s = await setup(t)
  const gates = [deferred(), deferred()]
  // A failure, a failure held until the test has read the streak, then a success held likewise.
  const receiver = await receiverFor(t, async (n) => {
    if (n === 1) return { status: 500 }
    await gates[n - 2]?.released
    return { status: n === 2 ? 500 : 204 }
  })
  const { id: endpointId } = await subscribe(s, receiver)
  const prisma = await testDatabase()
  const streak = async () => (await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).failingSince
  t.equal(await streak(), null, 'a new endpoint is not failing')
  const before = new Date()
  await post(s.app, await altchaSubmission(s.app))
  // A retry is enqueued only after its failure was recorded: the second request means the first failure is in.
  await receiver.waitFor(2)
  const started = await streak()
  t.ok(started !== null && started >= before && started <= new Date(), `the streak started at the first failure (${started?.toISOString()})`)
  gates[0]?.release()
  const [, , third] = await receiver.waitFor(3)
  t.same(await streak(), started, 'the second failure did not restart it')
  gates[1]?.release()
  t.match(await settled(third?.id ?? ''), { status: 'delivered' })
  t.equal(await streak(), null, 'the success ended it')
})

t.test('a test event goes through the queue to one endpoint; a disabled endpoint cannot be sent one', async (t) => {
  const s = await setup(t)
  const receiver = await receiverFor(t)
  const { id } = await subscribe(s, receiver)
  const res = await asAdmin(s.app, s.key, { method: 'POST', url: `/v1/admin/webhooks/${id}/test` })
  t.equal(res.statusCode, 202)
  const [received] = await receiver.waitFor(1)
  t.match(received, { id: res.json().deliveryId, payload: { type: 'webhook.test', data: { endpointId: id } }, verifiedBy: [String] })
  await asAdmin(s.app, s.key, { method: 'PATCH', url: `/v1/admin/webhooks/${id}`, payload: { enabled: false } })
  t.equal((await asAdmin(s.app, s.key, { method: 'POST', url: `/v1/admin/webhooks/${id}/test` })).statusCode, 409)
})

t.test('rotation: during the overlap a receiver holding only the old secret and one holding only the new both verify', async (t) => {
  const s = await setup(t)
  const receiver = await receiverFor(t)
  const { id, secret: old } = await subscribe(s, receiver)
  const res = await asAdmin(s.app, s.key, { method: 'POST', url: `/v1/admin/webhooks/${id}/rotate-secret` })
  t.equal(res.statusCode, 200)
  const { secret: fresh, previousValidUntil } = res.json() as { secret: string, previousValidUntil: string }
  t.not(fresh, old)
  const overlap = new Date(previousValidUntil).getTime() - Date.now()
  t.ok(overlap > 23.9 * 3600_000 && overlap <= 24 * 3600_000, 'the old secret signs for 24 hours')
  receiver.secrets.push(fresh)

  await post(s.app, await altchaSubmission(s.app))
  const [during] = await receiver.waitFor(1)
  t.same(during?.verifiedBy, [old, fresh], 'each secret alone verifies the delivery')
  t.equal(during?.signature.split(' ').length, 2, 'two signatures, space-separated')

  // The overlap is over.
  await (await testDatabase()).webhookEndpoint.update({ where: { id }, data: { previousSecretUntil: new Date(Date.now() - 1000) } })
  await post(s.app, await altchaSubmission(s.app, { message: 'Efter bytet.' }))
  const [, after] = await receiver.waitFor(2)
  t.same(after?.verifiedBy, [fresh], 'only the new secret verifies after the overlap')
  t.match(await (await testDatabase()).auditEntry.findMany({ where: { action: 'webhooks.rotate_secret' } }), [{ targetId: id, outcome: 'ok' }])
  t.notMatch(JSON.stringify(await (await testDatabase()).auditEntry.findMany()), /whsec_/, 'no secret in the audit log')
})

t.test('erasure: deliveries and jobs go, and the full endpoint is told with contact_request.erased', async (t) => {
  const s = await setup(t)
  const full = await receiverFor(t)
  const thin = await receiverFor(t)
  await subscribe(s, full, { payloadMode: 'full' })
  await subscribe(s, thin)
  const body = await altchaSubmission(s.app)
  const requestId = (await post(s.app, body)).json().id as string
  await full.waitFor(1)
  await thin.waitFor(1)
  const prisma = await testDatabase()
  const deliveryIds = (await prisma.webhookDelivery.findMany({ where: { requestId } })).map((d) => d.id)
  t.equal(deliveryIds.length, 2)

  const exported = await asAdmin(s.app, s.key, { method: 'POST', url: '/v1/admin/subjects/export', payload: { email: body.email } })
  const recipients = exported.json().requests[0].webhooks as Array<{ eventType: string, endpoint: { origin: string, payloadMode: string } }>
  t.same(recipients.map((w) => [w.eventType, w.endpoint.payloadMode]).sort(), [['contact_request.received', 'full'], ['contact_request.received', 'thin']], 'the export lists which endpoints received the data')
  t.notMatch(exported.body, '/hooks/contact-requests', 'the endpoints\' origins only: a path can hold a token')

  const erased = await asAdmin(s.app, s.key, { method: 'POST', url: '/v1/admin/subjects/erase', payload: { email: body.email } })
  t.equal(erased.statusCode, 200)
  t.equal(await prisma.webhookDelivery.count({ where: { id: { in: deliveryIds } } }), 0, 'the deliveries are gone')
  t.equal(await prisma.webhookAttempt.count({ where: { deliveryId: { in: deliveryIds } } }), 0, 'and their attempt log')
  const [, told] = await full.waitFor(2)
  t.match(told?.payload, { type: 'contact_request.erased', data: { requestId, contactId: 'lotta-fransson', reason: 'erasure' } })
  t.same(told?.verifiedBy.length, 1)
  t.notOk(told?.payload?.data.submission, 'the erasure event carries no personal data')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(thin.received.length, 1, 'the thin endpoint, not subscribed to erasures, is not told')
  const dump = await redisDump(s.app.core.redis, s.app.config.QUEUE_PREFIX)
  for (const id of deliveryIds) t.notMatch(dump, id, `no job or event of delivery ${id} left in Redis`)
})

t.test('a notification that fails for good sends notification.failed', async (t) => {
  const sink = await smtpSink(() => ({ code: 550, message: 'mailbox unavailable' }))
  t.teardown(sink.close)
  const s = await setup(t, { SMTP_URL: sink.url })
  const receiver = await receiverFor(t)
  await subscribe(s, receiver, { events: ['notification.failed'] })
  const requestId = (await post(s.app, await altchaSubmission(s.app))).json().id as string
  const [received] = await receiver.waitFor(1)
  const notification = await (await testDatabase()).notification.findFirstOrThrow({ where: { requestId } })
  t.match(received?.payload, { type: 'notification.failed', data: { requestId, notificationId: notification.id, contactId: 'lotta-fransson', attempts: 1 } })
  t.equal(notification.status, 'failed')
})

t.test('the admin API: scopes, URL rules, validation, the record of processing', async (t) => {
  const { app } = await buildTestApp(t)
  const key = await adminKey(app)
  const reader = await adminKey(app, ['webhooks:read'], 'reader')
  const other = await adminKey(app, ['requests:read', 'requests:write'], 'requests-only')
  const create = async (k: string, payload: Record<string, unknown>) => await asAdmin(app, k, { method: 'POST', url: '/v1/admin/webhooks', payload: { events: ['contact_request.received'], ...payload } })

  t.equal((await create(other, { url: 'https://crm.example.org/hook' })).statusCode, 403, 'webhooks:write is needed')
  t.equal((await create(reader, { url: 'https://crm.example.org/hook' })).statusCode, 403)
  t.equal((await asAdmin(app, other, { method: 'GET', url: '/v1/admin/webhooks' })).statusCode, 403, 'webhooks:read is needed')
  for (const [url, problem] of [
    ['http://crm.example.org/hook', /must be https/],
    ['https://user:pass@crm.example.org/hook', /credentials/],
    ['crm.example.org/hook', /.+/],
    ['ftp://127.0.0.1/hook', /.+/],
    ['https://crm.example.org/a b', /.+/]
  ] as const) {
    const res = await create(key, { url })
    t.equal(res.statusCode, 400, url)
    t.match(res.json(), { code: 'VALIDATION_FAILED', details: [{ path: '/url', message: problem }] })
  }
  t.match((await create(key, { url: 'https://crm.example.org/hook', contactId: 'nobody-here' })).json(), { code: 'VALIDATION_FAILED', details: [{ path: '/contactId' }] })
  t.match((await create(key, { url: 'https://crm.example.org/hook', events: ['contact_request.deleted'] })).json(), { code: 'VALIDATION_FAILED' })
  t.match((await create(key, { url: 'https://crm.example.org/hook', events: [] })).json(), { code: 'VALIDATION_FAILED' })

  const made = await create(key, { url: 'https://crm.example.org/hooks/t0ken', payloadMode: 'full', description: 'CRM', events: ['contact_request.received', 'contact_request.erased'] })
  t.equal(made.statusCode, 201)
  const record = await asAdmin(app, key, { method: 'GET', url: '/v1/admin/processing-record' })
  t.match(record.json().recipients, [String, String, /Webhook endpoint "CRM" at https:\/\/crm.example.org \(full payload: the submitted fields/])
  t.notMatch(record.body, 't0ken', 'the record names the origin only')

  const id = made.json().endpoint.id as string
  t.equal((await asAdmin(app, key, { method: 'PATCH', url: `/v1/admin/webhooks/${id}`, payload: {} })).statusCode, 400, 'a change must change something')
  t.match((await asAdmin(app, key, { method: 'PATCH', url: `/v1/admin/webhooks/${id}`, payload: { payloadMode: 'thin' } })).json(), { payloadMode: 'thin' })
  const deleted = await asAdmin(app, key, { method: 'DELETE', url: `/v1/admin/webhooks/${id}` })
  t.match(deleted.json(), { deleted: true, pendingDeliveries: 0 })
  t.equal((await asAdmin(app, key, { method: 'GET', url: `/v1/admin/webhooks/${id}` })).statusCode, 404)
  t.same((await (await testDatabase()).auditEntry.findMany({ where: { action: { startsWith: 'webhooks.' } }, orderBy: { at: 'asc' } })).filter((e) => e.outcome === 'ok').map((e) => e.action),
    ['webhooks.create', 'webhooks.update', 'webhooks.delete'], 'endpoint changes are audited')
})

t.test('without WEBHOOK_SECRET_KEY no endpoint can be created, and the answer says what to set', async (t) => {
  const { app } = await buildTestApp(t, { WEBHOOK_SECRET_KEY: '' })
  const res = await asAdmin(app, await adminKey(app), { method: 'POST', url: '/v1/admin/webhooks', payload: { url: 'https://crm.example.org/hook', events: ['contact_request.received'] } })
  t.equal(res.statusCode, 409)
  t.match(res.json(), { code: 'CONFLICT', message: /WEBHOOK_SECRET_KEY/ })
})

t.test('a retention purge deletes the deliveries too and tells full endpoints, with reason retention', async (t) => {
  const s = await setup(t)
  const full = await receiverFor(t)
  await subscribe(s, full, { payloadMode: 'full' })
  const requestId = (await post(s.app, await altchaSubmission(s.app))).json().id as string
  const [first] = await full.waitFor(1)
  await settled(first?.id ?? '')
  const prisma = await testDatabase()
  await prisma.contactRequest.update({ where: { id: requestId }, data: { retainUntil: new Date(Date.now() - 1000) } })
  const purge = await asAdmin(s.app, s.key, { method: 'POST', url: '/v1/admin/purges', payload: {} })
  t.match(purge.json(), { requests: 1 })
  t.equal(await prisma.webhookDelivery.count({ where: { requestId } }), 0)
  const [, told] = await full.waitFor(2)
  t.match(told?.payload, { type: 'contact_request.erased', data: { requestId, reason: 'retention' } })
})

t.test('a request whose processing is restricted (GDPR Art. 18) is not sent: its delivery is skipped, visibly', async (t) => {
  const { app, config } = await buildTestApp(t, {}, { tuning })
  const key = await adminKey(app)
  const receiver = await receiverFor(t)
  await subscribe({ app, key }, receiver)
  // No worker yet: the delivery waits in the queue while an admin restricts the request.
  const requestId = (await post(app, await altchaSubmission(app))).json().id as string
  t.equal((await asAdmin(app, key, { method: 'PUT', url: `/v1/admin/contact-requests/${requestId}/restriction` })).statusCode, 200)
  await startTestWorkers(t, config, { tuning })
  const prisma = await testDatabase()
  const { id } = await prisma.webhookDelivery.findFirstOrThrow({ where: { requestId } })
  t.match(await settled(id), { status: 'skipped', attempts: 0, lastError: 'processing restricted (GDPR Art. 18)' })
  t.equal(receiver.received.length, 0)
})

t.test('the README\'s ten-line receiver (examples/webhook-receiver.mjs) verifies a real delivery and ignores its replay', async (t) => {
  const example = await readFile('examples/webhook-receiver.mjs', 'utf8')
  t.ok((await readFile('README.md', 'utf8')).includes(example), 'the README shows the file as it is')
  t.ok(example.trimEnd().split('\n').filter((line) => line.trim() !== '').length <= 14, 'about ten lines')
  const s = await setup(t)
  const port = await freePort()
  const created = await asAdmin(s.app, s.key, { method: 'POST', url: '/v1/admin/webhooks', payload: { url: `http://127.0.0.1:${port}/`, events: ['contact_request.received'] } })
  const child = spawn(process.execPath, ['examples/webhook-receiver.mjs'], { env: { ...process.env, PORT: String(port), WEBHOOK_SECRET: created.json().secret }, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill() })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  await eventually(async () => await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' }).then((r) => r.status === 400 ? true : undefined, () => undefined), { what: 'the receiver to listen and refuse an unsigned call' })

  const requestId = (await post(s.app, await altchaSubmission(s.app))).json().id as string
  await eventually(async () => output.includes(`contact_request.received ${requestId}\n`) ? true : undefined, { what: 'the receiver to print the event' })
  const delivery = await settled((await (await testDatabase()).webhookDelivery.findFirstOrThrow({ where: { requestId } })).id)
  t.match(delivery, { status: 'delivered', lastStatus: 204 })
  t.equal((await asAdmin(s.app, s.key, { method: 'POST', url: `/v1/admin/webhook-deliveries/${delivery.id}/replay` })).statusCode, 202)
  await eventually(async () => (await deliveryRow(delivery.id)).attemptLog.length === 2 ? true : undefined, { what: 'the replay to be delivered' })
  t.equal(output.split('\n').filter((line) => line !== '').length, 1, 'the replay, same webhook-id, is acknowledged and not handled twice')
})

t.test('an erasure notice outlives its request only as long as a request would: the purge prunes it after RETENTION_DAYS', async (t) => {
  const s = await setup(t, { RETENTION_DAYS: '30' })
  const receiver = await receiverFor(t)
  const { id } = await subscribe(s, receiver)
  const test = await asAdmin(s.app, s.key, { method: 'POST', url: `/v1/admin/webhooks/${id}/test` })
  const recent = await asAdmin(s.app, s.key, { method: 'POST', url: `/v1/admin/webhooks/${id}/test` })
  await settled(test.json().deliveryId)
  await settled(recent.json().deliveryId)
  const prisma = await testDatabase()
  await prisma.webhookDelivery.update({ where: { id: test.json().deliveryId }, data: { createdAt: new Date(Date.now() - 31 * 86_400_000) } })
  t.equal((await asAdmin(s.app, s.key, { method: 'POST', url: '/v1/admin/purges', payload: {} })).statusCode, 200)
  t.same((await prisma.webhookDelivery.findMany()).map((d) => d.id), [recent.json().deliveryId], 'the old one is gone, the recent one stays')
})

t.test('a worker without the key the secret was sealed with logs the attempt as secret_unavailable instead of sending it unsigned', async (t) => {
  const { app, config } = await buildTestApp(t, {}, { tuning })
  const receiver = await receiverFor(t)
  await subscribe({ app, key: await adminKey(app) }, receiver)
  await startTestWorkers(t, { ...config, WEBHOOK_SECRET_KEY: 'ab'.repeat(32) }, { tuning })
  const requestId = (await post(app, await altchaSubmission(app))).json().id as string
  const row = await settled((await (await testDatabase()).webhookDelivery.findFirstOrThrow({ where: { requestId } })).id)
  t.match(row, { status: 'failed', lastError: /WEBHOOK_SECRET_KEY is missing or not the one it was sealed with/ })
  t.ok(row.attemptLog.every((a) => a.errorKind === 'secret_unavailable'))
  t.equal(receiver.received.length, 0, 'nothing was sent')
})

t.test('Retry-After: seconds or a date, bounded; anything else is ignored', async (t) => {
  const now = Date.parse('2026-11-27T12:00:00Z')
  t.equal(parseRetryAfter('120', now), 120_000)
  t.equal(parseRetryAfter(' 0 ', now), 0)
  t.equal(parseRetryAfter('Fri, 27 Nov 2026 12:01:00 GMT', now), 60_000)
  t.equal(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', now), 0, 'a date past is now')
  t.equal(parseRetryAfter(String(25 * 3600), now), null, 'more than a day: the schedule applies')
  t.equal(parseRetryAfter('soon', now), null)
  t.equal(parseRetryAfter('', now), null)
  t.equal(parseRetryAfter(undefined, now), null)
  t.equal(parseRetryAfter(['5', '9'], now), 5000)
})

t.test('replay: refused while the job still waits; a delivery whose job ended without settling it can be replayed', async (t) => {
  const { app, config } = await buildTestApp(t, {}, { tuning })
  const key = await adminKey(app)
  const receiver = await receiverFor(t)
  await subscribe({ app, key }, receiver)
  // No worker yet: the job waits.
  const requestId = (await post(app, await altchaSubmission(app))).json().id as string
  const { id } = await (await testDatabase()).webhookDelivery.findFirstOrThrow({ where: { requestId } })
  const early = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/webhook-deliveries/${id}/replay` })
  t.equal(early.statusCode, 409)
  t.match(early.json(), { code: 'CONFLICT', message: /still under way/ })
  // The job is lost (as if its attempts had all ended on a database error): the row stays pending.
  await app.core.queues.webhook.remove(id)
  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/webhook-deliveries/${id}/replay` })).statusCode, 202)
  await startTestWorkers(t, config, { tuning })
  t.match(await settled(id), { status: 'delivered' })
  t.equal(receiver.received.length, 1)
})
