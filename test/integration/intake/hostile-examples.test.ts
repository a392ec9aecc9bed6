// Each failure the generated inputs found, kept as an example of its own.
import t from 'tap'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { parseCommand, UsageError } from '../../../src/cli/commands.js'
import { DirectoryError, parseDirectory } from '../../../src/contacts/directory.js'
import { readNoticeFiles } from '../../../src/notices/catalog.js'

t.test('NUL in the audit log\'s filters is refused with 400, not passed to PostgreSQL (was 500)', async (t) => {
  const { app } = await buildTestApp(t)
  const key = await adminKey(app)
  for (const url of ['/v1/admin/audit?action=%00', '/v1/admin/audit?targetId=a%00b']) {
    const res = await asAdmin(app, key, { method: 'GET', url })
    t.match([res.statusCode, res.json()], [400, { code: 'VALIDATION_FAILED', details: [{ path: /^query:/ }] }], url)
  }
})

t.test('NUL in a legal hold\'s reason is refused with 400 (was 500)', async (t) => {
  const { app } = await buildTestApp(t)
  const key = await adminKey(app)
  const id = (await post(app, await altchaSubmission(app))).json<{ id: string }>().id
  const res = await asAdmin(app, key, { method: 'PUT', url: `/v1/admin/contact-requests/${id}/legal-hold`, payload: { reason: 'Ärende\u00002026' } })
  t.match([res.statusCode, res.json()], [400, { code: 'VALIDATION_FAILED', details: [{ path: '/reason' }] }])
})

t.test('a path segment over the router\'s limit and a malformed percent-encoding are answered in the documented shape (were Fastify\'s own bodies)', async (t) => {
  const { app } = await buildTestApp(t)
  const key = await adminKey(app)
  const long = await asAdmin(app, key, { method: 'GET', url: `/v1/admin/contact-requests/${'a'.repeat(300)}` })
  t.same([long.statusCode, long.json().code], [414, 'URI_TOO_LONG'])
  const malformed = await asAdmin(app, key, { method: 'GET', url: '/v1/admin/contact-requests/%C3%28' })
  t.same([malformed.statusCode, malformed.json().code], [400, 'VALIDATION_FAILED'])
})

t.test('the CLI refuses an --email with NUL, a --name with a line break and an --id that is no key id (all were taken)', async (t) => {
  t.throws(() => parseCommand(['subject', 'export', '--email', '\u0000@example.se']), UsageError)
  t.throws(() => parseCommand(['keys', 'create', '--name', 'Anna\nAndersson', '--scopes', 'audit:read']), UsageError)
  t.throws(() => parseCommand(['keys', 'revoke', '--id', '%']), UsageError)
  t.same(parseCommand(['keys', 'revoke', '--id', '0123456789ab']), { command: 'keys revoke', id: '0123456789ab' })
})

t.test('a directory file with a control character in a name is refused before PostgreSQL sees it', async (t) => {
  t.throws(() => parseDirectory({ contacts: [{ id: 'anna-berg', name: 'Anna\u0000Berg', title: 'Projektledare', email: 'anna@example.org' }] }), DirectoryError)
  t.throws(() => parseDirectory({ contacts: [{ id: 'anna-berg', name: 'Anna Berg', title: 'Projektledare', email: 'anna@example.org', phone: 'call me' }] }), DirectoryError)
})

t.test('a privacy notice file with NUL or invalid UTF-8 is refused with its path', async (t) => {
  for (const [name, bytes] of [['nul', Buffer.from('Text\u0000text')], ['latin1', Buffer.from('Personuppgifter behandlas av RISE (\xe5)', 'latin1')]] as const) {
    const dir = await mkdtemp(join(tmpdir(), `notice-${name}-`))
    await mkdir(join(dir, '2027-01-01'))
    await writeFile(join(dir, '2027-01-01', 'sv.txt'), bytes)
    await writeFile(join(dir, '2027-01-01', 'en.txt'), 'Fine text.')
    await t.rejects(readNoticeFiles(dir), /2027-01-01\/sv\.txt (is empty or holds a control character|is not valid UTF-8)/, name)
  }
})

t.test('an address that would need quoting in a mail header is refused (fuzzing found a Reply-To shown as "𡙫Cp\\S"@example.se)', async (t) => {
  const { app } = await buildTestApp(t)
  for (const email of ['𡙫Cp\\S@example.se', '"anna"@example.se', 'anna(kommentar)@example.se', 'a..b@example.se']) {
    const res = await post(app, await altchaSubmission(app, { email }))
    t.match([res.statusCode, res.json()], [400, { code: 'VALIDATION_FAILED', details: [{ path: '/email' }] }], email)
  }
  t.equal((await post(app, await altchaSubmission(app, { email: 'åsa.öberg+kontakt@exempel.se' }))).statusCode, 202, 'letters of any script and + still pass')
})

t.test('a body\'s values are not coerced to the schema\'s types (fuzzing found organisation: null stored as "")', async (t) => {
  const { app } = await buildTestApp(t)
  for (const [field, value] of [['organisation', null], ['name', 123], ['message', true], ['consent', { accepted: 'true', noticeVersion: '2026-11-26' }]] as const) {
    const res = await post(app, await altchaSubmission(app, { [field]: value }))
    t.match([res.statusCode, res.json()], [400, { code: 'VALIDATION_FAILED', details: [{ path: new RegExp(`^/${field}`) }] }], `${field}: ${JSON.stringify(value)}`)
  }
  const key = await adminKey(app)
  const purge = await asAdmin(app, key, { method: 'POST', url: '/v1/admin/purges', payload: { dryRun: 'true' } })
  t.equal(purge.statusCode, 400, 'nor an admin body\'s')
  const listed = await asAdmin(app, key, { method: 'GET', url: '/v1/admin/contact-requests?limit=5' })
  t.equal(listed.statusCode, 200, 'a query string\'s numbers are still read from its text')
})
