// What the worker adds to readiness: its mail transport works, and its queues are not paused.
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Mailer } from '../src/mail/mailer.js'
import { PROBE_TIMEOUT_MS, type Check } from '../src/ops/checks.js'
import type { ReadinessSource } from '../src/ops/readiness.js'
import { withTimeout } from '../src/with-timeout.js'

export interface MailCheck {
  /** The last verify's answer; down until the first one succeeds. */
  state: () => Check
  stop: () => void
}

/**
 * Asks the mail transport whether it would take mail (an SMTP greeting and login, or a writable
 * drop folder) at start and then every `intervalMs`: a probe reads the last answer and never
 * opens an SMTP connection itself.
 */
export function startMailCheck (mailer: Mailer, { intervalMs, log }: { intervalMs: number, log: Logger }): MailCheck {
  let state: Check | undefined
  async function verify (): Promise<void> {
    try {
      await mailer.verify()
      if (state !== 'up') log.info({ destination: mailer.destination }, 'mail transport verified')
      state = 'up'
    } catch (err) {
      // The error's code only: a server's answer can name addresses.
      if (state !== 'down') log.warn({ destination: mailer.destination, code: (err as { code?: string }).code }, 'mail transport does not verify; the worker reports not ready')
      state = 'down'
    }
  }
  // verify() settles every promise it makes: nothing to await or catch here.
  verify().catch(() => {})
  const timer = setInterval(() => { verify().catch(() => {}) }, intervalMs)
  timer.unref()
  return {
    state: () => state ?? 'down',
    stop () { clearInterval(timer) }
  }
}

interface Pausable {
  name: string
  /** This worker stopped taking jobs (worker.pause()). */
  isPaused: () => boolean
}

/** The worker's checks: SMTP, and every queue running, neither paused here nor for everyone (queue.pause() in Redis). */
export function workerReadiness (
  mail: MailCheck, workers: Pausable[], queues: Record<string, { isPaused: () => Promise<boolean> }>
): ReadinessSource {
  return {
    checks: { smtp: async () => mail.state() },
    async paused () {
      const paused = await Promise.all(workers.map(async (worker) => {
        // While Redis does not answer, the redis check says so; the queue is not reported paused.
        // Bounded: the purge queue's connection waits for Redis to come back, and a probe cannot.
        const everywhere = await withTimeout(queues[worker.name]?.isPaused() ?? Promise.resolve(false), PROBE_TIMEOUT_MS).catch(() => false)
        return worker.isPaused() || everywhere === true ? [worker.name] : []
      }))
      return paused.flat()
    }
  }
}
