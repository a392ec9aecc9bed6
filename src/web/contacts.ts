// The public contact directory the forms read: GET /v1/contacts and GET /v1/contacts/:id (names,
// titles and public phone numbers, never addresses). A form asks for its one contact: what it
// downloads does not grow with the directory.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import etag from '@fastify/etag'
import { ContactId, ErrorSchema, commonErrorResponses } from '../schemas/common.js'
import { notFound } from '../errors.js'
import type { ContactRepository } from '../repositories/contacts.js'

const PublicContactSchema = Type.Object({
  id: ContactId,
  name: Type.String(),
  title: Type.String(),
  phone: Type.Optional(Type.String({ description: 'the public phone number, for contact cards' }))
})

/**
 * Every page view with a form asks for its contact: browsers and caches keep it a few minutes,
 * then ask again with its ETag and get a 304 while it is unchanged.
 */
const CONTACT_CACHE = 'public, max-age=300'

export interface ContactRoutesOptions {
  contacts: Pick<ContactRepository, 'listActive' | 'findActive'>
}

const contactRoutes: FastifyPluginAsyncTypebox<ContactRoutesOptions> = async (app, { contacts }) => {
  // Only these routes: the intake's answers are never hashed.
  await app.register(etag)

  app.get('/v1/contacts', {
    schema: {
      summary: 'Active contacts a form may address (never their e-mail addresses)',
      response: { 200: Type.Object({ contacts: Type.Array(PublicContactSchema) }), ...commonErrorResponses }
    }
  }, async () => ({ contacts: await contacts.listActive() }))

  app.get('/v1/contacts/:id', {
    schema: {
      summary: 'One active contact, as a form shows it (an unknown and an inactive id look alike: 404)',
      params: Type.Object({ id: ContactId }),
      response: { 200: PublicContactSchema, 404: ErrorSchema, ...commonErrorResponses }
    }
  }, async (request, reply) => {
    const contact = await contacts.findActive(request.params.id)
    if (contact === null) throw notFound('No such contact.')
    reply.header('cache-control', CONTACT_CACHE)
    return contact
  })
}

export default contactRoutes
