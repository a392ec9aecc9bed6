// The purge at scale, beside intake: 40,000 expired requests (40 batches) go while submissions keep being
// accepted. A system test: it seeds and deletes more rows than any other test (a million: npm run bench:purge).
import t from 'tap'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { altchaSubmission, buildTestApp, post } from '../helpers/app.js'
import { seedRequests } from '../helpers/seed.js'
import { eventually } from '../helpers/wait.js'
import { sharedDatabase } from '../helpers/database.js'

t.test('intake keeps answering while 40,000 expired requests are purged, batch by batch', async (t) => {
  const { app } = await buildTestApp(t, { MAIL_DROP_DIR: await mkdtemp(join(tmpdir(), 'purge-load-mail-')) })
  const { pool } = await sharedDatabase()
  await seedRequests(pool, { count: 40_000, retainDays: -1 })
  let finished = false
  // The shipped batch size (TUNING.purgeBatchSize) and pause between batches.
  const purging = app.services.retention.purgeExpired({ dryRun: false, actor: 'test', trigger: 'cli' }).finally(() => { finished = true })
  await eventually(async () => await app.core.database.prisma.purgeTombstone.count() > 0 ? true : undefined, { what: 'the first batch to be purged' })
  const answers: number[] = []
  let duringPurge = 0
  for (let i = 0; i < 20; i++) {
    answers.push((await post(app, await altchaSubmission(app, { message: `Under rensningen ${i}` }))).statusCode)
    if (!finished) duringPurge++
  }
  const run = await purging
  t.same(answers, Array(20).fill(202), 'every submission was accepted')
  t.ok(duringPurge > 0, `${duringPurge} submissions were answered while the purge was running`)
  t.equal(run.requests, 40_000)
  t.ok(run.batches >= 40, `${run.batches} batches`)
  t.equal(await app.core.database.prisma.contactRequest.count(), 20, 'only the new requests are left')
})
