// The admin API: every route refuses missing, revoked and under-scoped keys, and audits what it does.
import t from 'tap'
import { buildTestApp, altchaSubmission, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { SCOPES, type Scope } from '../../../src/admin/keys.js'
import type { FastifyInstance } from 'fastify'

async function storedRequest (app: FastifyInstance, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await post(app, await altchaSubmission(app, overrides))
  if (res.statusCode !== 202) throw new Error(`submission failed: ${res.body}`)
  return res.json<{ id: string }>().id
}

interface Route { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, scope: Scope, action: string, payload?: object, ok: number }

function routes (requestId: string, notificationId: string): Route[] {
  return [
    { method: 'GET', url: '/v1/admin/contact-requests', scope: 'requests:read', action: 'requests.list', ok: 200 },
    { method: 'GET', url: `/v1/admin/contact-requests/${requestId}`, scope: 'requests:read', action: 'requests.read', ok: 200 },
    { method: 'POST', url: `/v1/admin/contact-requests/${requestId}/status`, scope: 'requests:write', action: 'requests.status', payload: { status: 'received' }, ok: 200 },
    { method: 'PUT', url: `/v1/admin/contact-requests/${requestId}/legal-hold`, scope: 'requests:write', action: 'requests.legal_hold.set', payload: { reason: 'Ärende 2026/123' }, ok: 200 },
    { method: 'DELETE', url: `/v1/admin/contact-requests/${requestId}/legal-hold`, scope: 'requests:write', action: 'requests.legal_hold.lift', ok: 200 },
    { method: 'PUT', url: `/v1/admin/contact-requests/${requestId}/restriction`, scope: 'requests:write', action: 'requests.restriction.set', ok: 200 },
    { method: 'DELETE', url: `/v1/admin/contact-requests/${requestId}/restriction`, scope: 'requests:write', action: 'requests.restriction.lift', ok: 200 },
    { method: 'GET', url: '/v1/admin/notifications/failed', scope: 'requests:read', action: 'notifications.list_failed', ok: 200 },
    { method: 'POST', url: `/v1/admin/notifications/${notificationId}/redrive`, scope: 'requests:write', action: 'notifications.redrive', ok: 202 },
    { method: 'POST', url: '/v1/admin/notifications/redrive', scope: 'requests:write', action: 'notifications.redrive_all', ok: 202 },
    { method: 'GET', url: '/v1/admin/contacts', scope: 'contacts:read', action: 'contacts.list', ok: 200 },
    { method: 'PATCH', url: '/v1/admin/contacts/sofia-frolander', scope: 'contacts:write', action: 'contacts.update', payload: { retentionDays: 90 }, ok: 200 },
    { method: 'POST', url: '/v1/admin/purges', scope: 'retention:purge', action: 'retention.purge', payload: { dryRun: true }, ok: 200 },
    { method: 'GET', url: '/v1/admin/purges', scope: 'retention:purge', action: 'retention.history', ok: 200 },
    { method: 'POST', url: '/v1/admin/subjects/export', scope: 'subjects:export', action: 'subjects.export', payload: { email: 'nobody@example.se' }, ok: 200 },
    { method: 'POST', url: '/v1/admin/subjects/erase', scope: 'subjects:erase', action: 'subjects.erase', payload: { email: 'nobody@example.se' }, ok: 200 },
    { method: 'GET', url: '/v1/admin/audit', scope: 'audit:read', action: 'audit.read', ok: 200 },
    { method: 'GET', url: '/v1/admin/processing-record', scope: 'audit:read', action: 'processing_record.read', ok: 200 },
    { method: 'POST', url: `/v1/admin/contact-requests/${requestId}/withdraw-consent`, scope: 'subjects:erase', action: 'requests.withdraw_consent', ok: 200 }
  ]
}

t.test('every admin route: 401 without a key or with a revoked one, 403 without its scope, and an audit entry when it succeeds', async (t) => {
  const { app } = await buildTestApp(t)
  const requestId = await storedRequest(app)
  const notification = await app.core.database.prisma.notification.findFirstOrThrow({ where: { requestId } })
  await app.core.database.prisma.notification.update({ where: { id: notification.id }, data: { status: 'failed', failedAt: new Date(), lastError: 'SMTP 550' } })
  const revoked = await adminKey(app)
  t.ok(await app.services.keys.revoke(revoked.split('_')[1] ?? ''))

  for (const route of routes(requestId, notification.id)) {
    const call = async (key: string | null) => await asAdmin(app, key, { method: route.method, url: route.url, ...(route.payload === undefined ? {} : { payload: route.payload }) })
    const none = await call(null)
    t.equal(none.statusCode, 401, `${route.method} ${route.url}: no key`)
    t.equal(none.json().code, 'UNAUTHENTICATED')
    t.equal((await call('cik_000000000000_' + 'A'.repeat(43))).statusCode, 401, `${route.method} ${route.url}: unknown key`)
    t.equal((await call(revoked)).statusCode, 401, `${route.method} ${route.url}: revoked key`)
    const others = await adminKey(app, SCOPES.filter((s) => s !== route.scope), 'almost-admin')
    const wrong = await call(others)
    t.equal(wrong.statusCode, 403, `${route.method} ${route.url}: without ${route.scope}`)
    t.equal(wrong.json().code, 'FORBIDDEN')

    const before = await app.core.database.prisma.auditEntry.count({ where: { action: route.action, outcome: 'ok' } })
    const ok = await call(await adminKey(app, [route.scope], `only-${route.scope}`))
    t.equal(ok.statusCode, route.ok, `${route.method} ${route.url}: with ${route.scope} (${ok.body.slice(0, 200)})`)
    const entries = await app.core.database.prisma.auditEntry.findMany({ where: { action: route.action, outcome: 'ok' }, orderBy: { at: 'desc' } })
    t.equal(entries.length, before + 1, `${route.action} was audited`)
    t.equal(entries[0]?.actor, `only-${route.scope}`)
  }
  const refused = await app.core.database.prisma.auditEntry.count({ where: { outcome: 'refused' } })
  t.ok(refused >= routes(requestId, notification.id).length * 4, 'refusals are audited too')
  const everything = JSON.stringify(await app.core.database.prisma.auditEntry.findMany())
  t.notMatch(everything, /anna\.andersson|Anna|nobody@example\.se/i, 'the audit log holds no personal data')
})

t.test('closing a request shortens its retention; reopening it does not lengthen it again', async (t) => {
  const { app, config } = await buildTestApp(t)
  const key = await adminKey(app)
  const id = await storedRequest(app)
  const before = await app.core.database.prisma.contactRequest.findUniqueOrThrow({ where: { id } })
  const closed = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/status`, payload: { status: 'closed' } })
  t.equal(closed.statusCode, 200)
  const retainUntil = new Date(closed.json().retainUntil).getTime()
  t.ok(Math.abs(retainUntil - (Date.now() + config.RETENTION_DAYS_AFTER_CLOSE * 86_400_000)) < 60_000, 'retention ends 30 days after closing')
  t.ok(retainUntil < before.retainUntil.getTime())
  const reopened = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/status`, payload: { status: 'received' } })
  t.equal(new Date(reopened.json().retainUntil).getTime(), retainUntil)

  // A request already due sooner keeps its earlier date.
  const soon = new Date(Date.now() + 86_400_000)
  await app.core.database.prisma.contactRequest.update({ where: { id }, data: { status: 'received', retainUntil: soon } })
  const closedAgain = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${id}/status`, payload: { status: 'closed' } })
  t.equal(new Date(closedAgain.json().retainUntil).getTime(), soon.getTime(), 'closing never lengthens retention')
  const detail = await asAdmin(app, key, { method: 'GET', url: `/v1/admin/contact-requests/${id}` })
  t.same(detail.json().events.map((e: { value: string }) => e.value), ['closed', 'received', 'closed'], 'the status history is kept')
  t.equal(detail.json().email, 'anna.andersson@example.se')
  t.notOk('captchaKey' in detail.json(), 'internal keys stay internal')
})

t.test('the request list filters and pages without personal data', async (t) => {
  const { app } = await buildTestApp(t)
  const key = await adminKey(app, ['requests:read'])
  for (let i = 0; i < 5; i++) await storedRequest(app, { message: `Fråga nummer ${i}` })
  await storedRequest(app, { contactId: 'sofia-frolander' })
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const query: string = `/v1/admin/contact-requests?contactId=lotta-fransson&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`
    const page = await asAdmin(app, key, { method: 'GET', url: query })
    t.equal(page.statusCode, 200)
    t.notMatch(page.body, /Anna|example\.se|Fråga/, 'no personal data in the list')
    seen.push(...page.json().items.map((r: { id: string }) => r.id))
    cursor = page.json().nextCursor
  } while (cursor !== null)
  t.equal(seen.length, 5)
  t.equal(new Set(seen).size, 5, 'every request once')
  const bad = await asAdmin(app, key, { method: 'GET', url: '/v1/admin/contact-requests?status=lost' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'VALIDATION_FAILED')
})

t.test('a directory change that breaks the file\'s rules is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const key = await adminKey(app, ['contacts:write', 'contacts:read'])
  const cycle = await asAdmin(app, key, { method: 'PATCH', url: '/v1/admin/contacts/sofia-frolander', payload: { delegateId: 'lotta-fransson' } })
  t.equal(cycle.statusCode, 400)
  t.match(cycle.json(), { code: 'VALIDATION_FAILED', details: [{ message: /cycle/ }] })
  const unknown = await asAdmin(app, key, { method: 'PATCH', url: '/v1/admin/contacts/nobody', payload: { active: false } })
  t.equal(unknown.statusCode, 404)
  const off = await asAdmin(app, key, { method: 'PATCH', url: '/v1/admin/contacts/lotta-fransson', payload: { active: false, retentionDays: 60 } })
  t.equal(off.statusCode, 200)
  t.match(off.json(), { active: false, delegateId: 'sofia-frolander', retentionDays: 60 })
  const listed = await asAdmin(app, key, { method: 'GET', url: '/v1/admin/contacts' })
  t.match(listed.json().contacts.find((c: { id: string }) => c.id === 'lotta-fransson'), { active: false, retentionDays: 60 })
})

t.test('the record of processing follows the configuration', async (t) => {
  const { app } = await buildTestApp(t, { CAPTCHA_PROVIDERS: 'altcha,recaptcha', RECAPTCHA_SECRET: 'recaptcha-secret-0123', RETENTION_DAYS: '90', SMTP_URL: 'smtp://mail.example.org:587' })
  const key = await adminKey(app, ['audit:read'])
  const record = (await asAdmin(app, key, { method: 'GET', url: '/v1/admin/processing-record' })).json()
  t.equal(record.retention.requestsDays, 90)
  t.match(record.recipients.join('\n'), /mail\.example\.org/)
  t.match(record.recipients.join('\n'), /Google LLC/)
  t.same(record.transfersOutsideEea.length, 1)
})

t.test('admin routes are rate-limited before the key is checked, and a flood is not audited row by row', async (t) => {
  const { app } = await buildTestApp(t, { ADMIN_RATE_LIMIT_MAX: '3' })
  const answers = []
  // A client address of its own: the other tests' requests count against theirs.
  for (let i = 0; i < 5; i++) answers.push((await asAdmin(app, null, { method: 'GET', url: '/v1/admin/audit', remoteAddress: '198.51.100.7' })).statusCode)
  t.same(answers, [401, 401, 401, 429, 429])
  t.equal(await app.core.database.prisma.auditEntry.count(), 3, 'the refusals are audited, the rate-limited ones are not')
})

t.test('when the audit entry cannot be written, no personal data is sent', async (t) => {
  const { app } = await buildTestApp(t)
  const key = await adminKey(app)
  const id = await storedRequest(app, { name: 'Audit Probe Person', email: 'audit.probe@example.se', message: 'Ett meddelande som inte får läcka' })
  // The audit log refuses every entry, as a full disk or a revoked grant would.
  await app.core.database.prisma.$executeRawUnsafe('CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION \'audit log unavailable\'; END $$')
  await app.core.database.prisma.$executeRawUnsafe('CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()')
  t.teardown(async () => {
    await app.core.database.prisma.$executeRawUnsafe('DROP TRIGGER IF EXISTS refuse_audit ON audit_log')
    await app.core.database.prisma.$executeRawUnsafe('DROP FUNCTION IF EXISTS refuse_audit()')
  })
  const answers = [
    await asAdmin(app, key, { method: 'GET', url: `/v1/admin/contact-requests/${id}` }),
    await asAdmin(app, key, { method: 'POST', url: '/v1/admin/subjects/export', payload: { email: 'audit.probe@example.se' } })
  ]
  for (const res of answers) {
    t.equal(res.statusCode, 500)
    t.equal(res.json().code, 'INTERNAL_ERROR')
    for (const secret of ['Audit Probe Person', 'audit.probe', 'inte får läcka']) t.notMatch(res.body, secret, `the answer holds no "${secret}"`)
  }
})

t.test('one entry per answer: a refusal before the handler is the hook\'s, a failure inside the operation is the operation\'s', async (t) => {
  const { app } = await buildTestApp(t)
  const key = await adminKey(app)
  const entries = async (action: string) => await app.core.database.prisma.auditEntry.findMany({ where: { action } })

  const invalid = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/webhooks', payload: { url: 'https://crm.example.org/hook' } })
  t.equal(invalid.statusCode, 400)
  t.match(await entries('webhooks.create'), [{ outcome: 'failed', actor: 'test-admin' }], 'an invalid body never reached the operation: the hook wrote it')
  t.equal((await entries('webhooks.create')).length, 1)

  const unknown = '00000000-0000-4000-8000-000000000000'
  const missing = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${unknown}/status`, payload: { status: 'closed' } })
  t.equal(missing.statusCode, 404)
  t.match(await entries('requests.status'), [{ outcome: 'failed', targetId: unknown }], 'the operation wrote its failure')
  t.equal((await entries('requests.status')).length, 1, 'and the hook did not write it again')

  const withdrawn = await asAdmin(app, key, { method: 'POST', url: `/v1/admin/contact-requests/${unknown}/withdraw-consent` })
  t.equal(withdrawn.statusCode, 404)
  t.match(await entries('requests.withdraw_consent'), [{ outcome: 'failed', targetId: unknown, detail: { held: false } }])
  t.equal((await entries('requests.withdraw_consent')).length, 1)
})
