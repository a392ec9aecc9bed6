// The directory in the console: every contact, and a form that changes one — available or not,
// its delegate, its retention and response times — with the directory file's rules (the admin
// API's PATCH, the same function), audited as the person.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { AppError } from '../errors.js'
import { updateContact, type ContactAdminRoutesOptions, type ContactPatch } from '../admin/contacts.js'
import { ContactId } from '../schemas/common.js'
import type { ConsoleKit } from './kit.js'
import { contactFormPage, directoryPage } from './pages.js'

const Params = Type.Object({ id: ContactId })
const Saved = Type.Object({ saved: Type.Optional(ContactId) })
const Days = Type.Union([Type.Literal(''), Type.String({ pattern: '^[0-9]{1,4}$' })])
const ContactForm = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 100 })),
  active: Type.Optional(Type.Literal('true')),
  delegateStandsIn: Type.Optional(Type.Literal('true')),
  delegateId: Type.Optional(Type.Union([Type.Literal(''), ContactId])),
  retentionDays: Type.Optional(Days),
  responseDays: Type.Optional(Days)
})

const days = (value: string | undefined): number | null => value === undefined || value === '' ? null : Number(value)

// eslint-disable-next-line max-lines-per-function -- the list, a contact's form, and its change
const directoryPages: FastifyPluginAsyncTypebox<{ kit: ConsoleKit } & ContactAdminRoutesOptions> = async (app, options) => {
  const { kit, contacts, router } = options
  app.get('/console/directory', { ...kit.route, schema: { hide: true, querystring: Saved } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply, 'contacts:read')
    if (session === null) return reply
    const entries = await contacts.entries()
    const saved = entries.find((c) => c.id === request.query.saved)?.name ?? null
    return await kit.html(reply, directoryPage(kit.localeOf(request), session, entries, { saved, editable: session.scopes.includes('contacts:write') }))
  })

  app.get('/console/directory/:id', { ...kit.route, schema: { hide: true, params: Params } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply, 'contacts:write')
    if (session === null) return reply
    const entries = await contacts.entries()
    const contact = entries.find((c) => c.id === request.params.id)
    if (contact === undefined) return await kit.message(request, reply, 'notFound', 404, session)
    return await kit.html(reply, contactFormPage(kit.localeOf(request), session, contact, entries.filter((c) => c.id !== contact.id)))
  })

  app.post('/console/directory/:id', { ...kit.route, schema: { hide: true, params: Params, body: ContactForm } }, async (request, reply) => {
    const session = await kit.posted(request, reply, 'contacts:write')
    if (session === null) return reply
    const { body } = request
    // An unticked box is absent from a form: every field is sent, so absence is "no".
    const patch: ContactPatch = {
      active: body.active === 'true',
      delegateStandsIn: body.delegateStandsIn === 'true',
      delegateId: body.delegateId === undefined || body.delegateId === '' ? null : body.delegateId,
      retentionDays: days(body.retentionDays),
      responseDays: days(body.responseDays)
    }
    try {
      await updateContact({ contacts, router }, request.params.id, patch)
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode >= 500) throw err
      await kit.audit.record({ actor: session.actor, action: 'contacts.update', targetId: request.params.id, outcome: 'refused' })
      if (err.statusCode === 404) return await kit.message(request, reply, 'notFound', 404, session)
      const entries = await contacts.entries()
      const contact = entries.find((c) => c.id === request.params.id)
      if (contact === undefined) return await kit.message(request, reply, 'notFound', 404, session)
      const problems = (err.details ?? []).map((d) => d.message)
      const others = entries.filter((c) => c.id !== contact.id)
      return await kit.html(reply, contactFormPage(kit.localeOf(request), session, contact, others, problems), 400)
    }
    await kit.audit.record({ actor: session.actor, action: 'contacts.update', targetId: request.params.id, outcome: 'ok', detail: { fields: Object.keys(patch) } })
    return await reply.code(303).redirect(`/console/directory?saved=${request.params.id}`)
  })
}

export default directoryPages
