// npm run bench:budget: where the intake's throughput goes, against the floor of `npm run bench`.
// The floor (bare Fastify + one pg INSERT + one BullMQ add) is measured alone, then with what any
// intake of ours must do on top of it whatever its own code, one part at a time and each with the
// library the intake uses (bench/servers.ts, BENCH_FLOOR_ADDS), then the intake itself. Each
// step's throughput is a ratio to the floor's in the same round; the gap between the last step and
// the intake is what our own code costs (the rows and jobs of a request, consent, repeats, spam,
// logging, metrics).
import { benchEnv, load, makeBodies, median, prepareIntakeBench, quietDatabase, removeQueueKeys, startServer, type Measured } from './common.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 30_000)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

const FLOOR_STEPS = [
  { name: 'floor', adds: '' },
  { name: '+ ALTCHA verification (altcha-lib)', adds: 'captcha' },
  { name: '+ rate limit counted in Redis', adds: 'captcha,rate-limit' },
  { name: '+ headers, validation, serialisation', adds: 'captcha,rate-limit,http' }
]

const env = benchEnv()
await prepareIntakeBench(env)
process.stdout.write(`preparing ${REQUESTS * (ROUNDS + 1)} signed ALTCHA solutions…\n`)
const bodies = await makeBodies(env, REQUESTS * (ROUNDS + 1))
// The floor's steps check no repeats: they may cycle through one set; the intake must see each body once.
const floorBodies = bodies.slice(0, REQUESTS)
const take = (n: number) => bodies.splice(0, n)

const steps = await Promise.all(FLOOR_STEPS.map(async ({ name, adds }) =>
  ({ name, server: await startServer(benchEnv({ BENCH_FLOOR_ADDS: adds }), 'baseline'), repeats: true })))
steps.push({ name: 'the intake', server: await startServer(env, 'intake'), repeats: false })
const options = { seconds: SECONDS, connections: CONNECTIONS }
const database = await quietDatabase(env)
const measure = async (step: typeof steps[number]): Promise<Measured> => {
  await database.settle()
  return await load(step.server.port, step.repeats ? floorBodies : take(REQUESTS), { ...options, mayRepeat: step.repeats })
}
try {
  for (const step of steps) await measure(step) // warm-up: JIT, pools, prepared plans
  const rounds: Measured[][] = []
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order, so drift over the round hits the first and last steps alike.
    const row: Measured[] = []
    const order = steps.map((_step, i) => i)
    for (const i of round % 2 === 0 ? order : order.reverse()) row[i] = await measure(steps[i] as typeof steps[number])
    if (row.some((m) => m.non2xx > 0 || m.errors > 0)) throw new Error('requests failed during the bench: the figures would not mean anything')
    rounds.push(row)
    process.stdout.write(`round ${round + 1}: ${row.map((m, i) => `${steps[i]?.name ?? ''} ${m.rps.toFixed(0)} req/s`).join(' | ')}\n`)
  }
  process.stdout.write(`\n${CONNECTIONS} connections, ${SECONDS} s per measurement, ${ROUNDS} rounds; throughput as a ratio to the floor's in the same round (median of the rounds)\n`)
  steps.forEach((step, i) => {
    const ratios = rounds.map((row) => (row[i] as Measured).rps / (row[0] as Measured).rps)
    const p99 = rounds.map((row) => (row[i] as Measured).p99 / (row[0] as Measured).p99)
    process.stdout.write(`${step.name.padEnd(42)} ${median(ratios).toFixed(2)}  p99 ${median(p99).toFixed(2)}x  (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})\n`)
  })
} finally {
  await database.end()
  for (const step of steps) step.server.child.kill('SIGTERM')
  await removeQueueKeys(env)
}
