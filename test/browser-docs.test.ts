// The API reference as a developer meets it: /docs in Chromium, under its own CSP, every asset from
// this service, every public route listed; off with DOCS_ENABLED=false.
import t from 'tap'
import { openPage, servedApp } from './helpers/browser.js'
import { buildTestApp } from './helpers/app.js'

t.test('/docs renders the API reference from the service alone, with no CSP violation', async (t) => {
  const served = await servedApp(t)
  const { page, problems } = await openPage(t)
  const requested: string[] = []
  page.on('request', (request) => { requested.push(request.url()) })
  const response = await page.goto(`${served.origin}/docs`)
  t.match(response?.headers()['content-security-policy'], /default-src 'none'; script-src 'self'/)
  await page.getByRole('heading', { name: /Contact-request intake/ }).waitFor()
  await page.getByText('/v1/contact-requests').first().waitFor()
  t.ok(await page.getByText('Submit a contact form').isVisible(), 'the intake route is listed with its summary')
  t.ok(await page.getByText('/v1/admin/webhooks').first().isVisible(), 'the admin routes too')

  // A developer opens one operation and reads its answer schema.
  await page.getByRole('button', { name: /POST \/v1\/contact-requests/ }).first().click()
  await page.getByText('Idempotency-Key', { exact: false }).first().waitFor()

  t.same(requested.filter((url) => !url.startsWith(served.origin) && !url.startsWith('data:')), [], 'nothing from elsewhere')
  t.same(problems(), [], 'no CSP violation, console error or page error')
})

t.test('DOCS_ENABLED=false leaves /docs out; the OpenAPI document stays', async (t) => {
  const { app } = await buildTestApp(t, { DOCS_ENABLED: 'false' })
  t.equal((await app.inject({ method: 'GET', url: '/docs' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200)
})
