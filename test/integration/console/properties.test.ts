// Hostile input to the console, signed in with every scope and the session's own CSRF token: any
// query, path segment and form field gets a page or a 4xx, never a 500.
import t from 'tap'
import fc from 'fast-check'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { anyString, checkProperty } from '../../helpers/properties.js'
import { SCOPES } from '../../../src/admin/keys.js'

const { app } = await buildTestApp(t)
const existing = (await post(app, await altchaSubmission(app))).json<{ id: string }>().id
const { id: sessionId, session } = await app.services.consoleSessions.create({
  actor: 'console:fuzz@ri.se', subject: 'fuzz', email: 'fuzz@ri.se', name: 'Fuzz', scopes: [...SCOPES], contactId: 'lotta-fransson'
}, '')
const cookie = `__Host-console=${sessionId}`

/** Lone surrogates as U+FFFD: encodeURIComponent refuses them (a URL cannot carry one). */
const wellFormed = (s: string): string => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
const segment = fc.oneof(fc.constant(existing), fc.uuid(), anyString(40).map((s) => encodeURIComponent(wellFormed(s))))
const query = fc.dictionary(fc.constantFrom('status', 'contactId', 'from', 'to', 'cursor', 'action', 'endpoint', 'done', 'refused', 'saved', 'expired', 'x'), anyString(30), { maxKeys: 4 })
  .map((q) => new URLSearchParams(q).toString())
const form = fc.dictionary(fc.constantFrom('email', 'action', 'to', 'reason', 'notificationId', 'name', 'scope', 'active', 'delegateId', 'retentionDays', 'responseDays', 'nonce', 'endpoint'), anyString(40), { maxKeys: 5 })
  .map((f) => new URLSearchParams({ ...f, _csrf: session.csrf }).toString())

const gets = fc.oneof(
  query.map((q) => `/console?${q}`),
  fc.tuple(segment, query).map(([id, q]) => `/console/requests/${id}?${q}`),
  segment.map((id) => `/console/requests/${id}/withdraw`),
  fc.tuple(fc.constantFrom('audit', 'webhooks', 'keys', 'directory', 'retention', 'subjects', 'quarantine'), query).map(([page, q]) => `/console/${page}?${q}`),
  segment.map((id) => `/console/directory/${id}`),
  segment.map((token) => `/console/link/${token}`)
)
const posts = fc.tuple(fc.oneof(
  segment.map((id) => `/console/requests/${id}/take`),
  fc.tuple(segment, fc.constantFrom('answer', 'pass', 'nope')).map(([id, action]) => `/console/requests/${id}/${action}`),
  fc.tuple(segment, fc.constantFrom('close', 'reopen', 'hold', 'unhold', 'restrict', 'unrestrict', 'redrive', 'release', 'spam', 'x')).map(([id, c]) => `/console/requests/${id}/change/${c}`),
  fc.constantFrom('/console/subjects/check', '/console/subjects/export', '/console/keys', '/console/retention/dry-run'),
  fc.constantFrom('lotta-fransson', 'sofia-frolander', 'nobody').map((id) => `/console/directory/${id}`),
  segment.map((id) => `/console/webhooks/deliveries/${id}/replay`),
  segment.map((token) => `/console/link/${token}`)
), form)

t.test('any console GET, signed in, answers below 500', async (t) => {
  await checkProperty(t, 'console pages', fc.asyncProperty(gets, async (url) => {
    const res = await app.inject({ method: 'GET', url, headers: { cookie } })
    if (res.statusCode >= 500) throw new Error(`GET ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`)
  }), { share: 0.05 })
})

t.test('any console form, signed in with the right token, answers below 500', async (t) => {
  await checkProperty(t, 'console forms', fc.asyncProperty(posts, async ([url, payload]) => {
    const res = await app.inject({ method: 'POST', url, payload, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } })
    if (res.statusCode >= 500) throw new Error(`POST ${url} ${payload}: ${res.statusCode} ${res.body.slice(0, 300)}`)
  }), { share: 0.05 })
})
