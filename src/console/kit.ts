// What every console page does the same way: its language, the session behind its cookie, the
// scope it needs, the CSRF token its forms carry, and the answer's headers.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Locale } from '../schemas/common.js'
import { pageSecurityFor } from '../web/page-security.js'
import type { AuditRepository } from '../repositories/audit.js'
import { messagePage, textsFor, type ConsoleTexts } from './pages.js'
import type { ConsoleSession, ConsoleSessions } from './sessions.js'

export const SESSION_COOKIE = '__Host-console'
// __Host-: Secure, Path=/, no Domain. Lax: sent on the provider's redirect back, not on another site's POST.
export const COOKIE = { httpOnly: true, secure: true, sameSite: 'lax', path: '/' } as const

/** The refusals and notices every part of the console may answer with. */
type Message = 'noAccess' | 'forbidden' | 'notFound' | 'csrf'

// eslint-disable-next-line max-lines-per-function -- the kit: a few helpers every console route shares
export function createConsoleKit ({ sessions, audit, rateLimitMax, formTargets }: {
  sessions: ConsoleSessions, audit: AuditRepository, rateLimitMax: number, formTargets: string[]
}) {
  const kit = {
    sessions,
    audit,
    /** Every console route's options: its own CSP (never framed) and the admin API's rate limit. */
    route: { helmet: pageSecurityFor(["'none'"], formTargets), config: { rateLimit: { max: rateLimitMax, timeWindow: 60_000 } } },
    /** The console's language: the browser's first choice if it is English, else Swedish. */
    localeOf: (request: FastifyRequest): Locale => /^en\b/i.test(request.headers['accept-language'] ?? '') ? 'en' : 'sv',
    texts: (request: FastifyRequest): ConsoleTexts => textsFor(kit.localeOf(request)),
    /** Who did it, for the audit log and the request's history. */
    actorOf: (session: ConsoleSession): string => session.actor,

    /** A page: no caching (it may hold personal data), no referrer beyond this site. */
    async html (reply: FastifyReply, body: string, status = 200): Promise<FastifyReply> {
      return await reply.code(status).header('cache-control', 'no-store').header('referrer-policy', 'same-origin').type('text/html; charset=utf-8').send(body)
    },

    async message (
      request: FastifyRequest, reply: FastifyReply, which: Message, status: number, session?: ConsoleSession
    ): Promise<FastifyReply> {
      const t = kit.texts(request)[which]
      return await kit.html(reply, messagePage(kit.localeOf(request), t.title, [t.body], '', session), status)
    },

    /** The live session of the request's cookie; null when none (and then the cookie is cleared). */
    async sessionOf (request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession | null> {
      const id = request.cookies[SESSION_COOKIE]
      if (id === undefined) return null
      const session = await sessions.touch(id)
      if (session === null) reply.clearCookie(SESSION_COOKIE, COOKIE)
      return session
    },

    /**
     * The session, when it holds `scope` (any session when none is asked); otherwise the answer is
     * sent here — the sign-in page, or a 403 audited as the person — and the result is null.
     */
    async signedIn (request: FastifyRequest, reply: FastifyReply, scope?: string): Promise<ConsoleSession | null> {
      const session = await kit.sessionOf(request, reply)
      if (session === null) {
        await reply.code(303).header('cache-control', 'no-store').redirect(request.cookies[SESSION_COOKIE] === undefined ? '/console' : '/console?expired=1')
        return null
      }
      if (scope !== undefined && !session.scopes.includes(scope)) {
        // One action for every page a scope keeps someone from; which page and scope, in the detail.
        await audit.record({ actor: session.actor, action: 'console.page', outcome: 'refused', detail: { page: request.routeOptions.url ?? '', scope } })
        await kit.message(request, reply, 'noAccess', 403, session)
        return null
      }
      return session
    },

    /** A state-changing form's session, once its CSRF token is the session's own; else the refusal is sent. */
    async posted (
      request: FastifyRequest<{ Body: { _csrf?: string } }>, reply: FastifyReply, scope?: string
    ): Promise<ConsoleSession | null> {
      const session = await kit.signedIn(request, reply, scope)
      if (session === null) return null
      if (!sessions.csrfHolds(session, request.body?._csrf)) {
        await kit.message(request, reply, 'csrf', 403, session)
        return null
      }
      return session
    }
  }
  return kit
}
export type ConsoleKit = ReturnType<typeof createConsoleKit>
