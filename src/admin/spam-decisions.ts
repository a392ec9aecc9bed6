// Release and mark as spam: an admin's decision on one request, from the API or the CLI.
// A release sends what the quarantine held (notification, receipt, webhook event), exactly once;
// a mark as spam holds what is not sent yet. Both teach the classifier and are audited.
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { enqueueWork, type WorkProducers } from '../jobs/request-work.js'
import type { AuditRepository } from '../repositories/audit.js'
import type { RequestRepository } from '../repositories/requests.js'
import { countSpamDecision, type Metrics } from '../ops/metrics.js'
import { tokenHashes } from '../spam/text.js'

export interface SpamDecisionDeps extends WorkProducers {
  requests: RequestRepository
  audit: AuditRepository
  metrics: Metrics
  log: FastifyBaseLogger
  pseudonymKey: string
  /** How long to wait for Redis to take a released job before leaving it to the outbox relay. */
  enqueueTimeoutMs: number
}

/** What a decision did: whether the request changed (a second release does not), and what a release sent. */
export interface Decided {
  id: string
  status: 'received' | 'quarantined'
  changed: boolean
  sent: { notifications: number, receipts: number, webhookDeliveries: number }
}

export type SpamAction = 'release' | 'mark_spam'

async function decide (deps: SpamDecisionDeps, action: SpamAction, id: string, actor: string): Promise<Decided | null> {
  const { requests, audit, metrics, pseudonymKey } = deps
  const tokens = (message: string, email: string) => tokenHashes(pseudonymKey, message, email)
  const decision = action === 'release'
    ? { kind: action, actor, tokens, notificationId: randomUUID(), receiptId: deps.receipts === null ? null : randomUUID() }
    : { kind: action, actor, tokens }
  const outcome = await requests.decide(id, decision)
  await audit.record({
    actor,
    action: `requests.spam.${action}`,
    targetId: id,
    outcome: outcome === null ? 'failed' : 'ok',
    detail: outcome === null ? undefined : { changed: outcome.changed }
  })
  if (outcome === null) return null
  await enqueueWork(deps, outcome.work, deps.enqueueTimeoutMs, deps.log)
  countSpamDecision(metrics, action === 'release' ? 'released' : 'marked_spam', outcome.spamReasons)
  if (action === 'release' && outcome.changed) metrics.spam.releases.inc()
  const { notificationIds, receiptIds, webhookDeliveryIds } = outcome.work
  return {
    id,
    status: action === 'release' ? 'received' : 'quarantined',
    changed: outcome.changed,
    sent: { notifications: notificationIds.length, receipts: receiptIds.length, webhookDeliveries: webhookDeliveryIds.length }
  }
}

export function createSpamDecisions (deps: SpamDecisionDeps) {
  return {
    /**
     * Takes a request out of quarantine and sends what it was held from; on a request that is not
     * quarantined, confirms it is not spam (the classifier learns it; nothing is sent again). Null: no such request.
     */
    release: async (id: string, actor: string): Promise<Decided | null> => await decide(deps, 'release', id, actor),
    /** Puts a request in quarantine (or confirms a quarantined one is spam); the classifier learns it. Null: no such request. */
    markSpam: async (id: string, actor: string): Promise<Decided | null> => await decide(deps, 'mark_spam', id, actor)
  }
}
export type SpamDecisions = ReturnType<typeof createSpamDecisions>
