// The "retention-purge" job, defined once for the scheduler (producer) and the worker (consumer).
import type { Queue } from 'bullmq'
import type { Config } from '../config.js'

export const PURGE_QUEUE = 'maintenance'
const PURGE_SCHEDULER = 'retention-purge'

/** The job carries nothing: what is due is decided when it runs. */
export type PurgeQueue = Queue<Record<string, never>, void, typeof PURGE_SCHEDULER>

/**
 * Creates or updates the purge schedule from PURGE_CRON, or removes it when that is "off".
 * BullMQ's job scheduler makes one job per slot however many workers run.
 */
export async function schedulePurge (queue: PurgeQueue, config: Pick<Config, 'PURGE_CRON' | 'PURGE_TIMEZONE'>): Promise<void> {
  if (config.PURGE_CRON === 'off') {
    await queue.removeJobScheduler(PURGE_SCHEDULER)
    return
  }
  await queue.upsertJobScheduler(PURGE_SCHEDULER, { pattern: config.PURGE_CRON, tz: config.PURGE_TIMEZONE }, {
    name: PURGE_SCHEDULER,
    opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } }
  })
}
