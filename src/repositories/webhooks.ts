// Webhook endpoints, their deliveries (an outbox: one row per event and endpoint, written in the
// transaction of the event) and the attempt log. The only module that names these tables'
// columns, and the one definition of which endpoints an event goes to (used by the request and
// notification statements that write events).
import type { Database } from '../db/client.js'
import { createBatcher, fulfilled } from '../batcher.js'
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../generated/prisma/client.js'
import type { SubmittedFields, WebhookEventType } from '../schemas/webhook-events.js'
import { HELD_OUTCOME, heldReasonSql, heldSql } from './restriction.js'
import { justQueuedWhere, relayableWhere } from './outbox.js'

/** A timestamp as JSON would write it (ISO 8601, UTC), whatever the session's time zone. */
export const isoSql = (expr: string): string => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * "Which endpoints take this event about a request to this contact" (alias e): the one
 * definition. `contact` is an SQL expression.
 */
export const subscribedSql = (event: WebhookEventType, contact: string): string =>
  `(e.enabled AND '${event}' = ANY(e.events) AND (e.contact_id IS NULL OR e.contact_id = ${contact}))`

/**
 * An INSERT of one delivery per endpoint `endpoints` selects (alias e) from each row of `from`;
 * it returns the deliveries' ids and request ids. For a CTE in the statement that writes the event.
 */
export function insertDeliveriesSql ({ event, from, endpoints, requestId, data, where = 'true' }: { event: WebhookEventType, from: string, endpoints: string, requestId: string, data: string, where?: string }): string {
  return `INSERT INTO webhook_deliveries (id, endpoint_id, event_type, request_id, data)
    SELECT gen_random_uuid(), e.id, '${event}', ${requestId}, ${data} FROM ${from} JOIN webhook_endpoints e ON ${endpoints} WHERE ${where}
    RETURNING id, request_id`
}

/** An endpoint as admins see it: everything but its sealed secrets. */
export type EndpointView = Omit<WebhookEndpoint, 'secretSealed' | 'previousSecretSealed'>
const VIEW = { secretSealed: true, previousSecretSealed: true } as const

export type NewEndpoint = Pick<WebhookEndpoint, 'id' | 'url' | 'description' | 'events' | 'contactId' | 'payloadMode' | 'secretSealed'>
export type EndpointChange = Partial<Pick<WebhookEndpoint, 'url' | 'description' | 'events' | 'contactId' | 'payloadMode' | 'enabled'>>

/** What one attempt needs, read as it is claimed. */
export interface ClaimedDelivery {
  id: string
  eventType: string
  data: Record<string, unknown>
  /** Attempts so far, this one included. */
  attempts: number
  createdAt: Date
  endpointId: string
  url: string
  secretSealed: string
  /** The secret before the last rotation, while it still signs. */
  previousSecretSealed: string | null
  /** The submitted fields, for a `full` endpoint's delivery of a request that exists. */
  submission: SubmittedFields | null
}

// A delivery is attempted only while its endpoint is enabled and its request's work is not held
// (restricted or quarantined: src/repositories/restriction.ts); otherwise it is settled here,
// visibly, instead of being sent. For a batch of
// deliveries (see src/batcher.ts): the worker's first statement per attempt.
const CLAIM = `
  WITH target AS (
    SELECT d.id, e.enabled, ${heldSql('d.request_id')} AS held, ${heldReasonSql('d.request_id')} AS held_reason
      FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE d.id = ANY($1::uuid[]) AND d.status IN ('pending', 'queued')
       FOR UPDATE OF d
  ), settled AS (
    UPDATE webhook_deliveries d
       SET status = (CASE WHEN t.held THEN '${HELD_OUTCOME.webhook_deliveries}' ELSE 'failed' END)::webhook_delivery_status,
           failed_at = CASE WHEN t.held THEN NULL ELSE now() END,
           last_error = CASE WHEN t.held THEN t.held_reason ELSE 'endpoint disabled' END,
           updated_at = now()
      FROM target t WHERE d.id = t.id AND (t.held OR NOT t.enabled)
  ), claimed AS (
    UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(), updated_at = now()
      FROM target t WHERE d.id = t.id AND t.enabled AND NOT t.held
    RETURNING d.id, d.endpoint_id, d.event_type, d.request_id, d.data, d.attempts, d.created_at
  )
  SELECT c.id, c.event_type AS "eventType", c.data, c.attempts, c.created_at AS "createdAt",
         e.id AS "endpointId", e.url, e.secret_sealed AS "secretSealed",
         CASE WHEN e.previous_secret_until > now() THEN e.previous_secret_sealed END AS "previousSecretSealed",
         CASE WHEN e.payload_mode = 'full' AND r.id IS NOT NULL
              THEN json_build_object('name', r.name, 'email', r.email, 'phone', r.phone, 'organisation', r.organisation,
                                     'message', r.message, 'locale', r.locale, 'pageUrl', r.page_url) END AS submission
    FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id LEFT JOIN contact_requests r ON r.id = c.request_id`

// Attempts into the log and their consequence for each delivery (outcome: delivered, failed, or
// null while retries remain) and, after a success, for its endpoint's failing streak; for a batch
// of attempts, the worker's second statement. An attempt is logged only while its delivery exists
// (an erasure may have taken it meanwhile).
const RECORD_ATTEMPTS = `
  WITH v AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[])
      AS v(id, status_code, error_kind, duration_ms, response, outcome, last_error)
  ), attempt AS (
    INSERT INTO webhook_attempts (id, delivery_id, status_code, error_kind, duration_ms, response)
    SELECT gen_random_uuid(), d.id, v.status_code, v.error_kind, v.duration_ms, v.response FROM v JOIN webhook_deliveries d ON d.id = v.id
  ), delivery AS (
    UPDATE webhook_deliveries d
       SET status = coalesce(v.outcome::webhook_delivery_status, d.status),
           delivered_at = CASE WHEN v.outcome = 'delivered' THEN now() ELSE d.delivered_at END,
           failed_at = CASE WHEN v.outcome = 'failed' THEN now() ELSE d.failed_at END,
           last_status = v.status_code, last_error = v.last_error, updated_at = now()
      FROM v WHERE d.id = v.id
    RETURNING d.endpoint_id, v.outcome
  )
  UPDATE webhook_endpoints SET failing_since = NULL, updated_at = now()
   WHERE failing_since IS NOT NULL AND id IN (SELECT endpoint_id FROM delivery WHERE outcome = 'delivered')`

// A failed attempt starts or extends its endpoint's failing streak; a streak longer than $2
// seconds disables the endpoint. Answers whether this call disabled it.
const RECORD_ENDPOINT_FAILURE = `
  UPDATE webhook_endpoints e
     SET failing_since = coalesce(e.failing_since, now()),
         enabled = e.enabled AND NOT was.overdue,
         disabled_reason = CASE WHEN e.enabled AND was.overdue THEN $3 ELSE e.disabled_reason END,
         disabled_at = CASE WHEN e.enabled AND was.overdue THEN now() ELSE e.disabled_at END,
         updated_at = now()
    FROM (SELECT id, enabled, coalesce(failing_since < now() - make_interval(secs => $2), false) AS overdue
            FROM webhook_endpoints WHERE id = $1 FOR UPDATE) was
   WHERE e.id = was.id
  RETURNING was.enabled AND was.overdue AS "disabledNow"`

export type DeliveryOutcome = 'delivered' | 'failed' | 'retrying'

export interface AttemptRecord {
  status: number | null
  errorKind: string | null
  durationMs: number
  response: string | null
  detail: string
}

export type DeliveryWithAttempts = WebhookDelivery & { attemptLog: Array<Omit<WebhookAttempt, 'deliveryId'>> }

/**
 * Where an endpoint is, as the subject export and the record of processing name it: scheme, host
 * and port only, since a URL's path can hold a token.
 */
export const originOf = (url: string): string => new URL(url).origin

/** What the record of processing says about an endpoint. */
export type Recipient = Pick<WebhookEndpoint, 'id' | 'description' | 'payloadMode' | 'events' | 'contactId' | 'enabled'> & { origin: string }

interface Recorded { id: string, attempt: AttemptRecord, outcome: DeliveryOutcome }

// eslint-disable-next-line max-lines-per-function -- a repository: each method is one query
export function createWebhookRepository ({ prisma, pool }: Database) {
  // The worker's two statements per attempt, batched across the jobs running at once (its hot path).
  const claims = createBatcher<string, ClaimedDelivery | null>({
    maxInFlight: 2,
    maxBatch: 100,
    async run (ids) {
      const { rows } = await pool.query<Omit<ClaimedDelivery, 'createdAt'> & { createdAt: string }>(CLAIM, [ids])
      const byId = new Map(rows.map((row) => [row.id, { ...row, createdAt: new Date(row.createdAt) }]))
      return fulfilled(ids.map((id) => byId.get(id) ?? null))
    }
  })
  const records = createBatcher<Recorded, void>({
    maxInFlight: 2,
    maxBatch: 100,
    async run (batch) {
      const column = <T>(pick: (r: Recorded) => T) => batch.map(pick)
      await pool.query(RECORD_ATTEMPTS, [
        column((r) => r.id), column((r) => r.attempt.status), column((r) => r.attempt.errorKind), column((r) => r.attempt.durationMs),
        column((r) => r.attempt.response), column((r) => r.outcome === 'retrying' ? null : r.outcome), column((r) => r.outcome === 'delivered' ? null : r.attempt.detail)
      ])
      return fulfilled(batch.map(() => undefined))
    }
  })

  return {
    async create (endpoint: NewEndpoint): Promise<EndpointView> {
      return await prisma.webhookEndpoint.create({ data: endpoint, omit: VIEW })
    },

    async list (): Promise<EndpointView[]> {
      return await prisma.webhookEndpoint.findMany({ orderBy: { createdAt: 'asc' }, omit: VIEW })
    },

    async find (id: string): Promise<EndpointView | null> {
      return await prisma.webhookEndpoint.findUnique({ where: { id }, omit: VIEW })
    },

    /** Null when there is no such endpoint. Enabling it again ends its failing streak and forgets why it was disabled. */
    async change (id: string, change: EndpointChange, disabledReason: string | null): Promise<EndpointView | null> {
      const enabling = change.enabled === true ? { disabledReason: null, disabledAt: null, failingSince: null } : {}
      const disabling = change.enabled === false ? { disabledReason, disabledAt: new Date() } : {}
      const { count } = await prisma.webhookEndpoint.updateMany({ where: { id }, data: { ...change, ...enabling, ...disabling } })
      return count === 0 ? null : await this.find(id)
    },

    /**
     * Turns the endpoint off, saying why (a 410 answer); one already off keeps its first reason.
     * True when this call disabled it (it was enabled).
     */
    async disable (id: string, reason: string): Promise<boolean> {
      const { count } = await prisma.webhookEndpoint.updateMany({
        where: { id, enabled: true },
        data: { enabled: false, disabledReason: reason, disabledAt: new Date() }
      })
      return count > 0
    },

    /** A new secret; the current one keeps signing until `previousUntil`. False when there is no such endpoint. */
    async rotateSecret (id: string, sealed: string, previousUntil: Date): Promise<boolean> {
      const { rowCount } = await pool.query(`
        UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = $3, secret_sealed = $2, updated_at = now()
         WHERE id = $1`, [id, sealed, previousUntil])
      return rowCount === 1
    },

    /** Deletes the endpoint with its deliveries and log; answers the deliveries still waiting (their jobs go too), or null. */
    async remove (id: string): Promise<string[] | null> {
      return await prisma.$transaction(async (tx) => {
        const waiting = await tx.webhookDelivery.findMany({ where: { endpointId: id, status: { in: ['pending', 'queued'] } }, select: { id: true } })
        const { count } = await tx.webhookEndpoint.deleteMany({ where: { id } })
        return count === 0 ? null : waiting.map((d) => d.id)
      })
    },

    /** Every endpoint, for the record of processing. */
    async recipients (): Promise<Recipient[]> {
      const rows = await prisma.webhookEndpoint.findMany({
        orderBy: { createdAt: 'asc' },
        select: { id: true, url: true, description: true, payloadMode: true, events: true, contactId: true, enabled: true }
      })
      return rows.map(({ url, ...endpoint }) => ({ ...endpoint, origin: originOf(url) }))
    },

    // --- deliveries -----------------------------------------------------------------------

    /** A test event for one endpoint, whatever it subscribes to. */
    async createTest (endpointId: string, eventType: string): Promise<string> {
      const id = crypto.randomUUID()
      await prisma.webhookDelivery.create({ data: { id, endpointId, eventType, data: { endpointId } } })
      return id
    },

    /**
     * Starts an attempt (counted before anything is sent) and reads what it needs. Null when
     * there is nothing to send: the delivery is gone (erased, purged, its endpoint deleted), already
     * settled, its endpoint disabled or its request restricted (then it is settled, visibly).
     */
    async claim (id: string): Promise<ClaimedDelivery | null> {
      return await claims.push(id)
    },

    async recordAttempt (id: string, attempt: AttemptRecord, outcome: DeliveryOutcome): Promise<void> {
      await records.push({ id, attempt, outcome })
    },

    /** After a failed attempt: true when the endpoint has now failed for longer than `disableAfterSeconds` and was disabled. */
    async recordEndpointFailure (endpointId: string, disableAfterSeconds: number, reason: string): Promise<boolean> {
      const { rows: [row] } = await pool.query<{ disabledNow: boolean }>(RECORD_ENDPOINT_FAILURE, [endpointId, disableAfterSeconds, reason])
      return row?.disabledNow === true
    },

    /** A delivery back to pending, for an admin's replay (its job has ended). */
    async resetForReplay (id: string): Promise<void> {
      await prisma.webhookDelivery.updateMany({ where: { id }, data: { status: 'pending', failedAt: null, lastError: null, queuedAt: null } })
    },

    /**
     * Deletes settled deliveries that no longer belong to a request (erasure notices, tests) once
     * they are older than `before`: their log is kept as long as a request would be.
     */
    async pruneDetached (before: Date): Promise<void> {
      await prisma.webhookDelivery.deleteMany({ where: { requestId: null, status: { in: ['delivered', 'failed', 'skipped'] }, createdAt: { lt: before } } })
    },

    /** An endpoint's deliveries, newest first, each with its attempts; the page before `before` (createdAt, id). */
    async deliveries (
      endpointId: string, limit: number, before?: { createdAt: Date, id: string }
    ): Promise<{ page: DeliveryWithAttempts[], more: boolean }> {
      const rows = await prisma.webhookDelivery.findMany({
        where: {
          endpointId,
          ...(before === undefined
            ? {}
            : { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] })
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        include: { attemptLog: { orderBy: { at: 'asc' }, omit: { deliveryId: true } } }
      })
      return { page: rows.slice(0, limit), more: rows.length > limit }
    },

    // --- the outbox relay -----------------------------------------------------------------

    async findUnqueued (olderThanMs: number, limit: number): Promise<string[]> {
      const rows = await prisma.webhookDelivery.findMany({
        where: relayableWhere(olderThanMs),
        select: { id: true },
        orderBy: { createdAt: 'asc' },
        take: limit
      })
      return rows.map((r) => r.id)
    },

    async markQueued (ids: string[]): Promise<void> {
      await prisma.webhookDelivery.updateMany({ where: justQueuedWhere(ids), data: { status: 'queued', queuedAt: new Date() } })
    },

    /** Those of `ids` that still exist. */
    async existing (ids: string[]): Promise<Set<string>> {
      const { rows } = await pool.query<{ id: string }>('SELECT id::text FROM webhook_deliveries WHERE id = ANY($1::uuid[])', [ids])
      return new Set(rows.map((r) => r.id))
    }
  }
}
export type WebhookRepository = ReturnType<typeof createWebhookRepository>

/** Statements composed from fragments: checked in expanded in src/repositories/sql/ (test/unit/repositories/composed-sql.test.ts). */
export const COMPOSED_STATEMENTS = { 'webhooks.claim': CLAIM }
