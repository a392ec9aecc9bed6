// The admin CLI as an admin runs it: keys, purges and subject requests, with their output and exit codes.
import t from 'tap'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { asAdmin } from '../../helpers/admin.js'
import { runCli } from '../../../src/cli/run.js'
import { CLI_ENV, TEST_WEBHOOK_SECRET_KEY } from '../../helpers/config.js'

/** Runs a command line in this process, as `npm run cli` would run it. */
async function cli (args: string[], env: Record<string, string> = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    env: { ...CLI_ENV, ...env },
    stdout: { write: (text: string) => { stdout += text } },
    stderr: { write: (text: string) => { stderr += text } }
  })
  return { code, stdout, stderr }
}

t.test('a key made with the CLI opens the admin API within its scopes, until it is revoked', async (t) => {
  const { app } = await buildTestApp(t)
  const created = await cli(['keys', 'create', '--name', 'Registrator', '--scopes', 'requests:read,audit:read'])
  t.equal(created.code, 0, created.stderr)
  t.match(created.stderr, /shown once/)
  const { id, key } = JSON.parse(created.stdout) as { id: string, key: string }
  t.equal((await asAdmin(app, key, { method: 'GET', url: '/v1/admin/contact-requests' })).statusCode, 200)
  t.equal((await asAdmin(app, key, { method: 'GET', url: '/v1/admin/contacts' })).statusCode, 403)
  const stored = await app.core.database.prisma.apiKey.findUniqueOrThrow({ where: { id } })
  t.notMatch(JSON.stringify(stored), key.split('_')[2] ?? key, 'only a hash of the key is stored')
  const listed = await cli(['keys', 'list'])
  t.notMatch(listed.stdout, key, 'the list never shows a key')
  t.equal((await cli(['keys', 'revoke', '--id', id])).code, 0)
  t.equal((await asAdmin(app, key, { method: 'GET', url: '/v1/admin/contact-requests' })).statusCode, 401)
  t.match(await app.core.database.prisma.auditEntry.findMany({ where: { action: { startsWith: 'keys.' } }, orderBy: { at: 'asc' } }), [{ action: 'keys.create', actor: /^cli:/ }, { action: 'keys.revoke' }])
})

t.test('mistakes get the usage and exit code 64', async (t) => {
  for (const args of [[], ['keys', 'create', '--name', 'X', '--scopes', 'everything'], ['subject', 'export'], ['purge', '--force']]) {
    const result = await cli(args)
    t.equal(result.code, 64, args.join(' '))
    t.match(result.stderr, /Usage: npm run cli/)
  }
})

t.test('purge --dry-run, purge, subject export and erase from the command line', async (t) => {
  const mailDropDir = await mkdtemp(join(tmpdir(), 'cli-mail-'))
  const { app } = await buildTestApp(t, { MAIL_DROP_DIR: mailDropDir })
  const expired = (await post(app, await altchaSubmission(app))).json().id as string
  await app.core.database.prisma.contactRequest.update({ where: { id: expired }, data: { retainUntil: new Date(Date.now() - 1000) } })
  await post(app, await altchaSubmission(app, { email: 'bertil.berg@example.se' }))
  const env = { MAIL_DROP_DIR: mailDropDir }

  const dry = await cli(['purge', '--dry-run'], env)
  t.equal(dry.code, 0, dry.stderr)
  t.match(JSON.parse(dry.stdout), { dryRun: true, requests: 1 })
  t.equal(await app.core.database.prisma.contactRequest.count(), 2)
  const real = await cli(['purge'], env)
  t.match(JSON.parse(real.stdout), { dryRun: false, requests: 1, jobsRemoved: 1 })
  t.equal(await app.core.database.prisma.contactRequest.count(), 1)

  const exported = await cli(['subject', 'export', '--email', 'Bertil.Berg@example.se'], env)
  t.match(JSON.parse(exported.stdout), { email: 'bertil.berg@example.se', requests: [{ email: 'bertil.berg@example.se' }] })
  const erased = await cli(['subject', 'erase', '--email', 'bertil.berg@example.se'], env)
  t.match(JSON.parse(erased.stdout), { requests: 1, heldRequestIds: [] })
  t.equal(await app.core.database.prisma.contactRequest.count(), 0)
  const audit = await app.core.database.prisma.auditEntry.findMany({ orderBy: { at: 'asc' } })
  t.same(audit.map((a) => a.action), ['retention.purge', 'retention.purge', 'subjects.export', 'subjects.erase'])
  t.notMatch(JSON.stringify(audit), /bertil/i)
})

t.test('webhook endpoints from the command line: created with a secret shown once, rotated, disabled, refused, deleted, audited', async (t) => {
  const { app } = await buildTestApp(t)
  const env = { WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY }
  const created = await cli(['webhooks', 'create', '--url', 'https://crm.example.org/hooks/contact', '--events', 'contact_request.received,contact_request.erased', '--payload', 'full', '--description', 'CRM'], env)
  t.equal(created.code, 0, created.stderr)
  t.match(created.stderr, /shown once/)
  const { endpoint, secret } = JSON.parse(created.stdout) as { endpoint: { id: string }, secret: string }
  t.match(secret, /^whsec_/)
  const listed = await cli(['webhooks', 'list'], env)
  t.match(JSON.parse(listed.stdout), [{ id: endpoint.id, url: 'https://crm.example.org/hooks/contact', payloadMode: 'full', enabled: true }])
  t.notMatch(listed.stdout, /whsec_|v1:/, 'the list shows no secret')

  const rotated = await cli(['webhooks', 'rotate', '--id', endpoint.id], env)
  t.equal(rotated.code, 0, rotated.stderr)
  t.not(JSON.parse(rotated.stdout).secret, secret)
  t.match(JSON.parse((await cli(['webhooks', 'disable', '--id', endpoint.id], env)).stdout), { enabled: false, disabledReason: 'disabled by an admin' })
  const refused = await cli(['webhooks', 'test', '--id', endpoint.id], env)
  t.equal(refused.code, 1)
  t.match(refused.stderr, /^This endpoint is disabled/, 'a refusal reads like the API\'s answer, without a stack')
  const badUrl = await cli(['webhooks', 'create', '--url', 'http://crm.example.org/hook', '--events', 'contact_request.received'], env)
  t.equal(badUrl.code, 1)
  t.match(badUrl.stderr, /\/url: must be https/, 'with the field at fault')
  t.equal((await cli(['webhooks', 'delete', '--id', endpoint.id], env)).code, 0)
  t.equal(await app.core.database.prisma.webhookEndpoint.count(), 0)
  t.match(await app.core.database.prisma.auditEntry.findMany({ where: { action: { startsWith: 'webhooks.' } }, orderBy: { at: 'asc' } }),
    [{ action: 'webhooks.create', actor: /^cli:/, outcome: 'ok' }, { action: 'webhooks.rotate_secret' }, { action: 'webhooks.update' }, { action: 'webhooks.test', outcome: 'failed' },
      // The refused create is audited too, as it is from the admin API: the operation writes the entry.
      { action: 'webhooks.create', outcome: 'failed', targetId: null }, { action: 'webhooks.delete' }])
  t.notMatch(JSON.stringify(await app.core.database.prisma.auditEntry.findMany()), /whsec_/, 'no secret in the audit log')
})

t.test('handling from the command line: take for a contact, pass on, answered, each as cli:<user>; what cannot be done is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const { id } = (await post(app, await altchaSubmission(app, { message: 'Till Sofia, via kommandoraden' }))).json<{ id: string }>()
  const taken = await cli(['handle', 'take', '--id', id, '--contact', 'lotta-fransson'])
  t.equal(taken.code, 0, taken.stderr)
  t.match(JSON.parse(taken.stdout), { id, status: 'taken', handler: 'contact:lotta-fransson', changed: true })
  t.match(JSON.parse((await cli(['handle', 'pass', '--id', id, '--to', 'sofia-frolander'])).stdout), { status: 'received', handler: 'contact:sofia-frolander' })
  t.equal(await app.core.database.prisma.notification.count({ where: { requestId: id, handler: 'contact:sofia-frolander' } }), 1, 'Sofia\'s notification is written (the outbox relay sends it if no worker took it)')
  t.match(JSON.parse((await cli(['handle', 'answered', '--id', id])).stdout), { status: 'answered' })
  const again = await cli(['handle', 'pass', '--id', id, '--to', 'lotta-fransson'])
  t.match([again.code, again.stderr], [1, /answered already/], 'an answered request is not passed on')
  t.match((await cli(['handle', 'answered', '--id', '00000000-0000-4000-8000-000000000000'])), { code: 1, stderr: /No contact request with this id/ })
  t.match((await cli(['handle', 'take', '--id', id])), { code: 64, stderr: /--contact <contact id> is required/ })
  const events = await app.core.database.prisma.requestEvent.findMany({ where: { requestId: id }, orderBy: { at: 'asc' } })
  t.same(events.map((e) => e.value), ['taken', 'contact:sofia-frolander', 'answered'])
  t.ok(events.every((e) => e.actor.startsWith('cli:')), 'the actor is cli:<user>')
})
