// The "follow-up" job: the day's reminders and escalations (src/follow-through/follow-up.ts),
// scheduled by BullMQ's job scheduler, which makes one job per slot however many workers run.
import type { Queue } from 'bullmq'
import type { Config } from '../config.js'

export const FOLLOW_UP_QUEUE = 'follow-up'
const FOLLOW_UP_SCHEDULER = 'follow-up'
/** The run's time zone: the working-day calendar's (Swedish holidays). */
export const FOLLOW_UP_TIMEZONE = 'Europe/Stockholm'

/** The job carries nothing: what is due is decided when it runs. */
export type FollowUpQueue = Queue<Record<string, never>, void, typeof FOLLOW_UP_SCHEDULER>

/** Creates or updates the schedule from FOLLOW_UP_CRON, or removes it when that is "off". */
export async function scheduleFollowUp (queue: FollowUpQueue, config: Pick<Config, 'FOLLOW_UP_CRON'>): Promise<void> {
  if (config.FOLLOW_UP_CRON === 'off') {
    await queue.removeJobScheduler(FOLLOW_UP_SCHEDULER)
    return
  }
  await queue.upsertJobScheduler(FOLLOW_UP_SCHEDULER, { pattern: config.FOLLOW_UP_CRON, tz: FOLLOW_UP_TIMEZONE }, {
    name: FOLLOW_UP_SCHEDULER,
    // A digest that could not be sent is tried again by the job's next attempt, not tomorrow.
    opts: { attempts: 5, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } }
  })
}
