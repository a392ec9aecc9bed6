// What webhooks tell: the event types, and the body each delivery carries, with a schema per
// event's `data` (published in the OpenAPI document's `webhooks`, and held to what the SQL builds
// by test/integration/webhooks/event-schemas.test.ts).
import { Type, type TSchema } from '@sinclair/typebox'
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import type { ContactRequest } from '../generated/prisma/client.js'
import { DateTime, SubmittedFieldsSchema } from './common.js'

/** The events an endpoint can subscribe to. */
export const WEBHOOK_EVENTS = ['contact_request.received', 'notification.failed', 'contact_request.erased'] as const
export type WebhookEventType = typeof WEBHOOK_EVENTS[number]

/** Sent to one endpoint on an admin's request, to try the integration. */
export const TEST_EVENT = 'webhook.test'

/** What a `full` endpoint receives of a request besides ids and dates: the submitted fields. */
export type SubmittedFields = Pick<ContactRequest, 'name' | 'email' | 'phone' | 'organisation' | 'message' | 'locale' | 'pageUrl'>

/**
 * The body as Standard Webhooks suggests it: type, timestamp (when the event happened, the same
 * on every attempt) and data. `data` holds ids, dates and reasons only; a `full` endpoint's
 * request events add `data.submission`.
 */
export function webhookBody (
  eventType: string, occurredAt: Date, data: Record<string, unknown>, submission: SubmittedFields | null
): string {
  const withSubmission = submission === null ? data : { ...data, submission }
  return JSON.stringify({ type: eventType, timestamp: occurredAt.toISOString(), data: withSubmission })
}

const Uuid = Type.String({ format: 'uuid' })
const Instant = DateTime
const closed = { additionalProperties: false }

/** `data.submission`, on a `full` endpoint's events about a request that still exists: what the person typed. */
export const SubmissionSchema = Type.Object(SubmittedFieldsSchema.properties,
  { ...closed, description: 'Sent to endpoints with payloadMode full, while the request exists' })

const RequestIds = { requestId: Uuid, contactId: Type.String() }

/** Each event's `data`, as its SQL builds it (src/repositories/requests.ts, notifications.ts, webhooks.ts). */
export const EVENT_DATA_SCHEMAS = {
  'contact_request.received': Type.Object({
    ...RequestIds, receivedAt: Instant, retainUntil: Instant, submission: Type.Optional(SubmissionSchema)
  }, { ...closed, description: 'A request was stored and accepted' }),
  'notification.failed': Type.Object({
    ...RequestIds,
    notificationId: Uuid,
    attempts: Type.Integer({ minimum: 0 }),
    receivedAt: Instant,
    retainUntil: Instant,
    submission: Type.Optional(SubmissionSchema)
  }, { ...closed, description: 'A notification e-mail failed for good (an admin can re-drive it); not sent for a restricted request' }),
  'contact_request.erased': Type.Object({
    ...RequestIds, reason: Type.Union([Type.Literal('erasure'), Type.Literal('retention')]), erasedAt: Instant
  }, { ...closed, description: 'A request was removed (GDPR Art. 19): delete what you hold of it' }),
  [TEST_EVENT]: Type.Object({ endpointId: Uuid }, { ...closed, description: 'Sent on an admin\'s request to try the integration' })
} satisfies Record<WebhookEventType | typeof TEST_EVENT, TSchema>

/** The body of a delivery of `type`: what a receiver parses after verifying the signature. */
export const webhookBodySchema = (type: keyof typeof EVENT_DATA_SCHEMAS) =>
  Type.Object({ type: Type.Literal(type), timestamp: Instant, data: EVENT_DATA_SCHEMAS[type] }, closed)

/** The OpenAPI 3.1 `webhooks` object: one operation per event, with the Standard Webhooks headers. */
type OpenApiWebhooks = NonNullable<Extract<NonNullable<FastifyDynamicSwaggerOptions['openapi']>, { webhooks?: unknown }>['webhooks']>

// The schemas are TypeBox's JSON Schema, which OpenAPI 3.1 takes as it is; openapi-types has no
// type for a TypeBox schema, hence the one conversion below.
export function openApiWebhooks (): OpenApiWebhooks {
  const header = (description: string) => ({ in: 'header', required: true, schema: { type: 'string' }, description })
  return Object.fromEntries(Object.keys(EVENT_DATA_SCHEMAS).map((type) => [type, {
    post: {
      summary: EVENT_DATA_SCHEMAS[type as keyof typeof EVENT_DATA_SCHEMAS].description,
      parameters: [
        { name: 'webhook-id', ...header('The same on every attempt of a delivery: deduplicate on it') },
        { name: 'webhook-timestamp', ...header('Seconds since the epoch, when this attempt was signed') },
        { name: 'webhook-signature', ...header('v1,<base64 HMAC-SHA-256>; two during a secret rotation') }
      ],
      requestBody: { required: true, content: { 'application/json': { schema: webhookBodySchema(type as keyof typeof EVENT_DATA_SCHEMAS) as object } } },
      responses: { '2XX': { description: 'Received. Anything else is retried, 410 disables the endpoint' } }
    }
  }])) as OpenApiWebhooks
}
