// Twins that race: both pass the look-up for earlier requests before either is stored.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, submission } from './helpers/app.js'
import { sharedDatabase, testDatabase } from './helpers/database.js'
import { solve } from './helpers/altcha.js'
import { createIntakeRepository, DuplicateSubmission, type NewContactRequest } from '../src/intake/repository.js'
import { createQueuedMarks } from '../src/intake/queued-marks.js'
import { createNotificationRepository } from '../src/notifications/repository.js'
import { createIntakeService } from '../src/intake/service.js'
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
  retentionDays: 180,
  notice: { version: '2026-11-26', locale: 'sv', sha256: '' },
  ...overrides
})

t.test('a second row with a used CAPTCHA key or Idempotency-Key is refused whole', async (t) => {
  await buildTestApp(t)
  const prisma = await testDatabase()
  const notice = await prisma.privacyNotice.findFirstOrThrow({ where: { locale: 'sv' } })
  const requests = createIntakeRepository((await sharedDatabase()).pool, { duplicateWindowSeconds: 600 })
  await requests.insert(row({ idempotencyKey: 'i'.repeat(64), notice: { version: notice.version, locale: 'sv', sha256: notice.sha256 } }))
  await t.rejects(requests.insert(row({ notice: { version: notice.version, locale: 'sv', sha256: notice.sha256 } })), DuplicateSubmission)
  await t.rejects(requests.insert(row({ captchaKey: 'b'.repeat(64), idempotencyKey: 'i'.repeat(64), notice: { version: notice.version, locale: 'sv', sha256: notice.sha256 } })), DuplicateSubmission)
  t.equal(await prisma.contactRequest.count(), 1)
  t.equal(await prisma.consentRecord.count(), 1, 'no consent record was left behind')
  t.equal(await prisma.notification.count(), 1, 'no notification was left behind')
})

t.test('a twin that lost the race gets the winner\'s answer, or 403 if it carried another message', async (t) => {
  const { app, config } = await buildTestApp(t)
  const prisma = await testDatabase()
  const real = createIntakeRepository((await sharedDatabase()).pool, { duplicateWindowSeconds: 600 })
  // The look-up runs before the twin is stored, every time: the race, made certain.
  // Each submission's first look-up misses its twin; the re-check after the insert fails sees it.
  const blind = {
    ...real,
    hideNext: false,
    lookup: async (keys: Parameters<typeof real.lookup>[0]) => {
      const found = await real.lookup(keys)
      const hide = blind.hideNext
      blind.hideNext = false
      return hide ? { ...found, prior: [] } : found
    }
  }
  const service = createIntakeService({
    config, requests: blind, queuedMarks: createQueuedMarks(createNotificationRepository(prisma).markQueued, app.log), notices: app.notices, captcha: app.captcha, queue: app.queues.notify
  })
  const challenge = (await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })).json<Challenge>()
  const body = submission({ captcha: { provider: 'altcha', token: await solve(challenge) } }) as never
  const submit = async (b: Record<string, unknown>) => { blind.hideNext = true; return await service.submit({ body: b as never, idempotencyKey: undefined, remoteIp: '127.0.0.1', log: app.log }) }
  const first = await submit(body)
  const twin = await submit(body)
  t.equal(twin.id, first.id)
  await t.rejects(submit({ ...(body as Record<string, unknown>), message: 'Another text' }), { code: 'CAPTCHA_FAILED' })
  t.equal(await prisma.contactRequest.count(), 1)
})
