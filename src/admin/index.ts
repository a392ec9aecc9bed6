// Everything under /v1/admin/: Bearer keys with scopes, a rate limit, and an audit entry for every answer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { forbidden, unauthenticated } from '../errors.js'
import { createAudit, type AuditOutcome } from './audit.js'
import { createKeyStore, type AdminKey, type Scope } from './keys.js'
import requestRoutes from './requests.js'
import contactRoutes from './contacts.js'
import recordRoutes from './records.js'
import retentionRoutes from '../retention/routes.js'
import subjectRoutes from '../subjects/routes.js'
import type { Prisma } from '../generated/prisma/client.js'
import { createRemoval, type Removal } from '../retention/removal.js'
import { createSubjectService, type SubjectService } from '../subjects/service.js'

declare module 'fastify' {
  interface FastifyInstance {
    removal: Removal
    subjects: SubjectService
  }
  interface FastifyContextConfig {
    /** The scope a key needs for this route. */
    scope?: Scope
    /** The action's name in the audit log, e.g. "requests.read". */
    action?: string
  }
  interface FastifyRequest {
    admin: AdminKey | null
    /** What the handler adds to the audit entry: never personal data. */
    audit: { targetId?: string, subjectHash?: string, detail?: Prisma.InputJsonObject }
  }
}

const outcomeOf = (statusCode: number): AuditOutcome =>
  statusCode < 400 ? 'ok' : statusCode === 401 || statusCode === 403 ? 'refused' : 'failed'

const adminPlugin: FastifyPluginAsyncTypebox = async (app) => {
  const keys = createKeyStore(app.prisma)
  const audit = createAudit(app.prisma)
  const removal = createRemoval({ queue: app.queues.notify, redis: app.redis, mailDropDir: app.config.MAIL_DROP_DIR })
  app.decorate('removal', removal)
  app.decorate('subjects', createSubjectService({ prisma: app.prisma, pool: app.pg }, removal))
  app.decorateRequest('admin', null)
  app.decorateRequest('audit', null as never)

  // Every admin route says so in the OpenAPI document (the scheme is declared in src/app.ts).
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ adminKey: [] }] }
  })

  // Limited before the key is looked at, so guessing keys is limited too.
  app.addHook('onRequest', app.rateLimit({ max: app.config.ADMIN_RATE_LIMIT_MAX, timeWindow: 60_000 }))
  app.addHook('onRequest', async (request) => {
    request.audit = {}
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
    request.admin = token === undefined ? null : await keys.authenticate(token)
    if (request.admin === null) throw unauthenticated()
    const scope = request.routeOptions.config.scope
    if (scope === undefined || !request.admin.scopes.includes(scope)) throw forbidden(scope ?? 'none')
  })

  // Written before the answer leaves: if the audit log cannot take the entry, the data is not sent either.
  // The error answer that replaces it is not audited again (that would fail too, and Fastify would
  // then send its own fallback with the database's message).
  const unwritable = new WeakSet<object>()
  app.addHook('onSend', async (request, reply, payload) => {
    const action = request.routeOptions.config.action
    // A flood the rate limit turned away is not written down request by request.
    if (action === undefined || reply.statusCode === 429 || unwritable.has(request)) return payload
    // Ids only: whatever else a client put in the URL stays out of the log.
    const id = (request.params as { id?: unknown } | undefined)?.id
    const paramId = typeof id === 'string' && /^[0-9A-Za-z-]{1,64}$/.test(id) ? id : null
    await audit.record({
      actor: request.admin?.name ?? 'anonymous',
      action,
      targetId: request.audit?.targetId ?? paramId,
      subjectHash: request.audit?.subjectHash ?? null,
      outcome: outcomeOf(reply.statusCode),
      detail: request.audit?.detail ?? null
    }).catch((err: unknown) => {
      unwritable.add(request)
      throw err
    })
    return payload
  })

  await app.register(requestRoutes)
  await app.register(contactRoutes)
  await app.register(retentionRoutes)
  await app.register(subjectRoutes)
  await app.register(recordRoutes)
}

export default adminPlugin
