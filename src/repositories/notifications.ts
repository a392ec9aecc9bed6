// Notifications, the outbox of the e-mails to project managers: what the worker, the relay, the
// health check and the admin read and record about them (receipts, the other outbox, are in
// src/repositories/receipts.ts). Part of the contact-request
// aggregate (src/repositories/requests.ts creates and removes the rows with their request); a
// claim reads what its e-mail needs in the same statement, the worker's one round trip before sending.
import type { Database } from '../db/client.js'
import type { Notification } from '../generated/prisma/client.js'
import type { RoutableContact, Route } from '../contacts/routing.js'
import type { Handler } from '../handling/links.js'
import { handlerContactSql } from './handling.js'
import { createBatcher, fulfilled } from '../batcher.js'
import { insertDeliveriesSql, isoSql, subscribedSql } from './webhooks.js'
import { HELD_OUTCOME, heldReasonSql, heldSql } from './restriction.js'
import { justQueuedWhere, relayableWhere } from './outbox.js'

/** What a notification e-mail says of its request (src/notifications/compose.ts writes it). */
export interface RequestForMail {
  id: string
  name: string
  email: string
  phone: string | null
  organisation: string | null
  message: string
  pageUrl: string | null
  receivedAt: Date
  retainUntil: Date
  /** The contact the form addressed, named when someone else receives it. */
  contactName: string
}

export interface DeliveryData {
  id: string
  /** Attempts so far, this one included. */
  attempts: number
  request: RequestForMail
  /** Set when the request was passed on: the notification goes to this handler, not by the addressed contact's routing. */
  handler: Handler | null
  /** The contact it is routed by: the handler's when passed on to a contact, else the addressed one. */
  contact: RoutableContact & { name: string }
}

type ClaimRow = {
  id: string
  attempts: number
  handler: Handler | null
  request: Omit<RequestForMail, 'receivedAt' | 'retainUntil'> & { receivedAt: string, retainUntil: string }
  contact: DeliveryData['contact']
}

// A held request's notification (restricted, or quarantined) is failed by its claim and cannot be
// re-driven while it is held (src/repositories/restriction.ts).
const HELD = heldSql('notifications.request_id')

// Starts delivery attempts for a batch of notifications (see src/batcher.ts).
const CLAIM = `
  WITH held AS (
    UPDATE notifications SET status = '${HELD_OUTCOME.notifications}', failed_at = now(), updated_at = now(), last_error = ${heldReasonSql('notifications.request_id')}
     WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'queued') AND ${HELD}
  ), claimed AS (
    UPDATE notifications SET attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
     WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'queued') AND NOT ${HELD}
    RETURNING id, request_id, attempts, handler
  )
  SELECT n.id, n.attempts, n.handler,
         json_build_object('id', r.id, 'name', r.name, 'email', r.email, 'phone', r.phone, 'organisation', r.organisation,
                           'message', r.message, 'pageUrl', r.page_url, 'receivedAt', r.received_at, 'retainUntil', r.retain_until,
                           'contactName', addressed.name) AS request,
         json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'locale', c.locale, 'active', c.active,
                           'delegateStandsIn', c.delegate_stands_in,
                           'delegate', (SELECT json_build_object('id', d.id, 'email', d.email, 'locale', d.locale, 'active', d.active)
                                          FROM contacts d WHERE d.id = c.delegate_id)) AS contact
    FROM claimed n
    JOIN contact_requests r ON r.id = n.request_id
    JOIN contacts addressed ON addressed.id = r.contact_id
    -- A request passed on goes to its new handler (by that contact's routing); the fallback inbox's
    -- handler names no contact, and the worker routes it there.
    JOIN contacts c ON c.id = coalesce(${handlerContactSql('n.handler')}, r.contact_id)`

const MARK_SENT = `
  UPDATE notifications n
     SET status = 'sent', sent_at = now(), updated_at = now(), message_id = v.message_id, smtp_response = v.smtp_response,
         last_error = NULL, recipient = v.recipient, route_reason = v.route_reason::route_reason
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, message_id, smtp_response, recipient, route_reason)
   WHERE n.id = v.id`

// Out of attempts, or refused: failed, and the notification.failed webhooks it owes written with it.
// A restricted request's failure is not told (Art. 18: not processed further).
const MARK_FAILED = `
  WITH failed AS (
    UPDATE notifications
       SET status = 'failed', failed_at = now(), updated_at = now(), last_error = $2,
           recipient = coalesce($3, recipient), route_reason = coalesce($4::route_reason, route_reason)
     WHERE id = $1 AND status IN ('pending', 'queued')
    RETURNING id, request_id, attempts
  ), webhook AS (
    ${insertDeliveriesSql({
      event: 'notification.failed',
      from: 'failed f JOIN contact_requests r ON r.id = f.request_id',
      endpoints: subscribedSql('notification.failed', 'r.contact_id'),
      requestId: 'r.id',
      data: `json_build_object('requestId', r.id, 'contactId', r.contact_id, 'notificationId', f.id, 'attempts', f.attempts,
                               'receivedAt', ${isoSql('r.received_at')}, 'retainUntil', ${isoSql('r.retain_until')})`,
      where: `NOT ${heldSql('r.id')}`
    })}
  )
  SELECT id FROM webhook`

// Back to a clean slate, for an admin's re-drive.
const RESET_FAILED = `
  UPDATE notifications SET status = 'pending', attempts = 0, last_error = NULL, failed_at = NULL, updated_at = now()
   WHERE id = $1 AND status = 'failed' AND NOT ${HELD}`

const REDRIVABLE = `SELECT id FROM notifications WHERE status = 'failed' AND NOT ${HELD} ORDER BY failed_at`

interface Sent { id: string, route: Route, result: { messageId: string, response: string } }

export type FailedNotification = Pick<Notification, 'id' | 'requestId' | 'attempts' | 'lastError' | 'failedAt'>

/**
 * The worker's two statements per delivery run on the pool, batched across
 * the jobs running at once (its hot path; see src/db/client.ts and src/batcher.ts).
 */
// eslint-disable-next-line max-lines-per-function -- a repository: each method is one query
export function createNotificationRepository ({ prisma, pool }: Database) {
  const claims = createBatcher<string, DeliveryData | null>({
    maxInFlight: 2,
    maxBatch: 100,
    async run (ids) {
      const { rows } = await pool.query<ClaimRow>(CLAIM, [ids])
      const byId = new Map(rows.map((row): [string, DeliveryData] => [row.id, {
        id: row.id,
        attempts: row.attempts,
        request: {
          ...row.request,
          receivedAt: new Date(row.request.receivedAt),
          retainUntil: new Date(row.request.retainUntil)
        },
        handler: row.handler,
        contact: row.contact
      }]))
      return fulfilled(ids.map((id) => byId.get(id) ?? null))
    }
  })
  const sends = createBatcher<Sent, void>({
    maxInFlight: 2,
    maxBatch: 100,
    async run (batch) {
      await pool.query(MARK_SENT, [
        batch.map((s) => s.id), batch.map((s) => s.result.messageId), batch.map((s) => s.result.response),
        batch.map((s) => s.route.email), batch.map((s) => s.route.reason)
      ])
      return fulfilled(batch.map(() => undefined))
    }
  })

  return {
    /**
     * Starts a delivery attempt (counts it, before anything is sent, so a worker
     * that dies mid-send still leaves a trace) and reads what the e-mail needs.
     * Null when there is nothing to send: the notification is gone (erased,
     * purged), already settled (a duplicate job), or its request is restricted
     * (then it is failed, visibly).
     */
    async claimForDelivery (id: string): Promise<DeliveryData | null> {
      return await claims.push(id)
    },

    /** Records that the relay (or an admin) put these notifications' jobs in the queue. */
    async markQueued (ids: string[]): Promise<void> {
      await prisma.notification.updateMany({
        where: justQueuedWhere(ids),
        data: { status: 'queued', queuedAt: new Date() }
      })
    },

    /** Sent: the second and last statement of a delivery. */
    async markSent (id: string, route: Route, result: { messageId: string, response: string }): Promise<void> {
      await sends.push({ id, route, result })
    },

    /** An attempt failed and another will follow. */
    async recordError (id: string, route: Route, error: string): Promise<void> {
      await prisma.notification.update({ where: { id }, data: { lastError: error, ...routeData(route) } })
    },

    /** No more attempts: visible as failed until an admin re-drives it. Answers the notification.failed webhook deliveries written. */
    async markFailed (id: string, error: string, route?: Route): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(MARK_FAILED, [id, error, route?.email ?? null, route?.reason ?? null])
      return rows.map((r) => r.id)
    },

    /** Notifications nobody has picked up or marked since `olderThanMs`: the relay's to (re-)enqueue. */
    async findUnqueued (olderThanMs: number, limit: number): Promise<string[]> {
      const rows = await prisma.notification.findMany({
        where: relayableWhere(olderThanMs),
        select: { id: true },
        orderBy: { createdAt: 'asc' },
        take: limit
      })
      return rows.map((r) => r.id)
    },

    async exists (id: string): Promise<boolean> {
      return await prisma.notification.count({ where: { id } }) > 0
    },

    /** Those of `ids` that still exist. */
    async existing (ids: string[]): Promise<Set<string>> {
      const { rows } = await pool.query<{ id: string }>('SELECT id::text FROM notifications WHERE id = ANY($1::uuid[])', [ids])
      return new Set(rows.map((r) => r.id))
    },

    /** Notifications that ran out of attempts or were refused, oldest failure first. */
    async listFailed (limit: number): Promise<FailedNotification[]> {
      return await prisma.notification.findMany({
        where: { status: 'failed' },
        orderBy: { failedAt: 'asc' },
        take: limit,
        select: { id: true, requestId: true, attempts: true, lastError: true, failedAt: true }
      })
    },

    /** Failed notifications whose request is not restricted. */
    async redrivable (): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(REDRIVABLE)
      return rows.map((r) => r.id)
    },

    /** A failed notification of an unrestricted request back to pending, attempts reset; false if it is not one. */
    async resetFailed (id: string): Promise<boolean> {
      const { rowCount } = await pool.query(RESET_FAILED, [id])
      return rowCount === 1
    },

    /** Notifications neither sent nor failed after `olderThanSeconds`. */
    async backlog (olderThanSeconds: number): Promise<number> {
      return await prisma.notification.count({
        where: { status: { in: ['pending', 'queued'] }, createdAt: { lt: new Date(Date.now() - olderThanSeconds * 1000) } }
      })
    }
  }
}
const routeData = (route: Route) => ({ recipient: route.email, routeReason: route.reason })

export type NotificationRepository = ReturnType<typeof createNotificationRepository>

/** Statements composed from fragments: checked in expanded in src/repositories/sql/ (test/unit/repositories/composed-sql.test.ts). */
export const COMPOSED_STATEMENTS = {
  'notifications.claim': CLAIM, 'notifications.mark-failed': MARK_FAILED, 'notifications.reset-failed': RESET_FAILED, 'notifications.redrivable': REDRIVABLE
}
