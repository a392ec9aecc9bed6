// What webhooks tell: the event types, and the body each delivery carries.
import type { ContactRequest } from '../generated/prisma/client.js'

/** The events an endpoint can subscribe to. */
export const WEBHOOK_EVENTS = ['contact_request.received', 'notification.failed', 'contact_request.erased'] as const
export type WebhookEventType = typeof WEBHOOK_EVENTS[number]

/** Sent to one endpoint on an admin's request, to try the integration. */
export const TEST_EVENT = 'webhook.test'

/** What a `full` endpoint receives of a request besides ids and dates: the submitted fields. */
export type Submission = Pick<ContactRequest, 'name' | 'email' | 'phone' | 'organisation' | 'message' | 'locale' | 'pageUrl'>

/**
 * The body as Standard Webhooks suggests it: type, timestamp (when the event happened, the same
 * on every attempt) and data. `data` holds ids, dates and reasons only; a `full` endpoint's
 * request events add `data.submission`.
 */
export function webhookBody (eventType: string, occurredAt: Date, data: Record<string, unknown>, submission: Submission | null): string {
  return JSON.stringify({ type: eventType, timestamp: occurredAt.toISOString(), data: submission === null ? data : { ...data, submission } })
}
