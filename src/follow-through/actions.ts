// The handling actions — take, answer, pass on — from a notification's links, the admin API and
// the CLI alike: decided under the request's lock (src/handling/state.ts), written to its history
// with the actor, audited, and for a pass the new handler's notification enqueued once committed.
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { contactOf, type Handler } from '../handling/links.js'
import { actorName, decide, type Act, type Actor, type Decision } from '../handling/state.js'
import { enqueueWork } from '../jobs/request-work.js'
import type { NotifyProducer } from '../jobs/notify.js'
import type { WebhookProducer } from '../jobs/webhook.js'
import type { Metrics } from '../ops/metrics.js'
import type { AuditRepository } from '../repositories/audit.js'
import type { ContactRepository } from '../repositories/contacts.js'
import type { HandlingRepository, HandlingView } from '../repositories/handling.js'

export interface HandlingActionsDeps {
  handling: HandlingRepository
  contacts: Pick<ContactRepository, 'exists'>
  audit: AuditRepository
  notify: NotifyProducer
  webhooks: WebhookProducer
  metrics: Metrics['handling']
  log: FastifyBaseLogger
  /** Whether there is a fallback inbox to pass a request to. */
  fallbackInbox: boolean
  enqueueTimeoutMs: number
  now?: () => Date
}

/** What an action came to, with the request as it was before it and the names of who holds it. */
export interface Acted {
  decision: Decision | { refused: 'unknown_handler' }
  before: HandlingView
  /** Contact names by id, for saying who took it or whom it went to. */
  names: Map<string, string>
}

export function createHandlingActions (deps: HandlingActionsDeps) {
  const { handling, audit, metrics, now = () => new Date() } = deps

  /** Whether a request can be passed to this handler: a contact of the directory, or a fallback inbox that exists. */
  async function reachable (to: Handler): Promise<boolean> {
    const contactId = contactOf(to)
    return contactId === null ? deps.fallbackInbox : await deps.contacts.exists(contactId)
  }

  return {
    /** Acts on a request; null when there is no such request (erased, purged, or never was). */
    async act (requestId: string, act: Act, actor: Actor): Promise<Acted | null> {
      const name = actorName(actor)
      if (act.action === 'pass' && !await reachable(act.to)) {
        const before = await handling.view(requestId)
        return before === null ? null : { decision: { refused: 'unknown_handler' }, before, names: new Map() }
      }
      const at = now()
      const applied = await handling.apply(requestId, name, (view) => decide(view.state, act, actor, at), randomUUID())
      await audit.record({
        actor: name,
        action: `requests.handling.${act.action}`,
        targetId: requestId,
        outcome: applied === null ? 'failed' : 'fields' in applied.outcome ? 'ok' : 'refused',
        detail: applied === null || 'fields' in applied.outcome ? undefined : { result: 'refused' in applied.outcome ? applied.outcome.refused : 'unchanged' }
      })
      if (applied === null) return null
      const { before, outcome, notificationIds } = applied
      if ('fields' in outcome) {
        metrics.actions.inc({ action: act.action, source: 'handler' in actor ? 'link' : 'admin' })
        if (outcome.firstAnswer === true) metrics.firstAnswer.observe((at.getTime() - before.receivedAt.getTime()) / 1000)
        const work = { notificationIds, receiptIds: [], webhookDeliveryIds: [] }
        await enqueueWork({ notify: deps.notify, receipts: null, webhooks: deps.webhooks }, work, deps.enqueueTimeoutMs, deps.log)
      }
      const mentioned = [before.state.handler, 'to' in act ? act.to : null].flatMap((h) => h === null ? [] : [contactOf(h)]).filter((id): id is string => id !== null)
      return { decision: outcome, before, names: mentioned.length === 0 ? new Map() : await handling.names(mentioned) }
    },

    /** The directory names a page needs to say who has a request (none for the addressed contact or the inbox). */
    async names (handler: Handler | null): Promise<Map<string, string>> {
      const contactId = handler === null ? null : contactOf(handler)
      return contactId === null ? new Map() : await handling.names([contactId])
    },

    /** The request as a page shows it before anything is done. */
    view: async (requestId: string): Promise<HandlingView | null> => await handling.view(requestId)
  }
}
export type HandlingActions = ReturnType<typeof createHandlingActions>
