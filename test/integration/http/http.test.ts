// The HTTP surface: public reads, CORS, security headers, errors and health.
import t from 'tap'
import { buildTestApp, post, submission } from '../../helpers/app.js'
import { testDatabase } from '../../helpers/database.js'
import { silenceableProxy } from '../../helpers/silenceable-proxy.js'
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../helpers/config.js'
import { PROBE_TIMEOUT_MS } from '../../../src/ops/checks.js'
import { sha256Hex } from '../../../src/notices/catalog.js'

t.test('the contact list offers active contacts without their addresses', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const res = await app.inject({ method: 'GET', url: '/v1/contacts' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    contacts: [
      { id: 'lotta-fransson', name: 'Lotta Fransson', title: 'Projektledare', phone: '+46 72 451 19 36' },
      { id: 'sofia-frolander', name: 'Sofia Frölander', title: 'Projektledare', phone: '+46 10 228 42 92' }
    ]
  })
  t.notMatch(res.body, /@/)
  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: false } })
  const after = await app.inject({ method: 'GET', url: '/v1/contacts' })
  t.same(after.json().contacts.map((c: { id: string }) => c.id), ['lotta-fransson'])
})

t.test('a form reads its one contact: the public fields, cacheable with an ETag, and one neutral 404 for unknown and inactive ids', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const res = await app.inject({ method: 'GET', url: '/v1/contacts/lotta-fransson' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { id: 'lotta-fransson', name: 'Lotta Fransson', title: 'Projektledare', phone: '+46 72 451 19 36' })
  t.notMatch(res.body, /@/)
  t.equal(res.headers['cache-control'], 'public, max-age=300')
  const etag = String(res.headers.etag)
  t.match(etag, /^"[^"]+"$/)

  const again = await app.inject({ method: 'GET', url: '/v1/contacts/lotta-fransson', headers: { 'if-none-match': etag } })
  t.equal(again.statusCode, 304, 'unchanged: not sent again')
  t.equal(again.body, '')
  await prisma.contact.update({ where: { id: 'lotta-fransson' }, data: { title: 'Forskare' } })
  const changed = await app.inject({ method: 'GET', url: '/v1/contacts/lotta-fransson', headers: { 'if-none-match': etag } })
  t.equal(changed.statusCode, 200, 'changed: sent again, under another ETag')
  t.equal(changed.json().title, 'Forskare')
  t.not(changed.headers.etag, etag)

  await prisma.contact.update({ where: { id: 'sofia-frolander' }, data: { active: false } })
  const inactive = await app.inject({ method: 'GET', url: '/v1/contacts/sofia-frolander' })
  const unknown = await app.inject({ method: 'GET', url: '/v1/contacts/nobody-here' })
  t.equal(inactive.statusCode, 404)
  t.same(inactive.json(), unknown.json(), 'an inactive contact and an unknown id answer alike')
  t.same(unknown.json(), { statusCode: 404, code: 'NOT_FOUND', message: 'No such contact.' })
  const malformed = await app.inject({ method: 'GET', url: '/v1/contacts/NOT%20AN%20ID' })
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().code, 'VALIDATION_FAILED')
})

t.test('the privacy notice comes in Swedish by default and in English on request, with its hash', async (t) => {
  const { app } = await buildTestApp(t)
  const sv = (await app.inject({ method: 'GET', url: '/v1/privacy-notice' })).json()
  t.match(sv, { version: '2026-11-27', locale: 'sv', text: /^Genom att skicka in formuläret behandlar RISE dina personuppgifter/ })
  t.equal(sv.sha256, sha256Hex(sv.text))
  t.match(sv.text, /180 dagar/, 'states the retention period')
  const en = (await app.inject({ method: 'GET', url: '/v1/privacy-notice?locale=en' })).json()
  t.match(en, { locale: 'en', text: /180 days/ })
  const bad = await app.inject({ method: 'GET', url: '/v1/privacy-notice?locale=fi' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'VALIDATION_FAILED', details: [{ path: 'query:locale' }] })
})

t.test('a published notice cannot be edited in the database', async (t) => {
  await buildTestApp(t)
  const prisma = await testDatabase()
  await t.rejects(prisma.privacyNotice.update({ where: { version_locale: { version: '2026-11-26', locale: 'sv' } }, data: { text: 'Changed' } }), /immutable/)
})

t.test('a CORS preflight from an allowed origin is answered', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({
    method: 'OPTIONS',
    url: '/v1/contact-requests',
    headers: { origin: 'https://www.ri.se', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' }
  })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], 'https://www.ri.se')
  t.match(String(res.headers['access-control-allow-headers']), /idempotency-key/)
})

t.test('a CORS preflight from another origin gets no permission', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({
    method: 'OPTIONS',
    url: '/v1/contact-requests',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }
  })
  t.equal(res.headers['access-control-allow-origin'], undefined)
})

t.test('every response carries security headers', async (t) => {
  const { app } = await buildTestApp(t)
  for (const url of ['/v1/contacts', '/no-such-route']) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.match(String(res.headers['strict-transport-security']), /max-age=/)
    t.match(String(res.headers['content-security-policy']), /default-src 'self'/)
  }
})

t.test('an unknown route is a JSON 404', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/v1/nothing?email=x@example.org' })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { statusCode: 404, code: 'NOT_FOUND', message: 'No route GET /v1/nothing.' })
})

t.test('liveness and readiness when all is well', async (t) => {
  const { app } = await buildTestApp(t)
  t.same((await app.inject({ method: 'GET', url: '/health/live' })).json(), { status: 'ok' })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ok', checks: { database: 'up', redis: 'up' }, outbox: { backlog: 0 } })
})

t.test('readiness names PostgreSQL when it is down', async (t) => {
  const { app } = await buildTestApp(t, { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/contact_intake' })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', checks: { database: 'down', redis: 'up' }, outbox: { backlog: null } })
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'still alive')
})

t.test('readiness names Redis when it is down', async (t) => {
  const { app } = await buildTestApp(t, { REDIS_URL: 'redis://127.0.0.1:1' })
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', checks: { database: 'up', redis: 'down' }, outbox: { backlog: 0 } })
})

t.test('readiness answers before a health probe gives up when PostgreSQL or Redis goes silent: connected, and then nothing', async (t) => {
  for (const dependency of ['database', 'redis'] as const) {
    const real = new URL(dependency === 'database' ? TEST_DATABASE_URL : TEST_REDIS_URL)
    const proxy = await silenceableProxy(t, { host: real.hostname, port: Number(real.port) })
    real.port = String(proxy.port)
    const { app } = await buildTestApp(t, dependency === 'database' ? { DATABASE_URL: real.toString() } : { REDIS_URL: real.toString() })
    t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200, `${dependency}: ready through the proxy`)
    proxy.silence()
    const started = performance.now()
    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    const ms = performance.now() - started
    t.equal(ready.statusCode, 503, dependency)
    t.match(ready.json(), { status: 'unavailable', checks: { [dependency]: 'down' } })
    t.ok(ms < PROBE_TIMEOUT_MS + 1000, `${dependency}: answered in ${Math.round(ms)} ms`)
    // Closing waits for what is still in flight against the silent host (issue 23's ground): it goes away first.
    await proxy.release()
    await app.close()
  }
})

t.test('reading the directory while PostgreSQL is down is a 503, not a 500', async (t) => {
  const { app } = await buildTestApp(t, { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/contact_intake' })
  const res = await app.inject({ method: 'GET', url: '/v1/contacts' })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'UNAVAILABLE')
})

t.test('the OpenAPI document describes the routes, their error answers and the admin key', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.match(doc, { openapi: /^3\./, info: { title: 'Contact-request intake' } })
  const paths = Object.keys(doc.paths).sort()
  t.same(paths.filter((p) => !p.startsWith('/v1/admin/')), ['/health/live', '/health/ready', '/v1/captcha/challenge', '/v1/contact-requests', '/v1/contacts', '/v1/contacts/{id}', '/v1/privacy-notice'])
  t.ok(paths.includes('/v1/admin/subjects/erase'), 'the admin API is described too')
  t.same(doc.paths['/v1/admin/purges'].post.security, [{ adminKey: [] }], 'admin routes declare the Bearer key they need')
  t.same(Object.keys(doc.paths['/v1/admin/purges'].post.responses).sort(), ['200', '400', '401', '403', '413', '415', '429', '500', '503'])
  t.equal(doc.paths['/v1/contact-requests'].post.security, undefined, 'public routes need none')
  const post = doc.paths['/v1/contact-requests'].post
  t.same(Object.keys(post.responses).sort(), ['202', '400', '403', '409', '413', '415', '422', '429', '500', '503'])
  t.ok(post.requestBody.content['application/json'].schema, 'the body schema is included')
})

t.test('at the shipped time-outs: a request has 10 s to arrive, an idle connection is closed after 5 s', async (t) => {
  const { app } = await buildTestApp(t)
  t.equal(app.server.requestTimeout, 10_000)
  t.equal(app.server.keepAliveTimeout, 5000)
})

t.test('the largest legitimate submission fits under the 64 KiB body limit', async (t) => {
  const { app } = await buildTestApp(t)
  // Every field at its longest, in the characters that cost most bytes in JSON (4-byte emoji where any
  // character may stand), with the longest CAPTCHA token and page URL the schema takes.
  const emoji = (n: number) => '😀'.repeat(n)
  const longest = submission({
    name: emoji(200),
    email: `${'a'.repeat(64)}@${'b'.repeat(186)}.se`,
    phone: `+${'1'.repeat(39)}`,
    organisation: emoji(200),
    message: emoji(10_000),
    pageUrl: `https://www.ri.se/${'p'.repeat(2048 - 'https://www.ri.se/'.length)}`,
    captcha: { provider: 'altcha', token: 'x'.repeat(16_384) }
  })
  const bytes = Buffer.byteLength(JSON.stringify(longest))
  t.ok(bytes > 60_000 && bytes <= 64 * 1024, `${bytes} bytes`)
  const res = await post(app, longest)
  t.not(res.statusCode, 413, 'read whole, not refused for its size')
  t.match([res.statusCode, res.json()], [403, { code: 'CAPTCHA_FAILED' }], 'it reaches the CAPTCHA check (the token is no solution)')
})

t.test('the pool takes its deadlines from DATABASE_CONNECT_TIMEOUT_MS and DATABASE_QUERY_TIMEOUT_MS', async (t) => {
  const { app } = await buildTestApp(t, { DATABASE_URL: TEST_DATABASE_URL, DATABASE_CONNECT_TIMEOUT_MS: '1234', DATABASE_QUERY_TIMEOUT_MS: '2345' })
  const options = (app.core.database.pool as unknown as { options: { connectionTimeoutMillis: number, query_timeout: number } }).options
  t.equal(options.connectionTimeoutMillis, 1234)
  t.equal(options.query_timeout, 2345)
})
