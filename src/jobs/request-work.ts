// A request's committed work (its notification, receipt and webhook deliveries) put in their
// queues: what the intake does after its answer and a release does after its transaction.
import type { FastifyBaseLogger } from 'fastify'
import type { Outbox } from '../repositories/requests.js'
import { withTimeout } from '../with-timeout.js'
import type { NotifyProducer } from './notify.js'
import type { ReceiptProducer } from './receipt.js'
import type { WebhookProducer } from './webhook.js'

export interface WorkProducers {
  notify: NotifyProducer
  /** Null when receipts are off (RECEIPTS=false): a receipt id is then never written. */
  receipts: ReceiptProducer | null
  webhooks: WebhookProducer
}

/** Puts a job in its queue; one Redis does not take in time is left to the outbox relay. */
async function enqueue (
  timeoutMs: number, what: 'notification' | 'receipt' | 'webhookDelivery', id: string, put: (id: string) => Promise<void>, log: FastifyBaseLogger
): Promise<void> {
  try {
    await withTimeout(put(id), timeoutMs)
  } catch (err) {
    // The row is committed as pending: the worker's relay enqueues it once Redis answers.
    log.warn({ err, [`${what}Id`]: id }, `${what} not enqueued; left to the outbox relay`)
  }
}

/** Enqueues every job of `work`, each within `timeoutMs`; never rejects (the relay takes what Redis does not). */
export async function enqueueWork (
  { notify, receipts, webhooks }: WorkProducers, work: Outbox, timeoutMs: number, log: FastifyBaseLogger
): Promise<void> {
  await Promise.all([
    ...work.notificationIds.map(async (id) => { await enqueue(timeoutMs, 'notification', id, notify.enqueue, log) }),
    ...receipts === null ? [] : work.receiptIds.map(async (id) => { await enqueue(timeoutMs, 'receipt', id, receipts.enqueue, log) }),
    ...work.webhookDeliveryIds.map(async (id) => { await enqueue(timeoutMs, 'webhookDelivery', id, webhooks.enqueue, log) })
  ])
}
