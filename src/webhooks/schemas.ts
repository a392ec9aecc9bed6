// What an endpoint's settings may be: one set of rules for the admin API and the CLI.
import { Type } from '@sinclair/typebox'
import { ContactId, HttpUrl, Line, Nullable } from '../schemas/common.js'
import { WEBHOOK_EVENTS } from '../schemas/webhook-events.js'

export const EventType = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)))
export const PayloadMode = Type.Union([Type.Literal('thin'), Type.Literal('full')], {
  description: 'thin: event type, request and contact ids, received time, retain-until (fetch the rest with an admin key); full: the submitted fields too'
})
/** Where a delivery is: waiting, under way, or settled. */
export const DeliveryStatus = Type.Union(['pending', 'queued', 'delivered', 'failed', 'skipped'].map((s) => Type.Literal(s)))

/** An endpoint's settings as the admin API and the CLI take them. */
export const Settings = {
  url: { ...HttpUrl(2000), description: 'https, or http for a host in WEBHOOK_ALLOWED_HOSTS; no credentials' },
  events: Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true }),
  description: Line(200),
  contactId: Nullable(ContactId),
  payloadMode: PayloadMode
}
