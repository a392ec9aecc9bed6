// The public contact directory the forms read: GET /v1/contacts (names and titles, never addresses).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ContactId, commonErrorResponses } from '../schemas/common.js'
import type { ContactRepository } from '../repositories/contacts.js'

const PublicContactSchema = Type.Object({
  id: ContactId,
  name: Type.String(),
  title: Type.String(),
  phone: Type.Optional(Type.String({ description: 'the public phone number, for contact cards' }))
})

export interface ContactRoutesOptions {
  contacts: ContactRepository
}

const contactRoutes: FastifyPluginAsyncTypebox<ContactRoutesOptions> = async (app, { contacts }) => {
  app.get('/v1/contacts', {
    schema: {
      summary: 'Active contacts a form may address (never their e-mail addresses)',
      response: { 200: Type.Object({ contacts: Type.Array(PublicContactSchema) }), ...commonErrorResponses }
    }
  }, async () => ({ contacts: await contacts.listActive() }))
}

export default contactRoutes
