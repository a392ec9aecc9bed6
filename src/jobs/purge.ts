// The "retention-purge" job, defined once for the scheduler (producer) and the worker (consumer).
import { Queue } from 'bullmq'
import type { RedisClient } from '../redis/connect.js'
import type { Config } from '../config.js'

export const PURGE_QUEUE = 'purge'
const PURGE_SCHEDULER = 'retention-purge'
/** The queue's name before it was named for what it holds; its schedule is retired at start-up. */
const LEGACY_PURGE_QUEUE = 'maintenance'

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

/**
 * Removes the purge queue of earlier releases (named "maintenance"), so its schedule does not
 * linger in Redis after an upgrade; nothing consumes it any more. A no-op once it is gone.
 */
export async function retireLegacyPurgeQueue (connection: RedisClient, prefix: string): Promise<void> {
  const legacy = new Queue(LEGACY_PURGE_QUEUE, { connection, prefix })
  try {
    await legacy.obliterate({ force: true })
  } finally {
    await legacy.close()
  }
}
