// npm run bench: intake throughput and p99 against a bare Fastify + pg INSERT + BullMQ add, in one
// run, with receipts on and one webhook endpoint subscribed; and, in the same rounds, the cost of
// metrics (the intake with metrics on, scraped every second, against METRICS_ENABLED=false) and of
// spam scoring (against SPAM_FILTER=false).
import { benchEnv, load, makeBodies, median, prepareIntakeBench, quietDatabase, removeQueueKeys, startServer, type Measured } from './common.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
/** Distinct submissions prepared per intake measurement: more than it can take in SECONDS. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 30_000)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const env = benchEnv()

await prepareIntakeBench(env)
process.stdout.write(`preparing ${REQUESTS * 3 * (ROUNDS + 1)} signed ALTCHA solutions…\n`)
const bodies = await makeBodies(env, REQUESTS * 3 * (ROUNDS + 1))
const take = (n: number) => bodies.splice(0, n)
// The baseline stores whatever it gets: it may cycle through one set of bodies.
const baselineBodies = bodies.slice(0, REQUESTS)

const intake = await startServer(env, 'intake')
const unmetered = await startServer(benchEnv({ METRICS_ENABLED: 'false' }), 'intake')
const unscored = await startServer(benchEnv({ SPAM_FILTER: 'false' }), 'intake')
const baseline = await startServer(env, 'baseline')
/**
 * Prometheus scrapes every 15 s or so; the bench scrapes every second each server whose metrics are
 * on (the scoring-off server too: it differs from the intake in scoring alone), and keeps the
 * intake's last exposition's size.
 */
let scrapedBytes = 0
const scraper = setInterval(() => {
  fetch(`${intake.opsUrl ?? ''}/metrics`).then(async (res) => { scrapedBytes = Buffer.byteLength(await res.text()) }, () => {})
  fetch(`${unscored.opsUrl ?? ''}/metrics`).then(async (res) => { await res.text() }, () => {})
}, 1000)
const options = { seconds: SECONDS, connections: CONNECTIONS }
const database = await quietDatabase(env)
const measure = async (server: { port: number }): Promise<Measured> => {
  await database.settle()
  return await load(server.port, take(REQUESTS), options)
}
try {
  // Warm both (JIT, pools, prepared plans), then alternate so drift hits both alike.
  await load(baseline.port, baselineBodies, { ...options, mayRepeat: true })
  await load(intake.port, take(REQUESTS), options)
  await load(unmetered.port, take(REQUESTS), options)
  await load(unscored.port, take(REQUESTS), options)
  const runs: Array<{ base: Measured, ours: Measured, off: Measured, plain: Measured }> = []
  for (let round = 0; round < ROUNDS; round++) {
    await database.settle()
    const base = await load(baseline.port, baselineBodies, { ...options, mayRepeat: true })
    // Which of the two intakes goes first alternates, so neither always meets the fresher database.
    let ours: Measured, off: Measured, plain: Measured
    if (round % 2 === 0) {
      ours = await measure(intake)
      off = await measure(unmetered)
      plain = await measure(unscored)
    } else {
      plain = await measure(unscored)
      off = await measure(unmetered)
      ours = await measure(intake)
    }
    runs.push({ base, ours, off, plain })
    process.stdout.write(`round ${round + 1}: baseline ${base.rps.toFixed(0)} req/s p99 ${base.p99} ms | intake ${ours.rps.toFixed(0)} req/s p99 ${ours.p99} ms | metrics off ${off.rps.toFixed(0)} req/s p99 ${off.p99} ms | scoring off ${plain.rps.toFixed(0)} req/s p99 ${plain.p99} ms\n`)
    if ([base, ours, off, plain].some((m) => m.non2xx > 0 || m.errors > 0)) throw new Error('requests failed during the bench: the figures would not mean anything')
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const throughput = mean(runs.map((r) => r.ours.rps / r.base.rps))
  const p99 = mean(runs.map((r) => r.ours.p99 / r.base.p99))
  process.stdout.write(`\n${CONNECTIONS} connections, ${SECONDS} s per measurement, ${ROUNDS} rounds\n`)
  process.stdout.write(`throughput ratio (intake / baseline): ${throughput.toFixed(2)}  (goal ≥ 0.60)\n`)
  process.stdout.write(`p99 ratio (intake / baseline):        ${p99.toFixed(2)}  (goal ≤ 2.00)\n`)
  const onOff = (what: string, ratios: number[]) => {
    process.stdout.write(`throughput ratio (${what}):  median ${median(ratios).toFixed(2)}, mean ${mean(ratios).toFixed(2)}  (goal ≥ 0.95); per round ${ratios.map((x) => x.toFixed(3)).join(', ')}\n`)
  }
  onOff('metrics on / off', runs.map((r) => r.ours.rps / r.off.rps))
  onOff('scoring on / off', runs.map((r) => r.ours.rps / r.plain.rps))
  process.stdout.write(`one scrape of the intake's /metrics:  ${scrapedBytes} bytes\n`)
} finally {
  clearInterval(scraper)
  await database.end()
  for (const server of [intake, unmetered, unscored, baseline]) server.child.kill('SIGTERM')
  await removeQueueKeys(env)
}
