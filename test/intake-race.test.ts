// Twins that race: submissions stored at the same instant, in one batch or in two.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, submission } from './helpers/app.js'
import { sharedDatabase, testDatabase } from './helpers/database.js'
import { solve } from './helpers/altcha.js'
import { createIntakeRepository, type NewContactRequest } from '../src/intake/repository.js'
import type { Challenge } from 'altcha-lib'

const row = (overrides: Partial<NewContactRequest> = {}): NewContactRequest => ({
  id: randomUUID(),
  notificationId: randomUUID(),
  contactId: 'lotta-fransson',
  name: 'Anna Andersson',
  email: 'anna@example.se',
  phone: null,
  organisation: null,
  message: 'Hej',
  locale: 'sv',
  pageUrl: null,
  captchaProvider: 'altcha',
  captchaVerified: true,
  captchaKey: 'a'.repeat(64),
  fingerprint: 'f'.repeat(64),
  idempotencyKey: null,
  bodySha256: null,
  notice: { version: '2026-11-26', locale: 'sv', sha256: '' },
  ...overrides
})

const options = { duplicateWindowSeconds: 600, retentionDays: 180, hasFallbackInbox: false }

t.test('rows of one batch that share a key or a person and message are stored once, the rest whole', async (t) => {
  await buildTestApp(t)
  const prisma = await testDatabase()
  const { sha256 } = await prisma.privacyNotice.findFirstOrThrow({ where: { version: '2026-11-26', locale: 'sv' } })
  const notice = { version: '2026-11-26', locale: 'sv', sha256 }
  const requests = createIntakeRepository((await sharedDatabase()).pool, { ...options, maxInFlight: 1 })
  // Pushed in one tick: they share a statement.
  const outcomes = await Promise.all([
    requests.store(row({ idempotencyKey: 'i'.repeat(64), notice })),
    requests.store(row({ fingerprint: 'g'.repeat(64), notice })), // the same CAPTCHA key
    requests.store(row({ captchaKey: 'b'.repeat(64), fingerprint: 'h'.repeat(64), idempotencyKey: 'i'.repeat(64), notice })), // the same Idempotency-Key
    requests.store(row({ captchaKey: 'c'.repeat(64), notice })), // the same person and message
    requests.store(row({ captchaKey: 'd'.repeat(64), fingerprint: 'e'.repeat(64), notice })) // unrelated
  ])
  t.ok('stored' in outcomes[0])
  t.same(outcomes.slice(1, 4), [{ prior: [] }, { prior: [] }, { prior: [] }], 'the twins lost the race: nothing earlier was stored')
  t.ok('stored' in outcomes[4], 'an unrelated submission of the same batch is stored')
  t.equal(await prisma.contactRequest.count(), 2)
  t.equal(await prisma.consentRecord.count(), 2, 'no consent record was left behind')
  t.equal(await prisma.notification.count(), 2, 'no notification was left behind')

  const again = await requests.store(row({ captchaKey: 'c'.repeat(64), notice }))
  t.match(again, { prior: [{ sameFingerprint: true, sameCaptcha: false }] }, 'afterwards, the stored one is what it repeats')
})

t.test('a submission for a contact nobody can take is not stored', async (t) => {
  await buildTestApp(t)
  const prisma = await testDatabase()
  const { sha256 } = await prisma.privacyNotice.findFirstOrThrow({ where: { version: '2026-11-26', locale: 'sv' } })
  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: false } })
  const requests = createIntakeRepository((await sharedDatabase()).pool, options)
  const notice = { version: '2026-11-26', locale: 'sv', sha256 }
  t.same(await requests.store(row({ contactId: 'sofia-frolander', notice })), { unroutable: true })
  t.same(await requests.store(row({ contactId: 'nobody', notice })), { unroutable: true })
  t.equal(await prisma.contactRequest.count(), 0)
})

t.test('concurrent twins share the winner\'s answer, and the token carrying another message is refused, whichever is stored first', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const challenge = (await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })).json<Challenge>()
  const body = submission({ captcha: { provider: 'altcha', token: await solve(challenge) } })
  const post = async (b: Record<string, unknown>) => await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: b })
  const answers = await Promise.all([post(body), post(body), post(body), post({ ...body, message: 'Another text' })])
  // Whichever is stored first wins: the twins share one answer, and the other message is a replay of the token.
  const stored = await prisma.contactRequest.findFirstOrThrow()
  const twinsWon = stored.message === body.message
  const twins = answers.slice(0, 3)
  const replay = answers[3]
  for (const twin of twins) {
    t.equal(twin.statusCode, twinsWon ? 202 : 403)
    if (twinsWon) t.equal(twin.json().id, stored.id, 'a twin gets the first answer')
    else t.equal(twin.json().code, 'CAPTCHA_FAILED')
  }
  t.equal(replay?.statusCode, twinsWon ? 403 : 202)
  if (twinsWon) t.equal(replay?.json().code, 'CAPTCHA_FAILED')
  else t.equal(replay?.json().id, stored.id)
  t.equal(await prisma.contactRequest.count(), 1)
})
