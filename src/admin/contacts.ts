// Admin: the contact directory, read and updated with the same rules as the directory file.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ContactId, ErrorSchema, commonErrorResponses } from '../schemas/common.js'
import { checkDirectory, ContactEntrySchema, type ContactEntry } from '../contacts/directory.js'
import { notFound, validationFailed } from '../errors.js'
import type { PrismaClient } from '../db/client.js'

const adminErrors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, ...commonErrorResponses }

const ContactPatchSchema = Type.Object({
  active: Type.Optional(Type.Boolean()),
  delegateId: Type.Optional(Type.Union([ContactId, Type.Null()])),
  delegateStandsIn: Type.Optional(Type.Boolean()),
  retentionDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()]))
}, { additionalProperties: false, minProperties: 1 })

async function directory (prisma: PrismaClient): Promise<ContactEntry[]> {
  const rows = await prisma.contact.findMany({ orderBy: { id: 'asc' } })
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    title: c.title,
    email: c.email,
    ...(c.phone === null ? {} : { phone: c.phone }),
    locale: c.locale as ContactEntry['locale'],
    active: c.active,
    ...(c.delegateId === null ? {} : { delegateId: c.delegateId }),
    delegateStandsIn: c.delegateStandsIn,
    ...(c.retentionDays === null ? {} : { retentionDays: c.retentionDays })
  }))
}

const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/admin/contacts', {
    config: { scope: 'contacts:read', action: 'contacts.list' },
    schema: { summary: 'The whole contact directory, inactive contacts included', response: { 200: Type.Object({ contacts: Type.Array(ContactEntrySchema) }), ...adminErrors } }
  }, async () => ({ contacts: await directory(app.prisma) }))

  app.patch('/v1/admin/contacts/:id', {
    config: { scope: 'contacts:write', action: 'contacts.update' },
    schema: {
      summary: 'Change a contact\'s availability, delegate or retention override. While CONTACTS_FILE names a file, every API start applies that file again: make lasting changes there, or set CONTACTS_FILE empty to keep the directory in the database.',
      params: Type.Object({ id: ContactId }),
      body: ContactPatchSchema,
      response: { 200: ContactEntrySchema, ...adminErrors }
    }
  }, async (request) => {
    const entries = await directory(app.prisma)
    const current = entries.find((e) => e.id === request.params.id)
    if (current === undefined) throw notFound('No contact with this id.')
    const { delegateId, retentionDays, ...flags } = request.body
    const changed: ContactEntry = { ...current, ...flags }
    if (delegateId === null) delete changed.delegateId
    else if (delegateId !== undefined) changed.delegateId = delegateId
    if (retentionDays === null) delete changed.retentionDays
    else if (retentionDays !== undefined) changed.retentionDays = retentionDays
    const problems = checkDirectory(entries.map((e) => e.id === changed.id ? changed : e))
    if (problems.length > 0) throw validationFailed(problems.map((message) => ({ path: '/', message })), 'The change would break the directory\'s rules.')
    await app.prisma.contact.update({
      where: { id: changed.id },
      data: { active: changed.active, delegateId: changed.delegateId ?? null, delegateStandsIn: changed.delegateStandsIn, retentionDays: changed.retentionDays ?? null }
    })
    request.audit.detail = { fields: Object.keys(request.body) }
    return changed
  })
}

export default contactRoutes
