// The retention purge: one operation behind the CLI, the admin API and the worker's schedule.
import { setTimeout } from 'node:timers/promises'
import type { AuditRepository } from '../repositories/audit.js'
import type { PurgeRunRepository, PurgeTrigger } from '../repositories/purge-runs.js'
import type { RequestRepository } from '../repositories/requests.js'
import type { ErasureService } from '../erasure/erase.js'
import type { WebhookRepository } from '../repositories/webhooks.js'
import type { Metrics } from '../ops/metrics.js'

export interface PurgeRequest {
  dryRun: boolean
  /** Who asked: an API key's name, "cli:<user>" or "scheduler". */
  actor: string
  trigger: PurgeTrigger
  /** Called after each batch, e.g. to print progress on a terminal. */
  onBatch?: (progress: PurgeRun) => void
}

export interface PurgeRun {
  id: string
  dryRun: boolean
  cutoff: Date
  batches: number
  requests: number
  notifications: number
  jobsRemoved: number
  mailFilesRemoved: number
  /** Quarantined requests removed, by spam reason code. */
  quarantinedByReason: Record<string, number>
  startedAt: Date
  finishedAt: Date | null
  error: string | null
}

export interface RetentionDeps {
  requests: RequestRepository
  purgeRuns: PurgeRunRepository
  audit: AuditRepository
  erasure: ErasureService
  webhooks: WebhookRepository
  metrics: Metrics['purge']
  /** How long webhook deliveries that outlive their request (erasure notices, tests) are kept: RETENTION_DAYS. */
  detachedDeliveryDays: number
  /** How long a quarantined request is kept from entering the quarantine: QUARANTINE_RETENTION_DAYS. */
  quarantineRetentionDays: number
  /** Requests deleted per transaction. */
  batchSize: number
  /** Pause between batches, so a long purge leaves room for intake. */
  pauseMs: number
  /** Batches under way at once, each in its own transaction over rows the others skip. */
  lanes: number
}

const DAY_MS = 86_400_000

/** Requests quarantined before this are due, whatever their retain_until. */
const quarantinedBefore = (run: PurgeRun, days: number): Date => new Date(run.cutoff.getTime() - days * DAY_MS)

/**
 * Deletes every due request (retention over, or quarantined QUARANTINE_RETENTION_DAYS ago, and no
 * legal hold) with its traces, batch by batch: first by retention, then what the quarantine's
 * shorter retention has left (each pass down its own index).
 * Each batch is its own transaction over rows locked FOR UPDATE SKIP LOCKED: intake is never
 * blocked, concurrent purges take disjoint batches, and an interrupted purge leaves whole
 * batches done and the rest for the next run.
 */
async function purgeDue (deps: RetentionDeps, run: PurgeRun, onBatch: PurgeRequest['onBatch']): Promise<void> {
  const { erasure, webhooks, metrics, detachedDeliveryDays, quarantineRetentionDays, batchSize, pauseMs, lanes } = deps
  const passes = [
    { due: { cutoff: run.cutoff, limit: batchSize } },
    { quarantineDue: { before: quarantinedBefore(run, quarantineRetentionDays), limit: batchSize } }
  ]
  await erasure.inBatches(async (eraseBatch) => {
    for (const selection of passes) {
      // Each lane takes batches until it finds none left to take: rows another lane holds are
      // skipped (SKIP LOCKED), so the lanes never wait for each other. When one fails, the others
      // stop after the batch they are in, and the purge fails once they have.
      let failed = false
      const lane = async (): Promise<void> => {
        while (!failed) {
          const removed = await eraseBatch(selection, 'retention', run.id).catch((err: unknown) => { failed = true; throw err })
          if (removed.requests === 0) return
          run.batches++
          run.requests += removed.requests
          metrics.requests.inc(removed.requests)
          run.notifications += removed.notifications
          run.jobsRemoved += removed.jobsRemoved
          run.mailFilesRemoved += removed.mailFilesRemoved
          for (const [reason, count] of Object.entries(removed.quarantinedByReason)) {
            run.quarantinedByReason[reason] = (run.quarantinedByReason[reason] ?? 0) + count
          }
          onBatch?.(run)
          if (pauseMs > 0) await setTimeout(pauseMs)
        }
      }
      const failure = (await Promise.allSettled(Array.from({ length: lanes }, lane))).find((r) => r.status === 'rejected')
      if (failure !== undefined) throw failure.reason
    }
    await webhooks.pruneDetached(new Date(run.cutoff.getTime() - detachedDeliveryDays * DAY_MS))
  })
}

/** What a real run would remove now; changes nothing. Queue jobs are not counted: most are long gone. */
async function countDue ({ erasure, requests, quarantineRetentionDays }: RetentionDeps, run: PurgeRun): Promise<void> {
  const withMailFile = [...await erasure.listMailDrop()].filter((name) => name.endsWith('.eml')).map((name) => name.slice(0, -4))
  const due = await requests.countDue(run.cutoff, quarantinedBefore(run, quarantineRetentionDays), withMailFile)
  run.requests = due.requests
  run.notifications = due.notifications
  run.mailFilesRemoved = due.mailFiles
}

/** Runs a purge (or a dry run), records it in the purge history and, once done, in the audit log. */
async function purgeExpired (deps: RetentionDeps, { dryRun, actor, trigger, onBatch }: PurgeRequest): Promise<PurgeRun> {
  const { purgeRuns, audit, metrics } = deps
  const id = crypto.randomUUID()
  const started = await purgeRuns.start({ id, actor, trigger, dryRun })
  const counts = { batches: 0, requests: 0, notifications: 0, jobsRemoved: 0, mailFilesRemoved: 0, quarantinedByReason: {} }
  const run: PurgeRun = { id, dryRun, ...started, ...counts, finishedAt: null, error: null }
  try {
    if (dryRun) await countDue(deps, run)
    else await purgeDue(deps, run, onBatch)
  } catch (err) {
    run.error = err instanceof Error ? `${err.name}: ${(err as { code?: string }).code ?? 'failed'}` : 'failed'
    throw err
  } finally {
    run.finishedAt = new Date()
    metrics.runs.inc({ trigger, result: run.error !== null ? 'failure' : dryRun ? 'dry_run' : 'success' })
    await purgeRuns.finish(run.id, run)
  }
  await audit.record({ actor, action: 'retention.purge', targetId: run.id, outcome: 'ok', detail: { dryRun, requests: run.requests, quarantinedByReason: run.quarantinedByReason } })
  return run
}

export function createRetention (deps: RetentionDeps) {
  return { purgeExpired: async (request: PurgeRequest): Promise<PurgeRun> => await purgeExpired(deps, request) }
}
export type Retention = ReturnType<typeof createRetention>
