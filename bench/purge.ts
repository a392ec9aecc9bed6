// npm run bench:purge: purge 1,000,000 expired requests (with consent and notification rows) and
// measure the intake's p99 during the purge against its p99 without it, in the same run.
import pg from 'pg'
import { pino } from 'pino'
import { benchEnv, load, makeBodies, prepareDatabase, startServer, type Measured } from './common.js'
import { loadConfig } from '../src/config.js'
import { createCore, TUNING } from '../src/roots/core.js'
import { retentionOn } from '../src/roots/admin.js'

const ROWS = Number(process.env.BENCH_PURGE_ROWS ?? 1_000_000)
/** Intake is measured in windows of this length: two without a purge, then one after another until the purge ends. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
/** Enough signed submissions for a purge twice as long as the goal allows (75 s). */
const MAX_PURGE_SECONDS = 150
/** A steady stream of form posts, as a busy site would send, not a saturating flood. */
const RATE = Number(process.env.BENCH_RATE ?? 100)
const CONNECTIONS = 10
// The shipped settings unless a run names others.
const BATCH = Number(process.env.BENCH_PURGE_BATCH ?? TUNING.purgeBatchSize)
const PAUSE_MS = Number(process.env.BENCH_PURGE_PAUSE_MS ?? TUNING.purgePauseMs)
const LANES = Number(process.env.BENCH_PURGE_LANES ?? TUNING.purgeLanes)

const env = benchEnv({ MAIL_DROP_DIR: 'var/bench-mail' })
const url = env.DATABASE_URL as string

/** Expired requests as intake writes them: each with a consent record and a sent notification. */
async function seedExpired (count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    for (let done = 0; done < count; done += 100_000) {
      await client.query(`
        WITH request AS (
          INSERT INTO contact_requests (id, contact_id, name, email, message, locale, captcha_provider, captcha_verified, captcha_key, fingerprint, received_at, retain_until)
          SELECT gen_random_uuid(), 'lotta-fransson', 'Seeded Person', 'seeded' || g || '@example.se', 'Seeded message ' || g, 'sv', 'altcha', true,
                 md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text),
                 now() - interval '200 days', now() - interval '20 days'
            FROM generate_series(1, $1) g
          RETURNING id, received_at
        ), consent AS (
          INSERT INTO consent_records (request_id, notice_version, notice_locale, notice_sha256, method, consented_at)
          SELECT id, '2026-11-26', 'sv', (SELECT sha256 FROM privacy_notices WHERE version = '2026-11-26' AND locale = 'sv'), 'checkbox', received_at FROM request
        )
        INSERT INTO notifications (id, request_id, status, recipient, smtp_response)
        SELECT gen_random_uuid(), id, 'sent', 'lotta.fransson@example.org', '250 OK' FROM request`, [Math.min(100_000, count - done)])
    }
    await client.query('VACUUM ANALYZE contact_requests, consent_records, notifications')
    // The seed wrote gigabytes of WAL: flush it now, so its checkpoint is not measured as the purge's.
    await client.query('CHECKPOINT')
  } finally {
    await client.end()
  }
}

await prepareDatabase(env)
const bodies = await makeBodies(env, RATE * (MAX_PURGE_SECONDS + 3 * SECONDS + 3) + 500 * 20)
const intake = await startServer(env, 'intake')
// The purge as the CLI runs it, with this run's batch size and pause.
const core = await createCore({ ...loadConfig(env), DATABASE_POOL_SIZE: 4 }, { log: pino({ level: 'warn' }), tuning: { purgeBatchSize: BATCH, purgePauseMs: PAUSE_MS, purgeLanes: LANES } })
const retention = retentionOn(core)
const options = { seconds: SECONDS, connections: CONNECTIONS, rate: RATE }
const check = (m: Measured, what: string) => {
  if (m.non2xx > 0 || m.errors > 0) throw new Error(`requests failed ${what} (non-2xx ${m.non2xx}, errors ${m.errors})`)
}
try {
  process.stdout.write(`seeding ${ROWS} expired requests with consent and notification rows…\n`)
  const seedStart = performance.now()
  await seedExpired(ROWS)
  process.stdout.write(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(0)} s\n`)

  const window = () => bodies.splice(0, RATE * SECONDS + 500)
  await load(intake.port, bodies.splice(0, RATE * 3 + 500), { ...options, seconds: 3 }) // warm-up
  const quiet = [await load(intake.port, window(), options), await load(intake.port, window(), options)]
  quiet.forEach((m) => { check(m, 'without a purge') })

  const purgeState: { ended: number | null } = { ended: null }
  const started = performance.now()
  const purge = retention.purgeExpired({ dryRun: false, actor: 'bench', trigger: 'cli' }).finally(() => { purgeState.ended = performance.now() })
  const during: Measured[] = []
  while (purgeState.ended === null) {
    if (bodies.length < RATE * SECONDS + 500) throw new Error('the purge outlasted the prepared submissions')
    const m = await load(intake.port, window(), options)
    check(m, 'during the purge')
    during.push(m)
  }
  const run = await purge
  const seconds = ((purgeState.ended ?? performance.now()) - started) / 1000
  const worst = (ms: Measured[]) => ms.reduce((a, b) => (b.p99 > a.p99 ? b : a))
  const quietWorst = worst(quiet)
  const duringWorst = worst(during)

  process.stdout.write(`\npurged ${run.requests} requests (${run.notifications} notifications, consent records with them) in ${run.batches} batches of ${BATCH}, ${LANES} at once, each lane pausing ${PAUSE_MS} ms between its batches\n`)
  process.stdout.write(`purge time: ${seconds.toFixed(1)} s, ${(run.requests / seconds).toFixed(0)} rows/s  (goal: ${ROWS} rows in 75 s or less)\n`)
  process.stdout.write(`intake at ${RATE} req/s, ${SECONDS} s windows, p99 per window:\n`)
  process.stdout.write(`  without a purge: ${quiet.map((m) => m.p99).join(', ')} ms\n`)
  process.stdout.write(`  during the purge: ${during.map((m) => m.p99).join(', ')} ms (the last window may outlast the purge)\n`)
  process.stdout.write(`worst window without: p50 ${quietWorst.p50} ms, p90 ${quietWorst.p90} ms, p99 ${quietWorst.p99} ms\n`)
  process.stdout.write(`worst window during:  p50 ${duringWorst.p50} ms, p90 ${duringWorst.p90} ms, p99 ${duringWorst.p99} ms\n`)
  process.stdout.write(`p99 ratio (worst during / worst without): ${(duringWorst.p99 / quietWorst.p99).toFixed(2)}  (goal ≤ 2.00)\n`)
} finally {
  intake.child.kill('SIGTERM')
  await core.close()
}
