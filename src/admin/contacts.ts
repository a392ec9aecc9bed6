// Admin: the contact directory, read and updated with the same rules as the directory file.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { ContactId, ErrorSchema } from '../schemas/common.js'
import { checkDirectory, ContactEntrySchema, ResponseDays, type ContactEntry } from '../contacts/directory.js'
import { notFound, validationFailed } from '../errors.js'
import { adminErrors } from './schemas.js'
import type { ContactRepository } from '../repositories/contacts.js'
import type { ContactRouter } from '../contacts/routing.js'

const ContactPatchSchema = Type.Object({
  active: Type.Optional(Type.Boolean()),
  delegateId: Type.Optional(Type.Union([ContactId, Type.Null()])),
  delegateStandsIn: Type.Optional(Type.Boolean()),
  retentionDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()])),
  responseDays: Type.Optional(Type.Union([ResponseDays, Type.Null()]))
}, { additionalProperties: false, minProperties: 1 })

/** The entry with the patch applied; null removes an optional field. */
function patched (current: ContactEntry, patch: Static<typeof ContactPatchSchema>): ContactEntry {
  const { delegateId, retentionDays, responseDays, ...flags } = patch
  const changed: ContactEntry = { ...current, ...flags }
  const optional = { delegateId, retentionDays, responseDays }
  for (const key of Object.keys(optional) as Array<keyof typeof optional>) {
    const value = optional[key]
    if (value === null) delete changed[key]
    else if (value !== undefined) (changed as Record<string, unknown>)[key] = value
  }
  return changed
}

export type ContactPatch = Static<typeof ContactPatchSchema>

/**
 * Changes a contact with the directory file's rules (a delegate that exists, no cycle), and makes
 * the intake read the directory again: the admin API's PATCH and the console's form. Throws
 * NOT_FOUND and VALIDATION_FAILED.
 */
export async function updateContact (
  { contacts, router }: ContactAdminRoutesOptions, id: string, patch: ContactPatch
): Promise<ContactEntry> {
  const entries = await contacts.entries()
  const current = entries.find((e) => e.id === id)
  if (current === undefined) throw notFound('No contact with this id.')
  const changed = patched(current, patch)
  const problems = checkDirectory(entries.map((e) => e.id === changed.id ? changed : e))
  if (problems.length > 0) throw validationFailed(problems.map((message) => ({ path: '/', message })), 'The change would break the directory\'s rules.')
  await contacts.update(changed)
  router.forget()
  return changed
}

export interface ContactAdminRoutesOptions {
  contacts: ContactRepository
  router: ContactRouter
}

const contactRoutes: FastifyPluginAsyncTypebox<ContactAdminRoutesOptions> = async (app, { contacts, router }) => {
  app.get('/contacts', {
    config: { scope: 'contacts:read', action: 'contacts.list' },
    schema: { summary: 'The whole contact directory, inactive contacts included', response: { 200: Type.Object({ contacts: Type.Array(ContactEntrySchema) }), ...adminErrors } }
  }, async () => ({ contacts: await contacts.entries() }))

  app.patch('/contacts/:id', {
    config: { scope: 'contacts:write', action: 'contacts.update' },
    schema: {
      summary: 'Change a contact\'s availability, delegate or retention override. While CONTACTS_FILE names a file, every API start applies that file again: make lasting changes there, or set CONTACTS_FILE empty to keep the directory in the database.',
      params: Type.Object({ id: ContactId }),
      body: ContactPatchSchema,
      response: { 200: ContactEntrySchema, 404: ErrorSchema, ...adminErrors }
    }
  }, async (request) => {
    request.audit.detail = { fields: Object.keys(request.body) }
    return await updateContact({ contacts, router }, request.params.id, request.body)
  })
}

export default contactRoutes
