// PostgreSQL behind PgBouncer in transaction pooling mode: intake, workers, admin reads and writes,
// the purge, the data-subject erasure and the CLI's migrations work through it (migrations on
// DIRECT_DATABASE_URL), and a PgBouncer restart under load is answered within bounds and heals.
import t from 'tap'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { testDatabase, sharedDatabase } from '../../helpers/database.js'
import { checkAnswers, checkNotifiedOnce, submitUnderLoad } from '../../helpers/load.js'
import { pgBouncer } from '../../helpers/pgbouncer.js'
import { seedRequests } from '../../helpers/seed.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { CLI_ENV, TEST_DATABASE_URL } from '../../helpers/config.js'
import { runCli } from '../../../src/cli/run.js'

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))

t.test('through PgBouncer (transaction pooling): every path works, and a restart under load heals by itself', async (t) => {
  await sharedDatabase()
  const direct = new URL(TEST_DATABASE_URL)
  const bouncer = await pgBouncer(t, { host: direct.hostname, port: Number(direct.port) })
  const sink = await smtpSink()
  t.teardown(sink.close)
  const mailDropDir = await mkdtemp(join(tmpdir(), 'pgbouncer-mail-'))
  const { app, config } = await buildTestApp(t, { DATABASE_URL: bouncer.through(TEST_DATABASE_URL), SMTP_URL: sink.url, MAIL_DROP_DIR: mailDropDir })
  await startTestWorkers(t, config, { ownDatabase: true, tuning: { relayDelayMs: 1000, relayIntervalMs: 500 } })

  // The CLI's migrations take the direct connection; everything else goes through PgBouncer.
  let stderr = ''
  const io = { stdout: { write: () => {} }, stderr: { write: (s: string) => { stderr += s } } }
  const migrated = await runCli(['db', 'migrate'], { ...io, env: { ...CLI_ENV, DATABASE_URL: bouncer.through(TEST_DATABASE_URL), DIRECT_DATABASE_URL: TEST_DATABASE_URL } })
  t.equal(migrated, 0, `db migrate with DIRECT_DATABASE_URL ${stderr}`)

  // Intake under load, then PgBouncer restarted in the middle of it.
  let stopAt = Infinity
  const load = submitUnderLoad(app, { clients: 4, done: () => performance.now() > stopAt })
  await sleep(1500)
  await bouncer.stop()
  await sleep(3000)
  await bouncer.start()
  stopAt = performance.now() + 3000
  const answers = await load
  checkAnswers(t, 'pgbouncer restart', answers)
  t.ok(answers.slice(-8).every((a) => a.status === 202), 'accepting again after the restart, without a restart of ours')
  const accepted = answers.filter((a) => a.status === 202)
  await checkNotifiedOnce(t, accepted, sink)
  const prisma = await testDatabase()
  const ids = accepted.map((a) => a.id as string)

  // Admin: a read, a status change (a Prisma transaction), the subject erasure (a pool transaction), a purge.
  const key = await adminKey(app)
  const first = ids[0] as string
  t.equal((await asAdmin(app, key, { method: 'GET', url: `/v1/admin/contact-requests/${first}` })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${first}/status`, payload: { status: 'received' } })).statusCode, 200)
  const erased = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/erase', payload: { email: 'anna.andersson@example.se' } })
  t.equal(erased.statusCode, 200, 'the erasure, through PgBouncer')
  // A submission whose connection died after PostgreSQL committed it was answered 503 and is stored
  // all the same (README: "Deadlines"): the erasure takes every accepted request, and may take such a one.
  const erasedIds = new Set(erased.json<{ requestIds: string[] }>().requestIds)
  t.same(ids.filter((id) => !erasedIds.has(id)), [], 'every accepted request is erased')
  t.equal(await prisma.contactRequest.count({ where: { email: 'anna.andersson@example.se' } }), 0, 'and nothing of hers is left')
  await seedRequests((await sharedDatabase()).pool, { count: 1500, retainDays: -1 })
  const dry = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: { dryRun: true } })
  t.match([dry.statusCode, dry.json()], [200, { dryRun: true, requests: 1500 }])
  const purged = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: {} })
  t.match([purged.statusCode, purged.json()], [200, { requests: 1500 }], 'the purge, in batches through PgBouncer')
  t.equal(await prisma.contactRequest.count(), 0)
})
