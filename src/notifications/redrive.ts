// Re-driving failed notifications: an admin sends them again from a clean slate.
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { NotifyProducer } from '../jobs/notify.js'
import type { NotificationRepository } from '../repositories/notifications.js'

export interface RedriveDeps {
  notifications: NotificationRepository
  notify: NotifyProducer
  log: Logger
}

export function createRedrive ({ notifications, notify, log }: RedriveDeps) {
  /**
   * Sends a failed notification of an unrestricted request again; false if it is not one.
   * The old job goes first (its id is the notification's, so while it exists a new one would
   * be a no-op); if Redis is down this fails before anything changed.
   */
  async function redrive (id: string): Promise<boolean> {
    await notify.queue.remove(id)
    if (!await notifications.resetFailed(id)) return false
    try {
      await notify.enqueue(id)
      await notifications.markQueued([id])
    } catch (err) {
      // The notification is pending again: the outbox relay enqueues it.
      log.warn({ err, notificationId: id }, 're-driven notification left to the outbox relay')
    }
    return true
  }

  return {
    redrive,

    /** Re-drives every failed notification of an unrestricted request; answers how many. */
    async redriveAll (): Promise<number> {
      let redriven = 0
      for (const id of await notifications.redrivable()) {
        if (await redrive(id)) redriven++
      }
      return redriven
    }
  }
}
export type Redrive = ReturnType<typeof createRedrive>
