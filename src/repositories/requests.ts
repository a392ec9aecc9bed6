// The contact-request aggregate: contact_requests with what lives and dies with a request
// (its consent record, its notification, receipt and webhook delivery rows at birth, its history)
// and the tombstone it leaves.
// The only module that names these tables' columns.
//
// Prisma Client wherever it can express the query. Three statements it cannot express run
// here on the pool under Prisma (see src/db/client.ts): the batched intake statement, the
// look-up of earlier requests a submission repeats, and the locked removal.
import type pg from 'pg'
import type { Database } from '../db/client.js'
import { inTransaction } from './transaction.js'
import { createBatcher, fulfilled } from '../batcher.js'
import type { ContactRequest, Prisma, RequestStatus } from '../generated/prisma/client.js'
import { insertDeliveriesSql, isoSql, originOf, subscribedSql } from './webhooks.js'
import { normaliseAddress } from '../privacy/pseudonyms.js'
import { quarantineRule, reasonsOrNone, type QuarantineRule, type SpamReason } from '../spam/rule.js'
import type { SpamScore } from '../spam/scorer.js'
import { CONFIG_DEFAULTS } from '../config.js'
import { learn, logDecision, unlearn, type SpamLabel } from './spam.js'

export interface NewContactRequest {
  id: string
  notificationId: string
  /** The receipt to the person who wrote; null when receipts are off. */
  receiptId: string | null
  contactId: string
  name: string
  email: string
  phone: string | null
  organisation: string | null
  message: string
  locale: string
  pageUrl: string | null
  captchaProvider: string
  captchaVerified: boolean
  captchaKey: string
  fingerprint: string
  idempotencyKey: string | null
  bodySha256: string | null
  /** From the contact's override or the default: decided by createContactRouter() in src/contacts/routing.ts. */
  retentionDays: number
  notice: { version: string, locale: string, sha256: string }
  /** The spam signals decided at intake (src/spam/scorer.ts); the store decides the campaign signal and the quarantine. */
  spam: SpamScore
}

export type StoredRequest = Pick<ContactRequest, 'id' | 'retainUntil'>

/** A request just stored: delivered, or held in quarantine with the reasons it was held for. */
export type NewlyStored = StoredRequest & { webhookDeliveryIds: string[], quarantined: boolean, spamReasons: SpamReason[] }

/** An earlier request that a submission repeats, and how. */
export interface PriorRequest extends StoredRequest {
  sameCaptcha: boolean
  sameFingerprint: boolean
  sameIdempotencyKey: boolean
  bodySha256: string | null
}

/** The keys under which a submission may repeat an earlier request. */
export type RepeatKeys = Pick<ContactRequest, 'captchaKey' | 'fingerprint' | 'idempotencyKey'>

/**
 * What became of a submission given to `store`: stored, or not stored because it
 * repeats these earlier requests. An empty list means it lost a race to a twin
 * stored at the same instant; look again with findPrior.
 */
export type StoreOutcome = { stored: NewlyStored } | { prior: PriorRequest[] }

/** A unique key of contact_requests was already taken: the submission races an earlier one. */
export class DuplicateSubmission extends Error {
  constructor () {
    super('a request with this CAPTCHA solution or Idempotency-Key already exists')
    this.name = 'DuplicateSubmission'
  }
}

// ---------------------------------------------------------------------------------------------
// "Is this a repeat": the one definition. An earlier request is repeated by a submission with the
// same CAPTCHA solution, the same Idempotency-Key, or the same person and message within the
// window ($1 seconds). `keys` is (n, captcha_key, fingerprint, idempotency_key). The key columns
// are char(64): the keys must be bpchar for their indexes to be used.
const MATCHES = `
  matches AS (
    SELECT k.n, r.id, r.received_at, r.retain_until, r.body_sha256,
           r.captcha_key = k.captcha_key AS same_captcha,
           (r.fingerprint = k.fingerprint AND r.received_at > now() - make_interval(secs => $1)) AS same_fingerprint,
           coalesce(r.idempotency_key = k.idempotency_key, false) AS same_idempotency_key
      FROM keys k JOIN contact_requests r
        ON r.captcha_key = k.captcha_key
        OR (r.fingerprint = k.fingerprint AND r.received_at > now() - make_interval(secs => $1))
        OR r.idempotency_key = k.idempotency_key
  )`

const MATCHES_AS_JSON = `
  coalesce(json_agg(json_build_object('n', n, 'id', id, 'retainUntil', retain_until, 'bodySha256', body_sha256,
    'sameCaptcha', same_captcha, 'sameFingerprint', same_fingerprint, 'sameIdempotencyKey', same_idempotency_key)
    ORDER BY received_at), '[]'::json)`

/** The submission's fields in the order of the intake statement's parameters $2, $3, … */
const INPUT: Array<[column: string, type: string, pick: (r: NewContactRequest) => unknown]> = [
  ['id', 'uuid', (r) => r.id],
  ['notification_id', 'uuid', (r) => r.notificationId],
  ['receipt_id', 'uuid', (r) => r.receiptId],
  ['contact_id', 'text', (r) => r.contactId],
  ['name', 'text', (r) => r.name],
  ['email', 'text', (r) => r.email],
  ['phone', 'text', (r) => r.phone],
  ['organisation', 'text', (r) => r.organisation],
  ['message', 'text', (r) => r.message],
  ['locale', 'text', (r) => r.locale],
  ['page_url', 'text', (r) => r.pageUrl],
  ['captcha_provider', 'text', (r) => r.captchaProvider],
  ['captcha_verified', 'boolean', (r) => r.captchaVerified],
  ['captcha_key', 'bpchar', (r) => r.captchaKey],
  ['fingerprint', 'bpchar', (r) => r.fingerprint],
  ['idempotency_key', 'bpchar', (r) => r.idempotencyKey],
  ['body_sha256', 'bpchar', (r) => r.bodySha256],
  ['retention_days', 'int', (r) => r.retentionDays],
  ['notice_version', 'text', (r) => r.notice.version],
  ['notice_locale', 'text', (r) => r.notice.locale],
  ['notice_sha256', 'bpchar', (r) => r.notice.sha256],
  ['spam_score', 'real', (r) => r.spam.score],
  ['spam_reason_list', 'text', (r) => r.spam.reasons.join(',')],
  ['campaign_key', 'bpchar', (r) => r.spam.campaignKey]
]

/** The quarantine rule's parameters, after the submissions' arrays. */
const [THRESHOLD, CAMPAIGN_WEIGHT, CAMPAIGN_SENDERS, CAMPAIGN_WINDOW] = [0, 1, 2, 3].map((k) => `$${INPUT.length + 2 + k}`)
const ruleValues = (rule: QuarantineRule): unknown[] =>
  [rule.threshold, rule.campaignWeight, rule.campaignSenders, rule.campaignWindowSeconds]

/**
 * The contact_request.received deliveries of the requests in `from` (alias r, with the request's
 * id and dates; `contact` is its contact's id), one per subscribed endpoint: at intake and at release.
 */
const receivedDeliveriesSql = (from: string, contact: string, where?: string): string => insertDeliveriesSql({
  event: 'contact_request.received',
  from,
  endpoints: subscribedSql('contact_request.received', contact),
  requestId: 'r.id',
  data: `json_build_object('requestId', r.id, 'contactId', ${contact}, 'receivedAt', ${isoSql('r.received_at')}, 'retainUntil', ${isoSql('r.retain_until')})`,
  where
})

// A batch of submissions as parallel arrays. Each is stored, with its consent record, unless it
// repeats an earlier request or another submission of the batch carries the same person and message.
// A key taken meanwhile (ON CONFLICT DO NOTHING) skips only that row. Whether the contact can take
// requests is decided before (src/intake/service.ts).
// Its spam score is completed here by the campaign signal (the same text from enough addresses in
// the window, this one included); a request that reaches the threshold is quarantined: stored with
// its reasons, written in the anonymous decision log, and given no notification, receipt or webhook.
const STORE = `
  WITH input AS (
    SELECT * FROM unnest(${INPUT.map(([, type], i) => `$${i + 2}::${type}[]`).join(', ')}) WITH ORDINALITY
      AS i(${INPUT.map(([column]) => column).join(', ')}, n)
  ), keys AS (SELECT n, captcha_key, fingerprint, idempotency_key FROM input
  ), ${MATCHES}, accepted AS (
    SELECT DISTINCT ON (i.fingerprint) i.* FROM input i
     WHERE NOT EXISTS (SELECT 1 FROM matches m WHERE m.n = i.n)
     ORDER BY i.fingerprint, i.n
  ), campaign AS (
    -- Distinct senders of the text in the window, this one's other addresses aside, found by
    -- stepping from one address to the next in the (campaign_key, email) index: at most
    -- SPAM_CAMPAIGN_SENDERS probes, enough for this sender and the others it takes (case variants
    -- of one address take a probe each and count once: a sender cannot pose as several that way).
    SELECT a.n, a.campaign_key IS NOT NULL
           -- Most texts were never sent before: one probe says so before the count is set up.
           AND EXISTS (SELECT 1 FROM contact_requests c WHERE c.campaign_key = a.campaign_key
                          AND c.received_at > now() - make_interval(secs => ${CAMPAIGN_WINDOW}::int))
           AND 1 + (
             WITH RECURSIVE sender (email, k) AS (
               SELECT ''::text, 0
               UNION ALL
               SELECT (SELECT c.email FROM contact_requests c
                        WHERE c.campaign_key = a.campaign_key AND c.email > s.email
                          AND c.received_at > now() - make_interval(secs => ${CAMPAIGN_WINDOW}::int)
                        ORDER BY c.email LIMIT 1), s.k + 1
                 FROM sender s WHERE s.email IS NOT NULL AND s.k < ${CAMPAIGN_SENDERS}::int
             )
             SELECT count(DISTINCT lower(email)) FROM sender WHERE k > 0 AND lower(email) <> lower(a.email)
           ) >= ${CAMPAIGN_SENDERS}::int AS fired
      FROM accepted a
  ), decided AS (
    SELECT a.*, d.reasons, d.score, d.score >= ${THRESHOLD}::real AS quarantined
      FROM accepted a JOIN campaign c USING (n),
   LATERAL (SELECT string_to_array(a.spam_reason_list, ',') || CASE WHEN c.fired THEN ARRAY['campaign'] ELSE ARRAY[]::text[] END AS reasons,
                   a.spam_score + CASE WHEN c.fired THEN ${CAMPAIGN_WEIGHT}::real ELSE 0 END AS score) d
  ), request AS (
    INSERT INTO contact_requests (id, contact_id, name, email, phone, organisation, message, locale, page_url,
                                  captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, retain_until,
                                  status, spam_score, spam_reasons, campaign_key, quarantined_at)
    SELECT id, contact_id, name, email, phone, organisation, message, locale, page_url,
           captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, now() + make_interval(days => retention_days),
           CASE WHEN quarantined THEN 'quarantined' ELSE 'received' END::request_status, score, reasons, campaign_key,
           CASE WHEN quarantined THEN now() END
      FROM decided
     ORDER BY n -- first come, first stored: a later row with a taken key is the one skipped
    ON CONFLICT DO NOTHING
    RETURNING id, received_at, retain_until, status = 'quarantined' AS quarantined, spam_reasons, spam_score
  ), delivered AS (SELECT * FROM request WHERE NOT quarantined
  ), consent AS (
    INSERT INTO consent_records (request_id, notice_version, notice_locale, notice_sha256, method, consented_at)
    SELECT r.id, i.notice_version, i.notice_locale, i.notice_sha256, 'checkbox', r.received_at FROM request r JOIN input i USING (id)
  ), notification AS (
    INSERT INTO notifications (id, request_id) SELECT i.notification_id, r.id FROM delivered r JOIN input i USING (id)
  ), receipt AS (
    INSERT INTO receipts (id, request_id) SELECT i.receipt_id, r.id FROM delivered r JOIN input i USING (id) WHERE i.receipt_id IS NOT NULL
  ), webhook AS (
    ${receivedDeliveriesSql('delivered r JOIN input i USING (id)', 'i.contact_id')}
  ), decision AS (
    INSERT INTO spam_decisions (id, decision, reasons, score)
    SELECT gen_random_uuid(), 'quarantined', spam_reasons, spam_score FROM request WHERE quarantined
  )
  SELECT (SELECT coalesce(json_agg(json_build_object('id', q.id, 'retainUntil', q.retain_until, 'quarantined', q.quarantined, 'spamReasons', q.spam_reasons,
            'webhookDeliveryIds', (SELECT coalesce(json_agg(w.id), '[]'::json) FROM webhook w WHERE w.request_id = q.id))), '[]'::json) FROM request q) AS stored,
         (SELECT ${MATCHES_AS_JSON} FROM matches) AS matches`

const FIND_PRIOR = `
  WITH keys AS (SELECT 1::bigint AS n, $2::bpchar AS captcha_key, $3::bpchar AS fingerprint, $4::bpchar AS idempotency_key
  ), ${MATCHES}
  SELECT ${MATCHES_AS_JSON} AS matches FROM matches`

interface MatchRow {
  n: number
  id: string
  retainUntil: string
  bodySha256: string | null
  sameCaptcha: boolean
  sameFingerprint: boolean
  sameIdempotencyKey: boolean
}

const toPrior = ({ n: _n, retainUntil, ...match }: MatchRow): PriorRequest => ({ ...match, retainUntil: new Date(retainUntil) })

// ---------------------------------------------------------------------------------------------
// "May this request be removed": the one definition, used by every purge and erasure below.
// A legal hold keeps a request (GDPR Art. 17(3)(e)); a restriction does not keep it past its retention.
const REMOVABLE = 'r.legal_hold_reason IS NULL'

/** Which requests a removal takes. */
export type RemovalSelection =
  /** Retention over, oldest first, at most `limit`, skipping rows another purge holds. */
  | { due: { cutoff: Date, limit: number } }
  /** Quarantined before `before` (QUARANTINE_RETENTION_DAYS ago), oldest first, likewise. */
  | { quarantineDue: { before: Date, limit: number } }
  /** Everything sent from an address (case-insensitive). */
  | { email: string }
  | { id: string }

/** The WHERE clause (over alias r) and its values for a selection, removable rows only or held ones only. */
function selectionSql (selection: RemovalSelection, held = false): { where: string, values: unknown[] } {
  const rule = held ? `NOT (${REMOVABLE})` : REMOVABLE
  if ('due' in selection) {
    return {
      where: `r.id IN (SELECT r.id FROM contact_requests r WHERE r.retain_until < $1 AND ${rule} ORDER BY r.retain_until LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      values: [selection.due.cutoff, selection.due.limit]
    }
  }
  if ('quarantineDue' in selection) {
    return {
      where: `r.id IN (SELECT r.id FROM contact_requests r WHERE r.status = 'quarantined' AND r.quarantined_at < $1 AND ${rule} ORDER BY r.quarantined_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      values: [selection.quarantineDue.before, selection.quarantineDue.limit]
    }
  }
  if ('email' in selection) return { where: `lower(r.email) = $1 AND ${rule}`, values: [normaliseAddress(selection.email)] }
  return { where: `r.id = $1 AND ${rule}`, values: [selection.id] }
}

export type RemovalReason = 'retention' | 'erasure'

/** What a removed request caused: the jobs of its e-mails and webhooks, and mail copies, go with it. */
export interface Outbox { notificationIds: string[], receiptIds: string[], webhookDeliveryIds: string[] }

// Who is told of a removal (GDPR Art. 19): endpoints subscribed to it, and every `full` endpoint
// the request's fields may have reached (an attempt was made), enabled or not.
const ERASED = insertDeliveriesSql({
  event: 'contact_request.erased',
  from: 'contact_requests r',
  endpoints: `(${subscribedSql('contact_request.erased', 'r.contact_id')} OR (e.payload_mode = 'full' AND EXISTS (
    SELECT 1 FROM webhook_deliveries w WHERE w.request_id = r.id AND w.endpoint_id = e.id AND w.attempts > 0)))`,
  requestId: 'NULL',
  data: `json_build_object('requestId', r.id, 'contactId', r.contact_id, 'reason', $2::text, 'erasedAt', ${isoSql('now()')})`,
  where: 'r.id = ANY($1::uuid[])'
})

// ---------------------------------------------------------------------------------------------
// Admin and data-subject reads.

/** Everything about one request an admin or its subject may see; the keyed hashes that find repeats are not part of it. */
const DETAIL = {
  id: true,
  contactId: true,
  name: true,
  email: true,
  phone: true,
  organisation: true,
  message: true,
  locale: true,
  pageUrl: true,
  status: true,
  captchaProvider: true,
  captchaVerified: true,
  receivedAt: true,
  retainUntil: true,
  closedAt: true,
  legalHoldReason: true,
  legalHoldAt: true,
  restrictedAt: true,
  spamScore: true,
  spamReasons: true,
  quarantinedAt: true,
  handler: true,
  takenAt: true,
  answeredAt: true,
  followUpStage: true,
  consent: {
    select: {
      noticeVersion: true,
      noticeLocale: true,
      noticeSha256: true,
      method: true,
      consentedAt: true,
      notice: { select: { version: true, locale: true, text: true, sha256: true, publishedAt: true } }
    }
  },
  receipt: { select: { id: true, status: true, attempts: true, lastError: true, createdAt: true, sentAt: true, failedAt: true } },
  notifications: {
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      status: true,
      recipient: true,
      routeReason: true,
      attempts: true,
      lastError: true,
      smtpResponse: true,
      messageId: true,
      createdAt: true,
      queuedAt: true,
      lastAttemptAt: true,
      sentAt: true,
      failedAt: true
    }
  },
  events: { orderBy: { at: 'asc' }, select: { at: true, kind: true, value: true, actor: true } },
  webhooks: {
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      eventType: true,
      status: true,
      createdAt: true,
      deliveredAt: true,
      endpoint: { select: { id: true, url: true, description: true, payloadMode: true } }
    }
  }
} satisfies Prisma.ContactRequestSelect
type DetailRow = Prisma.ContactRequestGetPayload<{ select: typeof DETAIL }>
type WebhookRecipient = Omit<DetailRow['webhooks'][number]['endpoint'], 'url'> & { origin: string }

/**
 * A request as an admin or its subject sees it. Of each webhook endpoint that received it, the
 * origin only: a URL's path can hold a token.
 */
export type RequestDetail = Omit<DetailRow, 'webhooks'> & { webhooks: Array<Omit<DetailRow['webhooks'][number], 'endpoint'> & { endpoint: WebhookRecipient }> }

function toDetail ({ webhooks, ...row }: DetailRow): RequestDetail {
  const withOrigins = webhooks.map(({ endpoint: { url, ...endpoint }, ...delivery }) =>
    ({ ...delivery, endpoint: { ...endpoint, origin: originOf(url) } }))
  return { ...row, webhooks: withOrigins }
}

export interface RequestFilter {
  contactId?: string
  status?: RequestStatus
  /** Only the requests this contact may see in the console: addressed or passed to them, not quarantined. */
  visibleTo?: string
  from?: Date
  to?: Date
  /** Newest first; the page after this (receivedAt, id). */
  after?: { receivedAt: Date, id: string }
  limit: number
}

export interface RequestRepositoryOptions {
  /** The same person and message again within this many seconds is a repeat. */
  duplicateWindowSeconds: number
  /** How the store decides the campaign signal and the quarantine (src/spam/scorer.ts); the default configuration's when absent. */
  quarantine?: QuarantineRule
  /** Statements running at once, and submissions per statement (see src/batcher.ts). */
  maxInFlight?: number
  maxBatch?: number
}

// eslint-disable-next-line max-lines-per-function -- a repository: each method is one query
export function createRequestRepository ({ prisma, pool }: Database, options: RequestRepositoryOptions) {
  const { duplicateWindowSeconds, quarantine = quarantineRule(CONFIG_DEFAULTS), maxInFlight = 4, maxBatch = 50 } = options

  async function storeAll (batch: NewContactRequest[]): Promise<StoreOutcome[]> {
    type StoreRow = { stored: Array<Omit<NewlyStored, 'retainUntil'> & { retainUntil: string }>, matches: MatchRow[] }
    const { rows: [row] } = await pool.query<StoreRow>(
      STORE, [duplicateWindowSeconds, ...INPUT.map(([, , pick]) => batch.map(pick)), ...ruleValues(quarantine)])
    const stored = new Map((row?.stored ?? []).map((s) => [s.id, s]))
    const matches = row?.matches ?? []
    return batch.map((r, i): StoreOutcome => {
      const receipt = stored.get(r.id)
      if (receipt !== undefined) return { stored: { ...receipt, retainUntil: new Date(receipt.retainUntil) } }
      return { prior: matches.filter((m) => m.n === i + 1).map(toPrior) }
    })
  }

  const stores = createBatcher<NewContactRequest, StoreOutcome>({
    maxInFlight,
    maxBatch,
    async run (batch) {
      try {
        return fulfilled(await storeAll(batch))
      } catch (err) {
        // One bad row must not fail the others: give each its own statement and its own error.
        if (batch.length === 1) throw err
        return await Promise.allSettled(batch.map(async (r) => (await storeAll([r]))[0] as StoreOutcome))
      }
    }
  })

  return {
    /** Stores a submission with its consent record and notification (all or nothing), unless it repeats one. */
    async store (request: NewContactRequest): Promise<StoreOutcome> {
      return await stores.push(request)
    },

    /** Earlier requests a submission with these keys repeats, oldest first; for the rare paths around `store`. */
    async findPrior (keys: RepeatKeys): Promise<PriorRequest[]> {
      const values = [duplicateWindowSeconds, keys.captchaKey, keys.fingerprint, keys.idempotencyKey]
      const { rows: [row] } = await pool.query<{ matches: MatchRow[] }>(FIND_PRIOR, values)
      return (row?.matches ?? []).map(toPrior)
    },

    /** What the withdrawal page shows of a request: whom it went to, when, until when, and whether a hold keeps it. */
    async withdrawalView (id: string): Promise<{ contactName: string, receivedAt: Date, retainUntil: Date, held: boolean } | null> {
      const row = await prisma.contactRequest.findUnique({
        where: { id },
        select: { receivedAt: true, retainUntil: true, legalHoldReason: true, contact: { select: { name: true } } }
      })
      if (row === null) return null
      return { contactName: row.contact.name, receivedAt: row.receivedAt, retainUntil: row.retainUntil, held: row.legalHoldReason !== null }
    },

    async detail (id: string): Promise<RequestDetail | null> {
      const row = await prisma.contactRequest.findUnique({ where: { id }, select: DETAIL })
      return row === null ? null : toDetail(row)
    },

    /** One page of requests, newest first, and whether another follows. */
    async list (filter: RequestFilter): Promise<{ page: ContactRequest[], more: boolean }> {
      const { contactId, status, from, to, after, limit, visibleTo } = filter
      const rows = await prisma.contactRequest.findMany({
        where: {
          contactId,
          status,
          // A project manager's own: addressed or passed to them, never the quarantine.
          ...(visibleTo === undefined ? {} : { AND: [{ OR: [{ contactId: visibleTo }, { handler: `contact:${visibleTo}` }] }, { status: { not: 'quarantined' } }] }),
          receivedAt: { gte: from, lt: to },
          ...(after === undefined
            ? {}
            : { OR: [{ receivedAt: { lt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { lt: after.id } }] })
        },
        orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
        take: limit + 1
      })
      return { page: rows.slice(0, limit), more: rows.length > limit }
    },

    /**
     * Changes a request under a row lock and writes the change to its history, in one
     * transaction; `data` sees the row as it is once locked. Null when there is no such request.
     */
    async change (
      id: string, event: { kind: string, value: string, actor: string }, data: (current: ContactRequest) => Prisma.ContactRequestUpdateInput
    ): Promise<ContactRequest | null> {
      return await prisma.$transaction(async (tx) => {
        const [locked] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM contact_requests WHERE id = ${id}::uuid FOR UPDATE`
        if (locked === undefined) return null
        const current = await tx.contactRequest.findUniqueOrThrow({ where: { id } })
        const updated = await tx.contactRequest.update({ where: { id }, data: data(current) })
        await tx.requestEvent.create({ data: { id: crypto.randomUUID(), requestId: id, ...event } })
        return updated
      })
    },

    /** How many requests an address sent, and how many of them a legal hold keeps: what an erasure's confirmation says. */
    async countByEmail (email: string): Promise<{ requests: number, held: number }> {
      const { rows: [row] } = await pool.query<{ requests: number, held: number }>(
        'SELECT count(*)::int AS requests, (count(*) FILTER (WHERE legal_hold_reason IS NOT NULL))::int AS held FROM contact_requests WHERE lower(email) = $1',
        [normaliseAddress(email)])
      return row ?? { requests: 0, held: 0 }
    },

    /** Everything sent from an address, oldest first. */
    async detailsByEmail (email: string): Promise<RequestDetail[]> {
      const { rows } = await pool.query<{ id: string }>('SELECT id FROM contact_requests WHERE lower(email) = $1', [normaliseAddress(email)])
      return (await prisma.contactRequest.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { receivedAt: 'asc' }, select: DETAIL })).map(toDetail)
    },

    /** Ids of the selected requests a legal hold keeps from removal. */
    async heldIds (selection: { email: string } | { id: string }): Promise<string[]> {
      const { where, values } = selectionSql(selection, true)
      const { rows } = await pool.query<{ id: string }>(`SELECT r.id FROM contact_requests r WHERE ${where} ORDER BY r.received_at`, values)
      return rows.map((r) => r.id)
    },

    /**
     * Removes the selected requests for good, in one transaction: locks them (waiting for rows
     * another transaction holds, except for `due`, which skips them), hands their notification
     * receipt and webhook delivery ids to `removeTraces` while they are locked (if it fails, nothing is deleted and a later
     * run finds the same rows), writes the contact_request.erased deliveries it owes, then deletes them, leaving an
     * anonymous tombstone for each; consent records, notifications, webhook deliveries and history go with them (ON DELETE CASCADE).
     */
    async remove<T> (
      selection: RemovalSelection, reason: RemovalReason, runId: string | null, removeTraces: (outbox: Outbox) => Promise<T>
    ): Promise<{ ids: string[], outbox: Outbox, traces: T, erasedEvents: string[], quarantinedByReason: Record<string, number> }> {
      return await inTransaction(pool, async (client) => {
        const { where, values } = selectionSql(selection)
        const { rows } = await client.query<{ id: string, quarantinedFor: string[] | null, notificationIds: string[], receiptIds: string[], webhookDeliveryIds: string[] }>(`
          SELECT r.id, CASE WHEN r.status = 'quarantined' THEN r.spam_reasons END AS "quarantinedFor",
                 array(SELECT n.id::text FROM notifications n WHERE n.request_id = r.id) AS "notificationIds",
                 array(SELECT x.id::text FROM receipts x WHERE x.request_id = r.id) AS "receiptIds",
                 array(SELECT w.id::text FROM webhook_deliveries w WHERE w.request_id = r.id) AS "webhookDeliveryIds"
            FROM contact_requests r WHERE ${where}
             FOR UPDATE OF r`, values)
        const outbox = {
          notificationIds: rows.flatMap((r) => r.notificationIds),
          receiptIds: rows.flatMap((r) => r.receiptIds),
          webhookDeliveryIds: rows.flatMap((r) => r.webhookDeliveryIds)
        }
        const traces = await removeTraces(outbox)
        let erasedEvents: string[] = []
        if (rows.length > 0) {
          // What the classifier learned from these requests goes with them.
          await unlearn(client, rows.map((r) => r.id))
          erasedEvents = (await client.query<{ id: string }>(ERASED, [rows.map((r) => r.id), reason])).rows.map((r) => r.id)
          await client.query(`
            WITH gone AS (DELETE FROM contact_requests WHERE id = ANY($1::uuid[]) RETURNING id, contact_id, received_at)
            INSERT INTO purge_tombstones (request_id, contact_id, received_on, reason, run_id)
            SELECT id, contact_id, (received_at AT TIME ZONE 'Europe/Stockholm')::date, $2, $3 FROM gone
            ON CONFLICT (request_id) DO NOTHING`, [rows.map((r) => r.id), reason, runId])
        }
        const quarantinedByReason = countByReason(rows.map((r) => r.quarantinedFor))
        return { ids: rows.map((r) => r.id), outbox, traces, erasedEvents, quarantinedByReason }
      })
    },

    /**
     * An admin's spam decision on a request, in one transaction under its row lock: a release takes
     * it out of quarantine and writes the notification, receipt and contact_request.received
     * deliveries it was held from (those it does not have already); a mark as spam puts it in
     * quarantine (its pending work is then settled as held when claimed). Either way the classifier
     * learns the request's label (replacing an earlier one), and the decision goes to its history
     * and the anonymous log. Null when there is no such request.
     *
     * Exactly once: only the transaction that changes the status writes the work; a second release
     * finds it released and writes nothing. The new rows' ids are the jobs' ids.
     */
    async decide (id: string, decision: SpamDecision): Promise<DecisionOutcome | null> {
      return await inTransaction(pool, async (client) => {
        type Current = { status: string, message: string, email: string, spamReasons: string[], spamScore: number | null }
        const { rows: [current] } = await client.query<Current>(
          'SELECT status, message, email, spam_reasons AS "spamReasons", spam_score AS "spamScore" FROM contact_requests WHERE id = $1 FOR UPDATE', [id])
        if (current === undefined) return null
        const release = decision.kind === 'release'
        const changed = release ? current.status === 'quarantined' : current.status !== 'quarantined'
        let work: Outbox = { notificationIds: [], receiptIds: [], webhookDeliveryIds: [] }
        if (changed && release) {
          work = await releaseWork(client, id, decision.notificationId, decision.receiptId)
        } else if (changed) {
          await client.query("UPDATE contact_requests SET status = 'quarantined', quarantined_at = now() WHERE id = $1", [id])
        }
        const label: SpamLabel = release ? 'ham' : 'spam'
        await unlearn(client, [id])
        await learn(client, id, label, decision.tokens(current.message, current.email))
        await logDecision(client, release ? 'released' : 'marked_spam', current.spamReasons, current.spamScore)
        await client.query('INSERT INTO request_events (id, request_id, kind, value, actor) VALUES (gen_random_uuid(), $1, $2, $3, $4)',
          [id, 'spam', release ? 'released' : 'marked_spam', decision.actor])
        return { changed, work, spamReasons: current.spamReasons }
      })
    },

    /** What a purge at `cutoff` would remove: requests, their notifications, and how many of those `withMailFile` names. */
    async countDue (
      cutoff: Date, quarantinedBefore: Date, withMailFile: string[]
    ): Promise<{ requests: number, notifications: number, mailFiles: number }> {
      const { rows: [due] } = await pool.query<{ requests: number, notifications: number, mailFiles: number }>(`
        SELECT count(DISTINCT r.id)::int AS requests, count(n.id)::int AS notifications,
               count(n.id) FILTER (WHERE n.id::text = ANY($2::text[]))::int AS "mailFiles"
          FROM contact_requests r LEFT JOIN notifications n ON n.request_id = r.id
         WHERE (r.retain_until < $1 OR (r.status = 'quarantined' AND r.quarantined_at < $3)) AND ${REMOVABLE}`, [cutoff, withMailFile, quarantinedBefore])
      return due ?? { requests: 0, notifications: 0, mailFiles: 0 }
    }
  }
}
export type RequestRepository = ReturnType<typeof createRequestRepository>

/** An admin's spam decision, with what it needs: the classifier's tokens of the request, and the new work's ids for a release. */
export type SpamDecision = { actor: string, tokens: (message: string, email: string) => string[] } & (
  | { kind: 'release', notificationId: string, receiptId: string | null }
  | { kind: 'mark_spam' })

/** What a decision did: whether it changed the request's status, and the work a release wrote (to enqueue). */
export interface DecisionOutcome { changed: boolean, work: Outbox, spamReasons: string[] }

const RELEASE = `
  WITH released AS (
    UPDATE contact_requests SET status = 'received', quarantined_at = NULL WHERE id = $1 AND status = 'quarantined'
    RETURNING id, contact_id, received_at, retain_until
  ), notification AS (
    INSERT INTO notifications (id, request_id) SELECT $2, r.id FROM released r
     WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.request_id = r.id AND n.status IN ('pending', 'queued', 'sent'))
    RETURNING id
  ), receipt AS (
    INSERT INTO receipts (id, request_id) SELECT $3, r.id FROM released r WHERE $3::uuid IS NOT NULL
    ON CONFLICT (request_id) DO NOTHING
    RETURNING id
  ), webhook AS (
    ${receivedDeliveriesSql('released r', 'r.contact_id', `NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.request_id = r.id
      AND w.endpoint_id = e.id AND w.event_type = 'contact_request.received' AND w.status IN ('pending', 'queued', 'delivered'))`)}
  )
  SELECT array(SELECT id::text FROM notification) AS "notificationIds", array(SELECT id::text FROM receipt) AS "receiptIds",
         array(SELECT id::text FROM webhook) AS "webhookDeliveryIds"`

/** A release's status change and the work it writes (see decide). */
async function releaseWork (client: pg.PoolClient, id: string, notificationId: string, receiptId: string | null): Promise<Outbox> {
  const { rows: [work] } = await client.query<Outbox>(RELEASE, [id, notificationId, receiptId])
  return work ?? { notificationIds: [], receiptIds: [], webhookDeliveryIds: [] }
}

/** Quarantined requests (their reasons; null for the others) counted by reason; one without any counts as none. */
function countByReason (quarantinedFor: Array<string[] | null>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const reasons of quarantinedFor) {
    if (reasons === null) continue
    for (const reason of reasonsOrNone(reasons)) counts[reason] = (counts[reason] ?? 0) + 1
  }
  return counts
}

/** Statements composed from fragments: checked in expanded in src/repositories/sql/ (test/unit/repositories/composed-sql.test.ts). */
export const COMPOSED_STATEMENTS = { 'requests.store': STORE, 'requests.find-prior': FIND_PRIOR, 'requests.erased-deliveries': ERASED, 'requests.release': RELEASE }
