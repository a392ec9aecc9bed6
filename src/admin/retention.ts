// Admin: run the retention purge (or a dry run) and read its history.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { DateTime } from '../schemas/common.js'
import { RemovedCountsSchema, adminErrors } from './schemas.js'
import { actorOf } from './access.js'
import type { Retention } from '../retention/purge.js'
import type { PurgeRunRepository } from '../repositories/purge-runs.js'

export const PurgeRunSchema = Type.Object({
  id: Type.String(),
  dryRun: Type.Boolean(),
  cutoff: DateTime,
  batches: Type.Integer(),
  ...RemovedCountsSchema.properties,
  startedAt: DateTime,
  finishedAt: Type.Union([DateTime, Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  quarantinedByReason: Type.Union([Type.Record(Type.String(), Type.Integer()), Type.Null()], {
    description: 'quarantined requests removed, by spam reason code (null for runs before the quarantine)'
  })
})

export interface RetentionRoutesOptions {
  retention: Retention
  purgeRuns: PurgeRunRepository
}

const retentionRoutes: FastifyPluginAsyncTypebox<RetentionRoutesOptions> = async (app, { retention, purgeRuns }) => {
  app.post('/purges', {
    config: { scope: 'retention:purge', action: 'retention.purge', selfAudited: true },
    schema: {
      summary: 'Purge every request whose retention is over and that has no legal hold; a dry run reports what would go',
      body: Type.Object({ dryRun: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      response: { 200: PurgeRunSchema, ...adminErrors }
    }
  }, async (request) => {
    const run = await retention.purgeExpired({ dryRun: request.body.dryRun, actor: actorOf(request), trigger: 'api' })
    return run
  })

  app.get('/purges', {
    config: { scope: 'retention:purge', action: 'retention.history' },
    schema: {
      summary: 'Purge runs, newest first',
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          runs: Type.Array(Type.Intersect([PurgeRunSchema, Type.Object({ actor: Type.String(), trigger: Type.String() })]))
        }),
        ...adminErrors
      }
    }
  }, async (request) => {
    return { runs: await purgeRuns.history(request.query.limit) }
  })
}

export default retentionRoutes
