// The scheduled follow-up job: the day's reminders and digests. A digest that failed makes the job
// fail, so BullMQ tries again with backoff (the steps already taken are not taken twice).
import type { Job } from 'bullmq'
import type { FollowUp } from '../../src/follow-through/follow-up.js'

export function createFollowUpProcessor ({ followUp }: { followUp: FollowUp }) {
  return async function processFollowUp (_job: Job): Promise<void> {
    const run = await followUp.run()
    if (run.digests.failed > 0) throw new Error(`${run.digests.failed} follow-up digests not sent; retrying`)
  }
}
