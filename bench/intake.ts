// npm run bench: intake throughput and p99 against a bare Fastify + pg INSERT + BullMQ add, in one run.
import pg from 'pg'
import { benchEnv, load, makeBodies, prepareDatabase, startServer, type Measured } from './common.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
/** Distinct submissions prepared per intake measurement: more than it can take in SECONDS. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 30_000)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const env = benchEnv()

await prepareDatabase(env, async (client) => {
  await client.query('DROP TABLE IF EXISTS bench_baseline')
  await client.query('CREATE TABLE bench_baseline (LIKE contact_requests INCLUDING DEFAULTS)')
  await client.query('ALTER TABLE bench_baseline ALTER captcha_provider DROP NOT NULL, ALTER captcha_verified DROP NOT NULL, ALTER captcha_key DROP NOT NULL, ALTER fingerprint DROP NOT NULL, ADD PRIMARY KEY (id)')
})
process.stdout.write(`preparing ${REQUESTS * (ROUNDS + 1)} signed ALTCHA solutions…\n`)
const bodies = await makeBodies(env, REQUESTS * (ROUNDS + 1))
const take = (n: number) => bodies.splice(0, n)
// The baseline stores whatever it gets: it may cycle through one set of bodies.
const baselineBodies = bodies.slice(0, REQUESTS)

const intake = await startServer(env, 'intake')
const baseline = await startServer(env, 'baseline')
const options = { seconds: SECONDS, connections: CONNECTIONS }
// A checkpoint (every checkpoint_timeout, or forced by WAL volume) writes out the
// pages dirtied before it, in whichever window runs then: start every window after one.
const admin = new pg.Client({ connectionString: env.DATABASE_URL })
await admin.connect()
const checkpoint = async () => { await admin.query('CHECKPOINT') }
try {
  // Warm both (JIT, pools, prepared plans), then alternate so drift hits both alike.
  await load(baseline.port, baselineBodies, { ...options, mayRepeat: true })
  await load(intake.port, take(REQUESTS), options)
  const runs: Array<{ base: Measured, ours: Measured }> = []
  for (let round = 0; round < ROUNDS; round++) {
    await checkpoint()
    const base = await load(baseline.port, baselineBodies, { ...options, mayRepeat: true })
    await checkpoint()
    const ours = await load(intake.port, take(REQUESTS), options)
    runs.push({ base, ours })
    process.stdout.write(`round ${round + 1}: baseline ${base.rps.toFixed(0)} req/s p99 ${base.p99} ms | intake ${ours.rps.toFixed(0)} req/s p99 ${ours.p99} ms (non-2xx ${ours.non2xx}, errors ${ours.errors})\n`)
    if (ours.non2xx > 0 || ours.errors > 0 || base.non2xx > 0 || base.errors > 0) throw new Error('requests failed during the bench: the figures would not mean anything')
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const throughput = mean(runs.map((r) => r.ours.rps / r.base.rps))
  const p99 = mean(runs.map((r) => r.ours.p99 / r.base.p99))
  process.stdout.write(`\n${CONNECTIONS} connections, ${SECONDS} s per measurement, ${ROUNDS} rounds\n`)
  process.stdout.write(`throughput ratio (intake / baseline): ${throughput.toFixed(2)}  (goal ≥ 0.60)\n`)
  process.stdout.write(`p99 ratio (intake / baseline):        ${p99.toFixed(2)}  (goal ≤ 2.00)\n`)
} finally {
  await admin.end()
  intake.child.kill('SIGTERM')
  baseline.child.kill('SIGTERM')
}
