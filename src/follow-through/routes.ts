// The notification's action links: GET asks and changes nothing (mail scanners and link previews
// open every link), POST acts. Forged, altered, expired and unknown links get one neutral 404
// page, decided for forged ones before any database lookup.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { pageSecurityFor } from '../web/page-security.js'
import { acceptForms } from '../plugins/form-body.js'
import { contactOf, handlerOf, isHandler, type Handler, type HandlingGrant, type HandlingLinks } from '../handling/links.js'
import { blocked, type Act, type Decision } from '../handling/state.js'
import type { Locale } from '../schemas/common.js'
import type { ContactRepository } from '../repositories/contacts.js'
import type { HandlingView } from '../repositories/handling.js'
import { fallbackName, handlingPage, type HandlingPageView, type PassOption } from './page.js'
import type { Acted, HandlingActions } from './actions.js'

const LinkParams = Type.Object({
  handler: Type.String({ maxLength: 80, pattern: '^[a-z0-9:-]*$', description: 'whose link it is: contact:<id> or inbox:fallback' }),
  token: Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9._-]*$', description: 'the capability token from the notification' })
})
const PassBody = Type.Object({ to: Type.Optional(Type.String({ maxLength: 80, pattern: '^[a-z0-9:-]*$' })) })

export interface HandlingRoutesOptions {
  links: HandlingLinks
  actions: HandlingActions
  contacts: Pick<ContactRepository, 'listActive'>
  /** Whether a request can be passed to the fallback inbox. */
  fallbackInbox: boolean
}

/** How a page names a handler: by the directory's name, the addressed contact's, or "the shared inbox". */
const nameFor = (view: HandlingView, names: Map<string, string>, locale: Locale) => (handler: Handler | null): string => {
  const contactId = handler === null ? view.contactId : contactOf(handler)
  if (contactId === null) return fallbackName(locale)
  return names.get(contactId) ?? (contactId === view.contactId ? view.contactName : contactId)
}

/** What the page says when the action did nothing, or what it did. */
function outcomePage (acted: Acted, grant: HandlingGrant, locale: Locale, links: HandlingLinks): HandlingPageView {
  const { decision, before, names } = acted
  const nameOf = nameFor(before, names, locale)
  if ('fields' in decision) {
    if (grant.action === 'take') return { kind: 'done', action: 'take', next: { answer: links.path({ ...grant, action: 'answer' }) } }
    return { kind: 'done', action: grant.action, toName: 'notify' in decision && decision.notify !== undefined ? nameOf(decision.notify) : undefined }
  }
  return refusalPage(decision, nameOf, before)
}

function refusalPage (decision: Exclude<Decision, { fields: unknown }> | { refused: 'unknown_handler' }, nameOf: (h: Handler | null) => string, before: HandlingView): HandlingPageView {
  if ('unchanged' in decision) {
    return before.state.status === 'answered'
      ? { kind: 'already', what: 'answered', at: before.state.answeredAt }
      : { kind: 'already', what: 'taken', name: nameOf(before.state.handler), at: before.state.takenAt }
  }
  switch (decision.refused) {
    case 'taken': return { kind: 'already', what: 'taken', name: nameOf(decision.by), at: decision.at }
    case 'passed': return { kind: 'already', what: 'passed', name: nameOf(decision.to), at: decision.at }
    case 'answered': return { kind: 'already', what: 'answered', at: decision.at }
    case 'closed': return { kind: 'already', what: 'closed', at: decision.at }
    case 'same_handler': return { kind: 'same_handler', name: nameOf(before.state.handler) }
    case 'held': return { kind: 'held' }
    case 'unknown_handler': return { kind: 'unknown_handler' }
  }
}

/** The pass-on form's choices: the holder's delegate and the fallback inbox first, then the directory. */
async function passOptions (
  { contacts, fallbackInbox }: Pick<HandlingRoutesOptions, 'contacts' | 'fallbackInbox'>, view: HandlingView, grant: HandlingGrant
): Promise<{ suggested: PassOption[], colleagues: PassOption[] }> {
  const own = contactOf(grant.handler)
  const suggested: PassOption[] = [
    ...(view.delegateId === null || view.delegateId === own
      ? []
      : [{ value: handlerOf(view.delegateId), label: view.delegateName ?? view.delegateId }]),
    ...(fallbackInbox && grant.handler !== 'inbox:fallback' ? [{ value: handlerOf(null), label: fallbackName(grant.locale) }] : [])
  ]
  const colleagues = (await contacts.listActive())
    .filter((c) => c.id !== own && c.id !== view.delegateId)
    .map((c) => ({ value: handlerOf(c.id), label: `${c.name} – ${c.title}` }))
  return { suggested, colleagues }
}

/** What a link's GET shows: the question, or — taken by someone else, answered, closed, held — what happened instead. */
async function askPage (options: HandlingRoutesOptions, view: HandlingView, grant: HandlingGrant): Promise<HandlingPageView> {
  const refusal = blocked(view.state, grant.action, { handler: grant.handler })
  if (refusal !== null) return refusalPage(refusal, nameFor(view, await options.actions.names(view.state.handler), grant.locale), view)
  return {
    kind: 'ask',
    action: grant.action,
    contactName: view.contactName,
    receivedAt: view.receivedAt,
    formAction: options.links.path(grant),
    options: grant.action === 'pass' ? await passOptions(options, view, grant) : undefined
  }
}

const render = async (reply: FastifyReply, view: HandlingPageView, locale: Locale, status = 200) =>
  await reply.code(status).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(handlingPage(view, locale))

const handlingRoutes: FastifyPluginAsyncTypebox<HandlingRoutesOptions> = async (app, { links, actions, contacts, fallbackInbox }) => {
  const helmet = pageSecurityFor(["'none'"])
  // Staff open these, often several from one office address: the admin API's allowance.
  const rateLimit = { max: app.config.ADMIN_RATE_LIMIT_MAX, timeWindow: 60_000 }
  // The forms post one field at most (the pass-on's choice).
  acceptForms(app, 1024)

  const gone = async (reply: FastifyReply, locale: Locale = 'sv') => await render(reply, { kind: 'gone' }, locale, 404)
  /** The grant a valid token carries; null for anything else, malformed ones included. */
  const grantOf = ({ handler, token }: { handler: string, token: string }, malformed: boolean): HandlingGrant | null =>
    malformed ? null : links.verify(handler, token)

  const options = { schema: { hide: true, params: LinkParams }, attachValidation: true, helmet, config: { rateLimit } }

  app.get('/handle/:handler/:token', options, async (request, reply) => {
    const grant = grantOf(request.params, request.validationError !== undefined)
    const view = grant === null ? null : await actions.view(grant.requestId)
    if (grant === null || view === null) return await gone(reply, grant?.locale)
    return await render(reply, await askPage({ links, actions, contacts, fallbackInbox }, view, grant), grant.locale)
  })

  app.post('/handle/:handler/:token', { ...options, schema: { ...options.schema, body: PassBody } }, async (request, reply) => {
    const grant = grantOf(request.params, request.validationError?.validationContext === 'params')
    if (grant === null) return await gone(reply)
    const to = request.validationError === undefined ? request.body?.to : undefined
    let act: Act
    if (grant.action === 'pass') {
      if (to === undefined || !isHandler(to)) return await render(reply, { kind: 'unknown_handler' }, grant.locale, 400)
      act = { action: 'pass', to }
    } else {
      act = grant.action === 'take' ? { action: 'take', handler: grant.handler } : { action: 'answer' }
    }
    const acted = await actions.act(grant.requestId, act, { handler: grant.handler })
    if (acted === null) return await gone(reply, grant.locale)
    return await render(reply, outcomePage(acted, grant, grant.locale, links), grant.locale)
  })
}

export default handlingRoutes
