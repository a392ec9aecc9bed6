// Bench servers, run as child processes so the load generator does not share their event loop:
//   intake   – the real app (buildApp) against the bench database, with its operations listener
//              when METRICS_ENABLED (its address goes to the parent, which scrapes it)
//   baseline – bare Fastify + one pg INSERT + one BullMQ add, the floor the issue measures against;
//              with BENCH_FLOOR_ADDS, the floor plus what any intake of ours must do on top of it
//              whatever its own code (bench/budget.ts), each with the library the intake uses:
//                captcha    – altcha-lib's verifySolution of the submission's ALTCHA solution
//                rate-limit – @fastify/rate-limit counting in Redis, keyed on the client's keyed hash
//                http       – helmet's headers, the body validated and the answer serialised by schema
import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import pg from 'pg'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import helmet from '@fastify/helmet'
import { createMetrics } from '../src/ops/metrics.js'
import { startOpsListener } from '../src/ops/listener.js'
import { createAltcha } from '../src/captcha/altcha.js'
import rateLimit from '../src/abuse/rate-limit.js'
import { validatorCompiler } from '../src/plugins/validation.js'
import { AcceptedSchema, ContactRequestBodySchema } from '../src/intake/schemas.js'

const [kind = 'intake'] = process.argv.slice(2)
const config = loadConfig()

const FLOOR_ADDS = ['captcha', 'rate-limit', 'http'] as const
type FloorAdd = typeof FLOOR_ADDS[number]

function floorAdds (): Set<FloorAdd> {
  const named = (process.env.BENCH_FLOOR_ADDS ?? '').split(',').filter((a) => a !== '')
  const unknown = named.filter((a) => !(FLOOR_ADDS as readonly string[]).includes(a))
  if (unknown.length > 0) throw new Error(`BENCH_FLOOR_ADDS: unknown ${unknown.join(', ')} (known: ${FLOOR_ADDS.join(', ')})`)
  return new Set(named as FloorAdd[])
}

async function baseline () {
  const adds = floorAdds()
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10 })
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
  const queue = new Queue('bench-baseline', { prefix: config.QUEUE_PREFIX, connection })
  await queue.waitUntilReady()
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 })
  const altcha = createAltcha({ hmacKey: config.ALTCHA_HMAC_KEY, algorithm: config.ALTCHA_ALGORITHM, cost: config.ALTCHA_COST, expiresSeconds: config.ALTCHA_EXPIRES_SECONDS })
  if (adds.has('rate-limit')) await app.register(rateLimit, { redis: connection, secret: config.PSEUDONYM_KEY, prefix: config.QUEUE_PREFIX })
  if (adds.has('http')) {
    app.setValidatorCompiler(validatorCompiler())
    await app.register(helmet)
  }
  const schema = adds.has('http') ? { body: ContactRequestBodySchema, response: { 202: AcceptedSchema } } : {}
  // Read by @fastify/rate-limit only when it is registered.
  const limit = { rateLimit: { max: config.RATE_LIMIT_MAX, timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000 } }
  app.post('/v1/contact-requests', { schema, config: limit }, async (request, reply) => {
    const b = request.body as Record<string, string | undefined> & { captcha?: { token: string } }
    if (adds.has('captcha') && !(await altcha.verifier.verify(b.captcha?.token ?? '', { remoteIp: undefined })).ok) return await reply.code(403).send()
    const id = randomUUID()
    await pool.query(
      `INSERT INTO bench_baseline (id, contact_id, name, email, phone, organisation, message, locale, page_url, retain_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + interval '180 days')`,
      [id, b.contactId, b.name, b.email, b.phone, b.organisation, b.message, b.locale, b.pageUrl])
    await queue.add('notify', { notificationId: id }, { jobId: id, removeOnComplete: true })
    return await reply.code(202).send({ id, status: 'received', retainUntil: new Date().toISOString() })
  })
  return app
}

/** The real app; with METRICS_ENABLED, its metrics and operations listener as in production. */
async function intake () {
  const metrics = createMetrics({ defaultMetrics: config.METRICS_ENABLED })
  const app = await buildApp(config, { metrics })
  const ops = config.METRICS_ENABLED ? await startOpsListener({ role: 'api', metrics, core: app.core }) : null
  app.addHook('onClose', async () => { await ops?.close() })
  return { app, opsUrl: ops?.url ?? null }
}

// The baseline carries no metrics at all: not even Node's default ones (an event-loop monitor).
const { app, opsUrl } = kind === 'baseline' ? { app: await baseline(), opsUrl: null } : await intake()
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0, opsUrl })
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
