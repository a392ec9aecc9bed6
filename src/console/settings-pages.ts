// The console's settings: the admin API's keys (created keys shown once, revocation) and the
// webhook endpoints (their deliveries, a replay, a new signing secret shown once). The same
// operations as the admin API's and the CLI's, audited as the person.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { AppError } from '../errors.js'
import { isScope, SCOPES, type KeyStore } from '../admin/keys.js'
import type { WebhookEndpoints } from '../webhooks/endpoints.js'
import type { WebhookRepository } from '../repositories/webhooks.js'
import { originOf } from '../repositories/webhooks.js'
import { FORMATS } from '../notifications/compose.js'
import { Line } from '../schemas/common.js'
import type { ConsoleKit } from './kit.js'
import { keysPage, webhooksPage } from './pages.js'

const Id = Type.Object({ id: Type.String({ format: 'uuid' }) })
const Form = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 100 })), endpoint: Type.Optional(Type.String({ format: 'uuid' })) })
// A form sends one value per ticked box: one scope is a string, several an array.
const KeyForm = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 100 })),
  name: Type.Optional(Type.String({ maxLength: 300 })),
  scope: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })]))
})
const KeyName = Line(200, { required: true })

export interface SettingsPagesOptions {
  kit: ConsoleKit
  keys: KeyStore
  webhookEndpoints: WebhookEndpoints
  webhooks: Pick<WebhookRepository, 'deliveries'>
}

// Keys can grant any scope: only someone who may read the audit log and change requests may make them.
const KEY_SCOPES = ['audit:read', 'requests:write'] as const

// eslint-disable-next-line max-lines-per-function -- two small pages, each with its actions
const settingsPages: FastifyPluginAsyncTypebox<SettingsPagesOptions> = async (app, { kit, keys, webhookEndpoints, webhooks }) => {
  const keysOf = async () => await keys.list()
  const mayManageKeys = (scopes: string[]) => KEY_SCOPES.every((s) => scopes.includes(s))

  app.get('/console/keys', { ...kit.route, schema: { hide: true, querystring: Type.Object({ revoked: Type.Optional(Type.Literal('1')) }) } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply)
    if (session === null) return reply
    if (!mayManageKeys(session.scopes)) return await kit.message(request, reply, 'noAccess', 403, session)
    return await kit.html(reply, keysPage(kit.localeOf(request), session, await keysOf(), { scopes: SCOPES, revoked: request.query.revoked === '1' }))
  })

  app.post('/console/keys', { ...kit.route, schema: { hide: true, body: KeyForm } }, async (request, reply) => {
    const session = await kit.posted(request, reply)
    if (session === null) return reply
    if (!mayManageKeys(session.scopes)) return await kit.message(request, reply, 'noAccess', 403, session)
    const name = (request.body.name ?? '').trim()
    const scopes = [request.body.scope ?? []].flat().filter(isScope)
    const errors = [...(Value.Check(KeyName, name) ? [] : ['name' as const]), ...(scopes.length === 0 ? ['scopes' as const] : [])]
    if (errors.length > 0) {
      return await kit.html(reply, keysPage(kit.localeOf(request), session, await keysOf(), { scopes: SCOPES, errors }), 400)
    }
    const { id, key } = await keys.create(name, scopes)
    await kit.audit.record({ actor: session.actor, action: 'keys.create', targetId: id, outcome: 'ok', detail: { scopes } })
    return await kit.html(reply, keysPage(kit.localeOf(request), session, await keysOf(), { scopes: SCOPES, created: { name, key } }))
  })

  app.post('/console/keys/:id/revoke', { ...kit.route, schema: { hide: true, params: Id, body: Form } }, async (request, reply) => {
    const session = await kit.posted(request, reply)
    if (session === null) return reply
    if (!mayManageKeys(session.scopes)) return await kit.message(request, reply, 'noAccess', 403, session)
    const revoked = await keys.revoke(request.params.id)
    await kit.audit.record({ actor: session.actor, action: 'keys.revoke', targetId: request.params.id, outcome: revoked ? 'ok' : 'failed' })
    return await reply.code(303).redirect('/console/keys?revoked=1')
  })

  /** The endpoints, and one's deliveries when asked; `notice` and `secret` after an action. */
  async function webhooksView (
    session: Parameters<typeof webhooksPage>[1], locale: Parameters<typeof webhooksPage>[0],
    of: string | null, notice: string | null, secret: string | null
  ) {
    const endpoints = (await webhookEndpoints.list())
      .map((p) => ({ id: p.id, origin: originOf(p.url), events: p.events, enabled: p.enabled }))
    const deliveries = of === null ? [] : (await webhooks.deliveries(of, 20)).page
    return webhooksPage(locale, session, endpoints, { deliveries, of, notice, secret, writable: session.scopes.includes('webhooks:write') })
  }

  app.get('/console/webhooks', { ...kit.route, schema: { hide: true, querystring: Type.Object({ endpoint: Type.Optional(Type.String({ format: 'uuid' })), replayed: Type.Optional(Type.Literal('1')) }) } }, async (request, reply) => {
    const session = await kit.signedIn(request, reply, 'webhooks:read')
    if (session === null) return reply
    const notice = request.query.replayed === '1' ? kit.texts(request).webhooks.replayed : null
    return await kit.html(reply, await webhooksView(session, kit.localeOf(request), request.query.endpoint ?? null, notice, null))
  })

  app.post('/console/webhooks/:id/rotate', { ...kit.route, schema: { hide: true, params: Id, body: Form } }, async (request, reply) => {
    const session = await kit.posted(request, reply, 'webhooks:write')
    if (session === null) return reply
    const locale = kit.localeOf(request)
    const { secret, previousValidUntil } = await webhookEndpoints.rotateSecret(request.params.id, session.actor)
    const notice = kit.texts(request).webhooks.rotated(FORMATS[locale].dateTime.format(previousValidUntil))
    return await kit.html(reply, await webhooksView(session, locale, request.params.id, notice, secret))
  })

  app.post('/console/webhooks/deliveries/:id/replay', { ...kit.route, schema: { hide: true, params: Id, body: Form } }, async (request, reply) => {
    const session = await kit.posted(request, reply, 'webhooks:write')
    if (session === null) return reply
    try {
      await webhookEndpoints.replay(request.params.id, session.actor)
    } catch (err) {
      if (!(err instanceof AppError) || err.statusCode >= 500) throw err
      return await kit.message(request, reply, 'notFound', err.statusCode, session)
    }
    return await reply.code(303).redirect(`/console/webhooks?${new URLSearchParams({ ...(request.body.endpoint === undefined ? {} : { endpoint: request.body.endpoint }), replayed: '1' }).toString()}`)
  })
}

export default settingsPages
