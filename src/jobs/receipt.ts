// The "receipt" job, defined once for the API (producer) and the worker (consumer).
import { Type, type Static } from '@sinclair/typebox'
import type { Queue } from 'bullmq'
import { notifyJobOptions, type NotifyRetryPolicy } from './notify.js'
import { bulkAdder } from './bulk-add.js'

export const RECEIPT_QUEUE = 'receipt'

/** Ids only, like the notify job: the worker reads the rest from PostgreSQL. */
export const ReceiptPayloadSchema = Type.Object({
  receiptId: Type.String({ format: 'uuid' })
}, { additionalProperties: false })
export type ReceiptPayload = Static<typeof ReceiptPayloadSchema>

export type ReceiptQueue = Queue<ReceiptPayload, void, typeof RECEIPT_QUEUE>

/**
 * Enqueues receipts under the notifications' retry policy; the job id is the receipt id (a second
 * enqueue is a no-op), and those enqueued at once go to Redis in one addBulk.
 */
export function createReceiptProducer (queue: ReceiptQueue, policy: NotifyRetryPolicy) {
  const add = bulkAdder<ReceiptPayload>(queue, RECEIPT_QUEUE)
  const options = notifyJobOptions(policy)
  return {
    queue,
    async enqueue (receiptId: string): Promise<void> {
      await add({ receiptId }, { ...options, jobId: receiptId })
    }
  }
}
export type ReceiptProducer = ReturnType<typeof createReceiptProducer>
