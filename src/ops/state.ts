// Gauges read when Prometheus scrapes: queue depth, the outbox backlog, the last successful purge and
// whether PostgreSQL and Redis answer. They describe the deployment, not this process: every
// process exposes the same values (dashboards and rules take max()). One read serves all of them
// and is kept for a few seconds, so a storm of scrapes cannot hammer PostgreSQL or Redis.
import type { JobType, Queue } from 'bullmq'
import { Gauge } from 'prom-client'
import { METRIC_PREFIX, type Metrics } from './metrics.js'
import { cachedFor, type Check } from './checks.js'
import { withTimeout } from '../with-timeout.js'

/** The BullMQ states a queue's jobs are counted in. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const satisfies readonly JobType[]

export interface StateSource {
  /** Queues by name; only what counting their jobs needs. */
  queues: Record<string, Pick<Queue, 'getJobCounts'>>
  /** Notifications neither sent nor failed after OUTBOX_BACKLOG_SECONDS. */
  backlog: () => Promise<number>
  /** When the last real (not dry) purge finished without error, if any did. */
  lastPurge: () => Promise<Date | null>
  /** Requests in the spam quarantine. */
  quarantine: () => Promise<number>
  /** Open requests (received or taken, not restricted) by their age in working days, bucketed. */
  unanswered: () => Promise<Record<string, number>>
}

/** The process's readiness checks by name (database, redis; smtp in a worker): the dependency gauge's values. */
export type DependencyChecks = Record<string, () => Promise<Check>>

interface Snapshot {
  /** Null when Redis did not answer: the gauge then has no value rather than a stale one. */
  queues: Record<string, Record<string, number>> | null
  backlog: number | null
  quarantine: number | null
  unanswered: Record<string, number> | null
  /** Null when no purge ever succeeded; undefined when PostgreSQL did not answer. */
  lastPurge: Date | null | undefined
  dependencies: Record<string, Check>
}

const READ_TIMEOUT_MS = 1500

async function orNull<T> (read: () => Promise<T>): Promise<T | null> {
  try {
    return await withTimeout(read(), READ_TIMEOUT_MS)
  } catch {
    return null
  }
}

async function readQueues (queues: StateSource['queues']): Promise<Snapshot['queues']> {
  const entries = await Promise.all(Object.entries(queues).map(async ([name, queue]) =>
    [name, await orNull(async () => await queue.getJobCounts(...QUEUE_STATES))] as const))
  if (entries.some(([, counts]) => counts === null)) return null
  return Object.fromEntries(entries) as Record<string, Record<string, number>>
}

async function readDependencies (checks: DependencyChecks): Promise<Record<string, Check>> {
  return Object.fromEntries(await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await check()] as const)))
}

/** Registers the scrape-time gauges on `metrics`' registry; a read is reused for `ttlMs`. */
// eslint-disable-next-line max-lines-per-function -- the catalogue: one entry per gauge
export function registerStateGauges (metrics: Metrics, source: StateSource, checks: DependencyChecks, ttlMs = 5000): Gauge[] {
  const snapshot = cachedFor(ttlMs, async (): Promise<Snapshot> => {
    const [queues, backlog, quarantine, unanswered, lastPurge, dependencies] = await Promise.all([
      readQueues(source.queues),
      orNull(source.backlog),
      orNull(source.quarantine),
      orNull(source.unanswered),
      withTimeout(source.lastPurge(), READ_TIMEOUT_MS).catch(() => undefined),
      readDependencies(checks)
    ])
    return { queues, backlog, quarantine, unanswered, lastPurge, dependencies }
  })
  const registers = [metrics.registry]

  return [new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: `Jobs in each queue by state (${QUEUE_STATES.join(', ')}), read at scrape time; absent while Redis does not answer`,
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect () {
      this.reset()
      const { queues } = await snapshot()
      for (const [queue, counts] of Object.entries(queues ?? {})) {
        for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0)
      }
    }
  }), new Gauge({
    name: `${METRIC_PREFIX}outbox_backlog`,
    help: 'Notifications neither sent nor failed after OUTBOX_BACKLOG_SECONDS; absent while PostgreSQL does not answer',
    registers,
    async collect () {
      this.reset()
      const { backlog } = await snapshot()
      if (backlog !== null) this.set(backlog)
    }
  }), new Gauge({
    name: `${METRIC_PREFIX}spam_quarantine_requests`,
    help: 'Requests held in the spam quarantine; absent while PostgreSQL does not answer',
    registers,
    async collect () {
      this.reset()
      const { quarantine } = await snapshot()
      if (quarantine !== null) this.set(quarantine)
    }
  }), new Gauge({
    name: `${METRIC_PREFIX}unanswered_requests`,
    help: 'Requests nobody has marked answered (received or taken, not restricted), by age in working days since they came or were passed on; no label names a person; absent while PostgreSQL does not answer',
    labelNames: ['age'] as const,
    registers,
    async collect () {
      this.reset()
      const { unanswered } = await snapshot()
      for (const [age, count] of Object.entries(unanswered ?? {})) this.set({ age }, count)
    }
  }), new Gauge({
    name: `${METRIC_PREFIX}purge_last_success_timestamp_seconds`,
    help: 'When the last retention purge (by any process, the CLI included) finished without error, in Unix seconds; 0 if none ever did',
    registers,
    async collect () {
      this.reset()
      const { lastPurge } = await snapshot()
      if (lastPurge !== undefined) this.set(lastPurge === null ? 0 : lastPurge.getTime() / 1000)
    }
  }), new Gauge({
    name: `${METRIC_PREFIX}dependency_up`,
    help: 'Whether a dependency answered its probe at the last read: 1 up, 0 down',
    labelNames: ['dependency'] as const,
    registers,
    async collect () {
      const { dependencies } = await snapshot()
      for (const [dependency, check] of Object.entries(dependencies)) this.set({ dependency }, check === 'up' ? 1 : 0)
    }
  })]
}
