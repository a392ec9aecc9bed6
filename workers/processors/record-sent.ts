// Once a message is out, its record must not be what sends it again: a send whose record fails
// while PostgreSQL is silent or down is recorded again and again, not sent again.
import type { FastifyBaseLogger as Logger } from 'fastify'
import { isDatabaseUnavailable } from '../../src/db/unavailable.js'

export interface RecordRetry {
  /** How long to keep trying before giving up (the job is then retried, and the message sent again). */
  maxMs: number
  /** The first pause between tries; each further one doubles, up to 2 s. */
  firstPauseMs?: number
}

/**
 * Runs `record` until it succeeds. Only an unreachable database is waited out; any other error
 * is thrown at once. Past `maxMs` the last error is thrown: delivery is then at least once
 * (the same Message-ID goes out again), as after a worker killed between the two steps.
 */
export async function recordSent (record: () => Promise<void>, log: Logger, { maxMs, firstPauseMs = 250 }: RecordRetry): Promise<void> {
  const deadline = Date.now() + maxMs
  let pause = firstPauseMs
  for (let attempt = 1; ; attempt++) {
    try {
      await record()
      if (attempt > 1) log.info({ attempt }, 'sent message recorded once the database answered')
      return
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + pause > deadline) throw err
      if (attempt === 1) log.warn({ err }, 'message sent, but the database did not record it; trying again (it is not sent again)')
      await new Promise((resolve) => setTimeout(resolve, pause))
      pause = Math.min(pause * 2, 2000)
    }
  }
}
