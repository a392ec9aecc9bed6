// The data-subject requests in the console: export (a JSON download) and erasure of everything held
// about an address, each behind a page that says what will happen first ("check your answers").
// The same operations as the admin API's and the CLI's, audited as the person who did them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { RequestRepository } from '../repositories/requests.js'
import { Email } from '../schemas/common.js'
import type { SubjectService } from '../subjects/service.js'
import type { ConsoleKit } from './kit.js'
import { subjectCheckPage, subjectDonePage, subjectFormPage } from './pages.js'
import type { ConsoleSession } from './sessions.js'

const SubjectBody = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 100 })),
  email: Type.Optional(Type.String({ maxLength: 400 })),
  action: Type.Optional(Type.String({ maxLength: 10 }))
})
const ActionParams = Type.Object({ action: Type.Union([Type.Literal('export'), Type.Literal('erase')]) })
const SCOPE = { export: 'subjects:export', erase: 'subjects:erase' } as const

export interface SubjectPagesOptions {
  kit: ConsoleKit
  subjects: SubjectService
  requests: Pick<RequestRepository, 'countByEmail'>
}

const allowed = (session: ConsoleSession) => (['export', 'erase'] as const).filter((a) => session.scopes.includes(SCOPE[a]))

const subjectPages: FastifyPluginAsyncTypebox<SubjectPagesOptions> = async (app, { kit, subjects, requests }) => {
  app.get('/console/subjects', { ...kit.route, schema: { hide: true } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply)
    if (session === null) return reply
    if (allowed(session).length === 0) return await kit.message(request, reply, 'noAccess', 403, session)
    return await kit.html(reply, subjectFormPage(kit.localeOf(request), session, { actions: allowed(session) }))
  })

  // The first step: the address and what to do with it; the answer says what will happen.
  app.post('/console/subjects/check', { ...kit.route, schema: { hide: true, body: SubjectBody } }, async (request, reply) => {
    const session = await kit.posted(request, reply)
    if (session === null) return reply
    const locale = kit.localeOf(request)
    const { email = '', action = '' } = request.body
    const actions = allowed(session)
    const errors = {
      email: Value.Check(Email, email) ? undefined : 'email' as const,
      action: (actions as string[]).includes(action) ? undefined : 'action' as const
    }
    if (errors.email !== undefined || errors.action !== undefined) {
      const wrong = [errors.email, errors.action].filter((x) => x !== undefined)
      return await kit.html(reply, subjectFormPage(locale, session, { actions, email, errors: wrong }), 400)
    }
    const counts = await requests.countByEmail(email)
    return await kit.html(reply, subjectCheckPage(locale, session, { email, action: action as 'export' | 'erase', ...counts }))
  })

  app.post('/console/subjects/:action', { ...kit.route, schema: { hide: true, params: ActionParams, body: SubjectBody } }, async (request, reply) => {
    const { action } = request.params
    const session = await kit.posted(request, reply, SCOPE[action])
    if (session === null) return reply
    const email = request.body.email ?? ''
    const locale = kit.localeOf(request)
    if (!Value.Check(Email, email)) return await kit.html(reply, subjectFormPage(locale, session, { actions: allowed(session), email, errors: ['email'] }), 400)
    if (action === 'export') {
      const document = await subjects.exportSubject({ email, actor: session.actor })
      return await reply.header('cache-control', 'no-store').header('content-disposition', 'attachment; filename="subject-export.json"')
        .type('application/json; charset=utf-8').send(JSON.stringify(document, null, 2))
    }
    const erased = await subjects.eraseSubject({ email, actor: session.actor })
    return await kit.html(reply, subjectDonePage(locale, session, { erased: erased.requestIds.length, held: erased.heldRequestIds.length }))
  })
}

export default subjectPages
