// The console (README: "Console"): pages for the privacy officer, the web team and the project
// managers. Sign-in with OpenID Connect (or a one-time link from the CLI); every page but the
// sign-in's needs a live session; every form carries the session's CSRF token; every read of
// personal data and every action is audited as the person who did it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import fastifyCookie from '@fastify/cookie'
import { acceptForms } from '../plugins/form-body.js'
import type { FastifyRequest } from 'fastify'
import type { AuditRepository } from '../repositories/audit.js'
import type { RequestRepository } from '../repositories/requests.js'
import { COOKIE, SESSION_COOKIE, createConsoleKit } from './kit.js'
import { signInPage } from './pages.js'
import requestPages, { FormBody, type RequestPagesOptions } from './requests.js'
import linkPages from './link.js'
import subjectPages from './subjects.js'
import requestAdmin, { type RequestAdminOptions } from './request-admin.js'
import adminPages, { type AdminPagesOptions } from './admin-pages.js'
import directoryPages from './directory.js'
import settingsPages, { type SettingsPagesOptions } from './settings-pages.js'
import type { ContactAdminRoutesOptions } from '../admin/contacts.js'
import type { SubjectService } from '../subjects/service.js'
import type { ConsoleSessions } from './sessions.js'
import type { SignIn } from './sign-in.js'

const SIGN_IN_COOKIE = '__Host-console-sign-in'

export interface ConsoleRoutesOptions extends Omit<RequestPagesOptions, 'kit' | 'signInPage' | 'contacts'> {
  contacts: ContactAdminRoutesOptions['contacts']
  sessions: ConsoleSessions
  signIn: SignIn
  audit: AuditRepository
  subjects: SubjectService
  requestChanges: RequestAdminOptions['requestChanges']
  redrive: RequestAdminOptions['redrive']
  spamDecisions: RequestAdminOptions['spamDecisions']
  spam: AdminPagesOptions['spam']
  purgeRuns: AdminPagesOptions['purgeRuns']
  retention: AdminPagesOptions['retention']
  router: ContactAdminRoutesOptions['router']
  keys: SettingsPagesOptions['keys']
  webhookEndpoints: SettingsPagesOptions['webhookEndpoints']
  webhooks: SettingsPagesOptions['webhooks']
  requests: RequestPagesOptions['requests'] & Pick<RequestRepository, 'countByEmail'>
}

// eslint-disable-next-line max-lines-per-function -- sign-in, its callback, sign-out; the pages are plugins of their own
const consoleRoutes: FastifyPluginAsyncTypebox<ConsoleRoutesOptions> = async (app, options) => {
  const { sessions, signIn, audit } = options
  await app.register(fastifyCookie)
  acceptForms(app, 4096)
  // A form may lead to the provider: sign-out continues there (CSP form-action covers the redirect).
  const provider = app.config.OIDC_ISSUER_URL === undefined ? [] : [new URL(app.config.OIDC_ISSUER_URL).origin]
  const kit = createConsoleKit({ sessions, audit, rateLimitMax: app.config.ADMIN_RATE_LIMIT_MAX, formTargets: provider })
  const signInPageOf = (request: FastifyRequest, expired: boolean) =>
    signInPage(kit.localeOf(request), { expired, configured: signIn.configured })

  app.get('/console/sign-in', { ...kit.route, schema: { hide: true } }, async (request, reply) => {
    if (!signIn.configured) return await kit.html(reply, signInPageOf(request, false), 404)
    const { url, pending } = await signIn.start()
    reply.setCookie(SIGN_IN_COOKIE, await sessions.begin(pending), { ...COOKIE, maxAge: 600 })
    return await reply.code(303).header('cache-control', 'no-store').redirect(url)
  })

  app.get('/console/callback', { ...kit.route, schema: { hide: true, querystring: Type.Record(Type.String(), Type.String({ maxLength: 2048 })) } }, async (request, reply) => {
    const pendingId = request.cookies[SIGN_IN_COOKIE]
    reply.clearCookie(SIGN_IN_COOKIE, COOKIE)
    const pending = pendingId === undefined ? null : await sessions.resume(pendingId)
    if (pending === null) return await reply.code(303).redirect('/console')
    let signedIn
    try {
      signedIn = await signIn.finish(new URL(request.url, app.config.PUBLIC_BASE_URL), pending)
    } catch (err) {
      request.log.warn({ err }, 'console sign-in refused')
      return await kit.html(reply, signInPageOf(request, false), 400)
    }
    const { identity, idToken } = signedIn
    if (identity.scopes.length === 0 && identity.contactId === null) {
      await audit.record({ actor: identity.actor, action: 'console.sign_in', outcome: 'refused' })
      return await kit.message(request, reply, 'noAccess', 403)
    }
    // A new session id at every sign-in: one planted before it opens nothing.
    const { id } = await sessions.create(identity, idToken)
    await audit.record({ actor: identity.actor, action: 'console.sign_in', outcome: 'ok', detail: { scopes: identity.scopes.length, contact: identity.contactId !== null } })
    reply.setCookie(SESSION_COOKIE, id, { ...COOKIE, maxAge: app.config.CONSOLE_SESSION_SECONDS })
    return await reply.code(303).header('cache-control', 'no-store').redirect('/console')
  })

  app.post('/console/sign-out', { ...kit.route, schema: { hide: true, body: FormBody } }, async (request, reply) => {
    const session = await kit.posted(request, reply)
    if (session === null) return reply
    await sessions.end(request.cookies[SESSION_COOKIE] ?? '')
    reply.clearCookie(SESSION_COOKIE, COOKIE)
    await audit.record({ actor: session.actor, action: 'console.sign_out', outcome: 'ok' })
    const atProvider = session.idToken === '' ? null : await signIn.endSessionUrl(session.idToken).catch(() => null)
    return await reply.code(303).header('cache-control', 'no-store').redirect(atProvider ?? '/console')
  })

  await app.register(requestPages, { ...options, kit, signInPage: signInPageOf })
  await app.register(linkPages, { kit, sessionSeconds: app.config.CONSOLE_SESSION_SECONDS })
  await app.register(subjectPages, { kit, subjects: options.subjects, requests: options.requests })
  await app.register(requestAdmin, { ...options, kit })
  await app.register(adminPages, { ...options, kit })
  await app.register(directoryPages, { ...options, kit })
  await app.register(settingsPages, { ...options, kit })
}

export default consoleRoutes
