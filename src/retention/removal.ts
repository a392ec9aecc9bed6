// Removing requests for good: the rows in PostgreSQL and every trace elsewhere
// (the notification's queue job and its history in Redis, the .eml copy in the mail drop).
// Retention purges and data-subject erasures share it.
import { readdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type pg from 'pg'
import type { Redis } from 'ioredis'
import type { NotifyQueue } from '../jobs/notify.js'

export type RemovalReason = 'retention' | 'erasure'

export interface RemovedCounts {
  requests: number
  notifications: number
  jobsRemoved: number
  mailFilesRemoved: number
}

export interface RemovalDeps {
  /** Where notification jobs live; they carry ids only, but a job of a removed request must go too. */
  queue: NotifyQueue
  /** A connection to the queue's Redis, for the existence check. */
  redis: Redis
  /** The local mail drop; .eml files there are named after their notification. */
  mailDropDir: string
}

/** A row locked for removal: a request and its notifications. */
export interface DoomedRequest {
  id: string
  notificationIds: string[]
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function createRemoval ({ queue, redis, mailDropDir }: RemovalDeps) {
  /** The mail drop's file names, listed once per run: cheaper than one unlink attempt per notification. */
  async function listMailDrop (): Promise<Set<string>> {
    try {
      return new Set(await readdir(mailDropDir))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set()
      throw err
    }
  }

  /**
   * Removes the queue jobs and mail copies of these notifications. Runs while
   * their rows are locked and before they are deleted: if it fails, nothing is
   * deleted and a later run finds the same rows and tries again.
   */
  async function removeTraces (notificationIds: string[], mailDrop: Set<string>): Promise<{ jobsRemoved: number, mailFilesRemoved: number }> {
    let jobsRemoved = 0
    if (notificationIds.length > 0) {
      // Most jobs are long gone (completed ones are trimmed): ask which exist in one round trip.
      const pipeline = redis.pipeline()
      for (const id of notificationIds) pipeline.exists(queue.toKey(id))
      const exists = await pipeline.exec() ?? []
      const present = notificationIds.filter((_id, i) => exists[i]?.[1] === 1)
      for (const id of present) {
        if (await queue.remove(id) === 1) jobsRemoved++
      }
    }
    let mailFilesRemoved = 0
    for (const id of notificationIds) {
      const name = `${id}.eml`
      if (!mailDrop.has(name)) continue
      try {
        await unlink(join(mailDropDir, name))
        mailFilesRemoved++
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
      mailDrop.delete(name)
    }
    return { jobsRemoved, mailFilesRemoved }
  }

  /**
   * Deletes locked requests inside the caller's transaction, leaving an
   * anonymous tombstone for each; consent records, notifications and events
   * go with them (ON DELETE CASCADE).
   */
  async function deleteRequests (client: pg.ClientBase, doomed: DoomedRequest[], reason: RemovalReason, runId: string | null): Promise<void> {
    await client.query(`
      WITH gone AS (DELETE FROM contact_requests WHERE id = ANY($1::uuid[]) RETURNING id, contact_id, received_at)
      INSERT INTO purge_tombstones (request_id, contact_id, received_on, reason, run_id)
      SELECT id, contact_id, (received_at AT TIME ZONE 'Europe/Stockholm')::date, $2, $3 FROM gone
      ON CONFLICT (request_id) DO NOTHING`, [doomed.map((d) => d.id), reason, runId])
  }

  /**
   * Removes the requests `where` selects (alias r) and their traces, in one
   * transaction, and answers what it removed. It waits for rows another
   * transaction holds; a caller that must not wait selects with SKIP LOCKED.
   */
  async function removeRequests (pool: pg.Pool, where: { sql: string, values: unknown[] }, reason: RemovalReason, runId: string | null, mailDrop?: Set<string>): Promise<RemovedCounts & { ids: string[] }> {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<DoomedRequest>(`
        SELECT r.id, array(SELECT n.id::text FROM notifications n WHERE n.request_id = r.id) AS "notificationIds"
          FROM contact_requests r WHERE ${where.sql}
           FOR UPDATE OF r`, where.values)
      const notificationIds = rows.flatMap((r) => r.notificationIds)
      const traces = await removeTraces(notificationIds, mailDrop ?? await listMailDrop())
      if (rows.length > 0) await deleteRequests(client, rows, reason, runId)
      await client.query('COMMIT')
      return { ids: rows.map((r) => r.id), requests: rows.length, notifications: notificationIds.length, ...traces }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }

  /**
   * The queue's event stream (BullMQ's capped log of added/active/completed/
   * removed events) names jobs by id. Once a notification is gone, the events
   * about its job go too; run after removals, since removing a job logs one more.
   */
  async function sweepJobEvents (pool: pg.Pool): Promise<number> {
    const key = queue.toKey('events')
    const byJob = new Map<string, string[]>()
    for (const [entryId, fields] of await redis.xrange(key, '-', '+')) {
      const at = fields.indexOf('jobId')
      const jobId = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined
      if (jobId !== undefined && UUID.test(jobId)) byJob.set(jobId, [...byJob.get(jobId) ?? [], entryId])
    }
    if (byJob.size === 0) return 0
    const { rows } = await pool.query<{ id: string }>('SELECT id::text FROM notifications WHERE id = ANY($1::uuid[])', [[...byJob.keys()]])
    const live = new Set(rows.map((r) => r.id))
    const stale = [...byJob].filter(([jobId]) => !live.has(jobId)).flatMap(([, entries]) => entries)
    for (let i = 0; i < stale.length; i += 1000) await redis.xdel(key, ...stale.slice(i, i + 1000))
    return stale.length
  }

  return { listMailDrop, removeTraces, removeRequests, sweepJobEvents }
}
export type Removal = ReturnType<typeof createRemoval>
