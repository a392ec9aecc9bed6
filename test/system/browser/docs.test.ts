// The API reference as a developer meets it: /docs in Chromium, under its own CSP, every asset from
// this service, every route listed, opened with the keyboard, checked with axe-core; off with DOCS_ENABLED=false.
import t from 'tap'
import { focused, openPage, servedApp } from '../../helpers/browser.js'
import { buildTestApp } from '../../helpers/app.js'

t.test('/docs renders the API reference from the service alone: no CSP violation, no axe violation, the keyboard opens an operation', async (t) => {
  const served = await servedApp(t)
  const { page, problems, axe } = await openPage(t)
  const requested: string[] = []
  page.on('request', (request) => { requested.push(request.url()) })
  const response = await page.goto(`${served.origin}/docs`)
  t.match(response?.headers()['content-security-policy'], /default-src 'none'; script-src 'self'/)
  await page.getByRole('heading', { name: /Contact-request intake/ }).waitFor()
  const intake = page.getByRole('button', { name: /POST \/v1\/contact-requests Submit a contact form/ })
  await intake.waitFor()
  t.ok(await page.getByText('/v1/admin/webhooks').first().isVisible(), 'the admin routes are listed too')
  t.same(await axe(), [], 'the list of operations passes axe')

  // A developer tabs to the intake and opens it with Enter: its parameters and answers show.
  await intake.focus()
  t.match(await focused(page), /POST\s*\/v1\/contact-requests/)
  await page.keyboard.press('Enter')
  await page.getByText('Idempotency-Key', { exact: false }).first().waitFor()
  t.same(await axe(), [], 'the open operation passes axe')

  t.same(requested.filter((url) => !url.startsWith(served.origin) && !url.startsWith('data:')), [], 'nothing from elsewhere')
  t.same(problems(), [], 'no CSP violation, console error or page error')
})

t.test('DOCS_ENABLED=false leaves /docs out; the OpenAPI document stays', async (t) => {
  const { app } = await buildTestApp(t, { DOCS_ENABLED: 'false' })
  t.equal((await app.inject({ method: 'GET', url: '/docs' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200)
})
