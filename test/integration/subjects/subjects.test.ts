// Data-subject access and erasure: the export holds all of one person's data and nobody else's;
// after erasure the address is nowhere: no table, no Redis key or value, no mail-drop file.
import t from 'tap'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { altchaSubmission, buildTestApp, NOTICE_VERSION, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { databaseMentions, mailDropText, redisDump } from '../../helpers/residue.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'
import { subjectHash } from '../../../src/privacy/pseudonyms.js'
import type { FastifyInstance } from 'fastify'

const ANNA = 'Anna.Andersson@Example.se'
const BERTIL = 'bertil.berg@example.se'

async function setup (t: Parameters<typeof buildTestApp>[0]) {
  const mailDropDir = await mkdtemp(join(tmpdir(), 'subject-mail-'))
  // Receipts on, one per request: an erasure must take the receipt jobs and copies too.
  const built = await buildTestApp(t, { MAIL_DROP_DIR: mailDropDir, MAIL_BACKOFF_MS: '50', RECEIPTS: 'true', RECEIPT_WINDOW_HOURS: '0' })
  await startTestWorkers(t, built.config)
  return { ...built, mailDropDir }
}

async function submitAndDeliver (app: FastifyInstance, overrides: Record<string, unknown>): Promise<string> {
  const id = (await post(app, await altchaSubmission(app, overrides))).json<{ id: string }>().id
  await eventually(async () => (await app.core.database.prisma.notification.findFirst({ where: { requestId: id, status: 'sent' } })) ?? undefined, { what: 'the e-mail to be written' })
  await eventually(async () => (await app.core.database.prisma.receipt.findFirst({ where: { requestId: id, status: 'sent' } })) ?? undefined, { what: 'the receipt to be written' })
  return id
}

t.test('the export holds all of one person\'s data and nobody else\'s; after erasure the address is nowhere', async (t) => {
  const { app, config, mailDropDir } = await setup(t)
  const key = await adminKey(app, ['subjects:export', 'subjects:erase', 'requests:write', 'requests:read'])
  const first = await submitAndDeliver(app, { email: ANNA, message: 'Första frågan om Akademin' })
  const second = await submitAndDeliver(app, { email: ANNA.toLowerCase(), message: 'Andra frågan', phone: '+46 70 765 43 21', locale: 'en' })
  const other = await submitAndDeliver(app, { email: BERTIL, name: 'Bertil Berg', message: 'Bertils fråga' })
  await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${first}/take`, payload: { contactId: 'lotta-fransson' } })

  const exported = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/export', payload: { email: ' anna.andersson@example.SE ' } })
  t.equal(exported.statusCode, 400, 'the address is validated as an address')
  const document = (await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/export', payload: { email: ANNA } })).json()
  t.same(document.requests.map((r: { id: string }) => r.id), [first, second], 'both of her requests, matched whatever the case')
  const [one, two] = document.requests
  t.match(one, { message: 'Första frågan om Akademin', status: 'taken', handler: 'contact:lotta-fransson', retainUntil: String, consent: { noticeVersion: NOTICE_VERSION, method: 'checkbox', notice: { text: /personuppgifter/ } } })
  t.match(one.notifications, [{ status: 'sent', recipient: 'lotta.fransson@example.org', smtpResponse: /written to/ }])
  t.match(one.events, [{ kind: 'status', value: 'taken', actor: /^key:/ }], 'the handling history, with its actor')
  t.match(two, { phone: '+46 70 765 43 21', consent: { noticeLocale: 'en', notice: { text: /personal data/ } } })
  t.ok(document.audit.some((a: { action: string, targetId: string }) => a.action === 'requests.handling.take' && a.targetId === first), 'the audit entries about her requests')
  const text = JSON.stringify(document)
  t.notMatch(text, /bertil|Bertils/i, 'nothing about anybody else')
  t.notMatch(text, new RegExp(other))
  t.notMatch(text, /captchaKey|fingerprint/, 'no internal keys')

  // Before: her data is in the database and the mail drop, and her jobs are in Redis.
  const notificationIds = (await app.core.database.prisma.notification.findMany({ where: { requestId: { in: [first, second] } } })).map((n) => n.id)
  const receiptIds = (await app.core.database.prisma.receipt.findMany({ where: { requestId: { in: [first, second] } } })).map((r) => r.id)
  t.equal(receiptIds.length, 2)
  t.ok((await databaseMentions('anna.andersson@example.se')).length > 0)
  t.match(await mailDropText(mailDropDir), /anna\.andersson@example\.se/i)
  const before = await redisDump(app.core.redis, config.QUEUE_PREFIX)
  for (const id of [...notificationIds, ...receiptIds]) t.match(before, id, 'her notification and receipt jobs are in Redis')

  const erased = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/erase', payload: { email: ANNA } })
  t.equal(erased.statusCode, 200)
  t.match(erased.json(), { requests: 2, notifications: 2, jobsRemoved: 4, mailFilesRemoved: 4, heldRequestIds: [] })
  t.same(erased.json().requestIds.sort(), [first, second].sort())

  t.same(await databaseMentions('anna.andersson@example.se'), [], 'no text column of any table holds the address')
  t.same(await databaseMentions('Första frågan'), [], 'nor her message')
  const after = await redisDump(app.core.redis, config.QUEUE_PREFIX)
  t.notMatch(after, /anna\.andersson/i, 'no Redis key or value holds the address')
  for (const id of [...notificationIds, ...receiptIds]) t.same(after.split('\n').filter((line) => line.includes(id)), [], 'her jobs and their history are gone from Redis')
  t.notMatch(await mailDropText(mailDropDir), /anna\.andersson/i, 'no mail-drop file holds it')
  t.match(await mailDropText(mailDropDir), /bertil\.berg@example\.se/, 'another person\'s e-mail stays')
  t.equal(await app.core.database.prisma.contactRequest.count({ where: { id: other } }), 1)

  const tombstones = await app.core.database.prisma.purgeTombstone.findMany({ where: { reason: 'erasure' } })
  t.equal(tombstones.length, 2, 'anonymous tombstones stay for the statistics')
  const audit = await app.core.database.prisma.auditEntry.findMany({ where: { action: 'subjects.erase' } })
  t.equal(audit[0]?.subjectHash, subjectHash(config.PSEUDONYM_KEY, ANNA), 'the audit log keeps a keyed hash, so a repeated request is recognised')

  const again = (await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/export', payload: { email: ANNA } })).json()
  t.same(again.requests, [])
  t.ok(again.audit.some((a: { action: string }) => a.action === 'subjects.erase'), 'a later export shows the earlier erasure')
})

t.test('a legal hold keeps a request through erasure and consent withdrawal', async (t) => {
  const { app } = await setup(t)
  const key = await adminKey(app, ['subjects:erase', 'requests:write'])
  const held = await submitAndDeliver(app, { email: ANNA, message: 'Under utredning' })
  const free = await submitAndDeliver(app, { email: ANNA, message: 'Vanlig fråga' })
  await asAdmin(app, key, { method: 'PUT', url: `/v1/admin/contact-requests/${held}/legal-hold`, payload: { reason: 'Ärende 2026/88' } })
  const withdrawn = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${held}/withdraw-consent` })
  t.equal(withdrawn.statusCode, 409)
  const erased = (await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/erase', payload: { email: ANNA } })).json()
  t.match(erased, { requestIds: [free], heldRequestIds: [held], requests: 1 })
  t.equal(await app.core.database.prisma.contactRequest.count(), 1)
})

t.test('withdrawing consent erases that request and only that one', async (t) => {
  const { app, mailDropDir } = await setup(t)
  const key = await adminKey(app, ['subjects:erase'])
  const withdrawn = await submitAndDeliver(app, { email: ANNA, message: 'Ångrar mig' })
  const kept = await submitAndDeliver(app, { email: ANNA, message: 'Står kvar' })
  const res = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${withdrawn}/withdraw-consent` })
  t.match(res.json(), { requests: 1, notifications: 1, mailFilesRemoved: 2 }, 'its notification\'s and its receipt\'s copies')
  t.same((await app.core.database.prisma.contactRequest.findMany()).map((r) => r.id), [kept])
  t.notMatch(await mailDropText(mailDropDir), /Ångrar mig/)
  t.equal((await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${withdrawn}/withdraw-consent` })).statusCode, 404)
})
