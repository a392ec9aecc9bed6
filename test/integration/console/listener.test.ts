// CONSOLE_PORT: the console on a listener of its own, and only there.
import t from 'tap'
import { buildTestApp } from '../../helpers/app.js'

t.test('with CONSOLE_PORT the console answers on its own port only, and that port answers nothing else', async (t) => {
  const { app } = await buildTestApp(t, { CONSOLE_PORT: '0' })
  const url = await app.consoleListener?.listen({ host: '127.0.0.1', port: 0 }) ?? ''
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/console$/)
  const origin = new URL(url).origin
  const page = await fetch(url)
  t.equal(page.status, 200)
  t.match(await page.text(), /<h1>Logga in<\/h1>/)
  t.equal((await fetch(`${origin}/demo/demo.css`)).status, 200, 'with its stylesheet')
  for (const path of ['/v1/contacts', '/', '/health/ready', '/v1/admin/contact-requests']) {
    const res = await fetch(`${origin}${path}`)
    t.equal(res.status, 404, `the console's port does not answer ${path}`)
    t.match(await res.json(), { code: 'NOT_FOUND' })
  }
  for (const path of ['/console', '/console/sign-in', '/console/link/abc']) {
    t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 404, `the public port does not answer ${path}`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/contacts' })).statusCode, 200, 'and it answers the rest as before')
})

t.test('without CONSOLE_PORT the console is on the public port', async (t) => {
  const { app } = await buildTestApp(t)
  t.equal(app.consoleListener, null)
  t.equal((await app.inject({ method: 'GET', url: '/console' })).statusCode, 200)
})
