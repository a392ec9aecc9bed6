// Records "this notification's job reached the queue" in batches: one UPDATE per tick, not one per request.
import type { FastifyBaseLogger } from 'fastify'

/**
 * The mark only tells the outbox relay it need not enqueue again; a lost
 * batch (a crash) just means the relay re-enqueues, which the job id makes a no-op.
 */
export function createQueuedMarks (write: (ids: string[]) => Promise<void>, log: FastifyBaseLogger, intervalMs = 50) {
  let batch: string[] = []
  let timer: NodeJS.Timeout | null = null
  let writing: Promise<void> = Promise.resolve()

  async function flush (): Promise<void> {
    if (timer !== null) clearTimeout(timer)
    timer = null
    const ids = batch
    batch = []
    if (ids.length > 0) {
      writing = writing.then(async () => { await write(ids) }).catch((err: unknown) => {
        log.warn({ err, count: ids.length }, 'could not mark notifications as queued; the relay will enqueue them again')
      })
    }
    await writing
  }

  return {
    add (id: string): void {
      batch.push(id)
      timer ??= setTimeout(() => { flush().catch(() => {}) }, intervalMs)
    },
    flush
  }
}
export type QueuedMarks = ReturnType<typeof createQueuedMarks>
