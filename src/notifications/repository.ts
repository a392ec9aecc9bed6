// The notification outbox: what the worker, the relay and the health check read and record.
import type { PrismaClient } from '../generated/prisma/client.js'
import type { RoutableContact, Route } from '../contacts/routing.js'
import type { RequestForMail } from './compose.js'

export interface DeliveryData {
  id: string
  status: 'pending' | 'queued' | 'sent' | 'failed'
  request: RequestForMail
  contact: RoutableContact
}

export function createNotificationRepository (prisma: PrismaClient) {
  return {
    /** The notification with what the e-mail needs; null when it is gone (erased, purged). */
    async loadForDelivery (id: string): Promise<DeliveryData | null> {
      const row = await prisma.notification.findUnique({
        where: { id },
        select: {
          id: true,
          status: true,
          request: {
            select: {
              id: true,
              name: true,
              email: true,
              phone: true,
              organisation: true,
              message: true,
              pageUrl: true,
              receivedAt: true,
              retainUntil: true,
              contact: {
                select: {
                  id: true,
                  name: true,
                  email: true,
                  locale: true,
                  active: true,
                  delegateStandsIn: true,
                  delegate: { select: { id: true, email: true, locale: true, active: true } }
                }
              }
            }
          }
        }
      })
      if (row === null) return null
      const { contact, ...request } = row.request
      return { id: row.id, status: row.status, request: { ...request, contactName: contact.name }, contact }
    },

    /** Records that these notifications' jobs reached the queue. */
    async markQueued (ids: string[]): Promise<void> {
      await prisma.notification.updateMany({
        where: { id: { in: ids }, status: 'pending' },
        data: { status: 'queued', queuedAt: new Date() }
      })
    },

    /** A delivery attempt starts: to whom and why is decided now, from the directory as it is now. */
    async recordAttempt (id: string, route: Route): Promise<void> {
      await prisma.notification.update({
        where: { id },
        data: { attempts: { increment: 1 }, lastAttemptAt: new Date(), recipient: route.email, routeReason: route.reason, status: 'queued' }
      })
    },

    async markSent (id: string, result: { messageId: string, response: string }): Promise<void> {
      await prisma.notification.update({
        where: { id },
        data: { status: 'sent', sentAt: new Date(), messageId: result.messageId, smtpResponse: result.response, lastError: null }
      })
    },

    async recordError (id: string, error: string): Promise<void> {
      await prisma.notification.update({ where: { id }, data: { lastError: error } })
    },

    async markFailed (id: string, error: string): Promise<void> {
      await prisma.notification.update({ where: { id }, data: { status: 'failed', failedAt: new Date(), lastError: error } })
    },

    /** Notifications the API could not enqueue (Redis was down, or the process died in between). */
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
export type NotificationRepository = ReturnType<typeof createNotificationRepository>
