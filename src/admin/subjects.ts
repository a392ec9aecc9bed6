// Admin: data-subject access (Art. 15) and erasure (Art. 17). The address travels in the body, never in a URL.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { DateTime, Email } from '../schemas/common.js'
import { adminErrors, RemovedCountsSchema, RequestDetailSchema } from './schemas.js'
import { actorOf } from './access.js'
import type { SubjectService } from '../subjects/service.js'

const SubjectExportSchema = Type.Object({
  generatedAt: DateTime,
  email: Type.String(),
  requests: Type.Array(RequestDetailSchema),
  audit: Type.Array(Type.Object({
    at: DateTime,
    actor: Type.String(),
    action: Type.String(),
    targetId: Type.Union([Type.String(), Type.Null()]),
    outcome: Type.String()
  }), { description: 'what was done with these requests and this address, and by whom' })
})
const SubjectBody = Type.Object({ email: Email }, { additionalProperties: false })

export interface SubjectRoutesOptions {
  subjects: SubjectService
}

const subjectRoutes: FastifyPluginAsyncTypebox<SubjectRoutesOptions> = async (app, { subjects }) => {
  app.post('/subjects/export', {
    config: { scope: 'subjects:export', action: 'subjects.export', selfAudited: true },
    schema: {
      summary: 'Everything held about an e-mail address, as one JSON document',
      body: SubjectBody,
      response: { 200: SubjectExportSchema, ...adminErrors }
    }
  }, async (request) => {
    const document = await subjects.exportSubject({ email: request.body.email, actor: actorOf(request) })
    return document
  })

  app.post('/subjects/erase', {
    config: { scope: 'subjects:erase', action: 'subjects.erase', selfAudited: true },
    schema: {
      summary: 'Erase everything held about an e-mail address, across PostgreSQL, Redis and the mail drop',
      body: SubjectBody,
      response: {
        200: Type.Intersect([Type.Object({ requestIds: Type.Array(Type.String()), heldRequestIds: Type.Array(Type.String(), { description: 'kept: under a legal hold' }) }), RemovedCountsSchema]),
        ...adminErrors
      }
    }
  }, async (request) => {
    const erasure = await subjects.eraseSubject({ email: request.body.email, actor: actorOf(request) })
    return erasure
  })
}

export default subjectRoutes
