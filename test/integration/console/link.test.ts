// The console's one-time sign-in link from the CLI: good once, for minutes, asked for before it
// signs in, confirmed only from the browser that opened it, and audited.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp } from '../../helpers/app.js'
import { runCli } from '../../../src/cli/run.js'
import { CLI_ENV } from '../../helpers/config.js'

async function link (args: string[]): Promise<{ code: number, url: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['console', 'link', ...args], { env: { ...CLI_ENV, PUBLIC_BASE_URL: 'https://kontakt.ri.se' }, stdout: { write: (s: string) => { stdout += s } }, stderr: { write: (s: string) => { stderr += s } } })
  return { code, stderr, url: code === 0 ? (JSON.parse(stdout) as { url: string }).url : '' }
}

/** Opens the link's page as a browser would, then presses its button: the session's cookie, or the answer. */
async function follow (app: FastifyInstance, path: string) {
  const page = await app.inject({ method: 'GET', url: path })
  const nonce = /name="nonce" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
  const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
  const confirmed = await app.inject({ method: 'POST', url: path, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `nonce=${nonce}` })
  return { page, confirmed, session: confirmed.cookies.find((c) => c.name === '__Host-console') }
}

t.test('a one-time link signs in once, with its scopes; a second use is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const made = await link(['--scopes', 'requests:read,audit:read', '--name', 'Driftjour'])
  t.equal(made.code, 0, made.stderr)
  t.match(made.stderr, /Good for 10 minutes, once/)
  const path = made.url.replace('https://kontakt.ri.se', '')
  t.match(path, /^\/console\/link\/[\w-]{43}$/)

  const first = await follow(app, path)
  t.match([first.page.statusCode, first.page.body], [200, /<h1>Logga in med engångslänk<\/h1>/], 'opening it only asks')
  t.match(first.page.headers['content-security-policy'], /frame-ancestors 'none'/)
  t.equal(first.confirmed.statusCode, 303)
  t.match(first.session, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
  const inbox = await app.inject({ method: 'GET', url: '/console', headers: { cookie: `__Host-console=${first.session?.value ?? ''}` } })
  t.match([inbox.statusCode, inbox.body], [200, /Inloggad som Driftjour[\s\S]*<h1>Inkorg<\/h1>/])

  const second = await follow(app, path)
  t.match([second.confirmed.statusCode, second.confirmed.body], [404, /<h1>Länken gäller inte<\/h1>/], 'used twice: refused')
  t.equal(second.session, undefined)
  const audit = await app.core.database.prisma.auditEntry.findMany({ where: { action: { in: ['console.link.create', 'console.sign_in'] } }, orderBy: { at: 'asc' } })
  t.match(audit, [
    { action: 'console.link.create', actor: /^cli:/, outcome: 'ok' },
    { action: 'console.sign_in', actor: 'console-link:Driftjour', outcome: 'ok' },
    { action: 'console.sign_in', outcome: 'refused' }
  ])
})

t.test('the confirmation must come from the browser that opened the link; bad links and arguments are refused', async (t) => {
  const { app } = await buildTestApp(t)
  const { url } = await link(['--scopes', 'requests:read'])
  const path = url.replace('https://kontakt.ri.se', '')
  const page = await app.inject({ method: 'GET', url: path })
  const nonce = /name="nonce" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
  const elsewhere = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `nonce=${nonce}` })
  t.equal(elsewhere.statusCode, 403, 'another browser (no cookie from the page) cannot use it')
  t.equal((await follow(app, path)).confirmed.statusCode, 303, 'and the link is still good for its own browser')
  t.equal((await follow(app, '/console/link/not-a-link')).confirmed.statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/console/link/%3Cscript%3E' })).statusCode, 404)
  t.match(await link(['--scopes', 'everything']), { code: 64, stderr: /--scopes must list some of/ })
  t.match(await link(['--scopes', 'requests:read', '--minutes', '600']), { code: 64, stderr: /--minutes must be a whole number from 1 to 60/ })
})
