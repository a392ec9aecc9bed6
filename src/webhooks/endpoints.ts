// Managing webhook endpoints: what the admin API and the CLI share. Secrets are made here,
// answered once, and stored sealed; URLs are checked against the address policy. Every change
// writes its own audit entry, so it is audited alike from the API and the CLI.
import { randomUUID } from 'node:crypto'
import { conflict, notFound, validationFailed } from '../errors.js'
import type { WebhookProducer } from '../jobs/webhook.js'
import type { EndpointChange, EndpointView, WebhookRepository } from '../repositories/webhooks.js'
import type { AuditRecord, AuditRepository } from '../repositories/audit.js'
import type { AddressPolicy } from './address-guard.js'
import { TEST_EVENT } from '../schemas/webhook-events.js'
import { newSigningSecret, webhooksNotConfigured, type SecretBox } from './secrets.js'

/** How long the secret before a rotation keeps signing, so receivers can switch without losing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000

export type NewEndpointInput = Pick<EndpointView, 'url' | 'events'> & Partial<Pick<EndpointView, 'description' | 'contactId' | 'payloadMode'>>

export interface WebhookEndpointsDeps {
  repository: WebhookRepository
  box: SecretBox
  policy: AddressPolicy
  producer: WebhookProducer
  /** Whether a contact with this id is in the directory. */
  contactExists: (id: string) => Promise<boolean>
  audit: AuditRepository
}

/** What an operation adds to its audit entry once it has succeeded: ids, counts and flags, never personal data. */
type Described<T> = (result: T) => Pick<AuditRecord, 'targetId' | 'detail'>

// eslint-disable-next-line max-lines-per-function -- a factory; each of its functions is a unit of its own
export function createWebhookEndpoints ({ repository, box, policy, producer, contactExists, audit }: WebhookEndpointsDeps) {
  /** Runs the operation and writes its audit entry: ok with what `describe` says, or failed. */
  async function audited<T> (
    actor: string, action: string, targetId: string | null, work: () => Promise<T>, describe?: Described<T>
  ): Promise<T> {
    let result: T
    try {
      result = await work()
    } catch (err) {
      await audit.record({ actor, action, targetId, outcome: 'failed' })
      throw err
    }
    await audit.record({ actor, action, targetId, outcome: 'ok', ...describe?.(result) })
    return result
  }

  async function check (change: Partial<NewEndpointInput>): Promise<void> {
    const problems = []
    const urlProblem = change.url === undefined ? null : policy.problemWith(change.url)
    if (urlProblem !== null) problems.push({ path: '/url', message: urlProblem })
    if (change.contactId != null && !await contactExists(change.contactId)) problems.push({ path: '/contactId', message: 'no contact with this id' })
    if (problems.length > 0) throw validationFailed(problems)
  }

  async function existing (id: string): Promise<EndpointView> {
    const endpoint = await repository.find(id)
    if (endpoint === null) throw notFound('No webhook endpoint with this id.')
    return endpoint
  }

  return {
    list: repository.list,
    get: existing,

    /** Creates an endpoint and answers its secret: the only time it can be seen. */
    async create (input: NewEndpointInput, actor: string): Promise<{ endpoint: EndpointView, secret: string }> {
      return await audited(actor, 'webhooks.create', null, async () => {
        if (!box.configured) throw webhooksNotConfigured()
        await check(input)
        const id = randomUUID()
        const secret = newSigningSecret()
        const endpoint = await repository.create({
          id,
          url: new URL(input.url).href,
          events: [...new Set(input.events)],
          description: input.description ?? '',
          contactId: input.contactId ?? null,
          payloadMode: input.payloadMode ?? 'thin',
          secretSealed: box.seal(secret, id)
        })
        return { endpoint, secret }
      }, ({ endpoint }) => ({ targetId: endpoint.id, detail: { payloadMode: endpoint.payloadMode, events: endpoint.events } }))
    },

    async change (id: string, change: EndpointChange, actor: string): Promise<EndpointView> {
      return await audited(actor, 'webhooks.update', id, async () => {
        await check(change)
        const normalised = {
          ...(change.events === undefined ? {} : { events: [...new Set(change.events)] }),
          ...(change.url === undefined ? {} : { url: new URL(change.url).href })
        }
        const changed = await repository.change(id, { ...change, ...normalised }, 'disabled by an admin')
        if (changed === null) throw notFound('No webhook endpoint with this id.')
        return changed
      }, () => ({ detail: { changed: Object.keys(change).sort() } }))
    },

    /** A new secret, answered once; the old one signs too until `previousValidUntil`. */
    async rotateSecret (id: string, actor: string): Promise<{ secret: string, previousValidUntil: Date }> {
      return await audited(actor, 'webhooks.rotate_secret', id, async () => {
        const secret = newSigningSecret()
        const previousValidUntil = new Date(Date.now() + ROTATION_OVERLAP_MS)
        if (!await repository.rotateSecret(id, box.seal(secret, id), previousValidUntil)) throw notFound('No webhook endpoint with this id.')
        return { secret, previousValidUntil }
      })
    },

    /** Deletes the endpoint, its deliveries and log, and the jobs still waiting to deliver to it. */
    async remove (id: string, actor: string): Promise<{ pendingDeliveries: number }> {
      return await audited(actor, 'webhooks.delete', id, async () => {
        const waiting = await repository.remove(id)
        if (waiting === null) throw notFound('No webhook endpoint with this id.')
        await Promise.all(waiting.map(async (deliveryId) => await producer.queue.remove(deliveryId)))
        return { pendingDeliveries: waiting.length }
      }, (removed) => ({ detail: removed }))
    },

    /** Sends the endpoint a webhook.test event through the queue, like any delivery. */
    async sendTest (id: string, actor: string): Promise<string> {
      return await audited(actor, 'webhooks.test', id, async () => {
        const endpoint = await existing(id)
        if (!endpoint.enabled) throw conflict('This endpoint is disabled; enable it first.')
        const deliveryId = await repository.createTest(id, TEST_EVENT)
        await producer.enqueue(deliveryId)
        return deliveryId
      })
    },

    /**
     * Attempts a delivery again, under its own webhook-id (receivers deduplicate on it): one that
     * was settled, or one whose job ended without settling it (its attempts all failed on a
     * database error, say). Refused while its job is still waiting or running.
     */
    async replay (deliveryId: string, actor: string): Promise<void> {
      await audited(actor, 'webhooks.replay', deliveryId, async () => {
        if (!(await repository.existing([deliveryId])).has(deliveryId)) throw notFound('No webhook delivery with this id.')
        const state = await producer.queue.getJobState(deliveryId)
        if (!['completed', 'failed', 'unknown'].includes(state)) throw conflict('This delivery is still under way; it can be replayed once it has ended.')
        // Its finished job goes first: a pending row must never sit behind a job that will not run.
        await producer.queue.remove(deliveryId)
        await repository.resetForReplay(deliveryId)
        await producer.enqueue(deliveryId)
      })
    }
  }
}
export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>
