// Admin: the spam quarantine — its review list, the decisions' summary, release and mark as spam.
// The review list holds no personal data; reading one request is GET /contact-requests/:id
// (a read of personal data, audited like every other).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { DateTime, ErrorSchema, Nullable } from '../schemas/common.js'
import { notFound } from '../errors.js'
import { actorOf } from './access.js'
import { adminErrors, CursorQuery, decodeCursor, encodeCursor } from './schemas.js'
import type { SpamRepository } from '../repositories/spam.js'
import type { SpamDecisions } from './spam-decisions.js'

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: CursorQuery
}, { additionalProperties: false })

const QuarantinedSchema = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  receivedAt: DateTime,
  quarantinedAt: DateTime,
  spamScore: Nullable(Type.Number()),
  spamReasons: Type.Array(Type.String())
})

const DecidedSchema = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('received'), Type.Literal('quarantined')]),
  changed: Type.Boolean({ description: 'false when the request already was in this state (a second release sends nothing)' }),
  sent: Type.Object({
    notifications: Type.Integer(), receipts: Type.Integer(), webhookDeliveries: Type.Integer()
  }, { description: 'what the release wrote and enqueued (nothing for a mark as spam)' })
})

export interface SpamRoutesOptions {
  spam: SpamRepository
  decisions: SpamDecisions
}

// eslint-disable-next-line max-lines-per-function -- a table of routes, each a few lines
const spamRoutes: FastifyPluginAsyncTypebox<SpamRoutesOptions> = async (app, { spam, decisions }) => {
  app.get('/spam/quarantine', {
    config: { scope: 'requests:read', action: 'spam.quarantine' },
    schema: {
      summary: 'The quarantine, newest first: score and reasons, no personal data',
      querystring: PageQuery,
      response: { 200: Type.Object({ items: Type.Array(QuarantinedSchema), nextCursor: Nullable(Type.String()) }), ...adminErrors }
    }
  }, async (request) => {
    const { limit, cursor } = request.query
    const { page, more } = await spam.quarantined({ limit, after: cursor === undefined ? undefined : decodeCursor(cursor) })
    const last = page.at(-1)
    request.audit.detail = { count: page.length }
    return { items: page, nextCursor: more && last !== undefined ? encodeCursor(last.quarantinedAt, last.id) : null }
  })

  app.get('/spam/summary', {
    config: { scope: 'requests:read', action: 'spam.summary' },
    schema: {
      summary: 'Spam decisions of the last days by decision and reason, and the quarantine\'s size now',
      querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          since: DateTime,
          quarantined: Type.Integer({ description: 'requests in quarantine now' }),
          decisions: Type.Array(Type.Object({ decision: Type.String(), reason: Type.String(), count: Type.Integer() }))
        }),
        ...adminErrors
      }
    }
  }, async (request) => {
    const since = new Date(Date.now() - request.query.days * 86_400_000)
    const [decisions, quarantined] = await Promise.all([spam.summary(since), spam.quarantineSize()])
    return { since, quarantined, decisions }
  })

  for (const [path, action, summary] of [
    ['release', 'release', 'Release from quarantine: its notification, receipt and webhook event are sent, once; on a delivered request, confirms it is not spam'],
    ['mark-spam', 'mark_spam', 'Mark as spam: into quarantine (and its shorter retention), nothing more is sent; on a quarantined request, confirms it']
  ] as const) {
    app.post(`/contact-requests/:id/${path}`, {
      config: { scope: 'requests:write', action: `requests.spam.${action}`, selfAudited: true },
      schema: { summary, params: IdParams, response: { 200: DecidedSchema, 404: ErrorSchema, ...adminErrors } }
    }, async (request) => {
      const decide = action === 'release' ? decisions.release : decisions.markSpam
      const decided = await decide(request.params.id, actorOf(request))
      if (decided === null) throw notFound('No contact request with this id.')
      return decided
    })
  }
}

export default spamRoutes
