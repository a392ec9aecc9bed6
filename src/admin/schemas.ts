// What the admin API answers about requests: the serializer sends these fields and no others.
import { Type, type Static } from '@sinclair/typebox'
import { DateTime, ErrorSchema, Nullable, SubmittedFieldsSchema, commonErrorResponses } from '../schemas/common.js'
import { DeliveryStatus, PayloadMode } from '../webhooks/schemas.js'

/** A query string's optional date-time, as a Date. */
export const optionalDate = (value: string | undefined): Date | undefined => value === undefined ? undefined : new Date(value)

/** The `cursor` query parameter of a paged list. */
export const CursorQuery = Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]*$', description: 'nextCursor of the previous page' }))

/** Pages go newest first; a cursor is the last row's (time, id). */
export const encodeCursor = (at: Date, id: string): string => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url')
export function decodeCursor (cursor: string): { at: Date, id: string } | undefined {
  const [text, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const at = new Date(text ?? '')
  return Number.isNaN(at.getTime()) || id === undefined || !/^[0-9a-f-]{36}$/.test(id) ? undefined : { at, id }
}

/** Every admin route can answer these. */
export const adminErrors = { 401: ErrorSchema, 403: ErrorSchema, ...commonErrorResponses }

/**
 * The statuses an admin sets here: reopen or close. Taken and answered are handling actions (they
 * say by whom: src/admin/handling.ts); a request leaves quarantine by its release (src/admin/spam-decisions.ts).
 */
export const StatusSchema = Type.Union([Type.Literal('received'), Type.Literal('closed')])

/** The statuses a request is read in. */
export const RequestStatusSchema = Type.Union([Type.Literal('received'), Type.Literal('taken'), Type.Literal('answered'), Type.Literal('closed'), Type.Literal('quarantined')])

/** Who has a request and how far its handling went (README: "Handling"). */
const HandlingSchema = {
  handler: Nullable(Type.String({ description: 'contact:<id> or inbox:fallback once passed on or taken; null while with the addressed contact' })),
  takenAt: Nullable(DateTime),
  /** The first answer. */
  answeredAt: Nullable(DateTime),
  followUpStage: Type.Integer({ description: '0 no reminder yet, 1 reminded, 2 the delegate told, 3 the fallback inbox told' })
}

/** What the spam filter decided, and why (reason codes: README, "Spam"). */
const SpamVerdictSchema = {
  spamScore: Nullable(Type.Number({ description: 'the sum of the weights of the signals that fired; null for requests older than the filter' })),
  spamReasons: Type.Array(Type.String(), { description: 'the reason codes of the signals that fired' }),
  quarantinedAt: Nullable(DateTime)
}

export const RemovedCountsSchema = Type.Object({
  requests: Type.Integer(),
  notifications: Type.Integer(),
  jobsRemoved: Type.Integer({ description: 'queue jobs removed from Redis: notification, receipt and webhook delivery jobs together' }),
  mailFilesRemoved: Type.Integer({ description: '.eml copies removed from the mail drop' })
})

/** A request without its personal data. */
export const RequestSummarySchema = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  status: RequestStatusSchema,
  receivedAt: DateTime,
  retainUntil: DateTime,
  closedAt: Nullable(DateTime),
  legalHold: Type.Boolean(),
  restricted: Type.Boolean(),
  captchaVerified: Type.Boolean(),
  ...SpamVerdictSchema,
  ...HandlingSchema
})
export type RequestSummary = Static<typeof RequestSummarySchema>

const NotificationDetailSchema = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')]),
  recipient: Nullable(Type.String()),
  routeReason: Nullable(Type.Union([Type.Literal('direct'), Type.Literal('delegate'), Type.Literal('fallback')])),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  smtpResponse: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
  createdAt: DateTime,
  queuedAt: Nullable(DateTime),
  lastAttemptAt: Nullable(DateTime),
  sentAt: Nullable(DateTime),
  failedAt: Nullable(DateTime)
})

const WebhookDeliverySummarySchema = Type.Object({
  id: Type.String(),
  eventType: Type.String(),
  status: DeliveryStatus,
  createdAt: DateTime,
  deliveredAt: Nullable(DateTime),
  endpoint: Type.Object({
    id: Type.String(),
    origin: Type.String({ description: 'scheme, host and port of the endpoint\'s URL' }),
    description: Type.String(),
    payloadMode: PayloadMode
  })
})

/** One request with its personal data, consent (with the notice text shown), deliveries and history. */
export const RequestDetailSchema = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  ...SubmittedFieldsSchema.properties,
  status: RequestStatusSchema,
  ...SpamVerdictSchema,
  ...HandlingSchema,
  captchaProvider: Type.String(),
  captchaVerified: Type.Boolean(),
  receivedAt: DateTime,
  retainUntil: DateTime,
  closedAt: Nullable(DateTime),
  legalHoldReason: Nullable(Type.String()),
  legalHoldAt: Nullable(DateTime),
  restrictedAt: Nullable(DateTime),
  consent: Nullable(Type.Object({
    noticeVersion: Type.String(),
    noticeLocale: Type.String(),
    noticeSha256: Type.String(),
    method: Type.String(),
    consentedAt: DateTime,
    notice: Type.Object({
      version: Type.String(), locale: Type.String(), text: Type.String(), sha256: Type.String(), publishedAt: DateTime
    })
  })),
  receipt: Nullable(Type.Object({
    id: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('skipped')]),
    attempts: Type.Integer(),
    lastError: Nullable(Type.String({ description: 'why it failed, or why none was sent' })),
    createdAt: DateTime,
    sentAt: Nullable(DateTime),
    failedAt: Nullable(DateTime)
  }, { description: 'the confirmation e-mail to the person who wrote; null when receipts were off' })),
  notifications: Type.Array(NotificationDetailSchema),
  webhooks: Type.Array(WebhookDeliverySummarySchema, { description: 'webhook deliveries that carried this request: which endpoint, what, when' }),
  events: Type.Array(Type.Object({ at: DateTime, kind: Type.String(), value: Type.String(), actor: Type.String() }))
}, { $id: 'RequestDetail', title: 'RequestDetail' })
