// The classifier learns from admins' decisions only, and forgets a request when it is erased or
// purged: the counts are then exactly as if it had never been seen.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'

const SEO = (n: number) => `Vi erbjuder sökmotoroptimering och garanterad förstasida på Google för er hemsida, erbjudande ${n}`
const PERSON = (n: number) => `Hej Lotta! Jag läste om projektet om livslångt lärande och undrar om kommunen kan vara med, fråga ${n}`

/** The model's counts as stored, in a stable order. */
const counts = async (app: FastifyInstance) => (await app.core.database.pool.query(
  'SELECT token, spam, ham FROM spam_token_counts ORDER BY token')).rows as Array<{ token: string, spam: number, ham: number }>

async function request (app: FastifyInstance, message: string, email: string): Promise<string> {
  return (await post(app, await altchaSubmission(app, { message, email }))).json<{ id: string }>().id
}

t.test('erasing or purging a trained request leaves the counts as if it had never been seen', async (t) => {
  const { app } = await buildTestApp(t, { SPAM_MIN_FILL_SECONDS: '0' })
  const key = await adminKey(app)
  const decide = async (id: string, action: 'release' | 'mark-spam') => {
    const res = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/${action}` })
    t.equal(res.statusCode, 200, `${action} ${id}`)
  }
  await decide(await request(app, SEO(1), 'seo1@example.com'), 'mark-spam')
  await decide(await request(app, PERSON(1), 'anna@example.se'), 'release')
  const before = await counts(app)
  t.ok(before.length > 20, 'two examples learned')

  // A third example, taught twice (relabelled: the second label replaces the first), then erased.
  const erased = await request(app, `${SEO(2)} och annonser`, 'seo2@example.com')
  await decide(erased, 'release')
  await decide(erased, 'mark-spam')
  t.notSame(await counts(app), before)
  const erasure = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/erase', payload: { email: 'seo2@example.com' } })
  t.equal(erasure.statusCode, 200)
  t.same(await counts(app), before, 'after the erasure, the counts are as before it was seen')

  // A fourth, purged when its retention is over.
  const purged = await request(app, `${PERSON(2)}, och om vi kan ses i januari`, 'ben@example.se')
  await decide(purged, 'release')
  t.notSame(await counts(app), before)
  await app.core.database.pool.query("UPDATE contact_requests SET retain_until = now() - interval '1 day' WHERE id = $1", [purged])
  t.match((await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: {} })).json(), { requests: 1 })
  t.same(await counts(app), before, 'after the purge, the counts are as before it was seen')
  t.same((await app.core.database.pool.query('SELECT label, count(*)::int AS n FROM spam_training GROUP BY label ORDER BY label')).rows, [{ label: 'ham', n: 1 }, { label: 'spam', n: 1 }])
})

t.test('trained on enough decisions, the classifier quarantines what looks like the marked spam', async (t) => {
  const { app } = await buildTestApp(t, { SPAM_MIN_FILL_SECONDS: '0', SPAM_CLASSIFIER_MIN_EXAMPLES: '3' })
  const key = await adminKey(app)
  for (let n = 0; n < 3; n++) {
    await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${await request(app, SEO(n), `seo${n}@example.com`)}/mark-spam` })
    await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${await request(app, PERSON(n), `p${n}@example.se`)}/release` })
  }
  // Scoring reads the counts again within SPAM_MODEL_REFRESH_SECONDS; the test does not wait.
  await app.services.spamModel.refresh()
  const spam = await request(app, 'Garanterad förstasida på Google! Vi erbjuder sökmotoroptimering till er hemsida nu.', 'new@example.com')
  const person = await request(app, 'Hej Lotta, jag läste om projektet och undrar om vår kommun kan vara med nästa år.', 'new@example.se')
  const rows = await app.core.database.prisma.contactRequest.findMany({ where: { id: { in: [spam, person] } }, select: { id: true, status: true, spamReasons: true } })
  t.same(rows.find((r) => r.id === spam), { id: spam, status: 'quarantined', spamReasons: ['classifier'] })
  t.same(rows.find((r) => r.id === person), { id: person, status: 'received', spamReasons: [] })
  const stored = await app.core.database.pool.query<{ token: string }>('SELECT token FROM spam_token_counts')
  t.ok(stored.rows.every((r) => /^[0-9a-f]{32}$/.test(r.token)), 'the model holds keyed hashes, never words')
})
