// The notification outbox: what the worker, the relay and the health check read and record.
import type pg from 'pg'
import type { PrismaClient } from '../generated/prisma/client.js'
import type { RoutableContact, Route } from '../contacts/routing.js'
import type { RequestForMail } from './compose.js'
import { createBatcher, fulfilled } from '../db/batcher.js'

export interface DeliveryData {
  id: string
  /** Attempts so far, this one included. */
  attempts: number
  request: RequestForMail
  contact: RoutableContact & { name: string }
}

type ClaimRow = {
  id: string
  attempts: number
  request: Omit<RequestForMail, 'receivedAt' | 'retainUntil' | 'contactName'> & { receivedAt: string, retainUntil: string }
  contact: DeliveryData['contact']
}

// Starts delivery attempts for a batch of notifications (see src/db/batcher.ts).
// A restricted request (GDPR Art. 18) is not processed further: its notification
// is failed here, visibly, and an admin may re-drive it once the restriction is lifted.
const CLAIM = `
  WITH restricted AS (
    UPDATE notifications SET status = 'failed', failed_at = now(), updated_at = now(), last_error = 'processing restricted (GDPR Art. 18)'
     WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'queued')
       AND EXISTS (SELECT 1 FROM contact_requests r WHERE r.id = notifications.request_id AND r.restricted_at IS NOT NULL)
  ), claimed AS (
    UPDATE notifications SET attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
     WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'queued')
       AND NOT EXISTS (SELECT 1 FROM contact_requests r WHERE r.id = notifications.request_id AND r.restricted_at IS NOT NULL)
    RETURNING id, request_id, attempts
  )
  SELECT n.id, n.attempts,
         json_build_object('id', r.id, 'name', r.name, 'email', r.email, 'phone', r.phone, 'organisation', r.organisation,
                           'message', r.message, 'pageUrl', r.page_url, 'receivedAt', r.received_at, 'retainUntil', r.retain_until) AS request,
         json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'locale', c.locale, 'active', c.active,
                           'delegateStandsIn', c.delegate_stands_in,
                           'delegate', (SELECT json_build_object('id', d.id, 'email', d.email, 'locale', d.locale, 'active', d.active)
                                          FROM contacts d WHERE d.id = c.delegate_id)) AS contact
    FROM claimed n
    JOIN contact_requests r ON r.id = n.request_id
    JOIN contacts c ON c.id = r.contact_id`

const MARK_SENT = `
  UPDATE notifications n
     SET status = 'sent', sent_at = now(), updated_at = now(), message_id = v.message_id, smtp_response = v.smtp_response,
         last_error = NULL, recipient = v.recipient, route_reason = v.route_reason::route_reason
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, message_id, smtp_response, recipient, route_reason)
   WHERE n.id = v.id`

interface Sent { id: string, route: Route, result: { messageId: string, response: string } }

/**
 * The worker's two statements per delivery run on the pool, batched across
 * the jobs running at once (its hot path; see src/db/client.ts and src/db/batcher.ts).
 */
export function createNotificationRepository (prisma: PrismaClient, pool?: pg.Pool) {
  const claims = pool === undefined
    ? null
    : createBatcher<string, DeliveryData | null>({
      maxInFlight: 2,
      maxBatch: 100,
      async run (ids) {
        const { rows } = await pool.query<ClaimRow>(CLAIM, [ids])
        const byId = new Map(rows.map((row): [string, DeliveryData] => [row.id, {
          id: row.id,
          attempts: row.attempts,
          request: { ...row.request, receivedAt: new Date(row.request.receivedAt), retainUntil: new Date(row.request.retainUntil), contactName: row.contact.name },
          contact: row.contact
        }]))
        return fulfilled(ids.map((id) => byId.get(id) ?? null))
      }
    })
  const sends = pool === undefined
    ? null
    : createBatcher<Sent, void>({
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
      if (claims === null) throw new Error('claimForDelivery needs the pool')
      return await claims.push(id)
    },

    /** Records that the relay (or an admin) put these notifications' jobs in the queue. */
    async markQueued (ids: string[]): Promise<void> {
      await prisma.notification.updateMany({
        where: { id: { in: ids }, status: 'pending' },
        data: { status: 'queued', queuedAt: new Date() }
      })
    },

    /** Sent: the second and last statement of a delivery. */
    async markSent (id: string, route: Route, result: { messageId: string, response: string }): Promise<void> {
      if (sends === null) throw new Error('markSent needs the pool')
      await sends.push({ id, route, result })
    },

    /** An attempt failed and another will follow. */
    async recordError (id: string, route: Route, error: string): Promise<void> {
      await prisma.notification.update({ where: { id }, data: { lastError: error, ...routeData(route) } })
    },

    /** No more attempts: visible as failed until an admin re-drives it. */
    async markFailed (id: string, error: string, route?: Route): Promise<void> {
      await prisma.notification.update({ where: { id }, data: { status: 'failed', failedAt: new Date(), lastError: error, ...(route === undefined ? {} : routeData(route)) } })
    },

    /** Notifications nobody has picked up or marked since `olderThanMs`: the relay's to (re-)enqueue. */
    async findUnqueued (olderThanMs: number, limit: number): Promise<string[]> {
      const rows = await prisma.notification.findMany({
        where: { status: 'pending', createdAt: { lt: new Date(Date.now() - olderThanMs) } },
        select: { id: true },
        orderBy: { createdAt: 'asc' },
        take: limit
      })
      return rows.map((r) => r.id)
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
