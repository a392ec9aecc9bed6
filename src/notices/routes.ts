// The privacy notice forms show next to the consent checkbox: GET /v1/privacy-notice.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ErrorSchema, LocaleSchema, commonErrorResponses } from '../schemas/common.js'
import { notFound } from '../errors.js'
import type { NoticeCatalog } from './catalog.js'

export const NoticeSchema = Type.Object({
  version: Type.String(),
  locale: LocaleSchema,
  text: Type.String(),
  sha256: Type.String({ description: 'SHA-256 (hex) of the exact text' })
})

export interface NoticeRoutesOptions {
  notices: NoticeCatalog
}

const noticeRoutes: FastifyPluginAsyncTypebox<NoticeRoutesOptions> = async (app, { notices }) => {
  app.get('/v1/privacy-notice', {
    schema: {
      summary: 'The current privacy notice in one language',
      querystring: Type.Object({ locale: Type.Optional(LocaleSchema) }),
      response: { 200: NoticeSchema, 404: ErrorSchema, ...commonErrorResponses }
    }
  }, async (request) => {
    const notice = await notices.current(request.query.locale ?? 'sv')
    if (notice === null) throw notFound('No privacy notice has been published.')
    return notice
  })
}

export default noticeRoutes
