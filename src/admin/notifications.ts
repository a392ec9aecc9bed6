// Admin: notifications that failed, and sending them again; receipts that failed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { DateTime, ErrorSchema } from '../schemas/common.js'
import { conflict, notFound } from '../errors.js'
import { adminErrors } from './schemas.js'
import type { NotificationRepository } from '../repositories/notifications.js'
import type { ReceiptRepository } from '../repositories/receipts.js'
import type { Redrive } from '../notifications/redrive.js'

const FailedSchema = Type.Object({
  id: Type.String(),
  requestId: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  failedAt: Type.Union([DateTime, Type.Null()])
})
const Redriven = Type.Object({ redriven: Type.Integer() })
const FailedReceiptSchema = Type.Object({
  id: Type.String(),
  requestId: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  failedAt: Type.Union([DateTime, Type.Null()])
})

/** The most failed notifications one answer lists. */
const FAILED_LIST_LIMIT = 1000

export interface NotificationRoutesOptions {
  notifications: NotificationRepository
  receipts: ReceiptRepository
  redrive: Redrive
}

const notificationRoutes: FastifyPluginAsyncTypebox<NotificationRoutesOptions> = async (app, { notifications, receipts, redrive }) => {
  app.get('/notifications/failed', {
    config: { scope: 'requests:read', action: 'notifications.list_failed' },
    schema: { summary: 'Notifications that ran out of attempts or were refused', response: { 200: Type.Object({ items: Type.Array(FailedSchema) }), ...adminErrors } }
  }, async () => ({ items: await notifications.listFailed(FAILED_LIST_LIMIT) }))

  app.get('/receipts/failed', {
    config: { scope: 'requests:read', action: 'receipts.list_failed' },
    schema: { summary: 'Receipts to the people who wrote that ran out of attempts or were refused', response: { 200: Type.Object({ items: Type.Array(FailedReceiptSchema) }), ...adminErrors } }
  }, async () => ({ items: await receipts.listFailed(FAILED_LIST_LIMIT) }))

  app.post('/notifications/:id/redrive', {
    config: { scope: 'requests:write', action: 'notifications.redrive' },
    schema: {
      summary: 'Re-drive one failed notification',
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      response: { 202: Redriven, 404: ErrorSchema, 409: ErrorSchema, ...adminErrors }
    }
  }, async (request, reply) => {
    if (!await notifications.exists(request.params.id)) throw notFound('No notification with this id.')
    if (!await redrive.redrive(request.params.id)) throw conflict('Only a failed notification of an unrestricted request can be re-driven.')
    return await reply.code(202).send({ redriven: 1 })
  })

  app.post('/notifications/redrive', {
    config: { scope: 'requests:write', action: 'notifications.redrive_all' },
    schema: { summary: 'Re-drive every failed notification of an unrestricted request', response: { 202: Redriven, ...adminErrors } }
  }, async (request, reply) => {
    const redriven = await redrive.redriveAll()
    request.audit.detail = { redriven }
    return await reply.code(202).send({ redriven })
  })
}

export default notificationRoutes
