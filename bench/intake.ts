// npm run bench: intake throughput and p99 against a bare Fastify + pg INSERT + BullMQ add, in one run.
import { fork, type ChildProcess } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { createChallenge, solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import { ensureDatabase, migrate } from '../src/db/migrate.js'
import { createDatabase } from '../src/db/client.js'
import { loadReferenceData } from '../src/db/reference-data.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
/** Distinct submissions prepared per intake measurement: more than it can take in SECONDS. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432'

const env = {
  ...process.env,
  DATABASE_URL: `${SERVER}/contact_intake_bench`,
  QUEUE_PREFIX: `bench-${process.pid}`,
  LOG_LEVEL: 'warn',
  ALTCHA_HMAC_KEY: 'bench-altcha-hmac-key-0123456789',
  PSEUDONYM_KEY: 'bench-pseudonym-key-0123456789',
  // The issue asks for a cheap challenge in the bench: the server still verifies each solution.
  ALTCHA_COST: '1',
  RATE_LIMIT_MAX: String(10 * REQUESTS * ROUNDS)
}

async function prepareDatabase (): Promise<void> {
  await ensureDatabase(env.DATABASE_URL)
  await migrate(env.DATABASE_URL, 'prisma/migrations')
  const client = new pg.Client({ connectionString: env.DATABASE_URL })
  await client.connect()
  await client.query('DROP TABLE IF EXISTS bench_baseline')
  await client.query('CREATE TABLE bench_baseline (LIKE contact_requests INCLUDING DEFAULTS)')
  await client.query('ALTER TABLE bench_baseline ALTER captcha_provider DROP NOT NULL, ALTER captcha_verified DROP NOT NULL, ALTER captcha_key DROP NOT NULL, ALTER fingerprint DROP NOT NULL, ADD PRIMARY KEY (id)')
  await client.query('TRUNCATE contact_requests, consent_records, notifications')
  await client.end()
  const database = createDatabase({ connectionString: env.DATABASE_URL, max: 1 })
  await loadReferenceData(database.prisma, { CONTACTS_FILE: 'data/contacts.json', PRIVACY_NOTICES_DIR: 'data/privacy-notices' }, { info: () => {} })
  await database.close()
}

/** Distinct bodies with distinct, valid ALTCHA solutions signed with the server's key. */
async function makeBodies (count: number): Promise<string[]> {
  const bodies: string[] = []
  for (let i = 0; i < count; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, count - i) }, async (_v, j) => {
      // A small server-chosen counter keeps solving cheap; verification is unchanged.
      const challenge = await createChallenge({
        algorithm: 'PBKDF2/SHA-256', cost: 1, counter: randomInt(0, 4), deriveKey, hmacSignatureSecret: env.ALTCHA_HMAC_KEY, expiresAt: new Date(Date.now() + 3_600_000)
      })
      const solution = await solveChallenge({ challenge, deriveKey })
      return JSON.stringify({
        contactId: 'lotta-fransson',
        name: 'Anna Andersson',
        email: `anna.andersson+${i + j}@example.se`,
        phone: '+46 70 123 45 67',
        organisation: 'Skellefteå kommun',
        message: `Hej! Jag vill veta mer om Akademin för Livslångt Lärande. (${i + j})`,
        locale: 'sv',
        pageUrl: 'https://www.ri.se/sv/berattelser/ny-kompetens-forandrade-perspektiven-for-skelleftea-kommun',
        consent: { accepted: true, noticeVersion: '2026-11-26' },
        captcha: { provider: 'altcha', token: Buffer.from(JSON.stringify({ challenge, solution })).toString('base64') },
        website: ''
      })
    }))
    bodies.push(...batch)
  }
  return bodies
}

async function startServer (kind: 'intake' | 'baseline'): Promise<{ child: ChildProcess, port: number }> {
  const execArgv = process.env.BENCH_PROFILE === kind ? ['--cpu-prof', '--cpu-prof-dir=var/profiles'] : []
  const child = fork(fileURLToPath(new URL('./servers.js', import.meta.url)), [kind], { env, execArgv })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => { resolve(m.port) })
    child.once('exit', (code) => { reject(new Error(`${kind} server exited with ${code}`)) })
  })
  return { child, port }
}

interface Measured { rps: number, p99: number, non2xx: number, errors: number }

/**
 * Fixed-time load (autocannon ends runs on whole seconds, so a fixed count of
 * requests would be timed coarsely). The intake must see each body once: a
 * repeat would take the cheaper duplicate path, so running out is an error.
 */
async function load (port: number, bodies: string[], { mayRepeat = false } = {}): Promise<Measured> {
  let next = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/contact-requests`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json' },
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }]
  })
  if (!mayRepeat && next > bodies.length) throw new Error(`the intake took more than ${bodies.length} requests in ${SECONDS} s; raise BENCH_REQUESTS`)
  return { rps: result.requests.total / SECONDS, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors }
}

await prepareDatabase()
process.stdout.write(`preparing ${REQUESTS * (ROUNDS + 1)} signed ALTCHA solutions…\n`)
const bodies = await makeBodies(REQUESTS * (ROUNDS + 1))
const take = (n: number) => bodies.splice(0, n)
// The baseline stores whatever it gets: it may cycle through one set of bodies.
const baselineBodies = bodies.slice(0, REQUESTS)

const intake = await startServer('intake')
const baseline = await startServer('baseline')
try {
  // Warm both (JIT, pools, prepared plans), then alternate so drift hits both alike.
  await load(baseline.port, baselineBodies, { mayRepeat: true })
  await load(intake.port, take(REQUESTS))
  const runs: Array<{ base: Measured, ours: Measured }> = []
  for (let round = 0; round < ROUNDS; round++) {
    const base = await load(baseline.port, baselineBodies, { mayRepeat: true })
    const ours = await load(intake.port, take(REQUESTS))
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
  intake.child.kill('SIGTERM')
  baseline.child.kill('SIGTERM')
}
