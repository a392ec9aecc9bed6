// The "notify" job, defined once for the API (producer) and the worker (consumer).
import { Type, type Static } from '@sinclair/typebox'
import type { JobsOptions, Queue } from 'bullmq'
import { bulkAdder } from './bulk-add.js'

export const NOTIFY_QUEUE = 'notify'

/** Ids only: personal data never travels through Redis; the worker reads it from PostgreSQL. */
export const NotifyPayloadSchema = Type.Object({
  notificationId: Type.String({ format: 'uuid' })
}, { additionalProperties: false })
export type NotifyPayload = Static<typeof NotifyPayloadSchema>

export type NotifyQueue = Queue<NotifyPayload, void, typeof NOTIFY_QUEUE>

export interface NotifyRetryPolicy {
  maxAttempts: number
  /** The first retry's delay; each further one doubles, with jitter. */
  backoffMs: number
}

export const notifyJobOptions = ({ maxAttempts, backoffMs }: NotifyRetryPolicy): JobsOptions => ({
  attempts: maxAttempts,
  backoff: { type: 'exponential', delay: backoffMs, jitter: 0.5 },
  // The history holds ids only, but it need not grow without bound.
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 }
})

/**
 * Enqueues notifications under one retry policy: what the intake, the relay and a re-drive share.
 * The job id is the notification id, so enqueueing the same notification again (the relay after a
 * lost acknowledgement) is a no-op; those enqueued at once go to Redis in one addBulk.
 */
export function createNotifyProducer (queue: NotifyQueue, policy: NotifyRetryPolicy) {
  const add = bulkAdder<NotifyPayload>(queue, NOTIFY_QUEUE)
  const options = notifyJobOptions(policy)
  return {
    queue,
    async enqueue (notificationId: string): Promise<void> {
      await add({ notificationId }, { ...options, jobId: notificationId })
    }
  }
}
export type NotifyProducer = ReturnType<typeof createNotifyProducer>
