// The retention purge: one implementation behind the CLI, the admin API and the worker's schedule.
import { randomUUID } from 'node:crypto'
import { setTimeout } from 'node:timers/promises'
import type pg from 'pg'
import type { Removal } from './removal.js'

export type PurgeTrigger = 'cli' | 'api' | 'schedule'

export interface PurgeOptions {
  dryRun: boolean
  /** Who asked: an API key's name, "cli:<user>" or "scheduler". */
  actor: string
  trigger: PurgeTrigger
  batchSize: number
  /** Pause between batches, so a long purge leaves room for intake. */
  pauseMs?: number
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
  startedAt: Date
  finishedAt: Date | null
  error: string | null
}

/** Due: retention over and no legal hold. Restriction does not keep data past its retention. */
const DUE = 'r.retain_until < $1 AND r.legal_hold_reason IS NULL'

/**
 * Deletes every due request with its traces, batch by batch. Each batch is its
 * own transaction over rows locked FOR UPDATE SKIP LOCKED: intake is never
 * blocked, concurrent purges take disjoint batches, and an interrupted purge
 * leaves whole batches done and the rest for the next run.
 */
export async function runPurge (pool: pg.Pool, removal: Removal, options: PurgeOptions): Promise<PurgeRun> {
  const id = randomUUID()
  const { rows: [started] } = await pool.query<{ cutoff: Date, startedAt: Date }>(`
    INSERT INTO purge_runs (id, actor, trigger, dry_run, cutoff) VALUES ($1, $2, $3, $4, now())
    RETURNING cutoff, started_at AS "startedAt"`, [id, options.actor, options.trigger, options.dryRun])
  const run: PurgeRun = {
    id,
    dryRun: options.dryRun,
    cutoff: started?.cutoff ?? new Date(),
    batches: 0,
    requests: 0,
    notifications: 0,
    jobsRemoved: 0,
    mailFilesRemoved: 0,
    startedAt: started?.startedAt ?? new Date(),
    finishedAt: null,
    error: null
  }
  try {
    if (options.dryRun) await countDue(pool, removal, run)
    else await purgeDue(pool, removal, run, options)
  } catch (err) {
    run.error = err instanceof Error ? `${err.name}: ${(err as { code?: string }).code ?? 'failed'}` : 'failed'
    throw err
  } finally {
    run.finishedAt = new Date()
    await pool.query(`
      UPDATE purge_runs SET finished_at = $2, batches = $3, requests = $4, notifications = $5, jobs_removed = $6, mail_files_removed = $7, error = $8
       WHERE id = $1`, [run.id, run.finishedAt, run.batches, run.requests, run.notifications, run.jobsRemoved, run.mailFilesRemoved, run.error])
  }
  return run
}

async function purgeDue (pool: pg.Pool, removal: Removal, run: PurgeRun, options: PurgeOptions): Promise<void> {
  const mailDrop = await removal.listMailDrop()
  for (;;) {
    const removed = await removal.removeRequests(pool, {
      sql: `r.id IN (SELECT r.id FROM contact_requests r WHERE ${DUE} ORDER BY r.retain_until LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      values: [run.cutoff, options.batchSize]
    }, 'retention', run.id, mailDrop)
    if (removed.requests === 0) {
      await removal.sweepJobEvents(pool)
      return
    }
    run.batches++
    run.requests += removed.requests
    run.notifications += removed.notifications
    run.jobsRemoved += removed.jobsRemoved
    run.mailFilesRemoved += removed.mailFilesRemoved
    options.onBatch?.(run)
    if (options.pauseMs !== undefined && options.pauseMs > 0) await setTimeout(options.pauseMs)
  }
}

/** What a real run would remove now; changes nothing. Queue jobs are not counted: most are long gone. */
async function countDue (pool: pg.Pool, removal: Removal, run: PurgeRun): Promise<void> {
  const mailDrop = [...await removal.listMailDrop()].filter((name) => name.endsWith('.eml')).map((name) => name.slice(0, -4))
  const { rows: [due] } = await pool.query<{ requests: number, notifications: number, mailFiles: number }>(`
    SELECT count(DISTINCT r.id)::int AS requests, count(n.id)::int AS notifications,
           count(n.id) FILTER (WHERE n.id::text = ANY($2::text[]))::int AS "mailFiles"
      FROM contact_requests r LEFT JOIN notifications n ON n.request_id = r.id
     WHERE ${DUE}`, [run.cutoff, mailDrop])
  run.requests = due?.requests ?? 0
  run.notifications = due?.notifications ?? 0
  run.mailFilesRemoved = due?.mailFiles ?? 0
}
