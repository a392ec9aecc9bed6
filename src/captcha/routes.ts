// GET /v1/captcha/challenge: a fresh, signed ALTCHA challenge for the form's widget.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ErrorSchema, commonErrorResponses } from '../schemas/common.js'
import { notFound } from '../errors.js'
import type { Captcha } from './index.js'

const ChallengeSchema = Type.Object({
  parameters: Type.Record(Type.String(), Type.Unknown()),
  signature: Type.String()
}, { additionalProperties: true })

export interface CaptchaRoutesOptions {
  captcha: Captcha
}

const captchaRoutes: FastifyPluginAsyncTypebox<CaptchaRoutesOptions> = async (app, { captcha }) => {
  app.get('/v1/captcha/challenge', {
    schema: {
      summary: 'A new ALTCHA challenge (only when the altcha provider is enabled)',
      response: { 200: ChallengeSchema, 404: ErrorSchema, ...commonErrorResponses }
    }
  }, async (_request, reply) => {
    const { altcha } = captcha
    if (altcha === null) throw notFound('The altcha provider is not enabled.')
    reply.header('cache-control', 'no-store')
    const challenge = await altcha.createChallenge()
    return { parameters: { ...challenge.parameters }, signature: challenge.signature ?? '' }
  })
}

export default captchaRoutes
