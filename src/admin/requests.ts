// Admin: contact requests (list, read, status, legal hold, restriction, consent withdrawal) and failed notifications.
import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { ContactId, ErrorSchema, commonErrorResponses } from '../schemas/common.js'
import { notFound, conflict } from '../errors.js'
import { enqueueNotification } from '../jobs/notify.js'
import type { Prisma } from '../generated/prisma/client.js'
import { REQUEST_DETAIL, withoutInternalKeys } from '../subjects/service.js'

const adminErrors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, ...commonErrorResponses }
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const StatusSchema = Type.Union([Type.Literal('received'), Type.Literal('in_progress'), Type.Literal('closed')])

const RequestSummarySchema = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  status: StatusSchema,
  receivedAt: Type.String({ format: 'date-time' }),
  retainUntil: Type.String({ format: 'date-time' }),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  legalHold: Type.Boolean(),
  restricted: Type.Boolean(),
  captchaVerified: Type.Boolean()
})

const ListQuery = Type.Object({
  contactId: Type.Optional(ContactId),
  status: Type.Optional(StatusSchema),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'received at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'received before' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' }))
}, { additionalProperties: false })

/** Pages go newest first; the cursor is the last row's (receivedAt, id). */
const encodeCursor = (row: { receivedAt: Date, id: string }) => Buffer.from(`${row.receivedAt.toISOString()}|${row.id}`).toString('base64url')
function decodeCursor (cursor: string): { receivedAt: Date, id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const receivedAt = new Date(at ?? '')
  return Number.isNaN(receivedAt.getTime()) || id === undefined || !/^[0-9a-f-]{36}$/.test(id) ? null : { receivedAt, id }
}

type RequestRow = Prisma.ContactRequestGetPayload<object>
const summary = (r: RequestRow): Static<typeof RequestSummarySchema> => ({
  id: r.id,
  contactId: r.contactId,
  status: r.status,
  receivedAt: r.receivedAt.toISOString(),
  retainUntil: r.retainUntil.toISOString(),
  closedAt: r.closedAt?.toISOString() ?? null,
  legalHold: r.legalHoldReason !== null,
  restricted: r.restrictedAt !== null,
  captchaVerified: r.captchaVerified
})

const requestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app

  async function findOr404 (id: string): Promise<RequestRow> {
    const row = await prisma.contactRequest.findUnique({ where: { id } })
    if (row === null) throw notFound('No contact request with this id.')
    return row
  }

  async function changeRequest (id: string, actor: string, kind: string, value: string, data: (row: RequestRow) => Prisma.ContactRequestUpdateInput) {
    return await prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<RequestRow[]>`SELECT id FROM contact_requests WHERE id = ${id}::uuid FOR UPDATE`
      if (row === undefined) throw notFound('No contact request with this id.')
      const current = await tx.contactRequest.findUniqueOrThrow({ where: { id } })
      const updated = await tx.contactRequest.update({ where: { id }, data: data(current) })
      await tx.requestEvent.create({ data: { id: randomUUID(), requestId: id, kind, value, actor } })
      return summary(updated)
    })
  }

  app.get('/v1/admin/contact-requests', {
    config: { scope: 'requests:read', action: 'requests.list' },
    schema: {
      summary: 'List contact requests (no personal data), newest first',
      querystring: ListQuery,
      response: { 200: Type.Object({ items: Type.Array(RequestSummarySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...adminErrors }
    }
  }, async (request) => {
    const { contactId, status, from, to, limit, cursor } = request.query
    const after = cursor === undefined ? null : decodeCursor(cursor)
    const where: Prisma.ContactRequestWhereInput = {
      contactId,
      status,
      receivedAt: { gte: from === undefined ? undefined : new Date(from), lt: to === undefined ? undefined : new Date(to) },
      ...(after === null ? {} : { OR: [{ receivedAt: { lt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { lt: after.id } }] })
    }
    const rows = await prisma.contactRequest.findMany({ where, orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }], take: limit + 1 })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    request.audit.detail = { count: page.length }
    return { items: page.map(summary), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null }
  })

  app.get('/v1/admin/contact-requests/:id', {
    config: { scope: 'requests:read', action: 'requests.read' },
    schema: { summary: 'One contact request with its personal data, consent, notifications and history', params: IdParams, response: { 200: Type.Any(), ...adminErrors } }
  }, async (request) => {
    await findOr404(request.params.id)
    return withoutInternalKeys(await prisma.contactRequest.findUniqueOrThrow({ where: { id: request.params.id }, include: REQUEST_DETAIL }))
  })

  app.post('/v1/admin/contact-requests/:id/status', {
    config: { scope: 'requests:write', action: 'requests.status' },
    schema: {
      summary: 'Change the status; closing shortens retention to RETENTION_DAYS_AFTER_CLOSE (never lengthens it)',
      params: IdParams,
      body: Type.Object({ status: StatusSchema }, { additionalProperties: false }),
      response: { 200: RequestSummarySchema, ...adminErrors }
    }
  }, async (request) => {
    const { status } = request.body
    request.audit.detail = { status }
    return await changeRequest(request.params.id, request.admin?.name ?? '', 'status', status, (current) => {
      if (status !== 'closed' || current.status === 'closed') return { status }
      const now = new Date()
      const shortened = new Date(now.getTime() + app.config.RETENTION_DAYS_AFTER_CLOSE * 86_400_000)
      return { status, closedAt: now, retainUntil: shortened < current.retainUntil ? shortened : current.retainUntil }
    })
  })

  app.put('/v1/admin/contact-requests/:id/legal-hold', {
    config: { scope: 'requests:write', action: 'requests.legal_hold.set' },
    schema: {
      summary: 'Suspend purging of this request until the hold is lifted',
      params: IdParams,
      body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500, description: 'why; e.g. a case number (no personal data)' }) }, { additionalProperties: false }),
      response: { 200: RequestSummarySchema, ...adminErrors }
    }
  }, async (request) => await changeRequest(request.params.id, request.admin?.name ?? '', 'legal_hold', 'set', () => ({ legalHoldReason: request.body.reason, legalHoldAt: new Date() })))

  app.delete('/v1/admin/contact-requests/:id/legal-hold', {
    config: { scope: 'requests:write', action: 'requests.legal_hold.lift' },
    schema: { summary: 'Lift the legal hold: the request is purged when its retention is over', params: IdParams, response: { 200: RequestSummarySchema, ...adminErrors } }
  }, async (request) => await changeRequest(request.params.id, request.admin?.name ?? '', 'legal_hold', 'lifted', () => ({ legalHoldReason: null, legalHoldAt: null })))

  app.put('/v1/admin/contact-requests/:id/restriction', {
    config: { scope: 'requests:write', action: 'requests.restriction.set' },
    schema: { summary: 'Restrict processing (GDPR Art. 18): kept, but no notification is sent', params: IdParams, response: { 200: RequestSummarySchema, ...adminErrors } }
  }, async (request) => await changeRequest(request.params.id, request.admin?.name ?? '', 'restriction', 'set', () => ({ restrictedAt: new Date() })))

  app.delete('/v1/admin/contact-requests/:id/restriction', {
    config: { scope: 'requests:write', action: 'requests.restriction.lift' },
    schema: { summary: 'Lift the restriction', params: IdParams, response: { 200: RequestSummarySchema, ...adminErrors } }
  }, async (request) => await changeRequest(request.params.id, request.admin?.name ?? '', 'restriction', 'lifted', () => ({ restrictedAt: null })))

  const FailedSchema = Type.Object({
    id: Type.String(),
    requestId: Type.String(),
    attempts: Type.Integer(),
    lastError: Type.Union([Type.String(), Type.Null()]),
    failedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
  })

  app.get('/v1/admin/notifications/failed', {
    config: { scope: 'requests:read', action: 'notifications.list_failed' },
    schema: { summary: 'Notifications that ran out of attempts or were refused', response: { 200: Type.Object({ items: Type.Array(FailedSchema) }), ...adminErrors } }
  }, async () => {
    const rows = await prisma.notification.findMany({ where: { status: 'failed' }, orderBy: { failedAt: 'asc' }, take: 1000 })
    return { items: rows.map((n) => ({ id: n.id, requestId: n.requestId, attempts: n.attempts, lastError: n.lastError, failedAt: n.failedAt?.toISOString() ?? null })) }
  })

  /**
   * Sends a failed notification again from a clean slate. The old job goes
   * first (its id is the notification's, so while it exists a new one would be
   * a no-op); if Redis is down this fails before anything changed.
   */
  async function redrive (id: string): Promise<void> {
    await app.queues.notify.remove(id)
    const { count } = await prisma.notification.updateMany({
      where: { id, status: 'failed', request: { restrictedAt: null } },
      data: { status: 'pending', attempts: 0, lastError: null, failedAt: null }
    })
    if (count === 0) throw conflict('Only a failed notification of an unrestricted request can be re-driven.')
    // If this fails, the notification is pending again and the outbox relay enqueues it.
    await enqueueNotification(app.queues.notify, { notificationId: id }, { maxAttempts: app.config.NOTIFY_MAX_ATTEMPTS, backoffMs: app.config.NOTIFY_BACKOFF_MS })
      .then(async () => { await prisma.notification.updateMany({ where: { id, status: 'pending' }, data: { status: 'queued', queuedAt: new Date() } }) })
      .catch((err: unknown) => { app.log.warn({ err, notificationId: id }, 're-driven notification left to the outbox relay') })
  }

  app.post('/v1/admin/notifications/:id/redrive', {
    config: { scope: 'requests:write', action: 'notifications.redrive' },
    schema: { summary: 'Re-drive one failed notification', params: IdParams, response: { 202: Type.Object({ redriven: Type.Integer() }), 409: ErrorSchema, ...adminErrors } }
  }, async (request, reply) => {
    const exists = await prisma.notification.count({ where: { id: request.params.id } })
    if (exists === 0) throw notFound('No notification with this id.')
    await redrive(request.params.id)
    return await reply.code(202).send({ redriven: 1 })
  })

  app.post('/v1/admin/notifications/redrive', {
    config: { scope: 'requests:write', action: 'notifications.redrive_all' },
    schema: { summary: 'Re-drive every failed notification of an unrestricted request', response: { 202: Type.Object({ redriven: Type.Integer() }), ...adminErrors } }
  }, async (request, reply) => {
    const failed = await prisma.notification.findMany({ where: { status: 'failed', request: { restrictedAt: null } }, select: { id: true } })
    let redriven = 0
    for (const { id } of failed) {
      await redrive(id)
      redriven++
    }
    request.audit.detail = { redriven }
    return await reply.code(202).send({ redriven })
  })

  app.post('/v1/admin/contact-requests/:id/withdraw-consent', {
    config: { scope: 'subjects:erase', action: 'requests.withdraw_consent' },
    schema: {
      summary: 'The person withdrew consent: the request is erased everywhere (409 while a legal hold keeps it)',
      params: IdParams,
      response: { 409: ErrorSchema, 200: Type.Object({ requests: Type.Integer(), notifications: Type.Integer(), jobsRemoved: Type.Integer(), mailFilesRemoved: Type.Integer() }), ...adminErrors }
    }
  }, async (request) => {
    const row = await findOr404(request.params.id)
    if (row.legalHoldReason !== null) throw conflict('This request is under a legal hold: it is kept until the hold is lifted (GDPR Art. 17(3)(e)).')
    const { ids: _ids, ...removed } = await app.subjects.eraseRequest(request.params.id)
    request.audit.detail = { ...removed }
    return removed
  })
}

export default requestRoutes
