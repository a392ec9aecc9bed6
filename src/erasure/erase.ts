// Erasing requests for good: the rows in PostgreSQL and every trace elsewhere (the queue jobs of
// its notification, receipt and webhook deliveries and their history in Redis, the .eml copies in
// the mail drop), and telling the webhook endpoints that had its data (GDPR Art. 19). Retention
// purges, data-subject erasures and withdrawals of consent all erase through here, and its two
// ways in both sweep the queues' event history afterwards: no caller has a step to remember.
import { readdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { RedisClient } from '../redis/connect.js'
import type { Queue } from 'bullmq'
import type { NotifyQueue } from '../jobs/notify.js'
import type { ReceiptQueue } from '../jobs/receipt.js'
import type { WebhookProducer } from '../jobs/webhook.js'
import type { WebhookRepository } from '../repositories/webhooks.js'
import type { NotificationRepository } from '../repositories/notifications.js'
import type { ReceiptRepository } from '../repositories/receipts.js'
import type { Outbox, RemovalReason, RemovalSelection, RequestRepository } from '../repositories/requests.js'

export interface RemovedCounts {
  requests: number
  notifications: number
  /** Queue jobs removed from Redis: notification, receipt and webhook delivery jobs together. */
  jobsRemoved: number
  mailFilesRemoved: number
}

export interface ErasureDeps {
  requests: RequestRepository
  notifications: NotificationRepository
  receipts: ReceiptRepository
  webhooks: WebhookRepository
  /** Where notification and receipt jobs live; they carry ids only, but a job of a removed request must go too. */
  queue: NotifyQueue
  receiptQueue: ReceiptQueue
  /** Webhook jobs (removed like the others) and the contact_request.erased events a removal owes. */
  webhookProducer: WebhookProducer
  /** A connection to the queue's Redis, for the existence check and the event stream. */
  redis: RedisClient
  /** The local mail drop; .eml files there are named after their notification. */
  mailDropDir: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The mail drop's file names, listed once per run: cheaper than one unlink attempt per notification. */
async function listMailDrop (mailDropDir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(mailDropDir))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set()
    throw err
  }
}

/** Removes the jobs with these ids that still exist; most are long gone (completed ones are trimmed). */
async function removeJobs (redis: RedisClient, jobs: Queue, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0
  const pipeline = redis.pipeline()
  for (const id of ids) pipeline.exists(jobs.toKey(id))
  const exists = await pipeline.exec() ?? []
  let removed = 0
  for (const id of ids.filter((_id, i) => exists[i]?.[1] === 1)) {
    if (await jobs.remove(id) === 1) removed++
  }
  return removed
}

/** Removes the drop copies of these e-mails (each named after its notification or receipt). */
async function removeMailFiles (mailDropDir: string, ids: string[], mailDrop: Set<string>): Promise<number> {
  let removed = 0
  for (const name of ids.map((id) => `${id}.eml`).filter((n) => mailDrop.has(n))) {
    try {
      await unlink(join(mailDropDir, name))
      removed++
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    mailDrop.delete(name)
  }
  return removed
}

/**
 * Removes the selected requests and their traces and answers what it removed. The traces
 * go while the rows are locked and before they are deleted: if that fails, nothing is
 * deleted and a later run finds the same rows and tries again. The contact_request.erased
 * deliveries are enqueued once the removal is committed (the outbox relay takes those Redis refuses).
 */
async function remove (
  deps: ErasureDeps, selection: RemovalSelection, reason: RemovalReason, runId: string | null, files: Set<string>
): Promise<Erased> {
  const { requests, queue, receiptQueue, webhookProducer, redis, mailDropDir } = deps
  const removeTraces = async ({ notificationIds, receiptIds, webhookDeliveryIds }: Outbox) => ({
    jobsRemoved: await removeJobs(redis, queue, notificationIds) + await removeJobs(redis, receiptQueue, receiptIds) +
      await removeJobs(redis, webhookProducer.queue, webhookDeliveryIds),
    mailFilesRemoved: await removeMailFiles(mailDropDir, [...notificationIds, ...receiptIds], files)
  })
  const { ids, outbox, traces, erasedEvents, quarantinedByReason } = await requests.remove(selection, reason, runId, removeTraces)
  await Promise.allSettled(erasedEvents.map(webhookProducer.enqueue))
  return { ids, requests: ids.length, notifications: outbox.notificationIds.length, ...traces, quarantinedByReason }
}

/** Deletes the entries of one queue's event stream about jobs whose rows no longer exist. */
async function sweepEvents (redis: RedisClient, jobs: Queue, existing: (ids: string[]) => Promise<Set<string>>): Promise<number> {
  const key = jobs.toKey('events')
  const byJob = new Map<string, string[]>()
  for (const [entryId, fields] of await redis.xrange(key, '-', '+')) {
    const at = fields.indexOf('jobId')
    const jobId = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined
    if (jobId !== undefined && UUID.test(jobId)) byJob.set(jobId, [...byJob.get(jobId) ?? [], entryId])
  }
  if (byJob.size === 0) return 0
  const live = await existing([...byJob.keys()])
  const stale = [...byJob].filter(([jobId]) => !live.has(jobId)).flatMap(([, entries]) => entries)
  for (let i = 0; i < stale.length; i += 1000) await redis.xdel(key, ...stale.slice(i, i + 1000))
  return stale.length
}

/**
 * The queue's event stream (BullMQ's capped log of added/active/completed/removed events)
 * names jobs by id. Once a notification is gone, the events about its job go too; run after
 * removals, since removing a job logs one more.
 */
async function sweepJobEvents (deps: ErasureDeps): Promise<number> {
  const { redis, queue, receiptQueue, webhookProducer, notifications, receipts, webhooks } = deps
  return await sweepEvents(redis, queue, notifications.existing) + await sweepEvents(redis, receiptQueue, receipts.existing) +
    await sweepEvents(redis, webhookProducer.queue, webhooks.existing)
}

/**
 * For an erasure in many batches (the purge): `work` erases batch by batch with `eraseBatch`,
 * and the event history is swept once when it ends, whether it finished or failed (a sweep per
 * batch would read the whole event stream a thousand times in a million-row purge).
 */
async function inBatches<T> (deps: ErasureDeps, work: (eraseBatch: EraseBatch) => Promise<T>): Promise<T> {
  const files = await listMailDrop(deps.mailDropDir)
  try {
    return await work(async (selection, reason, runId) => await remove(deps, selection, reason, runId, files))
  } finally {
    await sweepJobEvents(deps)
  }
}

export function createErasure (deps: ErasureDeps) {
  return {
    /** Erases the selected requests and every trace of them, and answers what it removed. */
    erase: async (selection: RemovalSelection, reason: RemovalReason): Promise<Erased> =>
      await inBatches(deps, async (eraseBatch) => await eraseBatch(selection, reason, null)),
    inBatches: async <T>(work: (eraseBatch: EraseBatch) => Promise<T>): Promise<T> => await inBatches(deps, work),
    /** The mail drop's file names (a dry run counts the copies it would remove). */
    listMailDrop: async (): Promise<Set<string>> => await listMailDrop(deps.mailDropDir)
  }
}
export type ErasureService = ReturnType<typeof createErasure>

/** What an erasure removed, the ids of the requests it removed, and of those the quarantined ones by spam reason. */
export type Erased = RemovedCounts & { ids: string[], quarantinedByReason: Record<string, number> }

/** One batch of an erasure in batches; `runId` names the purge run its tombstones belong to. */
export type EraseBatch = (selection: RemovalSelection, reason: RemovalReason, runId: string | null) => Promise<Erased>
