// Submissions under load while a test breaks something: bounded in count and time, each answer timed.
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { altchaSubmission, post } from './app.js'
import { testDatabase } from './database.js'
import type { SmtpSink } from './smtp.js'
import { eventually } from './wait.js'

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

type Assert = Pick<Test, 'same' | 'equal' | 'comment'>

/** One line for the test's output: how many answers, how many accepted, and how long they took. */
export function summary (what: string, answers: Answer[]): string {
  const ms = answers.map((a) => a.ms)
  const accepted = answers.filter((a) => a.status === 202).length
  return `${what}: ${answers.length} answers, ${accepted} accepted, ${answers.length - accepted} refused; ` +
    `p50 ${Math.round(percentile(ms, 50))} ms, p99 ${Math.round(percentile(ms, 99))} ms, max ${Math.round(Math.max(...ms))} ms`
}

/** What a person who submits during a fault may get: an answer within `boundMs`, a 202 or a 503 UNAVAILABLE with Retry-After. */
export function checkAnswers (t: Assert, what: string, answers: Answer[], boundMs = 5000): void {
  t.comment(summary(what, answers))
  t.same(answers.filter((a) => a.ms > boundMs).map((a) => Math.round(a.ms)), [], `no answer took longer than ${boundMs / 1000} s`)
  t.same(answers.filter((a) => a.status !== 202 && !(a.status === 503 && a.code === 'UNAVAILABLE' && a.retryAfter !== undefined)), [],
    'every other answer a 503 UNAVAILABLE with Retry-After')
}

/** After a fault: every accepted request stored and, once its notification reads sent, mailed exactly once. */
export async function checkNotifiedOnce (t: Assert, accepted: Answer[], sink: SmtpSink): Promise<void> {
  const prisma = await testDatabase()
  const ids = accepted.map((a) => a.id as string)
  t.equal(await prisma.contactRequest.count({ where: { id: { in: ids } } }), ids.length, 'every 202 is stored')
  await eventually(async () => await prisma.notification.count({ where: { requestId: { in: ids }, status: 'sent' } }) === ids.length ? true : undefined,
    { timeoutMs: 60_000, intervalMs: 250, what: 'every accepted request to be notified' })
  // A second copy would come after the first: give it the time a retry takes.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const mailed = sink.delivered.map((mail) => mail.headers.get('x-contact-request-id'))
  t.equal(mailed.length, new Set(mailed).size, 'no request was notified twice')
  t.same(ids.filter((id) => !mailed.includes(id)), [], 'no accepted request was lost')
}
