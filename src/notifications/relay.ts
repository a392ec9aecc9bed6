// The outbox relay: enqueues notifications and receipts the API could not (Redis was down, or the process died).
import type { FastifyBaseLogger as Logger } from 'fastify'

/** An outbox table as the relay sees it. */
export interface Outbox {
  /** Rows nobody has picked up or marked since `olderThanMs`. */
  findUnqueued: (olderThanMs: number, limit: number) => Promise<string[]>
  /** Records that these rows' jobs are in the queue. */
  markQueued: (ids: string[]) => Promise<void>
}

export interface RelayOptions {
  /** What the relay calls what it relays, in its log lines: "notifications", "receipts". */
  name: string
  outbox: Outbox
  /** Puts one row's job in the queue (a no-op for a job that exists). */
  enqueue: (id: string) => Promise<void>
  log: Logger
  /** Only notifications pending this long: younger ones are still the API's to enqueue. */
  delayMs: number
  intervalMs: number
  batchSize?: number
}

/**
 * Every interval, enqueues pending notifications older than the delay and marks
 * them queued. The API enqueues at once but writes no mark (a write per request
 * on the hot path), so a notification still pending after the delay either lost
 * its enqueue or waits behind others: the job id is the notification id, so
 * adding it again is a no-op for a job that exists, and racing the API or
 * another relay is harmless.
 */
export function createOutboxRelay (options: RelayOptions) {
  const { name, outbox, enqueue, log, batchSize = 200 } = options
  let timer: NodeJS.Timeout | null = null
  let running: Promise<number> | null = null

  async function tick (): Promise<number> {
    const ids = await outbox.findUnqueued(options.delayMs, batchSize)
    const queued: string[] = []
    for (const id of ids) {
      try {
        await enqueue(id)
        queued.push(id)
      } catch (err) {
        log.warn({ err, outbox: name, waiting: ids.length - queued.length }, 'outbox relay: redis unavailable; will try again')
        break
      }
    }
    if (queued.length > 0) {
      await outbox.markQueued(queued)
      log.info({ count: queued.length }, `outbox relay enqueued pending ${name}`)
    }
    return queued.length
  }

  const runTick = () => {
    if (running !== null) return
    running = tick().catch((err: unknown) => {
      log.warn({ err, outbox: name }, 'outbox relay: tick failed; will try again')
      return 0
    }).finally(() => { running = null })
  }

  return {
    tick,
    start () { timer ??= setInterval(runTick, options.intervalMs) },
    async stop () {
      if (timer !== null) clearInterval(timer)
      timer = null
      await running
    }
  }
}
export type OutboxRelay = ReturnType<typeof createOutboxRelay>
