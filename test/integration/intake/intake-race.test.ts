// Twins that race: submissions stored at the same instant, in one batch or in two.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, submission } from '../../helpers/app.js'
import { sharedDatabase, testDatabase, testRepositories } from '../../helpers/database.js'
import { solve } from '../../helpers/altcha.js'
import Fastify from 'fastify'
import { createRequestRepository, DuplicateSubmission, type NewContactRequest } from '../../../src/repositories/requests.js'
import { createContactRouter } from '../../../src/contacts/routing.js'
import { createIntakeService } from '../../../src/intake/service.js'
import { createSpamScorer } from '../../../src/spam/scorer.js'
import { EMPTY_MODEL } from '../../../src/spam/classifier.js'
import type { ContactRequestBody } from '../../../src/intake/schemas.js'
import errorHandler from '../../../src/plugins/error-handler.js'
import { eventually } from '../../helpers/wait.js'
import type { Challenge } from 'altcha-lib'

const row = (overrides: Partial<NewContactRequest> = {}): NewContactRequest => ({
  id: randomUUID(),
  notificationId: randomUUID(),
  receiptId: null,
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
  retentionDays: 180,
  notice: { version: '2026-11-26', locale: 'sv', sha256: '' },
  spam: { score: 0, reasons: [], campaignKey: null },
  ...overrides
})

const options = { duplicateWindowSeconds: 600 }

t.test('rows of one batch that share a key or a person and message are stored once, the rest whole', async (t) => {
  await buildTestApp(t)
  const prisma = await testDatabase()
  const { sha256 } = await prisma.privacyNotice.findFirstOrThrow({ where: { version: '2026-11-26', locale: 'sv' } })
  const notice = { version: '2026-11-26', locale: 'sv', sha256 }
  const requests = createRequestRepository(await sharedDatabase(), { ...options, maxInFlight: 1 })
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

t.test('the intake asks the router whether a contact can take a request: nobody for an inactive contact without a delegate, or an unknown one', async (t) => {
  await buildTestApp(t)
  const prisma = await testDatabase()
  const { contacts } = await testRepositories()
  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: false } })
  const router = createContactRouter({ load: contacts.forRouting, fallbackEmail: undefined, retentionDays: 180, cacheMs: 60_000 })
  t.equal(await router.find('sofia-frolander'), null)
  t.equal(await router.find('nobody'), null)
  t.match(await router.find('lotta-fransson'), { route: { reason: 'direct', contactId: 'lotta-fransson' }, retentionDays: 180 })

  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: true, retentionDays: 30 } })
  t.equal(await router.find('sofia-frolander'), null, 'a read of the directory is used for cacheMs')
  router.forget()
  t.match(await router.find('sofia-frolander'), { route: { reason: 'direct' }, retentionDays: 30 }, 'after forget(), the change applies')

  const withFallback = createContactRouter({ load: contacts.forRouting, fallbackEmail: 'kontakt@ri.se', retentionDays: 180, cacheMs: 0 })
  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: false } })
  t.match(await withFallback.find('sofia-frolander'), { route: { reason: 'fallback', email: 'kontakt@ri.se' } })
  t.equal(await withFallback.find('nobody'), null, 'an unknown contact has no route, fallback or not')
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

t.test('409 CONFLICT: the twin that took this submission\'s key is gone again before the second look (erased at that instant)', async (t) => {
  const { app, config } = await buildTestApp(t)
  const { pool } = await sharedDatabase()
  const prisma = await testDatabase()
  const token = await solve((await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })).json<Challenge>())
  const captchaKey = app.services.captcha.replayKey('altcha', token)
  // Another transaction holds a twin with the same CAPTCHA key, not yet committed: the statement
  // cannot see it in its snapshot, and its insert waits for it.
  const twin = await pool.connect()
  t.teardown(() => { twin.release() })
  await twin.query('BEGIN')
  await twin.query(`INSERT INTO contact_requests (id, contact_id, name, email, message, locale, captcha_provider, captcha_verified, captcha_key, fingerprint, retain_until)
    VALUES (gen_random_uuid(), 'lotta-fransson', 'Tvilling', 'tvilling@example.se', 'Tvilling', 'sv', 'altcha', true, $1, $2, now() + interval '1 day')`, [captchaKey, 't'.repeat(64)])
  const real = app.core.repositories.requests
  // The twin is erased between the statement that skipped it and the look that follows.
  const requests = { ...real, findPrior: async (keys: Parameters<typeof real.findPrior>[0]) => { await pool.query('DELETE FROM contact_requests WHERE captcha_key = $1', [captchaKey]); return await real.findPrior(keys) } }
  const { notices, captcha, router } = app.services
  const { notify, webhooks } = app.core.producers
  const intake = createIntakeService({ config, requests, notices, captcha, router, notify, receipts: null, webhooks, enqueueTimeoutMs: 1000, spam: createSpamScorer(config, () => EMPTY_MODEL) })
  const body = submission({ captcha: { provider: 'altcha', token } }) as unknown as ContactRequestBody
  const submitted = intake.submit({ body, idempotencyKey: undefined, remoteIp: '127.0.0.1', log: app.log })
  await eventually(async () => {
    const { rows } = await pool.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'transactionid' AND datname = current_database()")
    return rows.length > 0 ? true : undefined
  }, { what: 'the statement to wait for the twin' })
  await twin.query('COMMIT')
  await t.rejects(submitted, DuplicateSubmission)
  t.equal(await prisma.contactRequest.count(), 0, 'nothing stored: neither the twin (erased) nor this one')

  // What the client sees: 409 CONFLICT with a stable code; a retry now is stored.
  const probe = Fastify()
  await probe.register(errorHandler)
  probe.get('/', async () => { throw new DuplicateSubmission() })
  const res = await probe.inject({ method: 'GET', url: '/' })
  t.same([res.statusCode, res.json().code], [409, 'CONFLICT'])
  const retry = await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: body })
  t.equal(retry.statusCode, 202)
})

t.test('one submission whose statement fails never fails, holds up or changes the answer of another in its batch', async (t) => {
  await buildTestApp(t)
  const prisma = await testDatabase()
  const { sha256 } = await prisma.privacyNotice.findFirstOrThrow({ where: { version: '2026-11-26', locale: 'sv' } })
  const notice = { version: '2026-11-26', locale: 'sv', sha256 }
  // PostgreSQL refuses one row, as it would a value it cannot store, a full disk for that page, or a check.
  await prisma.$executeRawUnsafe('CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = \'Refused Row\' THEN RAISE EXCEPTION \'refused for the test\'; END IF; RETURN NEW; END $$')
  await prisma.$executeRawUnsafe('CREATE TRIGGER refuse_one BEFORE INSERT ON contact_requests FOR EACH ROW EXECUTE FUNCTION refuse_one()')
  t.teardown(async () => {
    await prisma.$executeRawUnsafe('DROP TRIGGER IF EXISTS refuse_one ON contact_requests')
    await prisma.$executeRawUnsafe('DROP FUNCTION IF EXISTS refuse_one()')
  })
  const requests = createRequestRepository(await sharedDatabase(), { ...options, maxInFlight: 1 })
  const rows = Array.from({ length: 6 }, (_, i) => row({
    captchaKey: `${i}`.repeat(64),
    fingerprint: `${i + 1}`.repeat(64),
    name: i === 2 ? 'Refused Row' : `Person ${i}`,
    notice
  }))
  // Pushed in one tick: they share a statement, which fails as a whole.
  const outcomes = await Promise.allSettled(rows.map(async (r) => await requests.store(r)))
  t.match(outcomes[2], { status: 'rejected', reason: { message: /refused for the test/ } }, 'the refused row gets its own error')
  const others = outcomes.filter((_, i) => i !== 2)
  t.ok(others.every((o) => o.status === 'fulfilled' && 'stored' in o.value), 'every other row is stored')
  t.same(others.map((o) => o.status === 'fulfilled' && 'stored' in o.value ? o.value.stored.id : null), rows.filter((_, i) => i !== 2).map((r) => r.id), 'each under its own id: the answers are theirs')
  t.equal(await prisma.contactRequest.count(), 5)
  t.equal(await prisma.notification.count(), 5, 'with their notifications')
  t.equal(await prisma.consentRecord.count(), 5, 'and consent records; nothing of the refused row')
})
