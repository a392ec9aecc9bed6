// The withdrawal link: GET asks (and changes nothing: mail scanners and link previews fetch it),
// POST erases. Forged, expired, used and unknown links all get the same 404 page.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { pageSecurityFor } from '../web/page-security.js'
import { withdrawalPage, type WithdrawalView } from './withdrawal-page.js'
import type { WithdrawalGrant } from './withdrawal-link.js'
import type { Locale } from '../schemas/common.js'
import type { WithdrawalLinks } from './withdrawal-link.js'
import type { SubjectService } from '../subjects/service.js'
import type { RequestRepository } from '../repositories/requests.js'

const TokenParams = Type.Object({ token: Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9._-]*$', description: 'the capability token from the receipt' }) })

export interface WithdrawalRoutesOptions {
  withdrawalLinks: WithdrawalLinks
  subjects: SubjectService
  requests: RequestRepository
}

const withdrawalRoutes: FastifyPluginAsyncTypebox<WithdrawalRoutesOptions> = async (app, { withdrawalLinks, subjects, requests }) => {
  // A withdrawal page must never be framed: its one button erases.
  const helmet = pageSecurityFor(["'none'"])
  const rateLimit = { max: app.config.RATE_LIMIT_MAX, timeWindow: app.config.RATE_LIMIT_WINDOW_SECONDS * 1000 }
  // The confirmation form posts no fields; browsers still send this type.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, _body, done) => { done(null, {}) })

  const render = async (reply: FastifyReply, view: WithdrawalView, locale: Locale, status = 200) =>
    await reply.code(status).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8').send(withdrawalPage(view, locale))
  const gone = async (reply: FastifyReply, locale: Locale = 'sv') => await render(reply, { kind: 'gone', controllerContact: app.config.CONTROLLER_CONTACT }, locale, 404)
  /** The grant a valid token carries; null for anything else, malformed ones included. */
  const grantOf = (token: string, malformed: boolean): WithdrawalGrant | null => malformed ? null : withdrawalLinks.verify(token)

  const options = { schema: { hide: true, params: TokenParams }, attachValidation: true, helmet, config: { rateLimit } }

  app.get('/withdraw/:token', options, async (request, reply) => {
    const grant = grantOf(request.params.token, request.validationError !== undefined)
    const view = grant === null ? null : await requests.withdrawalView(grant.requestId)
    if (grant === null || view === null) return await gone(reply, grant?.locale)
    if (view.held) return await render(reply, { kind: 'held' }, grant.locale)
    return await render(reply, { kind: 'ask', contactName: view.contactName, receivedAt: view.receivedAt, retainUntil: view.retainUntil, action: `/withdraw/${request.params.token}` }, grant.locale)
  })

  app.post('/withdraw/:token', options, async (request, reply) => {
    const grant = grantOf(request.params.token, request.validationError !== undefined)
    if (grant === null) return await gone(reply)
    const outcome = await subjects.withdrawConsent({ requestId: grant.requestId, actor: 'self-service' })
    if ('missing' in outcome) return await gone(reply, grant.locale)
    return await render(reply, { kind: 'held' in outcome ? 'held' : 'done' }, grant.locale)
  })
}

export default withdrawalRoutes
