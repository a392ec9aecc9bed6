// What a webhook receiver gets is written down: each event's body has a schema (src/schemas/webhook-events.ts),
// published in the OpenAPI document, and every event the SQL builds validates against it, as a
// real receiver gets it, on a thin and on a full endpoint.
import t from 'tap'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { smtpSink } from '../../helpers/smtp.js'
import { eventually } from '../../helpers/wait.js'
import { webhookReceiver } from '../../helpers/webhook-receiver.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { EVENT_DATA_SCHEMAS, WEBHOOK_EVENTS, webhookBodySchema } from '../../../src/schemas/webhook-events.js'
import { validatorCompiler } from '../../../src/plugins/validation.js'

type EventType = keyof typeof EVENT_DATA_SCHEMAS
const compile = validatorCompiler()
const validatorFor = (type: EventType) => compile({ schema: webhookBodySchema(type), httpPart: 'body', url: '/', method: 'POST' }) as
  ((body: unknown) => boolean) & { errors?: unknown }

t.test('every event, as a receiver gets it, validates against its published schema', async (t) => {
  // Notifications refused for good: notification.failed is one of the events.
  const sink = await smtpSink(() => ({ code: 550, message: 'no such user' }))
  t.teardown(sink.close)
  const tuning = { webhookRetryMs: [50], webhookTimeoutMs: 500 }
  const { app, config } = await buildTestApp(t, { SMTP_URL: sink.url }, { tuning })
  await startTestWorkers(t, config, { tuning })
  const key = await adminKey(app)
  const receivers = { thin: await webhookReceiver(), full: await webhookReceiver() }
  const ids: Record<string, string> = {}
  for (const [mode, receiver] of Object.entries(receivers)) {
    t.teardown(receiver.close)
    const res = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/webhooks', payload: { url: receiver.url, events: [...WEBHOOK_EVENTS], payloadMode: mode } })
    receiver.secrets.push(res.json().secret)
    ids[mode] = res.json().endpoint.id
  }

  const requestId = (await post(app, await altchaSubmission(app))).json<{ id: string }>().id
  await eventually(async () => receivers.full.received.some((d) => d.payload?.type === 'notification.failed') ? true : undefined, { what: 'notification.failed' })
  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/webhooks/${ids.thin}/test` })).statusCode, 202)
  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${requestId}/withdraw-consent` })).statusCode, 200)
  const expected = { thin: [...WEBHOOK_EVENTS, 'webhook.test'], full: [...WEBHOOK_EVENTS] }
  for (const [mode, receiver] of Object.entries(receivers)) {
    await eventually(async () => expected[mode as 'thin'].every((type) => receiver.received.some((d) => d.payload?.type === type)) ? true : undefined, { what: `every event at the ${mode} endpoint` })
    for (const delivery of receiver.received) {
      t.ok(delivery.payload !== null, `${mode}: signed and verified`)
      const type = delivery.payload?.type as EventType
      const validate = validatorFor(type)
      t.ok(validate(delivery.payload), `${mode} ${type}: ${JSON.stringify(validate.errors ?? null)}`)
    }
  }
  const fullReceived = receivers.full.received.find((d) => d.payload?.type === 'contact_request.received')
  t.match(fullReceived?.payload?.data.submission, { name: 'Anna Andersson' }, 'a full endpoint gets the submission, and its schema says so')
  t.equal(receivers.thin.received.find((d) => d.payload?.type === 'contact_request.received')?.payload?.data.submission, undefined, 'a thin one does not')
})

t.test('the schemas are closed: a field the SQL starts to send without a schema is caught', async (t) => {
  const validate = validatorFor('contact_request.erased')
  const body = { type: 'contact_request.erased', timestamp: '2026-12-03T10:00:00.000Z', data: { requestId: '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f', contactId: 'lotta-fransson', reason: 'erasure', erasedAt: '2026-12-03T10:00:00.000Z' } }
  t.ok(validate(body))
  t.notOk(validate({ ...body, data: { ...body.data, email: 'anna@example.se' } }), 'an address in an erasure event would fail')
  t.notOk(validate({ ...body, data: { ...body.data, reason: 'because' } }), 'and so would an unknown reason')
})

t.test('the OpenAPI document (3.1) publishes each event under webhooks, with its body schema and the signature headers', async (t) => {
  const { app } = await buildTestApp(t)
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
  t.equal(doc.openapi, '3.1.0')
  t.same(Object.keys(doc.webhooks).sort(), Object.keys(EVENT_DATA_SCHEMAS).sort())
  for (const type of Object.keys(EVENT_DATA_SCHEMAS) as EventType[]) {
    const operation = doc.webhooks[type].post
    t.same(operation.requestBody.content['application/json'].schema, JSON.parse(JSON.stringify(webhookBodySchema(type))), type)
    t.same(operation.parameters.map((p: { name: string }) => p.name), ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
  }
})
