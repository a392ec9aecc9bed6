// Admin: the handling actions a notification's links offer — take (for a contact), answered, pass
// on — for a request whose handler cannot click, or on their behalf. The actor is key:<name>.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { ContactId, ErrorSchema, Nullable } from '../schemas/common.js'
import { conflict, notFound } from '../errors.js'
import { handlerOf } from '../handling/links.js'
import type { Act } from '../handling/state.js'
import type { Acted, HandlingActions } from '../follow-through/actions.js'
import { actorOf } from './access.js'
import { adminErrors, RequestStatusSchema } from './schemas.js'
import type { FastifyRequest } from 'fastify'

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const errors = { 404: ErrorSchema, 409: ErrorSchema, ...adminErrors }

const HandledSchema = Type.Object({
  id: Type.String(),
  status: RequestStatusSchema,
  handler: Nullable(Type.String()),
  changed: Type.Boolean({ description: 'false when the request already was so (taken by that contact, or answered)' })
})
type Handled = Static<typeof HandledSchema>

/** Why an action cannot be done, in the words of a 409. */
const REFUSALS: Record<string, string> = {
  answered: 'This request is answered already.',
  closed: 'This request is closed.',
  held: 'This request is restricted or quarantined: it is not processed further.',
  same_handler: 'This request is with that handler already.',
  unknown_handler: 'No such contact, or no fallback inbox (NOTIFY_FALLBACK_EMAIL) to pass it to.'
}

export interface HandlingRoutesOptions {
  actions: HandlingActions
}

/** The answer to an action: the request after it, or the reason it was not done (a 404 or 409 AppError). */
export function handledOutcome (id: string, acted: Acted | null): Handled {
  if (acted === null) throw notFound('No contact request with this id.')
  const { decision, before } = acted
  if ('refused' in decision) throw conflict(REFUSALS[decision.refused] ?? 'This request cannot be handled so now.')
  const after = 'fields' in decision ? { ...before.state, ...decision.fields } : before.state
  return { id, status: after.status, handler: after.handler, changed: 'fields' in decision }
}

// The actions audit themselves (src/follow-through/actions.ts), with their outcome.
const config = { scope: 'requests:write', action: 'requests.handling', selfAudited: true } as const

const handlingRoutes: FastifyPluginAsyncTypebox<HandlingRoutesOptions> = async (app, { actions }) => {
  const act = async (request: FastifyRequest<{ Params: { id: string } }>, what: Act): Promise<Handled> =>
    handledOutcome(request.params.id, await actions.act(request.params.id, what, { admin: `key:${actorOf(request)}` }))

  app.post('/contact-requests/:id/take', {
    config,
    schema: {
      summary: 'A contact takes the request, as their "I\'ll take it" link would',
      params: IdParams,
      body: Type.Object({ contactId: ContactId }, { additionalProperties: false }),
      response: { 200: HandledSchema, ...errors }
    }
  }, async (request) => await act(request, { action: 'take', handler: handlerOf(request.body.contactId) }))

  app.post('/contact-requests/:id/answered', {
    config,
    schema: {
      summary: 'The person was answered: no more reminders; the first answer\'s time is kept',
      params: IdParams,
      response: { 200: HandledSchema, ...errors }
    }
  }, async (request) => await act(request, { action: 'answer' }))

  app.post('/contact-requests/:id/pass', {
    config,
    schema: {
      summary: 'Pass the request on to a contact, or to the fallback inbox: they get a notification with their own links',
      params: IdParams,
      body: Type.Object({ to: Type.Union([ContactId, Type.Literal('fallback')], { description: 'a contact id, or "fallback"' }) }, { additionalProperties: false }),
      response: { 200: HandledSchema, ...errors }
    }
  }, async (request) => await act(request, { action: 'pass', to: handlerOf(request.body.to === 'fallback' ? null : request.body.to) }))
}

export default handlingRoutes
