// npm run eval:spam: the spam filter on the labelled corpus (eval/corpus.ts), through the real
// intake and the real release / mark-as-spam path, in three steps:
//   cold      – no training: the rules alone, on the test half;
//   trained   – an admin's decisions on the training half (spam marked, the rest released), then
//               the test half again;
//   and the cost of scoring one 10,000-character message.
// Fill time is a signal about how a form was filled, not about text: the corpus has no timing,
// so it is off here (SPAM_MIN_FILL_SECONDS=0). Needs the local PostgreSQL and Redis.
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { createChallenge, solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { createSpamScorer } from '../src/spam/scorer.js'
import { benchEnv, prepareDatabase, removeQueueKeys } from '../bench/common.js'
import { corpus, type Labelled } from './corpus.js'

const env = benchEnv({
  DATABASE_URL: `${process.env.BENCH_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432'}/contact_intake_eval`,
  QUEUE_PREFIX: `eval-${process.pid}`,
  METRICS_ENABLED: 'false',
  SPAM_MIN_FILL_SECONDS: '0',
  RECEIPTS: 'false',
  LOG_LEVEL: 'silent'
})
const config = loadConfig(env)

/** A fresh, signed ALTCHA solution for each submission, as the widget would post it. */
async function token (): Promise<string> {
  const challenge = await createChallenge({ algorithm: 'PBKDF2/SHA-256', cost: 1, deriveKey, hmacSignatureSecret: config.ALTCHA_HMAC_KEY, expiresAt: new Date(Date.now() + 600_000), data: { issuedAt: Math.floor(Date.now() / 1000) } })
  const solution = await solveChallenge({ challenge, deriveKey })
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
}

/** Submits each message through the intake; answers the request ids and whether each was quarantined. */
async function submit (app: FastifyInstance, messages: Labelled[], round: string): Promise<Array<{ id: string, quarantined: boolean, spam: boolean }>> {
  const results = []
  for (const m of messages) {
    const [local, domain] = m.email.split('@')
    const res = await app.inject({
      method: 'POST',
      url: '/v1/contact-requests',
      payload: {
        contactId: 'lotta-fransson',
        name: 'Eval',
        email: `${local ?? 'x'}+${round}@${domain ?? 'example.se'}`,
        message: m.message,
        locale: m.locale,
        consent: { accepted: true, noticeVersion: '2026-11-27' },
        captcha: { provider: 'altcha', token: await token() },
        website: ''
      }
    })
    if (res.statusCode !== 202) throw new Error(`the intake answered ${res.statusCode}: ${res.body}`)
    const { id } = res.json<{ id: string }>()
    const row = await app.core.database.prisma.contactRequest.findUniqueOrThrow({ where: { id }, select: { status: true } })
    results.push({ id, quarantined: row.status === 'quarantined', spam: m.spam })
  }
  return results
}

function figures (results: Array<{ quarantined: boolean, spam: boolean }>) {
  const tp = results.filter((r) => r.spam && r.quarantined).length
  const fp = results.filter((r) => !r.spam && r.quarantined).length
  const fn = results.filter((r) => r.spam && !r.quarantined).length
  const tn = results.filter((r) => !r.spam && !r.quarantined).length
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`
  return `precision ${tp + fp === 0 ? 'n/a' : pct(tp / (tp + fp))}, recall ${pct(tp / (tp + fn))}, false-positive rate ${pct(fp / (fp + tn))} (${fp} of ${fp + tn} legitimate quarantined; ${tp} of ${tp + fn} spam)`
}

await prepareDatabase(env)
const app = await buildApp(config)
const key = (await app.services.keys.create('eval', ['requests:write'])).key
try {
  const all = corpus()
  // Every other message trains, the rest test: both halves hold each kind alike.
  const train = all.filter((_m, i) => i % 2 === 0)
  const test = all.filter((_m, i) => i % 2 === 1)
  process.stdout.write(`corpus: ${all.filter((m) => !m.spam).length} not spam, ${all.filter((m) => m.spam).length} spam; ${train.length} train, ${test.length} test\n`)

  process.stdout.write(`cold:    ${figures(await submit(app, test, 'cold'))}\n`)

  for (const { id, spam } of await submit(app, train, 'train')) {
    const res = await app.inject({ method: 'POST', url: `/v1/admin/contact-requests/${id}/${spam ? 'mark-spam' : 'release'}`, headers: { authorization: `Bearer ${key}` } })
    if (res.statusCode !== 200) throw new Error(`decision answered ${res.statusCode}: ${res.body}`)
  }
  await app.services.spamModel.refresh()
  process.stdout.write(`trained: ${figures(await submit(app, test, 'trained'))}\n`)

  // The cost of scoring, with the trained model: a 10,000-character message, after warming up.
  const model = await app.core.repositories.spam.model()
  const scorer = createSpamScorer(config, () => model)
  const base = 'Hej! Jag vill veta mer om Akademin för Livslångt Lärande, se https://www.ri.se/sv/projekt och ring mig. '
  const long = { message: base.repeat(Math.ceil(10_000 / base.length)).slice(0, 10_000), email: 'anna@example.se', locale: 'sv', honeypotFilled: false, startedAt: null }
  for (let i = 0; i < 200; i++) scorer.score(long)
  const started = performance.now()
  for (let i = 0; i < 500; i++) scorer.score(long)
  process.stdout.write(`scoring a 10,000-character message: ${((performance.now() - started) / 500).toFixed(2)} ms (goal < 2 ms); model: ${model.spamExamples} spam, ${model.hamExamples} not spam, ${model.tokens.size} tokens\n`)
} finally {
  await app.close()
  await removeQueueKeys(env)
}
