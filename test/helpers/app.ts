// Builds the real app against the test database and Redis, and closes it when the test ends.
import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppOptions } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { testConfig } from './config.js'
import { resetData, sharedDatabase } from './database.js'
import { altchaToken } from './altcha.js'
import { emptyQueue } from './wait.js'

interface TestLike { teardown: (fn: () => unknown) => void }

export interface TestApp {
  app: FastifyInstance
  config: Config
  /** Every log line the app wrote, as text. */
  logs: () => string
}

export async function buildTestApp (t: TestLike, env: Record<string, string> = {}, options: { reset?: boolean } & Pick<AppOptions, 'captchaEndpoints' | 'timeouts' | 'tuning' | 'metrics'> = {}): Promise<TestApp> {
  const database = await sharedDatabase()
  if (options.reset !== false) await resetData(database.prisma)
  const config = testConfig(env)
  const stream = new PassThrough()
  const chunks: string[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
  // An app pointed at another database (one that is down, say) makes its own client.
  const app = await buildApp(config, { database: env.DATABASE_URL === undefined ? database : undefined, logStream: stream, captchaEndpoints: options.captchaEndpoints, timeouts: options.timeouts, tuning: options.tuning, metrics: options.metrics })
  let closed = false
  app.addHook('onClose', async () => { closed = true })
  t.teardown(async () => {
    // A test may have closed it already; a queue on a Redis that is down cannot be emptied (and has nothing in it).
    if (closed) return
    if (env.REDIS_URL === undefined) {
      await emptyQueue(app.core.queues.notify)
      await emptyQueue(app.core.queues.webhook)
    }
    await app.close()
  })
  return { app, config, logs: () => chunks.join('') }
}

export const NOTICE_VERSION = '2026-11-27'

/** A valid submission, as the "Kontakta Lotta" form would post it. */
export function submission (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contactId: 'lotta-fransson',
    name: 'Anna Andersson',
    email: 'anna.andersson@example.se',
    phone: '+46 70 123 45 67',
    organisation: 'Skellefteå kommun',
    message: 'Hej! Jag vill veta mer om Akademin för Livslångt Lärande.',
    locale: 'sv',
    pageUrl: 'https://www.ri.se/sv/berattelser/ny-kompetens-forandrade-perspektiven-for-skelleftea-kommun',
    consent: { accepted: true, noticeVersion: NOTICE_VERSION },
    website: '',
    ...overrides
  }
}

/** A valid submission with a freshly solved ALTCHA challenge. */
export async function altchaSubmission (app: FastifyInstance, overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return submission({ captcha: { provider: 'altcha', token: await altchaToken(app) }, ...overrides })
}

export async function post (app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) {
  return await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: body as object, headers })
}
