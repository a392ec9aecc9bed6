// An admin's changes to one request from its console page: close or reopen, a legal hold, a
// restriction, a re-drive of its failed notification, a spam decision, and the withdrawal of
// consent (behind a page that says it erases). The same operations as the admin API's, audited
// as the person who did them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AppError } from '../errors.js'
import { REQUEST_CHANGES, type RequestChanges } from '../admin/request-changes.js'
import type { SpamDecisions } from '../admin/spam-decisions.js'
import type { Redrive } from '../notifications/redrive.js'
import type { SubjectService } from '../subjects/service.js'
import { Line } from '../schemas/common.js'
import { Value } from '@sinclair/typebox/value'
import type { ConsoleKit } from './kit.js'
import { withdrawCheckPage } from './pages.js'

const CHANGES = ['close', 'reopen', 'hold', 'unhold', 'restrict', 'unrestrict', 'redrive', 'release', 'spam'] as const
const ChangeParams = Type.Object({ id: Type.String({ format: 'uuid' }), change: Type.Union(CHANGES.map((c) => Type.Literal(c))) })
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
const ChangeBody = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 100 })),
  reason: Type.Optional(Type.String({ maxLength: 600 })),
  notificationId: Type.Optional(Type.String({ maxLength: 40 }))
})
const Reason = Line(500, { required: true, minLength: 3 })
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export interface RequestAdminOptions {
  kit: ConsoleKit
  requestChanges: RequestChanges
  redrive: Redrive
  spamDecisions: SpamDecisions
  subjects: SubjectService
}

// eslint-disable-next-line max-lines-per-function -- each change is a line or two; the withdrawal has its page
const requestAdmin: FastifyPluginAsyncTypebox<RequestAdminOptions> = async (app, options) => {
  const { kit, requestChanges, redrive, spamDecisions, subjects } = options
  const back = (id: string, outcome: string) => `/console/requests/${id}?${outcome}`

  app.post('/console/requests/:id/change/:change', { ...kit.route, schema: { hide: true, params: ChangeParams, body: ChangeBody } }, async (request, reply) => {
    const session = await kit.posted(request, reply, 'requests:write')
    if (session === null) return reply
    const { id, change } = request.params
    const actor = session.actor
    const { reason = '', notificationId = '' } = request.body
    try {
      switch (change) {
        case 'close':
        case 'reopen':
          await requestChanges.change(id, actor, REQUEST_CHANGES.status(change === 'close' ? 'closed' : 'received', app.config.RETENTION_DAYS_AFTER_CLOSE))
          break
        case 'hold':
          if (!Value.Check(Reason, reason)) return await reply.code(303).redirect(back(id, 'refused=reason'))
          await requestChanges.change(id, actor, REQUEST_CHANGES.legalHold(reason.trim()))
          break
        case 'unhold': await requestChanges.change(id, actor, REQUEST_CHANGES.liftLegalHold()); break
        case 'restrict': await requestChanges.change(id, actor, REQUEST_CHANGES.restrict()); break
        case 'unrestrict': await requestChanges.change(id, actor, REQUEST_CHANGES.liftRestriction()); break
        case 'redrive': {
          const redriven = UUID.test(notificationId) && await redrive.redrive(notificationId)
          await kit.audit.record({ actor, action: 'notifications.redrive', targetId: notificationId, outcome: redriven ? 'ok' : 'refused' })
          if (!redriven) return await reply.code(303).redirect(back(id, 'refused=1'))
          break
        }
        case 'release': if (await spamDecisions.release(id, actor) === null) return await kit.message(request, reply, 'notFound', 404, session); break
        case 'spam': if (await spamDecisions.markSpam(id, actor) === null) return await kit.message(request, reply, 'notFound', 404, session); break
      }
    } catch (err) {
      // The operation's own refusals (no such request, quarantined) come back as the page says them.
      if (err instanceof AppError && err.statusCode === 404) return await kit.message(request, reply, 'notFound', 404, session)
      if (err instanceof AppError && err.statusCode === 409) return await reply.code(303).redirect(back(id, 'refused=1'))
      throw err
    }
    return await reply.code(303).redirect(back(id, `done=${change}`))
  })

  // Withdrawal of consent erases the request: a page first says so.
  app.get('/console/requests/:id/withdraw', { ...kit.route, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply, 'subjects:erase')
    if (session === null) return reply
    return await kit.html(reply, withdrawCheckPage(kit.localeOf(request), session, request.params.id))
  })

  app.post('/console/requests/:id/withdraw', { ...kit.route, schema: { hide: true, params: IdParams, body: ChangeBody } }, async (request, reply) => {
    const session = await kit.posted(request, reply, 'subjects:erase')
    if (session === null) return reply
    const outcome = await subjects.withdrawConsent({ requestId: request.params.id, actor: session.actor })
    if ('missing' in outcome) return await kit.message(request, reply, 'notFound', 404, session)
    if ('held' in outcome) return await reply.code(303).redirect(back(request.params.id, 'refused=held'))
    return await reply.code(303).redirect('/console?done=withdrawn')
  })
}

export default requestAdmin
