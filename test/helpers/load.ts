// Submissions under load while a test breaks something: bounded in count and time, each answer timed.
import type { FastifyInstance } from 'fastify'
import { altchaSubmission, post } from './app.js'

export interface Answer {
  status: number
  /** How long the POST took to be answered. */
  ms: number
  /** The request's id, for a 202. */
  id?: string
  retryAfter?: string
  code?: string
}

export interface LoadOptions {
  /** Submissions under way at once. */
  clients: number
  /** Stops when this says so… */
  done: () => boolean
  /** …or after this many submissions, whichever comes first. */
  max?: number
}

/** Posts distinct valid submissions, `clients` at a time, until `done()`; answers every answer. */
export async function submitUnderLoad (app: FastifyInstance, { clients, done, max = 5000 }: LoadOptions): Promise<Answer[]> {
  const answers: Answer[] = []
  let sent = 0
  const client = async (n: number) => {
    while (!done() && sent < max) {
      const body = await altchaSubmission(app, { message: `Fråga nummer ${sent++} från klient ${n}: hur går projektet?` })
      const started = performance.now()
      const res = await post(app, body)
      const ms = performance.now() - started
      const json = res.json<{ id?: string, code?: string }>()
      answers.push({ status: res.statusCode, ms, id: json.id, code: json.code, retryAfter: res.headers['retry-after'] as string | undefined })
      // A 503 asks the client to come back later; a little pause keeps the loop from spinning.
      if (res.statusCode === 503) await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  await Promise.all(Array.from({ length: clients }, async (_v, n) => { await client(n) }))
  return answers
}

/** The n-th percentile (0–100) of `values`, nearest rank. */
export function percentile (values: number[], n: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(n / 100 * sorted.length) - 1)] ?? NaN
}
