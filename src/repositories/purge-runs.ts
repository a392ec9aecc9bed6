// The history of retention purges (purge_runs): the only module that names its columns.
import type { Database } from '../db/client.js'
import type { PurgeRun as PurgeRunRow } from '../generated/prisma/client.js'

export type PurgeTrigger = 'cli' | 'api' | 'schedule' | 'console'

/** A run's figures as they stand. */
export type PurgeFigures = Pick<PurgeRunRow, 'batches' | 'requests' | 'notifications' | 'jobsRemoved' | 'mailFilesRemoved' | 'finishedAt' | 'error'> & {
  quarantinedByReason: Record<string, number>
}

export function createPurgeRunRepository ({ prisma, pool }: Database) {
  return {
    /** Records a run as started. Its cutoff is the database's clock, the one retain_until was set by. */
    async start (run: { id: string, actor: string, trigger: PurgeTrigger, dryRun: boolean }): Promise<Pick<PurgeRunRow, 'cutoff' | 'startedAt'>> {
      const { rows: [started] } = await pool.query<Pick<PurgeRunRow, 'cutoff' | 'startedAt'>>(`
        INSERT INTO purge_runs (id, actor, trigger, dry_run, cutoff) VALUES ($1, $2, $3, $4, now())
        RETURNING cutoff, started_at AS "startedAt"`, [run.id, run.actor, run.trigger, run.dryRun])
      if (started === undefined) throw new Error('INSERT … RETURNING answered no row')
      return started
    },

    async finish (id: string, figures: PurgeFigures): Promise<void> {
      const { batches, requests, notifications, jobsRemoved, mailFilesRemoved, finishedAt, error, quarantinedByReason } = figures
      const data = { batches, requests, notifications, jobsRemoved, mailFilesRemoved, finishedAt, error, quarantinedByReason }
      await prisma.purgeRun.update({ where: { id }, data })
    },

    /** When the last real purge finished without error; null if none ever did. */
    async lastSuccess (): Promise<Date | null> {
      const last = await prisma.purgeRun.findFirst({
        where: { dryRun: false, error: null, finishedAt: { not: null } },
        orderBy: { finishedAt: 'desc' },
        select: { finishedAt: true }
      })
      return last?.finishedAt ?? null
    },

    /** Runs, newest first. */
    async history (limit: number): Promise<Array<Omit<PurgeRunRow, 'quarantinedByReason'> & { quarantinedByReason: Record<string, number> | null }>> {
      const runs = await prisma.purgeRun.findMany({ orderBy: { startedAt: 'desc' }, take: limit })
      // Written by finish() from a PurgeRun's counts: an object of integers, or null for older runs.
      return runs.map((run) => ({ ...run, quarantinedByReason: run.quarantinedByReason as Record<string, number> | null }))
    }
  }
}
export type PurgeRunRepository = ReturnType<typeof createPurgeRunRepository>
