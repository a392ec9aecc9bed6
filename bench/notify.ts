// npm run bench:notify: notifications delivered per second through the whole worker path
// (BullMQ job → PostgreSQL read → routing → compose → SMTP → status update), against a bare
// loop that sends the same messages with nodemailer to the same sink, in one run.
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import nodemailer from 'nodemailer'
import { pino } from 'pino'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/client.js'
import { ensureDatabase, migrate } from '../src/db/migrate.js'
import { loadReferenceData } from '../src/reference-data.js'
import { NOTIFY_QUEUE, notifyJobOptions, type NotifyQueue } from '../src/jobs/notify.js'
import { composeNotification } from '../src/notifications/compose.js'
import { createNotificationRepository } from '../src/repositories/notifications.js'
import { createRepositories } from '../src/repositories/index.js'
import { routeRequest } from '../src/contacts/routing.js'
import { startWorkers } from '../workers/index.js'
import { REQUEST_TABLES } from '../src/db/tables.js'

const COUNT = Number(process.env.BENCH_NOTIFICATIONS ?? 5000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432'

const sink = fork(fileURLToPath(new URL('./smtp-sink.js', import.meta.url)), [])
const port = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => { resolve(m.port) }))

const config = loadConfig({
  ...process.env,
  DATABASE_URL: `${SERVER}/contact_intake_bench`,
  QUEUE_PREFIX: `bench-notify-${process.pid}`,
  SMTP_URL: `smtp://127.0.0.1:${port}`,
  LOG_LEVEL: 'warn',
  // The sink sees the same number of SMTP connections as the bare loop's; more jobs than
  // connections lets a job's database and Redis work overlap another's SMTP exchange.
  MAIL_CONCURRENCY: String(CONCURRENCY * Number(process.env.BENCH_JOBS_PER_CONNECTION ?? 2)),
  SMTP_MAX_CONNECTIONS: String(CONCURRENCY)
})
await ensureDatabase(config.DATABASE_URL)
await migrate(config.DATABASE_URL, 'prisma/migrations')
const database = createDatabase({ connectionString: config.DATABASE_URL })
const { prisma } = database
await loadReferenceData(createRepositories(database, { duplicateWindowSeconds: 600 }), config, { info: () => {} })

/** Seeds `count` requests with their pending notifications, as intake would have stored them. */
async function seed (count: number): Promise<string[]> {
  await prisma.$executeRawUnsafe(`TRUNCATE ${REQUEST_TABLES.join(', ')}`)
  const ids = Array.from({ length: count }, () => ({ request: randomUUID(), notification: randomUUID() }))
  // In chunks, one after another: a createMany over PostgreSQL's bind-parameter limit is split
  // by Prisma into statements it sends at once on one connection, which node-postgres deprecates.
  for (let at = 0; at < count; at += SEED_CHUNK) await seedChunk(ids.slice(at, at + SEED_CHUNK), at)
  return ids.map((i) => i.notification)
}

const SEED_CHUNK = 1000

async function seedChunk (ids: Array<{ request: string, notification: string }>, offset: number): Promise<void> {
  await prisma.contactRequest.createMany({
    data: ids.map(({ request }, j) => ({ i: offset + j, request })).map(({ request, i }) => ({
      id: request,
      contactId: 'lotta-fransson',
      name: 'Anna Andersson',
      email: `anna.andersson+${i}@example.se`,
      phone: '+46 70 123 45 67',
      organisation: 'Skellefteå kommun',
      message: `Hej! Jag vill veta mer om Akademin för Livslångt Lärande. (${i})`,
      locale: 'sv',
      pageUrl: 'https://www.ri.se/sv/berattelser/ny-kompetens-forandrade-perspektiven-for-skelleftea-kommun',
      captchaProvider: 'altcha',
      captchaVerified: true,
      captchaKey: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      fingerprint: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      retainUntil: new Date(Date.now() + 180 * 86_400_000)
    }))
  })
  await prisma.notification.createMany({ data: ids.map(({ request, notification }) => ({ id: notification, requestId: request })) })
}

async function throughWorkers (ids: string[]): Promise<number> {
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null })
  const queue: NotifyQueue = new Queue(NOTIFY_QUEUE, { prefix: config.QUEUE_PREFIX, connection })
  await queue.obliterate({ force: true })
  // Jobs wait in a paused queue while the workers start: the clock measures delivery, not start-up.
  await queue.pause()
  const options = notifyJobOptions({ maxAttempts: config.MAIL_MAX_ATTEMPTS, backoffMs: config.MAIL_BACKOFF_MS })
  for (let i = 0; i < ids.length; i += 500) {
    await queue.addBulk(ids.slice(i, i + 500).map((notificationId) => ({ name: NOTIFY_QUEUE, data: { notificationId }, opts: { ...options, jobId: notificationId } })))
  }
  // The relay stays out of the way: every notification here is enqueued by the bench.
  const workers = await startWorkers(config, { database, log: pino({ level: 'warn' }), tuning: { relayDelayMs: 3_600_000 } })
  const done = new Promise<void>((resolve, reject) => {
    let completed = 0
    workers.notify.on('completed', () => { if (++completed === ids.length) resolve() })
    workers.notify.on('failed', (job) => { reject(new Error(`notification ${job?.id ?? '?'} failed during the bench`)) })
  })
  const started = performance.now()
  await queue.resume()
  await done
  const seconds = (performance.now() - started) / 1000
  const sent = await prisma.notification.count({ where: { status: 'sent' } })
  if (sent !== ids.length) throw new Error(`${ids.length - sent} notifications were not recorded as sent`)
  await workers.close()
  await queue.obliterate({ force: true })
  await queue.close()
  connection.disconnect()
  return ids.length / seconds
}

/** The floor: the same messages, composed once up front, sent by nodemailer at the same concurrency. */
async function bareLoop (ids: string[]): Promise<number> {
  const notifications = createNotificationRepository(database)
  const messages: Array<ReturnType<typeof composeNotification>> = []
  for (const id of ids) {
    const data = await notifications.claimForDelivery(id)
    if (data === null) throw new Error('seeded notification missing')
    const route = routeRequest(data.contact, undefined)
    if (route === null) throw new Error('unroutable')
    messages.push(composeNotification(data.request, route, { from: config.MAIL_FROM, notificationId: id }))
  }
  const transport = nodemailer.createTransport({ pool: true, maxConnections: CONCURRENCY, host: '127.0.0.1', port, secure: false })
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < messages.length) await transport.sendMail(messages[next++] as ReturnType<typeof composeNotification>)
  }))
  const seconds = (performance.now() - started) / 1000
  transport.close()
  return messages.length / seconds
}

try {
  // Warm-up, then alternate so drift on the shared machine hits both alike.
  await bareLoop(await seed(300))
  await throughWorkers(await seed(300))
  const ratios: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const bare = await bareLoop(await seed(COUNT))
    const full = await throughWorkers(await seed(COUNT))
    ratios.push(full / bare)
    process.stdout.write(`round ${round}: bare nodemailer ${bare.toFixed(0)}/s | worker path ${full.toFixed(0)}/s | ratio ${(full / bare).toFixed(2)}\n`)
  }
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length
  process.stdout.write(`\n${COUNT} notifications per measurement, concurrency ${CONCURRENCY}, ${ROUNDS} rounds\n`)
  process.stdout.write(`throughput ratio (worker path / bare nodemailer): ${mean.toFixed(2)}  (goal ≥ 0.70)\n`)
} finally {
  await database.close()
  sink.kill('SIGTERM')
}
