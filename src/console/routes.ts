// The console (README: "Console"): sign-in with OpenID Connect, the inbox, one request with its
// handling. Every page needs a live session but the sign-in's; every form carries the session's
// CSRF token; every read of a request and every action is audited as the person who did it. A
// project manager sees only the requests addressed or passed to them; another's by URL is a 403.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import fastifyCookie from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { pageSecurityFor } from '../web/page-security.js'
import { contactOf, handlerOf, isHandler, type Handler } from '../handling/links.js'
import type { Act, Actor } from '../handling/state.js'
import type { HandlingActions } from '../follow-through/actions.js'
import type { AuditRepository } from '../repositories/audit.js'
import type { ContactRepository } from '../repositories/contacts.js'
import type { RequestDetail, RequestRepository } from '../repositories/requests.js'
import type { Locale } from '../schemas/common.js'
import { encodeCursor, decodeCursor } from '../admin/schemas.js'
import { inboxPage, messagePage, requestPage, signInPage, textsFor, type Status } from './pages.js'
import type { ConsoleSession, ConsoleSessions } from './sessions.js'
import type { SignIn } from './sign-in.js'

const SESSION_COOKIE = '__Host-console'
const SIGN_IN_COOKIE = '__Host-console-sign-in'
// __Host-: Secure, Path=/, no Domain. Lax: sent on the provider's redirect back, not on another site's POST.
const COOKIE = { httpOnly: true, secure: true, sameSite: 'lax', path: '/' } as const
const PAGE_SIZE = 50

const InboxQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal(''), ...['received', 'taken', 'answered', 'closed', 'quarantined'].map((s) => Type.Literal(s))])),
  cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]*$' }))
})
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const ActionParams = Type.Object({ id: Type.String({ format: 'uuid' }), action: Type.Union([Type.Literal('take'), Type.Literal('answer'), Type.Literal('pass')]) })
const FormBody = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 100 })), to: Type.Optional(Type.String({ maxLength: 80 })) })

export interface ConsoleRoutesOptions {
  sessions: ConsoleSessions
  signIn: SignIn
  requests: Pick<RequestRepository, 'list' | 'detail'>
  contacts: Pick<ContactRepository, 'listActive'>
  names: (ids: string[]) => Promise<Map<string, string>>
  actions: HandlingActions
  audit: AuditRepository
}

/** The console's language: the browser's first choice if it is English, else Swedish. */
const localeOf = (request: FastifyRequest): Locale => /^en\b/i.test(request.headers['accept-language'] ?? '') ? 'en' : 'sv'
const actorOf = (session: ConsoleSession): string => `console:${session.email}`
const seesAll = (session: ConsoleSession): boolean => session.scopes.includes('requests:read')
/** Whether this person may read this request: an admin with requests:read, or its project manager. */
const mayRead = (session: ConsoleSession, detail: RequestDetail): boolean => seesAll(session) ||
  (session.contactId !== null && detail.status !== 'quarantined' && (detail.contactId === session.contactId || detail.handler === handlerOf(session.contactId)))

// eslint-disable-next-line max-lines-per-function -- the console's routes: sign-in, sign-out, the inbox, a request and its actions
const consoleRoutes: FastifyPluginAsyncTypebox<ConsoleRoutesOptions> = async (app, options) => {
  const { sessions, signIn, requests, contacts, names, actions, audit } = options
  await app.register(fastifyCookie)
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  // A form may lead to the provider: sign-out continues there (CSP form-action covers the redirect).
  const provider = app.config.OIDC_ISSUER_URL === undefined ? [] : [new URL(app.config.OIDC_ISSUER_URL).origin]
  const helmet = pageSecurityFor(["'none'"], provider)
  const config = { rateLimit: { max: app.config.ADMIN_RATE_LIMIT_MAX, timeWindow: 60_000 } }
  const html = async (reply: FastifyReply, body: string, status = 200) =>
    await reply.code(status).header('cache-control', 'no-store').header('referrer-policy', 'same-origin').type('text/html; charset=utf-8').send(body)

  /** The live session of the request's cookie; null when none (and then the cookie is cleared). */
  async function sessionOf (request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | null> {
    const id = request.cookies[SESSION_COOKIE]
    if (id === undefined) return null
    const session = await sessions.touch(id)
    if (session === null) reply.clearCookie(SESSION_COOKIE, COOKIE)
    return session
  }
  /** Without a session: back to the sign-in page, saying the session ended if there was one. */
  const toSignIn = async (request: FastifyRequest, reply: FastifyReply) =>
    await reply.code(303).header('cache-control', 'no-store').redirect(request.cookies[SESSION_COOKIE] === undefined ? '/console' : '/console?expired=1')

  app.get('/console', { schema: { hide: true, querystring: Type.Intersect([InboxQuery, Type.Object({ expired: Type.Optional(Type.String({ maxLength: 1 })) })]) }, helmet, config }, async (request, reply) => {
    const locale = localeOf(request)
    const session = await sessionOf(request, reply)
    // A cookie without a live session: it ended while unused (or at its age limit).
    const expired = request.query.expired === '1' || (session === null && request.cookies[SESSION_COOKIE] !== undefined)
    if (session === null) return await html(reply, signInPage(locale, { expired, configured: signIn.configured }))
    if (!seesAll(session) && session.contactId === null) return await html(reply, messagePage(locale, textsFor(locale).noAccess.title, [textsFor(locale).noAccess.body], '', session), 403)
    const status = request.query.status === '' ? undefined : request.query.status as Status | undefined
    const position = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor)
    const { page, more } = await requests.list({
      status,
      limit: PAGE_SIZE,
      after: position === undefined ? undefined : { receivedAt: position.at, id: position.id },
      visibleTo: seesAll(session) ? undefined : session.contactId ?? undefined
    })
    const contactIds = [...new Set(page.flatMap((r) => [r.contactId, ...(r.handler === null ? [] : [contactOf(r.handler as Handler) ?? ''])]))]
    const named = await names(contactIds)
    await audit.record({ actor: actorOf(session), action: 'console.requests.list', outcome: 'ok', detail: { count: page.length } })
    const last = page.at(-1)
    const next = more && last !== undefined ? `/console?${new URLSearchParams({ ...(status === undefined ? {} : { status }), cursor: encodeCursor(last.receivedAt, last.id) }).toString()}` : null
    return await html(reply, inboxPage(locale, session, page.map((r) => ({
      id: r.id,
      receivedAt: r.receivedAt,
      contactName: named.get(r.contactId) ?? r.contactId,
      status: r.status,
      handlerName: r.handler === null ? null : named.get(contactOf(r.handler as Handler) ?? '') ?? r.handler
    })), { status, next }))
  })

  app.get('/console/sign-in', { schema: { hide: true }, helmet, config }, async (request, reply) => {
    if (!signIn.configured) return await html(reply, signInPage(localeOf(request), { expired: false, configured: false }), 404)
    const { url, pending } = await signIn.start()
    reply.setCookie(SIGN_IN_COOKIE, await sessions.begin(pending), { ...COOKIE, maxAge: 600 })
    return await reply.code(303).header('cache-control', 'no-store').redirect(url)
  })

  app.get('/console/callback', { schema: { hide: true }, helmet, config }, async (request, reply) => {
    const locale = localeOf(request)
    const pendingId = request.cookies[SIGN_IN_COOKIE]
    reply.clearCookie(SIGN_IN_COOKIE, COOKIE)
    const pending = pendingId === undefined ? null : await sessions.resume(pendingId)
    if (pending === null) return await toSignIn(request, reply)
    let signedIn
    try {
      signedIn = await signIn.finish(new URL(request.url, app.config.PUBLIC_BASE_URL), pending)
    } catch (err) {
      request.log.warn({ err }, 'console sign-in refused')
      return await html(reply, signInPage(locale, { expired: false, configured: true }), 400)
    }
    const { identity, idToken } = signedIn
    const actor = `console:${identity.email}`
    if (identity.scopes.length === 0 && identity.contactId === null) {
      await audit.record({ actor, action: 'console.sign_in', outcome: 'refused' })
      return await html(reply, messagePage(locale, textsFor(locale).noAccess.title, [textsFor(locale).noAccess.body]), 403)
    }
    // A new session id at every sign-in: one planted before it opens nothing.
    const { id } = await sessions.create(identity, idToken)
    await audit.record({ actor, action: 'console.sign_in', outcome: 'ok', detail: { scopes: identity.scopes.length, contact: identity.contactId !== null } })
    reply.setCookie(SESSION_COOKIE, id, { ...COOKIE, maxAge: app.config.CONSOLE_SESSION_SECONDS })
    return await reply.code(303).header('cache-control', 'no-store').redirect('/console')
  })

  app.post('/console/sign-out', { schema: { hide: true, body: FormBody }, helmet, config }, async (request, reply) => {
    const session = await sessionOf(request, reply)
    if (session === null) return await toSignIn(request, reply)
    if (!sessions.csrfHolds(session, request.body._csrf)) return await html(reply, messagePage(localeOf(request), textsFor(localeOf(request)).csrf.title, [textsFor(localeOf(request)).csrf.body], '', session), 403)
    await sessions.end(request.cookies[SESSION_COOKIE] ?? '')
    reply.clearCookie(SESSION_COOKIE, COOKIE)
    await audit.record({ actor: actorOf(session), action: 'console.sign_out', outcome: 'ok' })
    const atProvider = session.idToken === '' ? null : await signIn.endSessionUrl(session.idToken).catch(() => null)
    return await reply.code(303).header('cache-control', 'no-store').redirect(atProvider ?? '/console')
  })

  /** The request this person may read, or the page that says why not (audited). */
  async function readable (
    request: FastifyRequest, reply: FastifyReply, session: ConsoleSession, id: string
  ): Promise<RequestDetail | null> {
    const locale = localeOf(request)
    const detail = await requests.detail(id)
    const allowed = detail !== null && mayRead(session, detail)
    await audit.record({ actor: actorOf(session), action: 'console.requests.read', targetId: id, outcome: allowed ? 'ok' : detail === null ? 'failed' : 'refused' })
    if (detail === null) await html(reply, messagePage(locale, textsFor(locale).notFound.title, [textsFor(locale).notFound.body], '', session), 404)
    else if (!allowed) await html(reply, messagePage(locale, textsFor(locale).forbidden.title, [textsFor(locale).forbidden.body], '', session), 403)
    return allowed ? detail : null
  }

  app.get('/console/requests/:id', { schema: { hide: true, params: IdParams, querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 10 })), refused: Type.Optional(Type.String({ maxLength: 1 })) }) }, helmet, config }, async (request, reply) => {
    const session = await sessionOf(request, reply)
    if (session === null) return await toSignIn(request, reply)
    const detail = await readable(request, reply, session, request.params.id)
    if (detail === null) return reply
    const locale = localeOf(request)
    const t = textsFor(locale).request
    const handlerContact = detail.handler === null ? null : contactOf(detail.handler as Handler)
    const named = await names([detail.contactId, ...(handlerContact === null ? [] : [handlerContact])])
    const open = detail.status === 'received' || detail.status === 'taken'
    const own = session.contactId
    const colleagues = open && own !== null ? (await contacts.listActive()).filter((c) => c.id !== own).map((c) => ({ value: handlerOf(c.id), label: `${c.name} – ${c.title}` })) : []
    const done = request.query.done as keyof typeof t.done | undefined
    return await html(reply, requestPage(locale, session, detail, {
      contactName: named.get(detail.contactId) ?? detail.contactId,
      handlerName: detail.handler === null ? null : handlerContact === null ? detail.handler : named.get(handlerContact) ?? handlerContact,
      actions: own === null || !open ? null : { take: detail.status === 'received', answer: true, pass: colleagues },
      banner: request.query.refused === '1' ? t.refused : done !== undefined && done in t.done ? t.done[done] : null
    }))
  })

  app.post('/console/requests/:id/:action', { schema: { hide: true, params: ActionParams, body: FormBody }, helmet, config }, async (request, reply) => {
    const session = await sessionOf(request, reply)
    if (session === null) return await toSignIn(request, reply)
    const locale = localeOf(request)
    if (!sessions.csrfHolds(session, request.body._csrf)) return await html(reply, messagePage(locale, textsFor(locale).csrf.title, [textsFor(locale).csrf.body], '', session), 403)
    const { id, action } = request.params
    if (await readable(request, reply, session, id) === null) return reply
    if (session.contactId === null) return await html(reply, messagePage(locale, textsFor(locale).forbidden.title, [textsFor(locale).forbidden.body], '', session), 403)
    // A project manager acts as their own links would: as their contact.
    const actor: Actor = { handler: handlerOf(session.contactId) }
    const to = request.body.to
    const act: Act | null = action === 'take' ? { action, handler: actor.handler } : action === 'answer' ? { action } : to !== undefined && isHandler(to) ? { action, to } : null
    const acted = act === null ? null : await actions.act(id, act, actor)
    const changed = acted !== null && 'fields' in acted.decision
    return await reply.code(303).redirect(`/console/requests/${id}?${changed ? `done=${action}` : 'refused=1'}`)
  })
}

export default consoleRoutes
