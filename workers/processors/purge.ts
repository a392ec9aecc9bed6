// The scheduled retention-purge job: the same operation as the CLI's and the admin API's.
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Retention } from '../../src/retention/purge.js'

export interface PurgeProcessorDeps {
  retention: Retention
  log: Logger
}

export function createPurgeProcessor ({ retention, log }: PurgeProcessorDeps) {
  return async function processPurge (): Promise<void> {
    // A purge running elsewhere at the same time takes other rows (FOR UPDATE SKIP LOCKED).
    const run = await retention.purgeExpired({ dryRun: false, actor: 'scheduler', trigger: 'schedule' })
    log.info({ runId: run.id, requests: run.requests, batches: run.batches }, 'scheduled retention purge done')
  }
}
