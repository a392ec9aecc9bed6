// Admin: run the retention purge (or a dry run) and read its history.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { DateTime, ErrorSchema, commonErrorResponses } from '../schemas/common.js'
import { runPurge } from './purge.js'

const adminErrors = { 401: ErrorSchema, 403: ErrorSchema, ...commonErrorResponses }

export const PurgeRunSchema = Type.Object({
  id: Type.String(),
  dryRun: Type.Boolean(),
  cutoff: DateTime,
  batches: Type.Integer(),
  requests: Type.Integer(),
  notifications: Type.Integer(),
  jobsRemoved: Type.Integer(),
  mailFilesRemoved: Type.Integer(),
  startedAt: DateTime,
  finishedAt: Type.Union([DateTime, Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()])
})

const retentionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/admin/purges', {
    config: { scope: 'retention:purge', action: 'retention.purge' },
    schema: {
      summary: 'Purge every request whose retention is over and that has no legal hold; a dry run reports what would go',
      body: Type.Object({ dryRun: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      response: { 200: PurgeRunSchema, ...adminErrors }
    }
  }, async (request) => {
    const run = await runPurge(app.pg, app.removal, { dryRun: request.body.dryRun, actor: request.admin?.name ?? '', trigger: 'api', batchSize: app.config.PURGE_BATCH_SIZE, pauseMs: app.config.PURGE_PAUSE_MS })
    request.audit.targetId = run.id
    request.audit.detail = { dryRun: run.dryRun, requests: run.requests }
    return run
  })

  app.get('/v1/admin/purges', {
    config: { scope: 'retention:purge', action: 'retention.history' },
    schema: {
      summary: 'Purge runs, newest first',
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ runs: Type.Array(Type.Intersect([PurgeRunSchema, Type.Object({ actor: Type.String(), trigger: Type.String() })])) }), ...adminErrors }
    }
  }, async (request) => {
    const runs = await app.prisma.purgeRun.findMany({ orderBy: { startedAt: 'desc' }, take: request.query.limit })
    return { runs }
  })
}

export default retentionRoutes
