// Admin: webhook endpoints (create, change, rotate the secret, delete, send a test event), their
// delivery log, and replaying a delivery. Secrets are answered once, at creation and rotation.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { DateTime, ErrorSchema, Nullable } from '../schemas/common.js'
import { adminErrors, CursorQuery, decodeCursor, encodeCursor } from './schemas.js'
import { DeliveryStatus, PayloadMode, Settings } from '../webhooks/schemas.js'
import { actorOf } from './access.js'
import type { WebhookEndpoints } from '../webhooks/endpoints.js'
import type { WebhookRepository } from '../repositories/webhooks.js'

const errors = { 404: ErrorSchema, ...adminErrors }
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

const EndpointSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
  contactId: Nullable(Type.String()),
  payloadMode: PayloadMode,
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  disabledAt: Nullable(DateTime),
  failingSince: Nullable(DateTime),
  previousSecretUntil: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime
})

const Secret = Type.String({ pattern: '^whsec_', description: 'the signing secret: shown this once, store it in the receiver' })

const AttemptSchema = Type.Object({
  id: Type.String(),
  at: DateTime,
  statusCode: Nullable(Type.Integer()),
  errorKind: Nullable(Type.String({ description: 'timeout, connection, address_refused, url_refused, secret_unavailable' })),
  durationMs: Type.Integer(),
  response: Nullable(Type.String({ description: 'at most 1 KB of the answer, addresses masked' }))
})

const DeliverySchema = Type.Object({
  id: Type.String({ description: 'the webhook-id header, the same on every attempt' }),
  eventType: Type.String(),
  requestId: Nullable(Type.String()),
  status: DeliveryStatus,
  attempts: Type.Integer(),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  lastAttemptAt: Nullable(DateTime),
  deliveredAt: Nullable(DateTime),
  failedAt: Nullable(DateTime),
  attemptLog: Type.Array(AttemptSchema)
})

export interface WebhookRoutesOptions {
  endpoints: WebhookEndpoints
  webhooks: WebhookRepository
}

// eslint-disable-next-line max-lines-per-function -- a table of routes, each a few lines
const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { endpoints, webhooks }) => {
  app.get('/webhooks', {
    config: { scope: 'webhooks:read', action: 'webhooks.list' },
    schema: { summary: 'Webhook endpoints', response: { 200: Type.Object({ items: Type.Array(EndpointSchema) }), ...adminErrors } }
  }, async () => ({ items: await endpoints.list() }))

  app.post('/webhooks', {
    config: { scope: 'webhooks:write', action: 'webhooks.create', selfAudited: true },
    schema: {
      summary: 'Create a webhook endpoint; its signing secret is answered this once',
      body: Type.Object({
        url: Settings.url,
        events: Settings.events,
        description: Type.Optional(Settings.description),
        contactId: Type.Optional(Settings.contactId),
        payloadMode: Type.Optional(Settings.payloadMode)
      }, { additionalProperties: false }),
      response: { 201: Type.Object({ endpoint: EndpointSchema, secret: Secret }), 409: ErrorSchema, ...adminErrors }
    }
  }, async (request, reply) => {
    return await reply.code(201).send(await endpoints.create(request.body, actorOf(request)))
  })

  app.get('/webhooks/:id', {
    config: { scope: 'webhooks:read', action: 'webhooks.read' },
    schema: { summary: 'One webhook endpoint', params: IdParams, response: { 200: EndpointSchema, ...errors } }
  }, async (request) => await endpoints.get(request.params.id))

  app.patch('/webhooks/:id', {
    config: { scope: 'webhooks:write', action: 'webhooks.update', selfAudited: true },
    schema: {
      summary: 'Change a webhook endpoint; enabled: true turns a disabled one on again',
      params: IdParams,
      body: Type.Object({
        url: Type.Optional(Settings.url),
        events: Type.Optional(Settings.events),
        description: Type.Optional(Settings.description),
        contactId: Type.Optional(Settings.contactId),
        payloadMode: Type.Optional(Settings.payloadMode),
        enabled: Type.Optional(Type.Boolean())
      }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: EndpointSchema, ...errors }
    }
  }, async (request) => {
    return await endpoints.change(request.params.id, request.body, actorOf(request))
  })

  app.delete('/webhooks/:id', {
    config: { scope: 'webhooks:write', action: 'webhooks.delete', selfAudited: true },
    schema: {
      summary: 'Delete a webhook endpoint with its delivery log and the deliveries still waiting',
      params: IdParams,
      response: { 200: Type.Object({ deleted: Type.Literal(true), pendingDeliveries: Type.Integer() }), ...errors }
    }
  }, async (request) => {
    const { pendingDeliveries } = await endpoints.remove(request.params.id, actorOf(request))
    return { deleted: true as const, pendingDeliveries }
  })

  app.post('/webhooks/:id/rotate-secret', {
    config: { scope: 'webhooks:write', action: 'webhooks.rotate_secret', selfAudited: true },
    schema: {
      summary: 'A new signing secret, answered this once; the old one keeps signing (both signatures are sent) for 24 hours',
      params: IdParams,
      response: { 200: Type.Object({ secret: Secret, previousValidUntil: DateTime }), 409: ErrorSchema, ...errors }
    }
  }, async (request) => await endpoints.rotateSecret(request.params.id, actorOf(request)))

  app.post('/webhooks/:id/test', {
    config: { scope: 'webhooks:write', action: 'webhooks.test', selfAudited: true },
    schema: {
      summary: 'Send the endpoint a webhook.test event, through the queue like any delivery',
      params: IdParams,
      response: { 202: Type.Object({ deliveryId: Type.String() }), 409: ErrorSchema, ...errors }
    }
  }, async (request, reply) => await reply.code(202).send({ deliveryId: await endpoints.sendTest(request.params.id, actorOf(request)) }))

  app.get('/webhooks/:id/deliveries', {
    config: { scope: 'webhooks:read', action: 'webhooks.deliveries' },
    schema: {
      summary: 'The endpoint\'s deliveries, newest first, each with its attempts',
      params: IdParams,
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), cursor: CursorQuery
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(DeliverySchema), nextCursor: Nullable(Type.String()) }), ...errors }
    }
  }, async (request) => {
    await endpoints.get(request.params.id)
    const position = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor)
    const before = position === undefined ? undefined : { createdAt: position.at, id: position.id }
    const { page, more } = await webhooks.deliveries(request.params.id, request.query.limit, before)
    const last = page.at(-1)
    return { items: page, nextCursor: more && last !== undefined ? encodeCursor(last.createdAt, last.id) : null }
  })

  app.post('/webhook-deliveries/:id/replay', {
    config: { scope: 'webhooks:write', action: 'webhooks.replay', selfAudited: true },
    schema: {
      summary: 'Deliver a settled delivery again, under the same webhook-id',
      params: IdParams,
      response: { 202: Type.Object({ replayed: Type.Literal(1) }), 409: ErrorSchema, ...errors }
    }
  }, async (request, reply) => {
    await endpoints.replay(request.params.id, actorOf(request))
    return await reply.code(202).send({ replayed: 1 as const })
  })
}

export default webhookRoutes
