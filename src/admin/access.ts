// Admin access, for every route registered beside it under /v1/admin (see src/app.ts): Bearer
// keys with scopes, a rate limit, and an audit entry for every answer. One rule for who writes
// it: an operation that changes something audits itself, wherever it is called from (the CLI
// too), and its route says so with `selfAudited`; this hook writes the rest, reads and refusals.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { forbidden, unauthenticated } from '../errors.js'
import type { AuditOutcome } from '../repositories/audit.js'
import type { AdminKey, Scope } from './keys.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { KeyStore } from './keys.js'
import type { AuditRepository } from '../repositories/audit.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a key needs for this route. */
    scope?: Scope
    /** The action's name in the audit log, e.g. "requests.read". */
    action?: string
    /**
     * The operation behind the route writes its own entry, ok or failed (src/subjects/service.ts,
     * src/retention/purge.ts, src/webhooks/endpoints.ts); this hook then writes only the refusals
     * its handler never saw (an unknown key, a missing scope, an invalid body).
     */
    selfAudited?: true
  }
  interface FastifyRequest {
    admin: AdminKey | null
    /** What the handler adds to the audit entry: never personal data. */
    audit: {
      targetId?: string
      subjectHash?: string
      detail?: Prisma.InputJsonObject
      /** The handler of a selfAudited route ran: its operation wrote the entry. */
      written?: boolean
    }
  }
}

/** Who the audit log names for a request: its key's name. */
export const actorOf = (request: FastifyRequest): string => request.admin?.name ?? 'anonymous'

const outcomeOf = (statusCode: number): AuditOutcome =>
  statusCode < 400 ? 'ok' : statusCode === 401 || statusCode === 403 ? 'refused' : 'failed'

/** The key must be known, active, and hold the route's scope. */
export interface AdminAccessOptions {
  keys: KeyStore
  audit: AuditRepository
}

const adminAccess: FastifyPluginAsync<AdminAccessOptions> = async (app, { keys, audit }) => {
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

  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config.selfAudited === true) request.audit.written = true
  })

  // Written before the answer leaves: if the audit log cannot take the entry, the data is not
  // sent either. An error answer carries no data to withhold: it goes out even then (otherwise
  // Fastify would send its own fallback, with the database's message).
  app.addHook('onSend', async (request, reply, payload) => {
    const action = request.routeOptions.config.action
    // A flood the rate limit turned away is not written down request by request.
    if (action === undefined || reply.statusCode === 429 || request.audit?.written === true) return payload
    // Ids only: whatever else a client put in the URL stays out of the log.
    const id = (request.params as { id?: unknown } | undefined)?.id
    const paramId = typeof id === 'string' && /^[0-9A-Za-z-]{1,64}$/.test(id) ? id : null
    await audit.record({
      actor: actorOf(request),
      action,
      targetId: request.audit?.targetId ?? paramId,
      subjectHash: request.audit?.subjectHash ?? null,
      outcome: outcomeOf(reply.statusCode),
      detail: request.audit?.detail ?? null
    }).catch((err: unknown) => {
      if (reply.statusCode < 400) throw err
      request.log.error({ err, action }, 'audit entry not written')
    })
    return payload
  })
}

// Its hooks apply to the routes registered beside it, in the scope src/app.ts opens for /v1/admin.
export default fp(adminAccess, { name: 'admin-access', fastify: '5.x' })
