// Adding jobs the way the intake stores rows: the jobs asked for at once go to Redis together, in
// one addBulk (one round trip, one MULTI) per queue, instead of one round trip each.
import type { BulkJobOptions, Queue } from 'bullmq'
import { createBatcher, fulfilled } from '../batcher.js'

interface Wanted<T> { data: T, opts: BulkJobOptions }

/**
 * Adds jobs named `name` to `queue`, batching those asked for while earlier batches are in
 * flight. A batch Redis refuses fails each of its callers, as a single add would: each then
 * leaves its row to the outbox relay. Adding under an existing job id stays a no-op.
 */
export function bulkAdder<T> (queue: Queue, name: string, { maxBatch = 200, maxInFlight = 4 } = {}) {
  const batcher = createBatcher<Wanted<T>, void>({
    run: async (jobs) => {
      await queue.addBulk(jobs.map(({ data, opts }) => ({ name, data, opts })))
      return fulfilled(jobs.map(() => undefined))
    },
    maxBatch,
    maxInFlight
  })
  return async (data: T, opts: BulkJobOptions): Promise<void> => { await batcher.push({ data, opts }) }
}
