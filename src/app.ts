// The application factory: registers everything, listens nowhere. Read it as the table of contents.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import swagger from '@fastify/swagger'
import type { Config } from './config.js'
import { loggerOptions } from './logger.js'
import type { Database } from './db/client.js'
import prismaPlugin from './plugins/prisma.js'
import redisPlugin from './plugins/redis.js'
import queuesPlugin from './plugins/queues.js'
import errorHandler from './plugins/error-handler.js'
import rateLimit from './abuse/rate-limit.js'
import { createCaptcha, type Captcha } from './captcha/index.js'
import { createNoticeRepository, type NoticeRepository } from './privacy/notices.js'
import healthRoutes from './health/routes.js'
import contactRoutes from './contacts/routes.js'
import privacyRoutes from './privacy/routes.js'
import captchaRoutes from './captcha/routes.js'
import intakeRoutes from './intake/routes.js'
import adminRoutes from './admin/index.js'
import webRoutes from './web/routes.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    captcha: Captcha
    notices: NoticeRepository
  }
}

export interface AppDeps {
  /** A database owned by the caller; the app then leaves it open on close. */
  database?: Database
  /** Where logs go (tests capture them); defaults to stdout. */
  logStream?: NodeJS.WritableStream
}

export async function buildApp (config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const logger: FastifyServerOptions['logger'] = deps.logStream === undefined
    ? loggerOptions(config)
    : { ...loggerOptions(config), transport: undefined, stream: deps.logStream }
  const app = Fastify({
    logger,
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: false,
    ajv: {
      // Refuse unknown fields instead of silently dropping them, and report every failing field.
      customOptions: { removeAdditional: false, allErrors: true }
    }
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('config', config)

  // Infrastructure
  await app.register(prismaPlugin, { connectionString: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, database: deps.database })
  await app.register(redisPlugin, { url: config.REDIS_URL })
  await app.register(queuesPlugin, { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX })
  app.decorate('notices', createNoticeRepository(app.prisma, config.PRIVACY_NOTICE_VERSION))
  app.decorate('captcha', createCaptcha(config, app.log))

  // Cross-cutting
  await app.register(errorHandler)
  // Collects every route's schemas (registered below) into the OpenAPI document at /openapi.json.
  await app.register(swagger, {
    openapi: {
      info: { title: 'Contact-request intake', version: '1', description: 'The API behind the contact forms: see README.md. Routes under /v1/admin/ need an admin key: Authorization: Bearer <key>.' },
      components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer', description: 'created with `npm run cli -- keys create`' } } }
    }
  })
  // While closing, answers ask the client to close its keep-alive connection: otherwise
  // close waits for idle sockets until keepAliveTimeout, past the shutdown deadline.
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onSend', async (_request, reply) => { if (closing) reply.header('connection', 'close') })
  await app.register(helmet)
  await app.register(cors, {
    origin: config.ALLOWED_ORIGINS,
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'idempotency-key'],
    // The form tells a rate-limited person when to try again.
    exposedHeaders: ['retry-after'],
    maxAge: 600
  })
  await app.register(rateLimit, { secret: config.PSEUDONYM_KEY, prefix: config.QUEUE_PREFIX })

  // Features
  await app.register(healthRoutes)
  await app.register(contactRoutes)
  await app.register(privacyRoutes)
  await app.register(captchaRoutes)
  await app.register(intakeRoutes)
  await app.register(adminRoutes)
  await app.register(webRoutes)
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  return app
}

/** TRUST_PROXY as Fastify's trustProxy: a boolean, a hop count, or a list of addresses. */
export function parseTrustProxy (value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === 'true') return true
  if (value === 'false' || value === '') return false
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  return value.split(',').map((s) => s.trim())
}
