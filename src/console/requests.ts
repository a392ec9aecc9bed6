// The console's inbox and request pages, and the handling a project manager does there. A project
// manager sees only the requests addressed or passed to them; an admin with requests:read, all.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { contactOf, handlerOf, isHandler, type Handler } from '../handling/links.js'
import type { Act } from '../handling/state.js'
import type { HandlingActions } from '../follow-through/actions.js'
import type { ContactRepository } from '../repositories/contacts.js'
import type { RequestDetail, RequestRepository } from '../repositories/requests.js'
import { ContactId } from '../schemas/common.js'
import { encodeCursor, decodeCursor } from '../admin/schemas.js'
import { SESSION_COOKIE, type ConsoleKit } from './kit.js'
import { inboxPage, requestPage, type ConsoleTexts, type Status } from './pages.js'
import type { ConsoleSession } from './sessions.js'

const PAGE_SIZE = 50
const STATUSES = ['received', 'taken', 'answered', 'closed', 'quarantined'] as const

const InboxQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal(''), ...STATUSES.map((s) => Type.Literal(s))])),
  contactId: Type.Optional(Type.Union([Type.Literal(''), ContactId])),
  from: Type.Optional(Type.Union([Type.Literal(''), Type.String({ format: 'date' })])),
  to: Type.Optional(Type.Union([Type.Literal(''), Type.String({ format: 'date' })])),
  cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]*$' })),
  expired: Type.Optional(Type.String({ maxLength: 1 })),
  done: Type.Optional(Type.Literal('withdrawn'))
})
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
/** What the page after an action says: done=<action>, or refused=1. */
const Banner = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })), refused: Type.Optional(Type.String({ maxLength: 10 })) })
const ActionParams = Type.Object({ id: Type.String({ format: 'uuid' }), action: Type.Union([Type.Literal('take'), Type.Literal('answer'), Type.Literal('pass')]) })
export const FormBody = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 100 })),
  to: Type.Optional(Type.String({ maxLength: 80 }))
})

export interface RequestPagesOptions {
  kit: ConsoleKit
  requests: Pick<RequestRepository, 'list' | 'detail'>
  contacts: Pick<ContactRepository, 'listActive'>
  names: (ids: string[]) => Promise<Map<string, string>>
  actions: HandlingActions
  /** The sign-in page, for a visitor without a session. */
  signInPage: (request: FastifyRequest, expired: boolean) => string
}

export const seesAll = (session: ConsoleSession): boolean => session.scopes.includes('requests:read')
/** Whether this person may read this request: an admin with requests:read, or its project manager. */
const mayRead = (session: ConsoleSession, detail: RequestDetail): boolean => seesAll(session) ||
  (session.contactId !== null && detail.status !== 'quarantined' && (detail.contactId === session.contactId || detail.handler === handlerOf(session.contactId)))
/** What the page after an action says: what was done, or why nothing was. */
function bannerOf (t: ConsoleTexts['request'], { done, refused }: { done?: string, refused?: string }): string | null {
  if (refused === 'reason') return t.refusedReason
  if (refused === 'held') return t.refusedHeld
  if (refused !== undefined) return t.refused
  return done !== undefined && done in t.done ? t.done[done as keyof typeof t.done] : null
}
const blankToUndefined = <T extends string>(value: T | '' | undefined): T | undefined => value === '' ? undefined : value

// eslint-disable-next-line max-lines-per-function -- the inbox, a request, and its handling
const requestPages: FastifyPluginAsyncTypebox<RequestPagesOptions> = async (app, options) => {
  const { kit, requests, contacts, names, actions, signInPage } = options
  app.get('/console', { ...kit.route, schema: { hide: true, querystring: InboxQuery } }, async (request, reply) => {
    const locale = kit.localeOf(request)
    const session = await kit.sessionOf(request, reply)
    // A cookie without a live session: it ended while unused (or at its age limit).
    if (session === null) return await kit.html(reply, signInPage(request, request.query.expired === '1' || request.cookies[SESSION_COOKIE] !== undefined))
    if (!seesAll(session) && session.contactId === null) return await kit.message(request, reply, 'noAccess', 403, session)
    const { cursor } = request.query
    const filter = {
      status: blankToUndefined(request.query.status),
      contactId: blankToUndefined(request.query.contactId),
      from: blankToUndefined(request.query.from),
      to: blankToUndefined(request.query.to)
    }
    const position = cursor === undefined ? undefined : decodeCursor(cursor)
    const { page, more } = await requests.list({
      status: filter.status,
      contactId: filter.contactId,
      from: filter.from === undefined ? undefined : new Date(`${filter.from}T00:00:00Z`),
      to: filter.to === undefined ? undefined : new Date(`${filter.to}T24:00:00Z`),
      limit: PAGE_SIZE,
      after: position === undefined ? undefined : { receivedAt: position.at, id: position.id },
      visibleTo: seesAll(session) ? undefined : session.contactId ?? undefined
    })
    const named = await names([...new Set(page.flatMap((r) => [r.contactId, ...(r.handler === null ? [] : [contactOf(r.handler as Handler) ?? ''])]))])
    await kit.audit.record({ actor: session.actor, action: 'console.requests.list', outcome: 'ok', detail: { count: page.length } })
    const last = page.at(-1)
    const kept = Object.fromEntries(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined))
    const next = more && last !== undefined ? `/console?${new URLSearchParams({ ...kept, cursor: encodeCursor(last.receivedAt, last.id) }).toString()}` : null
    const directory = seesAll(session) ? (await contacts.listActive()).map((c) => ({ value: c.id, label: c.name })) : []
    return await kit.html(reply, inboxPage(locale, session, page.map((r) => ({
      id: r.id,
      receivedAt: r.receivedAt,
      contactName: named.get(r.contactId) ?? r.contactId,
      status: r.status,
      handlerName: r.handler === null ? null : named.get(contactOf(r.handler as Handler) ?? '') ?? r.handler
    })), { filter: filter as { status?: Status, contactId?: string, from?: string, to?: string }, next, directory, banner: request.query.done === 'withdrawn' ? kit.texts(request).request.withdrawn : null }))
  })

  /** The request this person may read, or the page that says why not (audited). */
  async function readable (
    request: FastifyRequest, reply: FastifyReply, session: ConsoleSession, id: string
  ): Promise<RequestDetail | null> {
    const detail = await requests.detail(id)
    const allowed = detail !== null && mayRead(session, detail)
    await kit.audit.record({ actor: session.actor, action: 'console.requests.read', targetId: id, outcome: allowed ? 'ok' : detail === null ? 'failed' : 'refused' })
    if (detail === null) await kit.message(request, reply, 'notFound', 404, session)
    else if (!allowed) await kit.message(request, reply, 'forbidden', 403, session)
    return allowed ? detail : null
  }

  app.get('/console/requests/:id', {
    ...kit.route,
    schema: { hide: true, params: IdParams, querystring: Banner }
  }, async (request, reply) => {
    const session = await kit.signedIn(request, reply)
    if (session === null) return reply
    const detail = await readable(request, reply, session, request.params.id)
    if (detail === null) return reply
    const t = kit.texts(request).request
    const handlerContact = detail.handler === null ? null : contactOf(detail.handler as Handler)
    const named = await names([detail.contactId, ...(handlerContact === null ? [] : [handlerContact])])
    const open = detail.status === 'received' || detail.status === 'taken'
    const own = session.contactId
    const colleagues = open && own !== null ? (await contacts.listActive()).filter((c) => c.id !== own).map((c) => ({ value: handlerOf(c.id), label: `${c.name} – ${c.title}` })) : []
    return await kit.html(reply, requestPage(kit.localeOf(request), session, detail, {
      contactName: named.get(detail.contactId) ?? detail.contactId,
      handlerName: detail.handler === null ? null : handlerContact === null ? detail.handler : named.get(handlerContact) ?? handlerContact,
      actions: own === null || !open ? null : { take: detail.status === 'received', answer: true, pass: colleagues },
      banner: bannerOf(t, request.query),
      admin: { write: session.scopes.includes('requests:write'), erase: session.scopes.includes('subjects:erase') }
    }))
  })

  app.post('/console/requests/:id/:action', { ...kit.route, schema: { hide: true, params: ActionParams, body: FormBody } }, async (request, reply) => {
    const session = await kit.posted(request, reply)
    if (session === null) return reply
    const { id, action } = request.params
    if (await readable(request, reply, session, id) === null) return reply
    // Handling is a project manager's: as their own links would, as their contact.
    if (session.contactId === null) return await kit.message(request, reply, 'forbidden', 403, session)
    const handler = handlerOf(session.contactId)
    const to = request.body.to
    const act: Act | null = action === 'take' ? { action, handler } : action === 'answer' ? { action } : to !== undefined && isHandler(to) ? { action, to } : null
    const acted = act === null ? null : await actions.act(id, act, { handler })
    const changed = acted !== null && 'fields' in acted.decision
    return await reply.code(303).redirect(`/console/requests/${id}?${changed ? `done=${action}` : 'refused=1'}`)
  })
}

export default requestPages
