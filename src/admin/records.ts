// Admin: the audit log, and the GDPR Art. 30 record of processing generated from the live configuration.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { DateTime, Line } from '../schemas/common.js'
import type { Config } from '../config.js'
import { adminErrors, optionalDate } from './schemas.js'
import type { Recipient } from '../repositories/webhooks.js'
import type { AuditRepository } from '../repositories/audit.js'
import type { ContactRepository } from '../repositories/contacts.js'
import type { WebhookRepository } from '../repositories/webhooks.js'

const AuditEntrySchema = Type.Object({
  id: Type.String(),
  at: DateTime,
  actor: Type.String({ description: 'the API key\'s name, cli:<user> or scheduler' }),
  action: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  subjectHash: Type.Union([Type.String(), Type.Null()], { description: 'keyed hash of a data subject\'s address' }),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('refused'), Type.Literal('failed')]),
  detail: Type.Union([Type.Record(Type.String(), Type.Unknown(), { description: 'counts and flags' }), Type.Null()])
})

const Strings = Type.Array(Type.String())
const ProcessingRecordSchema = Type.Object({
  generatedAt: DateTime,
  controller: Type.Object({ name: Type.String(), contact: Type.String() }),
  purposes: Strings,
  dataSubjects: Strings,
  dataCategories: Strings,
  recipients: Strings,
  transfersOutsideEea: Strings,
  retention: Type.Object({
    requestsDays: Type.Integer(),
    afterClosingDays: Type.Integer(),
    quarantinedDays: Type.Integer({ description: 'a request held as spam is kept this many days from entering the quarantine' }),
    contactOverrides: Type.Array(Type.Object({ contactId: Type.String(), days: Type.Integer() })),
    purgeSchedule: Type.String(),
    legalHold: Type.String(),
    whatIsPurged: Type.String()
  }),
  securityMeasures: Strings
})

const PROVIDER_RECIPIENTS: Record<string, string> = {
  altcha: 'none: ALTCHA is verified in this service, no third party sees the visitor',
  hcaptcha: 'Intuition Machines, Inc. (hCaptcha): token and, if CAPTCHA_SEND_REMOTE_IP, the IP address',
  turnstile: 'Cloudflare, Inc. (Turnstile): token and, if CAPTCHA_SEND_REMOTE_IP, the IP address',
  recaptcha: 'Google LLC (reCAPTCHA v3): token and, if CAPTCHA_SEND_REMOTE_IP, the IP address; needs prior cookie consent (CNIL 2022)',
  friendlycaptcha: 'Friendly Captcha GmbH: token'
}

/** A webhook endpoint as a recipient: its origin (a URL's path can hold a token), what it receives and about whom. */
function webhookRecipient ({ origin, description, payloadMode, events, contactId, enabled }: Recipient): string {
  const what = payloadMode === 'full'
    ? 'full payload: the submitted fields (name, e-mail, phone, organisation, message, page) with ids and dates'
    : 'thin payload: ids, event type and dates only; details fetched with its own admin key'
  const label = description === '' ? '' : ` "${description}"`
  return `Webhook endpoint${label} at ${origin} (${what}); events: ${events.join(', ')}; ${contactId === null ? 'all contacts' : `requests to ${contactId}`}${enabled ? '' : '; disabled'}`
}

/** Generated on each request from what the service is configured to do, so it cannot drift from it. */
// eslint-disable-next-line max-lines-per-function -- one document: the record of processing, section by section
export function processingRecord (
  config: Config, contactOverrides: Array<{ contactId: string, days: number }>, webhookEndpoints: Recipient[]
) {
  const smtpHost = config.SMTP_URL === undefined ? null : new URL(config.SMTP_URL).hostname
  return {
    generatedAt: new Date().toISOString(),
    controller: { name: config.CONTROLLER_NAME, contact: config.CONTROLLER_CONTACT },
    purposes: [
      'Answering enquiries sent through the website\'s contact forms (GDPR Art. 6(1)(b) and (f)); proof of consent to the privacy notice (Art. 7(1)).',
      ...(config.RECEIPTS ? [`A receipt to the address given in the form, at most one per ${config.RECEIPT_WINDOW_HOURS} h: the contact's name and title, the time received, the request id, the deletion date and a link to withdraw the request (Art. 7(3), 12(2)); nothing else the person wrote`] : []),
      'Protecting the forms against abuse: CAPTCHA, rate limits, duplicate detection (Art. 6(1)(f), Recitals 47 and 49).',
      ...(config.SPAM_FILTER
        ? ['Spam filtering (legitimate interest, Art. 6(1)(f)): local signals and a classifier trained only on this installation\'s release and mark-as-spam decisions; no recipient outside the service; a request scored as spam is held in a quarantine, delivered to nobody until an admin releases it']
        : ['Spam filtering: off (SPAM_FILTER=false); a filled honeypot still holds a request in the quarantine']),
      `Following up requests nobody has answered (Art. 6(1)(e)/(f): answering without undue delay): reminders to the project manager who has it after ${config.HANDLING_RESPONSE_DAYS} working days (or the contact's own response time), then to the delegate and the fallback inbox${config.FOLLOW_UP_COPY_EMAIL === undefined ? '' : ', with a copy of escalations to a team address'}; response times are measured without naming anyone (no per-person metrics)`
    ],
    dataSubjects: ['People who send a contact form', 'Staff who receive the requests (contact directory)'],
    dataCategories: [
      'Name, e-mail address, optional phone and organisation, free-text message, page address, language',
      'Consent record: notice version, language, SHA-256 of the text shown, time',
      'Delivery records: recipient, SMTP server response, message id',
      ...(webhookEndpoints.length === 0 ? [] : ['Webhook delivery records: endpoint, event, time, HTTP status, at most 1 KB of the answer']),
      'Keyed hashes (HMAC-SHA-256) of client addresses for rate limits, and of submissions for duplicate detection; raw IP addresses are never stored',
      'Handling: who has each request (a contact of the directory, or the fallback inbox), when it was taken, passed on and first answered, and which reminders went to whom; each change in the request\'s history with its actor; kept and removed with the request',
      'Spam: each request\'s score and reason codes; a keyed hash of its normalised text (campaigns); for requests an admin decided about, keyed hashes of their words and counts per hash (the classifier), removed with the request'
    ],
    recipients: [
      smtpHost === null ? `Project managers, by e-mail files in the local mail drop (${config.MAIL_DROP_DIR})` : `Project managers, by e-mail through the SMTP server ${smtpHost}`,
      ...(config.NOTIFY_FALLBACK_EMAIL === undefined ? [] : ['A fallback inbox for requests no contact can take, passed to it or not answered by the contact and the delegate']),
      ...(config.FOLLOW_UP_COPY_EMAIL === undefined ? [] : ['A team address with a copy of every escalation (the sender\'s name and address, the start of the message)']),
      ...config.CAPTCHA_PROVIDERS.map((p) => `CAPTCHA: ${PROVIDER_RECIPIENTS[p] ?? p}`),
      ...webhookEndpoints.map(webhookRecipient)
    ],
    transfersOutsideEea: config.CAPTCHA_PROVIDERS.filter((p) => ['hcaptcha', 'turnstile', 'recaptcha'].includes(p)).map((p) => `${p}: a US provider; check its transfer mechanism`),
    retention: {
      requestsDays: config.RETENTION_DAYS,
      afterClosingDays: config.RETENTION_DAYS_AFTER_CLOSE,
      quarantinedDays: config.QUARANTINE_RETENTION_DAYS,
      contactOverrides,
      purgeSchedule: config.PURGE_CRON === 'off' ? 'off: purges run only when an admin starts one' : `${config.PURGE_CRON} (${config.PURGE_TIMEZONE})`,
      legalHold: 'suspends purging of a request until lifted',
      whatIsPurged: 'the request, its consent record, handling history and reminders, notifications, webhook deliveries, queue jobs and mail-drop copies (full-payload webhook endpoints are sent contact_request.erased); an anonymous tombstone (ids, day, reason) stays'
    },
    securityMeasures: [
      'Admin API behind scoped, revocable keys stored as SHA-256 hashes; every admin action audited without personal data',
      'Personal fields redacted from logs; queue payloads carry ids only',
      ...(webhookEndpoints.length === 0 ? [] : ['Webhooks signed per Standard Webhooks; signing secrets sealed with AES-256-GCM; deliveries only to public addresses unless a host is allowed by the operator']),
      'Keyed hashes instead of raw IP addresses; IPv6 grouped by /64',
      `Rate limits: ${config.RATE_LIMIT_MAX} submissions per ${config.RATE_LIMIT_WINDOW_SECONDS} s per client; ${config.ADMIN_RATE_LIMIT_MAX} admin requests per minute per client`,
      'Security headers (helmet) and CORS limited to ALLOWED_ORIGINS',
      config.SMTP_URL?.startsWith('smtps:') === true ? 'SMTP over TLS' : 'SMTP with STARTTLS when the server offers it'
    ]
  }
}

export interface RecordRoutesOptions {
  audit: AuditRepository
  contacts: ContactRepository
  webhooks: WebhookRepository
}

const recordRoutes: FastifyPluginAsyncTypebox<RecordRoutesOptions> = async (app, { audit, contacts, webhooks }) => {
  app.get('/audit', {
    config: { scope: 'audit:read', action: 'audit.read' },
    schema: {
      summary: 'Audit entries, newest first',
      querystring: Type.Object({
        action: Type.Optional(Line(100, { required: true, description: 'e.g. requests.read' })),
        targetId: Type.Optional(Line(64, { required: true, description: 'a request, notification, key or purge run id' })),
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 })
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ entries: Type.Array(AuditEntrySchema) }), ...adminErrors }
    }
  }, async (request) => {
    const { action, targetId, from, to, limit } = request.query
    const entries = await audit.list({ action, targetId, from: optionalDate(from), to: optionalDate(to), limit })
    return { entries }
  })

  app.get('/processing-record', {
    config: { scope: 'audit:read', action: 'processing_record.read' },
    schema: { summary: 'The GDPR Art. 30 record of processing, generated from the live configuration', response: { 200: ProcessingRecordSchema, ...adminErrors } }
  }, async () => processingRecord(app.config, await contacts.retentionOverrides(), await webhooks.recipients()))
}

export default recordRoutes
