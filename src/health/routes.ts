// Liveness and readiness probes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { CheckSchema as Check, dependencyChecks, type Dependencies } from '../ops/readiness.js'
import type { NotificationRepository } from '../repositories/notifications.js'

const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Object({ database: Check, redis: Check }),
  outbox: Type.Object({
    backlog: Type.Union([Type.Integer(), Type.Null()], { description: 'Notifications neither sent nor failed after OUTBOX_BACKLOG_SECONDS (null when the database is down)' })
  })
})

export interface HealthRoutesOptions extends Dependencies {
  notifications: Pick<NotificationRepository, 'backlog'>
}

const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { database: db, redis, notifications }) => {
  const probes = dependencyChecks({ database: db, redis }).checks

  app.get('/health/live', {
    schema: { summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/health/ready', {
    schema: { summary: 'PostgreSQL and Redis answer', response: { 200: ReadySchema, 503: ReadySchema } }
  }, async (_request, reply) => {
    const [database, redis] = await Promise.all([probes.database(), probes.redis()])
    const ok = database === 'up' && redis === 'up'
    // A backlog is reported, not failed on: delivery trouble must not take the intake out of rotation.
    const backlog = database === 'up' ? await notifications.backlog(app.config.OUTBOX_BACKLOG_SECONDS).catch(() => null) : null
    return await reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: { database, redis }, outbox: { backlog } })
  })
}

export default healthRoutes
