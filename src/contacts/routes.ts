// Public contact directory for forms: GET /v1/contacts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ContactId, commonErrorResponses } from '../schemas/common.js'

const PublicContactSchema = Type.Object({
  id: ContactId,
  name: Type.String(),
  title: Type.String(),
  phone: Type.Optional(Type.String({ description: 'the public phone number, for contact cards' }))
})

const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { contacts } = app.services.repositories

  app.get('/v1/contacts', {
    schema: {
      summary: 'Active contacts a form may address (never their e-mail addresses)',
      response: { 200: Type.Object({ contacts: Type.Array(PublicContactSchema) }), ...commonErrorResponses }
    }
  }, async () => ({ contacts: await contacts.listActive() }))
}

export default contactRoutes
