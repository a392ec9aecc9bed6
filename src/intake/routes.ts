// POST /v1/contact-requests: where the forms post.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorSchema, commonErrorResponses } from '../schemas/common.js'
import { ContactRequestBodySchema, IntakeHeadersSchema, AcceptedSchema } from './schemas.js'
import { countSpamDecision, countSubmission } from '../ops/metrics.js'
import type { IntakeService } from './service.js'
import type { Metrics } from '../ops/metrics.js'

export interface IntakeRoutesOptions {
  intake: IntakeService
  metrics: Metrics
}

const intakeRoutes: FastifyPluginAsyncTypebox<IntakeRoutesOptions> = async (app, { intake, metrics }) => {
  // A client that hangs up does not stop its submission, and closing the server
  // only waits for sockets: wait for the submissions themselves before the
  // database and Redis close under them (this hook runs before theirs).
  const inFlight = new Set<Promise<unknown>>()
  app.addHook('onClose', async () => {
    await Promise.allSettled([...inFlight])
    await intake.drain()
  })

  app.post('/v1/contact-requests', {
    config: {
      rateLimit: { max: app.config.RATE_LIMIT_MAX, timeWindow: app.config.RATE_LIMIT_WINDOW_SECONDS * 1000 }
    },
    schema: {
      summary: 'Submit a contact form',
      description: 'Stores the request and routes it to the contact by e-mail. A repeat (same Idempotency-Key, same CAPTCHA solution with the same content, or the same person and message within minutes) gets the first answer.',
      headers: IntakeHeadersSchema,
      body: ContactRequestBodySchema,
      response: { 202: AcceptedSchema, 403: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema, ...commonErrorResponses }
    },
    // Refusals are counted here, whichever step refused (validation, rate limit, consent, CAPTCHA…);
    // what an accepted submission was, the handler counts.
    onResponse: async (_request, reply) => {
      if (reply.statusCode < 400) return
      countSubmission(metrics, { outcome: reply.statusCode >= 500 ? 'error' : 'refused', reason: reply.errorCode ?? 'UNKNOWN' })
    }
  }, async (request, reply) => {
    const submission = intake.submit({
      body: request.body,
      idempotencyKey: request.headers['idempotency-key'],
      remoteIp: request.ip,
      log: request.log
    })
    inFlight.add(submission)
    try {
      const { accepted, outcome, spamReasons } = await submission
      countSubmission(metrics, outcome)
      if (outcome.outcome !== 'repeat') countSpamDecision(metrics, outcome.outcome === 'quarantined' ? 'quarantined' : 'delivered', spamReasons)
      return await reply.code(202).send(accepted)
    } finally {
      inFlight.delete(submission)
    }
  })
}

export default intakeRoutes
