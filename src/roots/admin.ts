// What the admin surfaces (the API's /v1/admin routes and the CLI) operate with, built on a
// process's core: keys, data-subject requests, retention purges, webhook endpoints, spam decisions.
import type { Core } from './core.js'
import { createKeyStore } from '../admin/keys.js'
import { createRetention } from '../retention/purge.js'
import { createSubjectService } from '../subjects/service.js'
import { createWebhookEndpoints } from '../webhooks/endpoints.js'
import { createSpamDecisions } from '../admin/spam-decisions.js'
import { createHandlingActions } from '../follow-through/actions.js'
import { createHandlingLinks } from '../handling/links.js'
import { createConsoleSessions } from '../console/sessions.js'

/** The retention purge, for the admin and for the worker that runs it on schedule. */
export function retentionOn ({ config, tuning, metrics, repositories, erasure }: Core) {
  return createRetention({
    ...repositories,
    erasure,
    metrics: metrics.purge,
    detachedDeliveryDays: config.RETENTION_DAYS,
    quarantineRetentionDays: config.QUARANTINE_RETENTION_DAYS,
    batchSize: tuning.purgeBatchSize,
    pauseMs: tuning.purgePauseMs,
    lanes: tuning.purgeLanes
  })
}

/** The notification's action links, for the pages that act on them and the mails that carry them. */
export const handlingLinksOf = ({ config }: Pick<Core, 'config'>) =>
  createHandlingLinks({ pseudonymKey: config.PSEUDONYM_KEY, baseUrl: config.PUBLIC_BASE_URL })

// eslint-disable-next-line max-lines-per-function -- the composition of the admin operations: one entry each
export function createAdminServices (core: Core) {
  const { config, log, metrics, repositories, erasure, producers } = core
  return {
    spamDecisions: createSpamDecisions({
      requests: repositories.requests,
      audit: repositories.audit,
      notify: producers.notify,
      receipts: config.RECEIPTS ? producers.receipts : null,
      webhooks: producers.webhooks,
      metrics,
      log,
      pseudonymKey: config.PSEUDONYM_KEY,
      enqueueTimeoutMs: core.tuning.enqueueTimeoutMs
    }),
    handlingActions: createHandlingActions({
      handling: repositories.handling,
      contacts: repositories.contacts,
      audit: repositories.audit,
      notify: producers.notify,
      webhooks: producers.webhooks,
      metrics: metrics.handling,
      log,
      fallbackInbox: config.NOTIFY_FALLBACK_EMAIL !== undefined,
      enqueueTimeoutMs: core.tuning.enqueueTimeoutMs
    }),
    handlingLinks: handlingLinksOf(core),
    /** The console's sessions and one-time links, in Redis. */
    consoleSessions: createConsoleSessions({
      redis: core.redis, prefix: config.QUEUE_PREFIX, idleSeconds: config.CONSOLE_IDLE_SECONDS, maxSeconds: config.CONSOLE_SESSION_SECONDS
    }),
    keys: createKeyStore(repositories.apiKeys),
    subjects: createSubjectService({ ...repositories, erasure, metrics: metrics.subjects, pseudonymKey: config.PSEUDONYM_KEY }),
    retention: retentionOn(core),
    webhookEndpoints: createWebhookEndpoints({
      repository: repositories.webhooks,
      box: core.secretBox,
      policy: core.addressPolicy,
      producer: core.producers.webhooks,
      contactExists: repositories.contacts.exists,
      audit: repositories.audit
    })
  }
}
export type AdminServices = ReturnType<typeof createAdminServices>
