// The console's admin pages beyond one request: the quarantine, retention (history, dry run, run)
// and the audit log. The same operations as the admin API's, audited as the person.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AuditRepository } from '../repositories/audit.js'
import type { PurgeRunRepository } from '../repositories/purge-runs.js'
import type { SpamRepository } from '../repositories/spam.js'
import type { Retention } from '../retention/purge.js'
import type { ConsoleKit } from './kit.js'
import { auditPage, quarantinePage, retentionPage } from './pages.js'

const AuditQuery = Type.Object({
  action: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-z_.:-]*$' })),
  from: Type.Optional(Type.Union([Type.Literal(''), Type.String({ format: 'date' })])),
  to: Type.Optional(Type.Union([Type.Literal(''), Type.String({ format: 'date' })]))
})
const Form = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 100 })) })
const HISTORY = 20

export interface AdminPagesOptions {
  kit: ConsoleKit
  audit: Pick<AuditRepository, 'list'>
  spam: Pick<SpamRepository, 'quarantined'>
  purgeRuns: Pick<PurgeRunRepository, 'history'>
  retention: Retention
  names: (ids: string[]) => Promise<Map<string, string>>
}

const adminPages: FastifyPluginAsyncTypebox<AdminPagesOptions> = async (app, { kit, audit, spam, purgeRuns, retention, names }) => {
  app.get('/console/audit', { ...kit.route, schema: { hide: true, querystring: AuditQuery } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply, 'audit:read')
    if (session === null) return reply
    const { action, from, to } = request.query
    const entries = await audit.list({
      action: action === '' ? undefined : action,
      from: from === undefined || from === '' ? undefined : new Date(`${from}T00:00:00Z`),
      to: to === undefined || to === '' ? undefined : new Date(`${to}T24:00:00Z`),
      limit: 200
    })
    return await kit.html(reply, auditPage(kit.localeOf(request), session, entries, request.query))
  })

  app.get('/console/quarantine', { ...kit.route, schema: { hide: true } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply, 'requests:read')
    if (session === null) return reply
    const { page } = await spam.quarantined({ limit: 100 })
    const named = await names([...new Set(page.map((r) => r.contactId))])
    await kit.audit.record({ actor: session.actor, action: 'spam.quarantine', outcome: 'ok', detail: { count: page.length } })
    const rows = page.map((r) => ({ ...r, contactName: named.get(r.contactId) ?? r.contactId }))
    return await kit.html(reply, quarantinePage(kit.localeOf(request), session, rows))
  })

  const runs = async () => await purgeRuns.history(HISTORY)
  app.get('/console/retention', { ...kit.route, schema: { hide: true } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply, 'retention:purge')
    if (session === null) return reply
    const shown = { runs: await runs(), retentionDays: app.config.RETENTION_DAYS }
    return await kit.html(reply, retentionPage(kit.localeOf(request), session, shown))
  })

  // A dry run first: it says what a run would delete, and offers the run.
  for (const dryRun of [true, false]) {
    app.post(dryRun ? '/console/retention/dry-run' : '/console/retention/run', { ...kit.route, schema: { hide: true, body: Form } }, async (request, reply) => {
      const session = await kit.posted(request, reply, 'retention:purge')
      if (session === null) return reply
      const run = await retention.purgeExpired({ dryRun, actor: session.actor, trigger: 'console' })
      const page = { runs: await runs(), retentionDays: app.config.RETENTION_DAYS }
      const shown = dryRun ? { ...page, due: run.requests } : { ...page, purged: run.requests }
      return await kit.html(reply, retentionPage(kit.localeOf(request), session, shown))
    })
  }
}

export default adminPages
