// The retention purge: what it deletes, what it never touches, and how it behaves beside intake and itself.
import t from 'tap'
import { mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { seedRequests } from '../../helpers/seed.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'
import { sharedDatabase } from '../../helpers/database.js'
import { createRetention, type PurgeRequest } from '../../../src/retention/purge.js'
import type { ErasureService } from '../../../src/erasure/erase.js'
import { TUNING } from '../../../src/roots/core.js'
import { PURGE_QUEUE, retireLegacyPurgeQueue, schedulePurge, type PurgeQueue } from '../../../src/jobs/purge.js'
import { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'

async function setup (t: Parameters<typeof buildTestApp>[0]) {
  const mailDropDir = await mkdtemp(join(tmpdir(), 'purge-mail-'))
  const built = await buildTestApp(t, { MAIL_DROP_DIR: mailDropDir })
  const { pool } = await sharedDatabase()
  const { erasure, repositories } = built.app.core
  /** The purge operation with its own batch size. */
  const purge = async ({ batchSize = 1000, ...request }: Partial<PurgeRequest> & { batchSize?: number }, using: ErasureService = erasure) =>
    await createRetention({ ...repositories, erasure: using, metrics: built.app.core.metrics.purge, detachedDeliveryDays: built.config.RETENTION_DAYS, quarantineRetentionDays: built.config.QUARANTINE_RETENTION_DAYS, batchSize, pauseMs: TUNING.purgePauseMs, lanes: TUNING.purgeLanes }).purgeExpired({ dryRun: false, actor: 'test', trigger: 'cli', ...request })
  return { ...built, pool, erasure, purge, mailDropDir }
}

async function storedRequest (app: FastifyInstance, email = 'anna.andersson@example.se'): Promise<{ id: string, notificationId: string }> {
  const id = (await post(app, await altchaSubmission(app, { email, message: `Hej ${Math.random()}` }))).json<{ id: string }>().id
  const { id: notificationId } = await app.core.database.prisma.notification.findFirstOrThrow({ where: { requestId: id } })
  return { id, notificationId }
}

const expire = async (app: FastifyInstance, id: string, data: Record<string, unknown> = {}) =>
  await app.core.database.prisma.contactRequest.update({ where: { id }, data: { retainUntil: new Date(Date.now() - 1000), ...data } })

t.test('a purge deletes expired requests everywhere and never touches unexpired, held or restricted-and-unexpired ones', async (t) => {
  const { app, purge, mailDropDir } = await setup(t)
  const expired = await storedRequest(app)
  const restrictedExpired = await storedRequest(app)
  const unexpired = await storedRequest(app)
  const held = await storedRequest(app)
  const restricted = await storedRequest(app)
  await expire(app, expired.id)
  await expire(app, restrictedExpired.id, { restrictedAt: new Date() })
  await expire(app, held.id, { legalHoldReason: 'Ärende 2026/77', legalHoldAt: new Date() })
  await app.core.database.prisma.contactRequest.update({ where: { id: restricted.id }, data: { restrictedAt: new Date() } })
  // The API enqueued each notification (no worker runs here), and a mail copy lies in the drop.
  await writeFile(join(mailDropDir, `${expired.notificationId}.eml`), 'To: lotta\r\n\r\nHej')
  await writeFile(join(mailDropDir, `${unexpired.notificationId}.eml`), 'To: lotta\r\n\r\nHej')
  t.ok(await app.core.queues.notify.getJob(expired.notificationId), 'the job is in Redis before the purge')

  const run = await purge({ dryRun: false, actor: 'test', trigger: 'cli', batchSize: 1000 })
  t.match(run, { requests: 2, notifications: 2, jobsRemoved: 2, mailFilesRemoved: 1, batches: 1, error: null })
  const left = (await app.core.database.prisma.contactRequest.findMany({ select: { id: true } })).map((r) => r.id).sort()
  t.same(left, [unexpired.id, held.id, restricted.id].sort())
  t.equal(await app.core.database.prisma.consentRecord.count(), 3, 'consent records went with their requests')
  t.equal(await app.core.database.prisma.notification.count(), 3)
  t.equal(await app.core.queues.notify.getJob(expired.notificationId), undefined, 'the queue job is gone')
  const events = JSON.stringify(await app.core.redis.xrange(app.core.queues.notify.toKey('events'), '-', '+'))
  t.notMatch(events, expired.notificationId, 'and so are the queue\'s events about it')
  t.match(events, unexpired.notificationId, 'events about jobs that stay are kept')
  t.ok(await app.core.queues.notify.getJob(unexpired.notificationId), 'an unexpired request\'s job stays')
  t.same(await readdir(mailDropDir), [`${unexpired.notificationId}.eml`])
  const tombstones = await app.core.database.prisma.purgeTombstone.findMany({ orderBy: { requestId: 'asc' } })
  t.same(tombstones.map((s) => s.requestId), [expired.id, restrictedExpired.id].sort())
  t.match(tombstones[0], { contactId: 'lotta-fransson', reason: 'retention', runId: run.id })
  t.match(await app.core.database.prisma.purgeRun.findUniqueOrThrow({ where: { id: run.id } }), { actor: 'test', trigger: 'cli', dryRun: false, requests: 2, finishedAt: Date })
})

t.test('a dry run reports what would go and changes nothing', async (t) => {
  const { app, purge, mailDropDir } = await setup(t)
  const expired = await storedRequest(app)
  await expire(app, expired.id)
  await storedRequest(app)
  await writeFile(join(mailDropDir, `${expired.notificationId}.eml`), 'x')
  const run = await purge({ dryRun: true, actor: 'test', trigger: 'cli', batchSize: 1000 })
  t.match(run, { dryRun: true, requests: 1, notifications: 1, mailFilesRemoved: 1, batches: 0 })
  t.equal(await app.core.database.prisma.contactRequest.count(), 2)
  t.equal(await app.core.database.prisma.purgeTombstone.count(), 0)
  t.ok(await app.core.queues.notify.getJob(expired.notificationId))
  t.same(await readdir(mailDropDir), [`${expired.notificationId}.eml`])
})

t.test('two purges at once delete each row once, and neither fails', async (t) => {
  const { app, pool, purge } = await setup(t)
  await seedRequests(pool, { count: 5000, retainDays: -1 })
  await seedRequests(pool, { count: 100, retainDays: 30 })
  const [a, b] = await Promise.all([
    purge({ dryRun: false, actor: 'a', trigger: 'cli', batchSize: 200 }),
    purge({ dryRun: false, actor: 'b', trigger: 'api', batchSize: 200 })
  ])
  t.equal(a.requests + b.requests, 5000, 'together they purged every expired row')
  t.ok(a.requests > 0 && b.requests > 0, `both took batches (${a.requests} and ${b.requests})`)
  t.equal(await app.core.database.prisma.purgeTombstone.count(), 5000, 'one tombstone per purged request')
  t.equal(await app.core.database.prisma.contactRequest.count(), 100)
  t.equal(await app.core.database.prisma.notification.count(), 100)
})

t.test('a purge runs its batches in two lanes at once, and each row is deleted once', async (t) => {
  const { app, pool, erasure, purge } = await setup(t)
  await seedRequests(pool, { count: 2000, retainDays: -1 })
  let running = 0
  let most = 0
  const watched: ErasureService = {
    ...erasure,
    inBatches: async (work) => await erasure.inBatches(async (eraseBatch) => await work(async (...args) => {
      most = Math.max(most, ++running)
      try {
        return await eraseBatch(...args)
      } finally {
        running--
      }
    }))
  }
  const run = await purge({ dryRun: false, actor: 'test', trigger: 'cli', batchSize: 100 }, watched)
  t.equal(most, TUNING.purgeLanes, 'as many batches under way at once as there are lanes')
  t.match(run, { requests: 2000, batches: 20 })
  t.equal(await app.core.database.prisma.purgeTombstone.count(), 2000, 'one tombstone per purged request')
  t.equal(await app.core.database.prisma.contactRequest.count(), 0)
})

t.test('an interrupted purge keeps the batches it finished and the next run takes the rest', async (t) => {
  const { app, pool, erasure, purge } = await setup(t)
  await seedRequests(pool, { count: 250, retainDays: -1 })
  let batches = 0
  const failing: ErasureService = {
    ...erasure,
    inBatches: async (work) => await erasure.inBatches(async (eraseBatch) => await work(async (...args) => {
      if (++batches === 3) throw new Error('Redis went away')
      return await eraseBatch(...args)
    }))
  }
  await t.rejects(purge({ dryRun: false, actor: 'test', trigger: 'cli', batchSize: 100 }, failing), /Redis went away/)
  t.equal(await app.core.database.prisma.contactRequest.count(), 50, 'two whole batches are gone')
  const interrupted = await app.core.database.prisma.purgeRun.findFirstOrThrow({ orderBy: { startedAt: 'asc' } })
  t.match(interrupted, { requests: 200, batches: 2, error: 'Error: failed', finishedAt: Date })
  const next = await purge({ dryRun: false, actor: 'test', trigger: 'cli', batchSize: 100 })
  t.equal(next.requests, 50)
  t.equal(await app.core.database.prisma.contactRequest.count(), 0)
  t.equal(await app.core.database.prisma.purgeTombstone.count(), 250)
})

t.test('the admin API runs purges and lists them', async (t) => {
  const { app } = await setup(t)
  const key = await adminKey(app, ['retention:purge'])
  const expired = await storedRequest(app)
  await expire(app, expired.id)
  const dry = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: { dryRun: true } })
  t.match(dry.json(), { dryRun: true, requests: 1 })
  const real = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: {} })
  t.match(real.json(), { dryRun: false, requests: 1 })
  const history = await asAdmin(app, key, { method: 'GET', url: '/v1/admin/purges' })
  t.same(history.json().runs.map((r: { dryRun: boolean, actor: string, trigger: string }) => [r.dryRun, r.actor, r.trigger]), [[false, 'test-admin', 'api'], [true, 'test-admin', 'api']])
})

t.test('the worker schedules the purge daily at 03:00 Stockholm time, and "off" removes the schedule', async (t) => {
  const { config } = await setup(t)
  const queue: PurgeQueue = new Queue(PURGE_QUEUE, { prefix: config.QUEUE_PREFIX, connection: { url: config.REDIS_URL } })
  t.teardown(async () => { await queue.obliterate({ force: true }); await queue.close() })
  await schedulePurge(queue, config)
  await schedulePurge(queue, config)
  const schedulers = await queue.getJobSchedulers()
  t.equal(schedulers.length, 1, 'upserted, not duplicated')
  t.match(schedulers[0], { key: 'retention-purge', pattern: '0 3 * * *', tz: 'Europe/Stockholm' })
  await schedulePurge(queue, { ...config, PURGE_CRON: 'off' })
  t.same(await queue.getJobSchedulers(), [])
})

t.test('an upgrade retires the purge queue of earlier releases ("maintenance") with its schedule', async (t) => {
  const { app, config } = await setup(t)
  const legacy: PurgeQueue = new Queue('maintenance', { prefix: config.QUEUE_PREFIX, connection: { url: config.REDIS_URL } })
  t.teardown(async () => { await legacy.close() })
  await schedulePurge(legacy, config)
  t.equal((await legacy.getJobSchedulers()).length, 1, 'as an earlier release left it')
  await retireLegacyPurgeQueue(app.core.redis, config.QUEUE_PREFIX)
  t.same(await legacy.getJobSchedulers(), [])
  t.same(await app.core.redis.keys(`${config.QUEUE_PREFIX}:maintenance:*`), [], 'no key of it is left')
  await retireLegacyPurgeQueue(app.core.redis, config.QUEUE_PREFIX)
  t.pass('and once it is gone, retiring it again is a no-op')
})

t.test('the scheduled purge runs: expired requests go, the run is recorded as scheduled, and audited as the scheduler', async (t) => {
  // Every second, so the scheduler fires within the test; the production default is daily.
  const { app, config, pool } = await setup(t)
  await seedRequests(pool, { count: 30, retainDays: -1 })
  await seedRequests(pool, { count: 5, retainDays: 30 })
  const workers = await startTestWorkers(t, { ...config, PURGE_CRON: '* * * * * *' })
  t.teardown(async () => { await workers.services.purgeQueue.obliterate({ force: true }) })
  const run = await eventually(async () => await app.core.database.prisma.purgeRun.findFirst({ where: { trigger: 'schedule', finishedAt: { not: null } } }) ?? undefined, { timeoutMs: 10_000, what: 'a scheduled purge run' })
  t.match(run, { actor: 'scheduler', dryRun: false, requests: 30, error: null })
  t.equal(await app.core.database.prisma.contactRequest.count(), 5, 'only the unexpired are left')
  const audit = await eventually(async () => await app.core.database.prisma.auditEntry.findFirst({ where: { action: 'retention.purge', targetId: run.id } }) ?? undefined)
  t.match(audit, { actor: 'scheduler', outcome: 'ok', detail: { dryRun: false, requests: 30 } })
})

t.test('a batch that fails inside its transaction is left whole for the next run; its jobs and mail copies are already gone', async (t) => {
  const { app, pool, purge, mailDropDir } = await setup(t)
  const requests = [await storedRequest(app), await storedRequest(app), await storedRequest(app)]
  for (const r of requests) {
    await expire(app, r.id)
    await writeFile(join(mailDropDir, `${r.notificationId}.eml`), 'a copy of the e-mail')
  }
  // The database refuses to delete the middle request: the batch's statement fails after
  // its rows were locked and their traces removed, before anything is committed.
  await app.core.database.prisma.contactRequest.update({ where: { id: requests[1]?.id }, data: { message: 'the disk is full' } })
  await pool.query(`CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
    CREATE TRIGGER refuse_delete BEFORE DELETE ON contact_requests FOR EACH ROW WHEN (OLD.message = 'the disk is full') EXECUTE FUNCTION refuse_delete()`)
  t.teardown(async () => { await pool.query('DROP TRIGGER IF EXISTS refuse_delete ON contact_requests; DROP FUNCTION IF EXISTS refuse_delete()') })

  await t.rejects(purge({ dryRun: false, actor: 'test', trigger: 'cli', batchSize: 10 }), /disk full/)
  t.equal(await app.core.database.prisma.contactRequest.count(), 3, 'no request of the batch is deleted')
  t.equal(await app.core.database.prisma.consentRecord.count(), 3, 'nor its consent records')
  t.equal(await app.core.database.prisma.notification.count(), 3, 'nor its notifications')
  t.equal(await app.core.database.prisma.purgeTombstone.count(), 0, 'and no tombstone claims otherwise')
  t.match(await app.core.database.prisma.purgeRun.findFirstOrThrow(), { requests: 0, batches: 0, error: 'error: P0001', finishedAt: Date }, 'the run is recorded with its error code')
  // What cannot be rolled back, as the README says: the queue jobs and mail copies went first.
  for (const r of requests) t.equal(await app.core.queues.notify.getJob(r.notificationId), undefined, 'its job is gone')
  t.same((await readdir(mailDropDir)).filter((f) => f.endsWith('.eml')), [], 'its mail copies are gone')

  await pool.query('DROP TRIGGER refuse_delete ON contact_requests')
  const next = await purge({ dryRun: false, actor: 'test', trigger: 'cli', batchSize: 10 })
  t.match(next, { requests: 3, batches: 1, error: null })
  t.equal(await app.core.database.prisma.contactRequest.count(), 0)
  t.equal(await app.core.database.prisma.notification.count(), 0)
  t.equal(await app.core.database.prisma.purgeTombstone.count(), 3)
})
