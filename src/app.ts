// The application factory: registers everything, listens nowhere. Read it as the table of contents.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import swagger from '@fastify/swagger'
import type { Config } from './config.js'
import { loggerOptions } from './logger.js'
import type { Database } from './db/client.js'
import { createCore, type Core, type CoreOptions } from './roots/core.js'
import { createApiServices, type ApiServices, type ApiServicesOptions } from './roots/api.js'
import errorHandler, { clientErrorHandler, frameworkErrors } from './plugins/error-handler.js'
import { validatorCompiler } from './plugins/validation.js'
import rateLimit from './abuse/rate-limit.js'
import bodyDeadline from './abuse/body-deadline.js'
import httpMetrics from './ops/http-metrics.js'
import healthRoutes from './health/routes.js'
import contactRoutes from './web/contacts.js'
import noticeRoutes from './notices/routes.js'
import captchaRoutes from './captcha/routes.js'
import intakeRoutes from './intake/routes.js'
import webRoutes from './web/routes.js'
import withdrawalRoutes from './receipts/routes.js'
import handlingRoutes from './follow-through/routes.js'
import consoleRoutes from './console/routes.js'
import { separateConsole, type SeparateConsole } from './console/listener.js'
import { createSignIn } from './console/sign-in.js'
import adminAccess from './admin/access.js'
import adminRequestRoutes from './admin/requests.js'
import adminNotificationRoutes from './admin/notifications.js'
import adminContactRoutes from './admin/contacts.js'
import adminRetentionRoutes from './admin/retention.js'
import adminSubjectRoutes from './admin/subjects.js'
import adminRecordRoutes from './admin/records.js'
import adminSpamRoutes from './admin/spam.js'
import adminHandlingRoutes from './admin/handling.js'
import adminWebhookRoutes from './admin/webhooks.js'
import docs from './docs/routes.js'
import { openApiWebhooks } from './schemas/webhook-events.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** The process's core (src/roots/core.ts): its database, Redis, queues and repositories. */
    core: Core
    /** What the API adds to its core (src/roots/api.ts); each route is handed the parts it uses. */
    services: ApiServices
    /** The console's own listener, when CONSOLE_PORT sets one (src/console/listener.ts). */
    consoleListener: SeparateConsole | null
  }
}

/**
 * How long the server waits for a client. They bound what a slow or idle client can hold: a
 * request that has not fully arrived never reaches a handler, so never a database connection.
 */
export const SERVER_TIMEOUTS = {
  /** The headers, and then the body, must each arrive within this (else 408, connection closed). */
  requestTimeout: 10_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeout: 5000,
  /** How often the server looks for requests over their time-out. */
  connectionsCheckingInterval: 1000,
  /**
   * How long an admin route may take once its request has arrived (the public ones have
   * HANDLER_TIMEOUT_MS): a dry run or an export over a large database takes its time.
   */
  adminHandlerTimeout: 120_000
}

export interface AppOptions extends Pick<CoreOptions, 'tuning' | 'metrics'>, ApiServicesOptions {
  /** Tests shorten the server's time-outs. */
  timeouts?: Partial<typeof SERVER_TIMEOUTS>
  /** A database owned by the caller; the app then leaves it open on close. */
  database?: Database
  /** Where logs go (tests capture them); defaults to stdout. */
  logStream?: NodeJS.WritableStream
}

// eslint-disable-next-line max-lines-per-function -- the table of contents: one line per part
export async function buildApp (config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const logger: FastifyServerOptions['logger'] = options.logStream === undefined
    ? loggerOptions(config)
    : { ...loggerOptions(config), transport: undefined, stream: options.logStream }
  const timeouts = { ...SERVER_TIMEOUTS, ...options.timeouts }
  const app = Fastify({
    logger,
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    requestTimeout: timeouts.requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    // Every answer within a bound, even when a dependency is silent (README: "Deadlines").
    handlerTimeout: config.HANDLER_TIMEOUT_MS,
    http: { connectionsCheckingInterval: timeouts.connectionsCheckingInterval },
    frameworkErrors,
    clientErrorHandler
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.setValidatorCompiler(validatorCompiler())

  // Infrastructure. Closed last: onClose hooks run in reverse order, so the routes' own
  // (the intake waits for submissions in flight) run before this one.
  const { database, captchaEndpoints, tuning, metrics } = options
  const core = await createCore(config, { log: app.log, database, tuning, metrics })
  app.addHook('onClose', core.close)
  const services = createApiServices(core, { captchaEndpoints })
  app.addHook('onClose', services.textReader.close)
  // The classifier's counts before the first submission is scored (a failed read scores without it),
  // and the spam threads' reading module loaded before the first submission waits for it.
  await services.spamModel.refresh()
  await services.textReader.ready()
  const { repositories } = core
  app.decorate('config', config)
  app.decorate('core', core)
  app.decorate('services', services)
  app.decorate('consoleListener', config.CONSOLE_PORT === undefined ? null : separateConsole(app, { timeouts }))

  // Cross-cutting
  await app.register(errorHandler)
  if (config.METRICS_ENABLED) await app.register(httpMetrics, { metrics: core.metrics })
  // Collects every route's schemas (registered below) into the OpenAPI document at /openapi.json.
  await app.register(swagger, {
    openapi: {
      // 3.1 for its `webhooks`: what each event's delivery carries (src/schemas/webhook-events.ts).
      openapi: '3.1.0',
      webhooks: openApiWebhooks(),
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
  await app.register(rateLimit, { redis: core.redis, secret: config.PSEUDONYM_KEY, prefix: config.QUEUE_PREFIX })
  await app.register(bodyDeadline, { timeoutMs: timeouts.requestTimeout })

  // Public features
  await app.register(healthRoutes, { database: core.database, redis: core.redis, notifications: repositories.notifications })
  await app.register(contactRoutes, { contacts: repositories.contacts })
  await app.register(noticeRoutes, { notices: services.notices })
  await app.register(captchaRoutes, { captcha: services.captcha })
  await app.register(intakeRoutes, { intake: services.intake, metrics: core.metrics })
  await app.register(webRoutes, { contacts: repositories.contacts })
  await app.register(withdrawalRoutes, {
    withdrawalLinks: services.withdrawalLinks, subjects: services.subjects, requests: repositories.requests
  })
  await app.register(handlingRoutes, {
    links: services.handlingLinks,
    actions: services.handlingActions,
    contacts: repositories.contacts,
    fallbackInbox: config.NOTIFY_FALLBACK_EMAIL !== undefined
  })
  await app.register(consoleRoutes, {
    sessions: services.consoleSessions,
    signIn: createSignIn(config, repositories.contacts.idByEmail),
    requests: repositories.requests,
    contacts: repositories.contacts,
    names: repositories.handling.names,
    actions: services.handlingActions,
    audit: repositories.audit,
    subjects: services.subjects,
    requestChanges: services.requestChanges,
    redrive: services.redrive,
    spamDecisions: services.spamDecisions,
    spam: repositories.spam,
    purgeRuns: repositories.purgeRuns,
    retention: services.retention,
    router: services.router,
    keys: services.keys,
    webhookEndpoints: services.webhookEndpoints,
    webhooks: repositories.webhooks
  })

  // Admin features: keys with scopes, a rate limit and an audit entry for every answer (admin/access.ts)
  await app.register(async function admin (scope) {
    scope.addHook('onRoute', (route) => { route.handlerTimeout ??= timeouts.adminHandlerTimeout })
    await scope.register(adminAccess, { keys: services.keys, audit: repositories.audit })
    await scope.register(adminRequestRoutes, {
      requests: repositories.requests, requestChanges: services.requestChanges, subjects: services.subjects
    })
    await scope.register(adminNotificationRoutes, {
      notifications: repositories.notifications, receipts: repositories.receipts, redrive: services.redrive
    })
    await scope.register(adminContactRoutes, { contacts: repositories.contacts, router: services.router })
    await scope.register(adminRetentionRoutes, { retention: services.retention, purgeRuns: repositories.purgeRuns })
    await scope.register(adminSubjectRoutes, { subjects: services.subjects })
    await scope.register(adminRecordRoutes, {
      audit: repositories.audit, contacts: repositories.contacts, webhooks: repositories.webhooks
    })
    await scope.register(adminWebhookRoutes, { endpoints: services.webhookEndpoints, webhooks: repositories.webhooks })
    await scope.register(adminSpamRoutes, { spam: repositories.spam, decisions: services.spamDecisions })
    await scope.register(adminHandlingRoutes, { actions: services.handlingActions })
  }, { prefix: '/v1/admin' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  if (config.DOCS_ENABLED) await app.register(docs)

  return app
}

/**
 * The largest body read: a submission with every field at its maximum length in three-byte
 * characters (the message alone is then 30 KB) and a CAPTCHA token fits; anything larger is
 * refused with 413 before it is parsed.
 */
const BODY_LIMIT_BYTES = 64 * 1024

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
