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

/** An answer that carries a signing secret: the one time it is shown. */
type WithSecret<T> = T & { secret: string }

/** Runs the operation and writes its audit entry: ok with what `describe` says, or failed. */
async function audited<T> (
  audit: AuditRepository, actor: string, action: string, targetId: string | null, work: () => Promise<T>, describe?: Described<T>
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

/** Refuses a URL the address policy refuses and a contact that is not in the directory. */
async function check ({ policy, contactExists }: WebhookEndpointsDeps, change: Partial<NewEndpointInput>): Promise<void> {
  const problems = []
  const urlProblem = change.url === undefined ? null : policy.problemWith(change.url)
  if (urlProblem !== null) problems.push({ path: '/url', message: urlProblem })
  if (change.contactId != null && !await contactExists(change.contactId)) problems.push({ path: '/contactId', message: 'no contact with this id' })
  if (problems.length > 0) throw validationFailed(problems)
}

async function existing (repository: WebhookRepository, id: string): Promise<EndpointView> {
  const endpoint = await repository.find(id)
  if (endpoint === null) throw notFound('No webhook endpoint with this id.')
  return endpoint
}

/** Creates an endpoint and answers its secret: the only time it can be seen. */
async function create (
  deps: WebhookEndpointsDeps, input: NewEndpointInput, actor: string
): Promise<WithSecret<{ endpoint: EndpointView }>> {
  const { repository, box } = deps
  return await audited(deps.audit, actor, 'webhooks.create', null, async () => {
    if (!box.configured) throw webhooksNotConfigured()
    await check(deps, input)
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
}

async function change (deps: WebhookEndpointsDeps, id: string, changes: EndpointChange, actor: string): Promise<EndpointView> {
  return await audited(deps.audit, actor, 'webhooks.update', id, async () => {
    await check(deps, changes)
    const normalised = {
      ...(changes.events === undefined ? {} : { events: [...new Set(changes.events)] }),
      ...(changes.url === undefined ? {} : { url: new URL(changes.url).href })
    }
    const changed = await deps.repository.change(id, { ...changes, ...normalised }, 'disabled by an admin')
    if (changed === null) throw notFound('No webhook endpoint with this id.')
    return changed
  }, () => ({ detail: { changed: Object.keys(changes).sort() } }))
}

/** A new secret, answered once; the old one signs too until `previousValidUntil`. */
async function rotateSecret (
  { repository, box, audit }: WebhookEndpointsDeps, id: string, actor: string
): Promise<WithSecret<{ previousValidUntil: Date }>> {
  return await audited(audit, actor, 'webhooks.rotate_secret', id, async () => {
    const secret = newSigningSecret()
    const previousValidUntil = new Date(Date.now() + ROTATION_OVERLAP_MS)
    if (!await repository.rotateSecret(id, box.seal(secret, id), previousValidUntil)) throw notFound('No webhook endpoint with this id.')
    return { secret, previousValidUntil }
  })
}

/** Deletes the endpoint, its deliveries and log, and the jobs still waiting to deliver to it. */
async function remove (
  { repository, producer, audit }: WebhookEndpointsDeps, id: string, actor: string
): Promise<{ pendingDeliveries: number }> {
  return await audited(audit, actor, 'webhooks.delete', id, async () => {
    const waiting = await repository.remove(id)
    if (waiting === null) throw notFound('No webhook endpoint with this id.')
    await Promise.all(waiting.map(async (deliveryId) => await producer.queue.remove(deliveryId)))
    return { pendingDeliveries: waiting.length }
  }, (removed) => ({ detail: removed }))
}

/** Sends the endpoint a webhook.test event through the queue, like any delivery. */
async function sendTest ({ repository, producer, audit }: WebhookEndpointsDeps, id: string, actor: string): Promise<string> {
  return await audited(audit, actor, 'webhooks.test', id, async () => {
    const endpoint = await existing(repository, id)
    if (!endpoint.enabled) throw conflict('This endpoint is disabled; enable it first.')
    const deliveryId = await repository.createTest(id, TEST_EVENT)
    await producer.enqueue(deliveryId)
    return deliveryId
  })
}

/**
 * Attempts a delivery again, under its own webhook-id (receivers deduplicate on it): one that
 * was settled, or one whose job ended without settling it (its attempts all failed on a
 * database error, say). Refused while its job is still waiting or running.
 */
async function replay ({ repository, producer, audit }: WebhookEndpointsDeps, deliveryId: string, actor: string): Promise<void> {
  await audited(audit, actor, 'webhooks.replay', deliveryId, async () => {
    if (!(await repository.existing([deliveryId])).has(deliveryId)) throw notFound('No webhook delivery with this id.')
    const state = await producer.queue.getJobState(deliveryId)
    if (!['completed', 'failed', 'unknown'].includes(state)) throw conflict('This delivery is still under way; it can be replayed once it has ended.')
    // Its finished job goes first: a pending row must never sit behind a job that will not run.
    await producer.queue.remove(deliveryId)
    await repository.resetForReplay(deliveryId)
    await producer.enqueue(deliveryId)
  })
}

export function createWebhookEndpoints (deps: WebhookEndpointsDeps) {
  return {
    list: deps.repository.list,
    get: async (id: string) => await existing(deps.repository, id),
    create: async (input: NewEndpointInput, actor: string) => await create(deps, input, actor),
    change: async (id: string, changes: EndpointChange, actor: string) => await change(deps, id, changes, actor),
    rotateSecret: async (id: string, actor: string) => await rotateSecret(deps, id, actor),
    remove: async (id: string, actor: string) => await remove(deps, id, actor),
    sendTest: async (id: string, actor: string) => await sendTest(deps, id, actor),
    replay: async (deliveryId: string, actor: string) => { await replay(deps, deliveryId, actor) }
  }
}
export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>
