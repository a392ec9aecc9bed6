// The "webhook" job, defined once for its producers (the API, the worker, the CLI) and its consumer.
import { Type, type Static } from '@sinclair/typebox'
import type { JobsOptions, Queue } from 'bullmq'
import { bulkAdder } from './bulk-add.js'

export const WEBHOOK_QUEUE = 'webhook'

/** Ids only, like every job: the worker reads the rest from PostgreSQL. */
export const WebhookPayloadSchema = Type.Object({
  deliveryId: Type.String({ format: 'uuid' })
}, { additionalProperties: false })
export type WebhookPayload = Static<typeof WebhookPayloadSchema>

export type WebhookQueue = Queue<WebhookPayload, void, typeof WEBHOOK_QUEUE>

/** The name of the backoff the webhook worker computes (see webhookBackoff). */
export const WEBHOOK_BACKOFF = 'webhook'

/** A failed attempt whose receiver said when to come back (429 or 503 with Retry-After). */
export class RetryLater extends Error {
  constructor (message: string, readonly retryAfterMs: number) {
    super(message)
    this.name = 'RetryLater'
  }
}

/**
 * The delay before retry number `attemptsMade` (1 after the first failure): the receiver's
 * Retry-After when it gave one, else the schedule's step with ±20 % jitter, so endpoints that
 * failed together do not come back together.
 */
export function webhookBackoff (scheduleMs: readonly number[]) {
  return (attemptsMade: number, _type?: string, err?: Error): number => {
    if (err instanceof RetryLater) return err.retryAfterMs
    const step = scheduleMs[Math.min(attemptsMade, scheduleMs.length) - 1] ?? scheduleMs[0] ?? 0
    return Math.round(step * (0.8 + Math.random() * 0.4))
  }
}

const jobOptions = (scheduleMs: readonly number[]): JobsOptions => ({
  attempts: scheduleMs.length + 1,
  backoff: { type: WEBHOOK_BACKOFF },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 }
})

/**
 * Enqueues deliveries; the job id is the delivery id, so a second enqueue is a no-op, and those
 * enqueued at once go to Redis in one addBulk.
 */
export function createWebhookProducer (queue: WebhookQueue, scheduleMs: readonly number[]) {
  const add = bulkAdder<WebhookPayload>(queue, WEBHOOK_QUEUE)
  const options = jobOptions(scheduleMs)
  return {
    queue,
    async enqueue (deliveryId: string): Promise<void> {
      await add({ deliveryId }, { ...options, jobId: deliveryId })
    }
  }
}
export type WebhookProducer = ReturnType<typeof createWebhookProducer>
