// Admin: data-subject access (Art. 15) and erasure (Art. 17). The address travels in the body, never in a URL.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Email, ErrorSchema, commonErrorResponses } from '../schemas/common.js'
import { subjectHash } from '../admin/audit.js'

const adminErrors = { 401: ErrorSchema, 403: ErrorSchema, ...commonErrorResponses }
const SubjectBody = Type.Object({ email: Email }, { additionalProperties: false })

const subjectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/admin/subjects/export', {
    config: { scope: 'subjects:export', action: 'subjects.export' },
    schema: {
      summary: 'Everything held about an e-mail address, as one JSON document',
      body: SubjectBody,
      response: { 200: Type.Any(), ...adminErrors }
    }
  }, async (request) => {
    const hash = subjectHash(app.config.PSEUDONYM_KEY, request.body.email)
    request.audit.subjectHash = hash
    const document = await app.subjects.export(request.body.email, hash)
    request.audit.detail = { requests: document.requests.length }
    return document
  })

  app.post('/v1/admin/subjects/erase', {
    config: { scope: 'subjects:erase', action: 'subjects.erase' },
    schema: {
      summary: 'Erase everything held about an e-mail address, across PostgreSQL, Redis and the mail drop',
      body: SubjectBody,
      response: {
        200: Type.Object({ requestIds: Type.Array(Type.String()), heldRequestIds: Type.Array(Type.String(), { description: 'kept: under a legal hold' }), requests: Type.Integer(), notifications: Type.Integer(), jobsRemoved: Type.Integer(), mailFilesRemoved: Type.Integer() }),
        ...adminErrors
      }
    }
  }, async (request) => {
    request.audit.subjectHash = subjectHash(app.config.PSEUDONYM_KEY, request.body.email)
    const { ids, heldIds, ...removed } = await app.subjects.erase(request.body.email)
    request.audit.detail = { ...removed, held: heldIds.length }
    return { requestIds: ids, heldRequestIds: heldIds, ...removed }
  })
}

export default subjectRoutes
