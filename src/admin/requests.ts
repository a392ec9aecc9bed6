// Admin: contact requests (list, read, status, legal hold, restriction, consent withdrawal).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ContactId, ErrorSchema, Line } from '../schemas/common.js'
import { notFound, conflict } from '../errors.js'
import type { FastifyRequest } from 'fastify'
import type { ContactRequest } from '../generated/prisma/client.js'
import { REQUEST_CHANGES, type RequestChange } from './request-changes.js'
import { adminErrors, CursorQuery, decodeCursor, encodeCursor, optionalDate, RemovedCountsSchema, RequestDetailSchema, RequestStatusSchema, RequestSummarySchema, StatusSchema, type RequestSummary } from './schemas.js'
import { actorOf } from './access.js'
import type { RequestRepository } from '../repositories/requests.js'
import type { RequestChanges } from './request-changes.js'
import type { SubjectService } from '../subjects/service.js'

const errors = { 404: ErrorSchema, ...adminErrors }
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

const ListQuery = Type.Object({
  contactId: Type.Optional(ContactId),
  status: Type.Optional(RequestStatusSchema),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'received at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'received before' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: CursorQuery
}, { additionalProperties: false })

const summary = (r: ContactRequest): RequestSummary => ({
  id: r.id,
  contactId: r.contactId,
  status: r.status,
  receivedAt: r.receivedAt,
  retainUntil: r.retainUntil,
  closedAt: r.closedAt,
  legalHold: r.legalHoldReason !== null,
  restricted: r.restrictedAt !== null,
  captchaVerified: r.captchaVerified,
  spamScore: r.spamScore,
  spamReasons: r.spamReasons,
  quarantinedAt: r.quarantinedAt,
  handler: r.handler,
  takenAt: r.takenAt,
  answeredAt: r.answeredAt,
  followUpStage: r.followUpStage
})

export interface RequestRoutesOptions {
  requests: RequestRepository
  requestChanges: RequestChanges
  subjects: SubjectService
}

// eslint-disable-next-line max-lines-per-function -- a table of routes, each a few lines
const requestRoutes: FastifyPluginAsyncTypebox<RequestRoutesOptions> = async (app, { requests, requestChanges, subjects }) => {
  /** Changes a request (its history and audit entry are written by the operation). */
  const change = async (request: FastifyRequest<{ Params: { id: string } }>, what: RequestChange): Promise<RequestSummary> =>
    summary(await requestChanges.change(request.params.id, actorOf(request), what))

  app.get('/contact-requests', {
    config: { scope: 'requests:read', action: 'requests.list' },
    schema: {
      summary: 'List contact requests (no personal data), newest first',
      querystring: ListQuery,
      response: {
        200: Type.Object({ items: Type.Array(RequestSummarySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
        ...adminErrors
      }
    }
  }, async (request) => {
    const { contactId, status, from, to, limit, cursor } = request.query
    const position = cursor === undefined ? undefined : decodeCursor(cursor)
    const after = position === undefined ? undefined : { receivedAt: position.at, id: position.id }
    const { page, more } = await requests.list({ contactId, status, from: optionalDate(from), to: optionalDate(to), after, limit })
    const last = page.at(-1)
    request.audit.detail = { count: page.length }
    return { items: page.map(summary), nextCursor: more && last !== undefined ? encodeCursor(last.receivedAt, last.id) : null }
  })

  app.get('/contact-requests/:id', {
    config: { scope: 'requests:read', action: 'requests.read' },
    schema: { summary: 'One contact request with its personal data, consent, notifications and history', params: IdParams, response: { 200: RequestDetailSchema, ...errors } }
  }, async (request) => {
    const detail = await requests.detail(request.params.id)
    if (detail === null) throw notFound('No contact request with this id.')
    return detail
  })

  app.post('/contact-requests/:id/status', {
    config: { scope: 'requests:write', action: 'requests.status', selfAudited: true },
    schema: {
      summary: 'Change the status; closing shortens retention to RETENTION_DAYS_AFTER_CLOSE (never lengthens it); 409 for a quarantined request',
      params: IdParams,
      body: Type.Object({ status: StatusSchema }, { additionalProperties: false }),
      response: { 200: RequestSummarySchema, 409: ErrorSchema, ...errors }
    }
  }, async (request) => {
    const { status } = request.body
    request.audit.detail = { status }
    return await change(request, REQUEST_CHANGES.status(status, app.config.RETENTION_DAYS_AFTER_CLOSE))
  })

  app.put('/contact-requests/:id/legal-hold', {
    config: { scope: 'requests:write', action: 'requests.legal_hold.set', selfAudited: true },
    schema: {
      summary: 'Suspend purging of this request until the hold is lifted',
      params: IdParams,
      body: Type.Object({ reason: Line(500, { required: true, minLength: 3, description: 'why; e.g. a case number (no personal data)' }) }, { additionalProperties: false }),
      response: { 200: RequestSummarySchema, ...errors }
    }
  }, async (request) => await change(request, REQUEST_CHANGES.legalHold(request.body.reason)))

  app.delete('/contact-requests/:id/legal-hold', {
    config: { scope: 'requests:write', action: 'requests.legal_hold.lift', selfAudited: true },
    schema: { summary: 'Lift the legal hold: the request is purged when its retention is over', params: IdParams, response: { 200: RequestSummarySchema, ...errors } }
  }, async (request) => await change(request, REQUEST_CHANGES.liftLegalHold()))

  app.put('/contact-requests/:id/restriction', {
    config: { scope: 'requests:write', action: 'requests.restriction.set', selfAudited: true },
    schema: { summary: 'Restrict processing (GDPR Art. 18): kept, but no notification is sent', params: IdParams, response: { 200: RequestSummarySchema, ...errors } }
  }, async (request) => await change(request, REQUEST_CHANGES.restrict()))

  app.delete('/contact-requests/:id/restriction', {
    config: { scope: 'requests:write', action: 'requests.restriction.lift', selfAudited: true },
    schema: { summary: 'Lift the restriction', params: IdParams, response: { 200: RequestSummarySchema, ...errors } }
  }, async (request) => await change(request, REQUEST_CHANGES.liftRestriction()))

  app.post('/contact-requests/:id/withdraw-consent', {
    config: { scope: 'subjects:erase', action: 'requests.withdraw_consent', selfAudited: true },
    schema: {
      summary: 'The person withdrew consent: the request is erased everywhere (409 while a legal hold keeps it)',
      params: IdParams,
      response: { 200: RemovedCountsSchema, 409: ErrorSchema, ...errors }
    }
  }, async (request) => {
    const outcome = await subjects.withdrawConsent({ requestId: request.params.id, actor: actorOf(request) })
    if ('missing' in outcome) throw notFound('No contact request with this id.')
    if ('held' in outcome) throw conflict('This request is under a legal hold: it is kept until the hold is lifted (GDPR Art. 17(3)(e)).')
    return outcome.erased
  })
}

export default requestRoutes
