// The one-time sign-in link (`npm run cli -- console link`): for a try-out without an identity
// provider, and as break-glass when the provider is down. The link is good for minutes and once;
// its page asks before it signs in (link previews open links), and the confirmation must come
// from the browser that opened the page (a cookie it was given there), so nobody can sign someone
// else in to their own session.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { escapeHtml as e } from '../html.js'
import { COOKIE, SESSION_COOKIE, type ConsoleKit } from './kit.js'
import { messagePage } from './pages.js'

const LINK_COOKIE = '__Host-console-link'
const TokenParams = Type.Object({ token: Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_-]*$' }) })
const LinkBody = Type.Object({ nonce: Type.Optional(Type.String({ maxLength: 100 })) })

const same = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

const linkPages: FastifyPluginAsyncTypebox<{ kit: ConsoleKit, sessionSeconds: number }> = async (app, { kit, sessionSeconds }) => {
  const gone = async (request: Parameters<ConsoleKit['texts']>[0], reply: Parameters<ConsoleKit['html']>[0]) => {
    const t = kit.texts(request).link
    return await kit.html(reply, messagePage(kit.localeOf(request), t.gone.title, [t.gone.body]), 404)
  }

  app.get('/console/link/:token', { ...kit.route, schema: { hide: true, params: TokenParams }, attachValidation: true }, async (request, reply) => {
    if (request.validationError !== undefined) return await gone(request, reply)
    const t = kit.texts(request).link
    const nonce = randomBytes(24).toString('base64url')
    reply.setCookie(LINK_COOKIE, nonce, { ...COOKIE, maxAge: 600 })
    const form = `<form method="post" action="/console/link/${e(request.params.token)}"><input type="hidden" name="nonce" value="${nonce}"><button type="submit">${e(t.button)}</button></form>`
    return await kit.html(reply, messagePage(kit.localeOf(request), t.title, [t.body], form))
  })

  app.post('/console/link/:token', { ...kit.route, schema: { hide: true, params: TokenParams, body: LinkBody }, attachValidation: true }, async (request, reply) => {
    if (request.validationError !== undefined) return await gone(request, reply)
    if (!same(request.cookies[LINK_COOKIE], request.body.nonce)) return await kit.message(request, reply, 'csrf', 403)
    reply.clearCookie(LINK_COOKIE, COOKIE)
    const grant = await kit.sessions.redeemLink(request.params.token)
    if (grant === null) {
      await kit.audit.record({ actor: 'console-link:unknown', action: 'console.sign_in', outcome: 'refused', detail: { link: true } })
      return await gone(request, reply)
    }
    const actor = `console-link:${grant.name}`
    const { id } = await kit.sessions.create({ actor, subject: actor, email: '', name: grant.name, scopes: grant.scopes, contactId: null }, '')
    await kit.audit.record({ actor, action: 'console.sign_in', outcome: 'ok', detail: { link: true, scopes: grant.scopes.length } })
    reply.setCookie(SESSION_COOKIE, id, { ...COOKIE, maxAge: sessionSeconds })
    return await reply.code(303).header('cache-control', 'no-store').redirect('/console')
  })
}

export default linkPages
