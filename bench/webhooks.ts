// npm run bench:webhooks: webhook deliveries per second through the whole worker path (BullMQ job →
// claim in PostgreSQL → open the sealed secret → sign → POST through the SSRF guard → record the
// attempt), against its floor: BullMQ jobs that only post the same pre-signed bodies to the same
// receiver with the same concurrency (a durable delivery is a queued one; no database, no signing),
// in one run. A bare undici loop posting the same bodies is printed beside them, for reference.
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { Agent, request } from 'undici'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/client.js'
import { ensureDatabase, migrate } from '../src/db/migrate.js'
import { loadReferenceData } from '../src/reference-data.js'
import { WEBHOOK_QUEUE, type WebhookQueue } from '../src/jobs/webhook.js'
import { createRepositories } from '../src/repositories/index.js'
import { webhookBody } from '../src/schemas/webhook-events.js'
import { createSecretBox, newSigningSecret } from '../src/webhooks/secrets.js'
import { createSigner } from '../src/webhooks/sender.js'
import { startWorkers } from '../workers/index.js'
import { REQUEST_TABLES } from '../src/db/tables.js'

const COUNT = Number(process.env.BENCH_DELIVERIES ?? 5000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432'

const receiver = fork(fileURLToPath(new URL('./webhook-receiver.js', import.meta.url)), [])
const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => { resolve(m.port) }))
const url = `http://127.0.0.1:${port}/hooks/contact-requests`

const config = loadConfig({
  ...process.env,
  DATABASE_URL: `${SERVER}/contact_intake_bench`,
  QUEUE_PREFIX: `bench-webhooks-${process.pid}`,
  LOG_LEVEL: 'warn',
  WEBHOOK_SECRET_KEY: '1f'.repeat(32),
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  // The receiver sees as many connections as the bare loop's; more deliveries under way than
  // connections lets one delivery's database and Redis work overlap another's HTTP exchange.
  WEBHOOK_CONCURRENCY: String(CONCURRENCY * Number(process.env.BENCH_JOBS_PER_CONNECTION ?? 8)),
  WEBHOOK_MAX_CONNECTIONS: String(CONCURRENCY)
})
await ensureDatabase(config.DATABASE_URL)
await migrate(config.DATABASE_URL, 'prisma/migrations')
const database = createDatabase({ connectionString: config.DATABASE_URL })
const { prisma, pool } = database
await loadReferenceData(createRepositories(database, { duplicateWindowSeconds: 600 }), config, { info: () => {} })

const endpointId = randomUUID()
const secret = newSigningSecret()

/** One thin endpoint and `count` requests, each with its pending contact_request.received delivery, as intake would have written them. */
async function seed (count: number): Promise<string[]> {
  await prisma.$executeRawUnsafe(`TRUNCATE ${[...REQUEST_TABLES, 'webhook_endpoints'].join(', ')}`)
  await prisma.webhookEndpoint.create({ data: { id: endpointId, url, events: ['contact_request.received'], secretSealed: createSecretBox(config.WEBHOOK_SECRET_KEY).seal(secret, endpointId) } })
  const { rows } = await pool.query<{ id: string }>(`
    WITH request AS (
      INSERT INTO contact_requests (id, contact_id, name, email, message, locale, captcha_provider, captcha_verified, captcha_key, fingerprint, retain_until)
      SELECT gen_random_uuid(), 'lotta-fransson', 'Anna Andersson', 'anna.andersson+' || n || '@example.se', 'Hej! (' || n || ')', 'sv', 'altcha', true,
             md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text), now() + interval '180 days'
        FROM generate_series(1, $1) n
      RETURNING id, contact_id, received_at, retain_until
    )
    INSERT INTO webhook_deliveries (id, endpoint_id, event_type, request_id, data)
    SELECT gen_random_uuid(), $2, 'contact_request.received', id,
           json_build_object('requestId', id, 'contactId', contact_id, 'receivedAt', received_at, 'retainUntil', retain_until)
      FROM request
    RETURNING id`, [count, endpointId])
  return rows.map((r) => r.id)
}

async function throughWorkers (ids: string[]): Promise<number> {
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null })
  const queue: WebhookQueue = new Queue(WEBHOOK_QUEUE, { prefix: config.QUEUE_PREFIX, connection })
  await queue.obliterate({ force: true })
  // Jobs wait in a paused queue while the workers start: the clock measures delivery, not start-up.
  await queue.pause()
  for (let i = 0; i < ids.length; i += 500) {
    await queue.addBulk(ids.slice(i, i + 500).map((deliveryId) => ({ name: WEBHOOK_QUEUE, data: { deliveryId }, opts: { jobId: deliveryId, attempts: 8, removeOnComplete: { count: 1000 } } })))
  }
  const workers = await startWorkers(config, { database, log: pino({ level: 'warn' }), tuning: { relayDelayMs: 3_600_000 } })
  const done = new Promise<void>((resolve, reject) => {
    let completed = 0
    workers.webhook.on('completed', () => { if (++completed === ids.length) resolve() })
    workers.webhook.on('failed', (job) => { reject(new Error(`delivery ${job?.id ?? '?'} failed during the bench`)) })
  })
  const started = performance.now()
  await queue.resume()
  await done
  const seconds = (performance.now() - started) / 1000
  const delivered = await prisma.webhookDelivery.count({ where: { status: 'delivered' } })
  if (delivered !== ids.length) throw new Error(`${ids.length - delivered} deliveries were not recorded as delivered`)
  await workers.close()
  await queue.obliterate({ force: true })
  await queue.close()
  connection.disconnect()
  return ids.length / seconds
}

/** The same bodies, signed up front with the same signer: what the bare loop and the queue-only run post. */
async function signedRequests (ids: string[]) {
  const rows = await prisma.webhookDelivery.findMany({ where: { id: { in: ids } }, select: { id: true, eventType: true, data: true, createdAt: true } })
  const headersFor = createSigner()
  const now = new Date()
  return rows.map((row) => {
    const body = webhookBody(row.eventType, row.createdAt, row.data as Record<string, unknown>, null)
    return { body, headers: headersFor({ id: row.id, url, body, secrets: [secret] }, now) }
  })
}

async function post (agent: Agent, { body, headers }: { body: string, headers: Record<string, string> }): Promise<void> {
  const res = await request(url, { method: 'POST', body, headers, dispatcher: agent })
  await res.body.dump()
  if (res.statusCode !== 204) throw new Error(`receiver answered ${res.statusCode}`)
}

/** The floor: the signed bodies posted by undici at the same concurrency. */
async function bareLoop (ids: string[]): Promise<number> {
  const requests = await signedRequests(ids)
  const agent = new Agent({ connections: CONCURRENCY })
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < requests.length) await post(agent, requests[next++] as typeof requests[number])
  }))
  const seconds = (performance.now() - started) / 1000
  await agent.close()
  return requests.length / seconds
}

/** The queue alone: one BullMQ job per delivery, its processor posting the pre-signed body; no database, no signing. */
async function queueOnly (ids: string[]): Promise<number> {
  const requests = new Map((await signedRequests(ids)).map((r) => [r.headers['webhook-id'], r]))
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue<{ deliveryId: string }>('webhook-queue-only', { prefix: config.QUEUE_PREFIX, connection })
  await queue.obliterate({ force: true })
  await queue.pause()
  for (let i = 0; i < ids.length; i += 500) {
    await queue.addBulk(ids.slice(i, i + 500).map((deliveryId) => ({ name: 'post', data: { deliveryId }, opts: { jobId: deliveryId, removeOnComplete: { count: 1000 } } })))
  }
  const agent = new Agent({ connections: CONCURRENCY })
  const blocking = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null })
  const worker = new Worker<{ deliveryId: string }>('webhook-queue-only', async (job) => { await post(agent, requests.get(job.data.deliveryId) as { body: string, headers: Record<string, string> }) }, {
    connection: blocking, prefix: config.QUEUE_PREFIX, concurrency: Number(config.WEBHOOK_CONCURRENCY)
  })
  await worker.waitUntilReady()
  const done = new Promise<void>((resolve) => {
    let completed = 0
    worker.on('completed', () => { if (++completed === ids.length) resolve() })
  })
  const started = performance.now()
  await queue.resume()
  await done
  const seconds = (performance.now() - started) / 1000
  await worker.close()
  blocking.disconnect()
  await agent.close()
  await queue.obliterate({ force: true })
  await queue.close()
  connection.disconnect()
  return ids.length / seconds
}

try {
  // Warm-up, then alternate so drift on the shared machine hits both alike.
  await bareLoop(await seed(300))
  await throughWorkers(await seed(300))
  const ratios: number[] = []
  const bareRatios: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const bare = await bareLoop(await seed(COUNT))
    const queued = await queueOnly(await seed(COUNT))
    const full = await throughWorkers(await seed(COUNT))
    ratios.push(full / queued)
    bareRatios.push(full / bare)
    process.stdout.write(`round ${round}: queue only ${queued.toFixed(0)}/s | worker path ${full.toFixed(0)}/s | ratio ${(full / queued).toFixed(2)} | bare undici ${bare.toFixed(0)}/s\n`)
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  process.stdout.write(`\n${COUNT} deliveries per measurement, ${CONCURRENCY} connections to the receiver, ${config.WEBHOOK_CONCURRENCY} deliveries under way, ${ROUNDS} rounds\n`)
  process.stdout.write(`throughput ratio (worker path / queue only): ${mean(ratios).toFixed(2)}  (goal ≥ 0.60)\n`)
  process.stdout.write(`for reference, worker path / bare undici loop: ${mean(bareRatios).toFixed(2)}\n`)
} finally {
  await database.close()
  receiver.kill('SIGTERM')
}
