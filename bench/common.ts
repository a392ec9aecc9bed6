// What the benches share: the bench database, signed ALTCHA submissions, child servers and autocannon runs.
import { fork, type ChildProcess } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { chromium, type Browser } from 'playwright-core'
import pg from 'pg'
import { Redis } from 'ioredis'
import { createChallenge, solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import { ensureDatabase, migrate } from '../src/db/migrate.js'
import { createDatabase } from '../src/db/client.js'
import { loadReferenceData } from '../src/reference-data.js'
import { createRepositories } from '../src/repositories/index.js'
import { HISTORY_TABLES, REQUEST_TABLES, SPAM_TABLES } from '../src/db/tables.js'

const SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432'

export const benchEnv = (overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  DATABASE_URL: `${SERVER}/contact_intake_bench`,
  QUEUE_PREFIX: `bench-${process.pid}`,
  LOG_LEVEL: 'warn',
  ALTCHA_HMAC_KEY: 'bench-altcha-hmac-key-0123456789',
  PSEUDONYM_KEY: 'bench-pseudonym-key-0123456789',
  // The issue asks for a cheap challenge in the bench: the server still verifies each solution.
  ALTCHA_COST: '1',
  RATE_LIMIT_MAX: '100000000',
  // The intake's operations listener, on a free port.
  METRICS_PORT: '0',
  ...overrides
})

/** The bench database, migrated, with the directory and notices loaded and no requests. */
export async function prepareDatabase (env: NodeJS.ProcessEnv, setup: (client: pg.Client) => Promise<void> = async () => {}): Promise<void> {
  const url = env.DATABASE_URL as string
  await ensureDatabase(url)
  await migrate(url, 'prisma/migrations')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`TRUNCATE ${[...REQUEST_TABLES, ...HISTORY_TABLES, ...SPAM_TABLES].join(', ')}`)
  await setup(client)
  await client.end()
  const database = createDatabase({ connectionString: url, max: 1 })
  await loadReferenceData(createRepositories(database, { duplicateWindowSeconds: 600 }), { CONTACTS_FILE: 'data/contacts.json', PRIVACY_NOTICES_DIR: 'data/privacy-notices' }, { info: () => {} })
  await database.close()
}

/**
 * The bench database for the intake against its floor: the floor's table (bench/servers.ts), and
 * the intake as a real installation runs it: receipts on (the default) and one endpoint subscribed
 * to every new request, so each submission writes and enqueues a notification, a receipt and a
 * delivery. Nothing delivers in the bench: the URL is never asked.
 */
export async function prepareIntakeBench (env: NodeJS.ProcessEnv): Promise<void> {
  await prepareDatabase(env, async (client) => {
    await client.query('DROP TABLE IF EXISTS bench_baseline')
    await client.query('CREATE TABLE bench_baseline (LIKE contact_requests INCLUDING DEFAULTS)')
    await client.query('ALTER TABLE bench_baseline ALTER captcha_provider DROP NOT NULL, ALTER captcha_verified DROP NOT NULL, ALTER captcha_key DROP NOT NULL, ALTER fingerprint DROP NOT NULL, ADD PRIMARY KEY (id)')
    await client.query('DELETE FROM webhook_endpoints')
    await client.query(`INSERT INTO webhook_endpoints (id, url, events, secret_sealed, updated_at)
      VALUES (gen_random_uuid(), 'http://127.0.0.1:9/bench', '{contact_request.received}', 'not sealed: nothing delivers in the bench', now())`)
  })
}

/**
 * The n-th body's message. People write messages of their own: each differs in its words (its
 * number spelt in letters: the campaign signal reads past digits). BENCH_SAME_TEXT=1 sends the
 * same text from every address instead, a campaign as large as the bench: the spam filter's worst case.
 */
function messageOf (n: number): string {
  const base = 'Hej! Jag vill veta mer om Akademin för Livslångt Lärande.'
  if (process.env.BENCH_SAME_TEXT === '1') return `${base} (${n})`
  const word = n.toString(26).split('').map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('')
  return `${base} Vårt ärende heter ${word}.`
}

/** Distinct bodies with distinct, valid ALTCHA solutions signed with the server's key. */
export async function makeBodies (env: NodeJS.ProcessEnv, count: number): Promise<string[]> {
  const bodies: string[] = []
  for (let i = 0; i < count; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, count - i) }, async (_v, j) => {
      // A small server-chosen counter keeps solving cheap; verification is unchanged.
      const challenge = await createChallenge({
        algorithm: 'PBKDF2/SHA-256',
        cost: 1,
        counter: randomInt(0, 4),
        deriveKey,
        hmacSignatureSecret: env.ALTCHA_HMAC_KEY as string,
        expiresAt: new Date(Date.now() + 3_600_000),
        // Issued when prepared, as the service issues its own: the form was filled long before it is sent.
        data: { issuedAt: Math.floor(Date.now() / 1000) }
      })
      const solution = await solveChallenge({ challenge, deriveKey })
      return JSON.stringify({
        contactId: 'lotta-fransson',
        name: 'Anna Andersson',
        email: `anna.andersson+${i + j}@example.se`,
        phone: '+46 70 123 45 67',
        organisation: 'Skellefteå kommun',
        message: messageOf(i + j),
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

/** A bench server (bench/servers.ts) in a child process, so the load generator does not share its event loop. */
export async function startServer (env: NodeJS.ProcessEnv, kind: 'intake' | 'baseline'): Promise<{ child: ChildProcess, port: number, opsUrl: string | null }> {
  const execArgv = process.env.BENCH_PROFILE === kind ? ['--cpu-prof', '--cpu-prof-dir=var/profiles'] : []
  const child = fork(fileURLToPath(new URL('./servers.js', import.meta.url)), [kind], { env, execArgv })
  const started = await new Promise<{ port: number, opsUrl: string | null }>((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => { reject(new Error(`${kind} server exited with ${code}`)) })
  })
  return { child, ...started }
}

/**
 * A checkpoint (every checkpoint_timeout, or forced by WAL volume) writes out the pages dirtied
 * before it, and autovacuum wakes once enough rows were inserted, each in whichever window runs
 * then (it was the first window of the first round, whichever server it measured): settle() before
 * every measured window runs a vacuum and a checkpoint.
 */
export async function quietDatabase (env: NodeJS.ProcessEnv): Promise<{ settle: () => Promise<void>, end: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: env.DATABASE_URL })
  await admin.connect()
  return {
    settle: async () => {
      await admin.query('VACUUM (ANALYZE)')
      await admin.query('CHECKPOINT')
    },
    end: async () => { await admin.end() }
  }
}

/** The middle value: one round that met a noisy neighbour does not move it. */
export function median (xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export interface Measured { rps: number, p50: number, p90: number, p99: number, non2xx: number, errors: number }

export interface LoadOptions {
  seconds: number
  connections: number
  /** Requests per second over all connections; unset for as fast as the server answers. */
  rate?: number
  /** The intake must see each body once (a repeat takes the cheaper duplicate path); the baseline may cycle. */
  mayRepeat?: boolean
}

/**
 * Fixed-time load (autocannon ends runs on whole seconds, so a fixed count of
 * requests would be timed coarsely).
 */
export async function load (port: number, bodies: string[], { seconds, connections, rate, mayRepeat = false }: LoadOptions): Promise<Measured> {
  let next = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/contact-requests`,
    connections,
    duration: seconds,
    ...(rate === undefined ? {} : { overallRate: rate }),
    headers: { 'content-type': 'application/json' },
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }]
  })
  if (!mayRepeat && next > bodies.length) throw new Error(`the intake took more than ${bodies.length} requests in ${seconds} s; prepare more bodies`)
  return { rps: result.requests.total / seconds, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors }
}

/**
 * Debian's Chromium through playwright-core, which never downloads a browser. This machine has
 * no network: the flags keep Chromium from trying to reach Google's services.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchChromium (): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
  })
}

/**
 * Deletes every Redis key under the bench's QUEUE_PREFIX: nothing works the bench's jobs off, and
 * a run that left its hundred thousand jobs behind would slow the next run's Redis.
 */
export async function removeQueueKeys (env: NodeJS.ProcessEnv): Promise<void> {
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null })
  try {
    for await (const keys of redis.scanStream({ match: `${env.QUEUE_PREFIX ?? 'bench'}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys)
    }
  } finally {
    redis.disconnect()
  }
}
