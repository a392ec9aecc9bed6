// The website side over HTTP: the demo page's CSP, the embed assets' headers, and the public contact cards.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { buildTestApp } from '../../helpers/app.js'
import { testDatabase } from '../../helpers/database.js'

const build = JSON.parse(await readFile('dist/web/embed/build.json', 'utf8').catch(() => {
  throw new Error('dist/web is not built: run `npm run build:web` (npm test does it first)')
})) as { assets: string, entryGzipBytes: number, budgetGzipBytes: number }

t.test('the demo page shows a card per contact, built with the embed script, under a strict CSP', async (t) => {
  const { app } = await buildTestApp(t, { FRAME_ANCESTORS: 'https://www.ri.se' })
  for (const [url, lang, button] of [['/', 'sv', 'Kontakta Lotta'], ['/en', 'en', 'Contact Lotta']] as const) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
    t.same(String(res.headers['content-security-policy']).split(';').sort(), [
      "base-uri 'none'", "connect-src 'self'", "default-src 'none'", "form-action 'self'", 'frame-ancestors https://www.ri.se',
      "img-src 'self'", "script-src 'self'", "style-src 'self'", "worker-src 'self'"
    ])
    t.match(res.body, `<html lang="${lang}">`)
    t.match(res.body, '<script src="/embed/v1/contact-form.js" defer></script>')
    t.match(res.body, `<summary>${button}</summary>`)
    t.match(res.body, 'data-contact-form data-contact-id="lotta-fransson"')
    t.match(res.body, '<a href="tel:+46724511936">+46 72 451 19 36</a>')
    t.notMatch(res.body, /@example\.org/, 'no e-mail address of a contact')
  }
})

t.test('the demo page shows the first contacts by name, or the ones its query names, however large the directory', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  await prisma.contact.createMany({
    data: Array.from({ length: 40 }, (_, i) => ({
      id: `contact-${String(i).padStart(2, '0')}`, name: `Aa Kontakt ${String(i).padStart(2, '0')}`, title: 'Forskare', email: `c${i}@example.org`
    }))
  })
  const cards = (body: string) => [...body.matchAll(/data-contact-id="([^"]+)"/g)].map((m) => m[1])
  const first = cards((await app.inject({ method: 'GET', url: '/' })).body)
  t.same(first, Array.from({ length: 12 }, (_, i) => `contact-${String(i).padStart(2, '0')}`), 'the first twelve by name')
  const named = cards((await app.inject({ method: 'GET', url: '/en?contacts=sofia-frolander,contact-39' })).body)
  t.same(named, ['contact-39', 'sofia-frolander'], 'the ones the query names, by name')
  t.same(cards((await app.inject({ method: 'GET', url: '/?contacts=' })).body), first, 'an empty list names none: the first twelve again')
  const refused = await app.inject({ method: 'GET', url: '/?contacts=<script>' })
  t.equal(refused.statusCode, 400)
})

t.test('frame-ancestors defaults to none', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/' })
  t.match(String(res.headers['content-security-policy']), "frame-ancestors 'none'")
})

t.test('the embed script is cached briefly, everything it loads for good, and all of it may be used from other origins', async (t) => {
  const { app } = await buildTestApp(t)
  const expected: Array<[string, RegExp, string]> = [
    ['/embed/v1/contact-form.js', /^application\/javascript/, 'public, max-age=300'],
    ['/embed/v1/contact-form.css', /^text\/css/, 'public, max-age=300'],
    [`/embed/v1/${build.assets}/altcha.min.js`, /^application\/javascript/, 'public, max-age=31536000, immutable'],
    [`/embed/v1/${build.assets}/altcha.css`, /^text\/css/, 'public, max-age=31536000, immutable'],
    [`/embed/v1/${build.assets}/contact-form.css`, /^text\/css/, 'public, max-age=31536000, immutable'],
    [`/embed/v1/${build.assets}/pbkdf2.js`, /^application\/javascript/, 'public, max-age=31536000, immutable'],
    [`/embed/v1/${build.assets}/solver.js`, /^application\/javascript/, 'public, max-age=31536000, immutable']
  ]
  for (const [url, type, cache] of expected) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, url)
    t.match(res.headers['content-type'], type, url)
    t.equal(res.headers['cache-control'], cache, url)
    t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', url)
    t.ok(res.headers.etag, `${url} can be revalidated`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/embed/v1/build.json' })).statusCode, 404, 'the build report is not served')
  t.equal((await app.inject({ method: 'GET', url: '/embed/v1/../../package.json' })).statusCode, 404)
})

t.test('every other route keeps the API\'s headers', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/v1/contacts' })
  t.match(String(res.headers['content-security-policy']), /default-src 'self'/)
  t.equal(res.headers['cross-origin-resource-policy'], 'same-origin')
})

t.test('a cross-origin form can read when to retry', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/v1/contact-requests', headers: { origin: 'https://www.ri.se', 'content-type': 'application/json' }, payload: '{}' })
  t.equal(res.headers['access-control-allow-origin'], 'https://www.ri.se')
  t.equal(res.headers['access-control-expose-headers'], 'retry-after')
})

t.test('the embed script is within its size budget', async (t) => {
  t.ok(build.entryGzipBytes <= build.budgetGzipBytes, `${build.entryGzipBytes} B gzip of ${build.budgetGzipBytes}`)
})
