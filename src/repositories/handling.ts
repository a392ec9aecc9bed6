// Handling: who has a request, taken and answered, and the reminders when nobody answered
// (src/handling/). Part of the contact-request aggregate: the columns are the request's, the
// follow_ups rows die with it.
import type pg from 'pg'
import type { Database } from '../db/client.js'
import type { Handler } from '../handling/links.js'
import type { Decision, HandlingState } from '../handling/state.js'
import { inTransaction } from './transaction.js'

/** What a handling page or an action needs of a request. */
export interface HandlingView {
  id: string
  state: HandlingState
  contactId: string
  contactName: string
  receivedAt: Date
  retainUntil: Date
  followUpStage: number
  /** The active delegate of whoever holds it, whom "Not mine" offers first. */
  delegateId: string | null
  delegateName: string | null
}

/** SQL: the contact a handler column names (null for the fallback inbox or no handler). */
export const handlerContactSql = (handler: string): string => `substring(${handler} FROM '^contact:(.*)$')`

const VIEW = `
  SELECT r.id, r.status, r.handler, r.taken_at AS "takenAt", r.handed_at AS "handedAt", r.answered_at AS "answeredAt",
         r.closed_at AS "closedAt", r.restricted_at IS NOT NULL AS restricted, r.received_at AS "receivedAt",
         r.retain_until AS "retainUntil", r.follow_up_stage AS "followUpStage", r.contact_id AS "contactId", c.name AS "contactName",
         d.id AS "delegateId", d.name AS "delegateName"
    FROM contact_requests r
    JOIN contacts c ON c.id = r.contact_id
    LEFT JOIN contacts holder ON holder.id = coalesce(${handlerContactSql('r.handler')}, r.contact_id)
    LEFT JOIN contacts d ON d.id = holder.delegate_id AND d.active
   WHERE r.id = $1`

type ViewRow = Omit<HandlingView, 'state'> & HandlingState

const toView = (
  { id, contactId, contactName, receivedAt, retainUntil, followUpStage, delegateId, delegateName, ...state }: ViewRow
): HandlingView =>
  ({ id, contactId, contactName, receivedAt, retainUntil, followUpStage, delegateId, delegateName, state })

const APPLY = `
  UPDATE contact_requests
     SET status = $2::request_status, handler = $3, taken_at = $4, handed_at = $5, answered_at = $6, follow_up_stage = $7
   WHERE id = $1`

/** Open: somebody still owes the person an answer. */
const OPEN = 'r.status IN (\'received\', \'taken\') AND r.restricted_at IS NULL'

/** A request the follow-up run may remind about. */
export interface FollowUpCandidate {
  id: string
  contactId: string
  handler: Handler | null
  status: 'received' | 'taken'
  receivedAt: Date
  handedAt: Date | null
  followedUpAt: Date | null
  followUpStage: number
}

// Open requests nothing was sent about for at least a day: the run decides which are due by the
// working-day calendar (a day is the shortest response time).
const CANDIDATES = `
  SELECT r.id, r.contact_id AS "contactId", r.handler, r.status, r.received_at AS "receivedAt", r.handed_at AS "handedAt",
         r.followed_up_at AS "followedUpAt", r.follow_up_stage AS "followUpStage"
    FROM contact_requests r
   WHERE ${OPEN} AND r.follow_up_stage < 3 AND coalesce(r.followed_up_at, r.handed_at, r.received_at) <= $1
   ORDER BY r.received_at`

/** One step of the follow-up of one request: its history entry and the digest rows it writes. */
export interface FollowUpStep {
  requestId: string
  stage: number
  /** The history's value: reminded, escalated:delegate, escalated:fallback, or exhausted (nobody left to tell). */
  event: string
  rows: Array<{ recipient: string, locale: string, handler: Handler | null }>
}

// A step is taken once: only while the request is open and its stage below the step's.
const RECORD_STEPS = `
  WITH step AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[]) AS s(id, stage, event)
  ), advanced AS (
    UPDATE contact_requests r SET follow_up_stage = s.stage, followed_up_at = $4
      FROM step s
     WHERE r.id = s.id AND r.follow_up_stage < s.stage AND ${OPEN}
    RETURNING r.id, s.stage, s.event
  ), history AS (
    INSERT INTO request_events (id, request_id, at, kind, value, actor)
    SELECT gen_random_uuid(), a.id, $4, 'follow_up', a.event, 'system:follow-up' FROM advanced a
  )
  INSERT INTO follow_ups (id, request_id, stage, slot, recipient, locale, handler)
  SELECT gen_random_uuid(), a.id, a.stage, $5::date, f.recipient, f.locale, f.handler
    FROM unnest($6::uuid[], $7::text[], $8::text[], $9::text[]) AS f(id, recipient, locale, handler)
    JOIN advanced a ON a.id = f.id
  ON CONFLICT (request_id, stage, recipient) DO NOTHING`

/** One line of a digest: a request still pending with whom the digest goes to. */
export interface DigestLine {
  followUpId: string
  recipient: string
  locale: string
  handler: Handler | null
  stage: number
  requestId: string
  name: string
  email: string
  /** The message's start: enough to recognise it. */
  excerpt: string
  receivedAt: Date
  retainUntil: Date
  contactName: string
  /** Whom it is with now, by name; null while with the addressed contact. */
  handlerName: string | null
}

// Pending rows whose request is no longer open are skipped, here, not sent: never a reminder of
// what was answered, closed, restricted or quarantined meanwhile.
const SKIP_SETTLED = `
  UPDATE follow_ups f SET status = 'skipped'
    FROM contact_requests r
   WHERE f.status = 'pending' AND r.id = f.request_id AND NOT (${OPEN})`

const PENDING_LINES = `
  SELECT f.id AS "followUpId", f.recipient, f.locale, f.handler, f.stage, r.id AS "requestId", r.name, r.email,
         left(r.message, 300) AS excerpt, r.received_at AS "receivedAt", r.retain_until AS "retainUntil",
         c.name AS "contactName", h.name AS "handlerName"
    FROM follow_ups f
    JOIN contact_requests r ON r.id = f.request_id
    JOIN contacts c ON c.id = r.contact_id
    LEFT JOIN contacts h ON h.id = ${handlerContactSql('r.handler')}
   WHERE f.status = 'pending'
   ORDER BY f.recipient, r.received_at`

// eslint-disable-next-line max-lines-per-function -- a repository: each method is one query or one transaction
export function createHandlingRepository ({ pool }: Database) {
  return {
    async view (id: string): Promise<HandlingView | null> {
      const { rows: [row] } = await pool.query<ViewRow>(VIEW, [id])
      return row === undefined ? null : toView(row)
    },

    /**
     * Decides and applies an action under the request's row lock, with its history entry and,
     * when it passes the request on, the new handler's notification, in one transaction. Null
     * when there is no such request.
     */
    async apply (
      id: string, actor: string, decide: (view: HandlingView) => Decision, notificationId: string
    ): Promise<{ before: HandlingView, outcome: Decision, notificationIds: string[] } | null> {
      return await inTransaction(pool, async (client) => {
        const { rows: [row] } = await client.query<ViewRow>(`${VIEW} FOR UPDATE OF r`, [id])
        if (row === undefined) return null
        const before = toView(row)
        const outcome = decide(before)
        if (!('fields' in outcome)) return { before, outcome, notificationIds: [] }
        const change = outcome
        const next = { ...before.state, ...change.fields }
        const stage = change.fields.followUpStage ?? before.followUpStage
        await client.query(APPLY, [id, next.status, next.handler, next.takenAt, next.handedAt, next.answeredAt, stage])
        await client.query('INSERT INTO request_events (id, request_id, kind, value, actor) VALUES (gen_random_uuid(), $1, $2, $3, $4)', [id, change.event.kind, change.event.value, actor])
        if (change.notify === undefined) return { before, outcome, notificationIds: [] }
        await client.query('INSERT INTO notifications (id, request_id, handler) VALUES ($1, $2, $3)', [notificationId, id, change.notify])
        return { before, outcome, notificationIds: [notificationId] }
      })
    },

    /** Names of contacts by id, inactive ones included (a page names who took a request). */
    async names (ids: string[]): Promise<Map<string, string>> {
      const { rows } = await pool.query<{ id: string, name: string }>('SELECT id, name FROM contacts WHERE id = ANY($1::text[])', [ids])
      return new Map(rows.map((r) => [r.id, r.name]))
    },

    /** Open requests nothing was sent about since `before`. */
    async followUpCandidates (before: Date): Promise<FollowUpCandidate[]> {
      return (await pool.query<FollowUpCandidate>(CANDIDATES, [before])).rows
    },

    /** Takes the steps of one run (each once), writing their digest rows for the slot. */
    async recordSteps (steps: FollowUpStep[], at: Date, slot: string): Promise<void> {
      if (steps.length === 0) return
      const rows = steps.flatMap((s) => s.rows.map((r) => ({ id: s.requestId, ...r })))
      await pool.query(RECORD_STEPS, [
        steps.map((s) => s.requestId), steps.map((s) => s.stage), steps.map((s) => s.event), at, slot,
        rows.map((r) => r.id), rows.map((r) => r.recipient), rows.map((r) => r.locale), rows.map((r) => r.handler)
      ])
    },

    /** Every pending digest line of a request still open, by recipient; the others are skipped first. */
    async pendingLines (): Promise<DigestLine[]> {
      return await inTransaction(pool, async (client: pg.PoolClient) => {
        await client.query(SKIP_SETTLED)
        return (await client.query<DigestLine>(PENDING_LINES)).rows
      })
    },

    async markSent (followUpIds: string[]): Promise<void> {
      await pool.query("UPDATE follow_ups SET status = 'sent', sent_at = now() WHERE id = ANY($1::uuid[]) AND status = 'pending'", [followUpIds])
    },

    /** Open requests by the local date (in `timeZone`) they came or were handed on, for the age gauge. */
    async openByDay (timeZone: string): Promise<Array<{ day: string, count: number }>> {
      const { rows } = await pool.query<{ day: string, count: number }>(`
        SELECT to_char((coalesce(r.handed_at, r.received_at) AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS day, count(*)::int AS count
          FROM contact_requests r WHERE ${OPEN} GROUP BY 1`, [timeZone])
      return rows
    }
  }
}
export type HandlingRepository = ReturnType<typeof createHandlingRepository>

/** Statements composed from fragments: checked in expanded in src/repositories/sql/ (test/unit/repositories/composed-sql.test.ts). */
export const COMPOSED_STATEMENTS = { 'handling.candidates': CANDIDATES, 'handling.record-steps': RECORD_STEPS, 'handling.skip-settled': SKIP_SETTLED }
