// The console as its people meet it: signed in through a real OpenID provider started here
// (oidc-provider), in Chromium, under the console's CSP, with axe-core; a project manager sees
// their own requests only, forms need the session's CSRF token, idle sessions end, sign-out ends
// the session here and at the provider.
import t from 'tap'
import type { Page } from 'playwright-core'
import { focused, openPage, servedApp, type ServedApp } from '../../helpers/browser.js'
import { testDatabase } from '../../helpers/database.js'
import { altchaSubmission, post } from '../../helpers/app.js'
import { freePort } from '../../helpers/wait.js'
import { CLIENT, identityProvider } from '../../helpers/oidc.js'
import { databaseMentions, mailDropText, redisDump } from '../../helpers/residue.js'
import { readFile } from 'node:fs/promises'

const USERS = {
  lotta: { email: 'Lotta.Fransson@example.org', email_verified: true, name: 'Lotta Fransson', groups: [] },
  dana: { email: 'dana@ri.se', email_verified: true, name: 'Dana Dataskydd', groups: ['dataskydd'] },
  mallory: { email: 'sofia.frolander@example.org', email_verified: false, name: 'Not Sofia', groups: [] },
  erik: { email: 'erik@ri.se', email_verified: true, name: 'Erik Webbredaktör', groups: ['webb'] },
  ops: { email: 'ops@ri.se', email_verified: true, name: 'Olle Drift', groups: ['drift'] },
  all: { email: 'all@ri.se', email_verified: true, name: 'Alla Roller', groups: ['all'] }
}

async function consoleApp (t: Parameters<typeof servedApp>[0], env: Record<string, string> = {}) {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const { issuer } = await identityProvider(t, origin, USERS)
  const served = await servedApp(t, {
    PUBLIC_BASE_URL: origin,
    OIDC_ISSUER_URL: issuer,
    OIDC_CLIENT_ID: CLIENT.id,
    OIDC_CLIENT_SECRET: CLIENT.secret,
    OIDC_ROLE_SCOPES: 'dataskydd=requests:read requests:write subjects:export subjects:erase retention:purge audit:read,webb=contacts:read contacts:write',
    ...env
  }, { port })
  const submit = async (contactId: string, message: string) =>
    (await post(served.app, await altchaSubmission(served.app, { contactId, message }))).json<{ id: string }>().id
  return { served, submit }
}

/**
 * Signs in at the provider's own login and consent pages, as a person would. Those pages import a
 * web font from Google: the browser may reach loopback only, so every other request is aborted.
 */
async function signIn (page: Page, served: ServedApp, login: string): Promise<void> {
  await page.context().route((url) => url.hostname !== '127.0.0.1', async (route) => { await route.abort() })
  await page.goto(`${served.origin}/console`)
  await page.getByRole('link', { name: 'Logga in' }).click()
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any')
  await page.locator('button[type="submit"]').click()
  await page.locator('button[type="submit"]').click() // the provider's consent
  await page.waitForURL(new RegExp(`^${served.origin}/console`))
}

const sessionCookie = async (page: Page) => (await page.context().cookies()).find((c) => c.name === '__Host-console')

t.test('a project manager signs in, sees only her own requests, takes one; another\'s by URL is a 403, audited', async (t) => {
  const { served, submit } = await consoleApp(t)
  const own = await submit('lotta-fransson', 'Till Lotta: hur anmäler jag mig?')
  const others = await submit('sofia-frolander', 'Till Sofia: en helt annan fråga')
  const { page, problems, axe } = await openPage(t)

  await page.goto(`${served.origin}/console`)
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor()
  t.same(await axe(), [], 'axe: the sign-in page')
  await signIn(page, served, 'lotta')
  // What the provider's pages logged (their blocked web font) is not the console's to answer for.
  const onProvider = problems().length
  await page.getByRole('heading', { level: 1, name: 'Inkorg' }).waitFor()
  t.match(await page.locator('header').innerText(), /Inloggad som Lotta Fransson/)
  const rows = page.getByRole('table').getByRole('row')
  t.equal(await rows.count(), 2, 'a header and one request: hers')
  t.notMatch(await page.locator('main').innerText(), /Till Lotta|Till Sofia/, 'no message text in the list')
  t.same(await axe(), [], 'axe: the inbox')
  const cookie = await sessionCookie(page)
  t.match(cookie, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' }, 'a __Host- cookie, HttpOnly, Secure, SameSite=Lax')

  await page.getByRole('link', { name: /^Öppna/ }).click()
  await page.getByRole('heading', { level: 1, name: 'Förfrågan från Anna Andersson' }).waitFor()
  t.match(await page.locator('main').innerText(), /Till Lotta: hur anmäler jag mig\?/)
  t.same(await axe(), [], 'axe: the request')
  await page.getByRole('button', { name: 'Jag tar den' }).click()
  await page.getByRole('status').getByText('Du har tagit förfrågan.').waitFor()
  t.match(await (await testDatabase()).contactRequest.findUniqueOrThrow({ where: { id: own } }), { status: 'taken', handler: 'contact:lotta-fransson' })

  const refused = await page.goto(`${served.origin}/console/requests/${others}`)
  t.equal(refused?.status(), 403)
  await page.getByRole('heading', { level: 1, name: 'Ingen behörighet' }).waitFor()
  t.notMatch(await page.content(), /en helt annan fråga/)
  const audited = await (await testDatabase()).auditEntry.findMany({ where: { targetId: others, action: 'console.requests.read' } })
  t.match(audited, [{ actor: 'console:lotta.fransson@example.org', outcome: 'refused' }], 'the attempt is audited as her')
  t.match(refused?.headers(), { 'cache-control': 'no-store', 'content-security-policy': /default-src 'none'.*frame-ancestors 'none'/ })
  t.same(problems().slice(onProvider).filter((p) => !/status of 403/.test(p)), [], 'no CSP violation or console error on the console\'s pages')
})

t.test('a form without the session\'s CSRF token is refused; an unverified e-mail is nobody\'s contact', async (t) => {
  const { served, submit } = await consoleApp(t)
  const id = await submit('lotta-fransson', 'En fråga')
  const { page } = await openPage(t)
  await signIn(page, served, 'lotta')
  const cookie = `__Host-console=${(await sessionCookie(page))?.value ?? ''}`
  const token = await page.goto(`${served.origin}/console/requests/${id}`).then(async () => await page.locator('input[name="_csrf"]').first().inputValue())
  const attempt = async (csrf?: string) => await served.app.inject({
    method: 'POST', url: `/console/requests/${id}/answer`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: csrf === undefined ? '' : `_csrf=${csrf}`
  })
  t.equal((await attempt()).statusCode, 403, 'no token')
  t.equal((await attempt(token.replace(/^./, (c) => c === 'A' ? 'B' : 'A'))).statusCode, 403, 'a wrong token')
  t.equal((await (await testDatabase()).contactRequest.findUniqueOrThrow({ where: { id } })).status, 'received', 'nothing changed')
  const accepted = await attempt(token)
  t.match([accepted.statusCode, accepted.headers.location], [303, `/console/requests/${id}?done=answer`], 'the session\'s own token')

  const { page: other } = await openPage(t)
  await signIn(other, served, 'mallory')
  await other.getByRole('heading', { level: 1, name: 'Ingen behörighet' }).waitFor()
  t.pass('an unverified e-mail claim that names a contact opens nothing')
})

t.test('the privacy officer sees every request; signing out ends the session here and at the provider', async (t) => {
  const { served, submit } = await consoleApp(t)
  await submit('lotta-fransson', 'Ett')
  await submit('sofia-frolander', 'Två')
  const { page, axe } = await openPage(t)
  await signIn(page, served, 'dana')
  t.equal(await page.getByRole('table').getByRole('row').count(), 3, 'both requests')
  const before = await sessionCookie(page)
  await page.getByRole('button', { name: 'Logga ut' }).click()
  // The provider asks whether to sign out there too.
  await page.waitForURL((url) => url.origin !== served.origin)
  await page.getByRole('button', { name: 'Yes, sign me out' }).click()
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor()
  t.same(await axe(), [])
  const replayed = await served.app.inject({ method: 'GET', url: '/console', headers: { cookie: `__Host-console=${before?.value ?? ''}` } })
  t.match(replayed.body, /<h1>Logga in<\/h1>/, 'the old cookie opens nothing')
  t.equal((await (await testDatabase()).auditEntry.count({ where: { action: 'console.sign_out', actor: 'console:dana@ri.se' } })), 1)
  await page.getByRole('link', { name: 'Logga in' }).click()
  await page.locator('input[name="login"]').waitFor()
  t.pass('signing in again asks for the login: the provider\'s session ended too')
})

t.test('an idle session expires to the sign-in page, which says why', async (t) => {
  const { served } = await consoleApp(t, { CONSOLE_IDLE_SECONDS: '2' })
  const { page } = await openPage(t)
  await signIn(page, served, 'dana')
  await page.getByRole('heading', { level: 1, name: 'Inkorg' }).waitFor()
  await new Promise((resolve) => setTimeout(resolve, 2500))
  await page.goto(`${served.origin}/console`)
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor()
  t.match(await page.locator('main').innerText(), /Du har loggats ut eftersom du inte har använt konsolen på ett tag/)
})

t.test('the privacy officer exports and erases a subject, each after a page that says what will happen; then the address is nowhere', async (t) => {
  const { served } = await consoleApp(t)
  const email = 'bertil.berg@example.se'
  for (const message of ['Första frågan', 'Andra frågan']) await post(served.app, await altchaSubmission(served.app, { email, name: 'Bertil Berg', message }))
  const { page, problems, axe } = await openPage(t)
  await signIn(page, served, 'dana')
  const onProvider = problems().length
  await page.getByRole('navigation').getByRole('link', { name: 'Registrerades rättigheter' }).click()
  await page.getByRole('heading', { level: 1, name: 'Registrerades rättigheter' }).waitFor()
  t.same(await axe(), [], 'axe: the form')

  // Nothing filled in: the error summary says what, and links to the fields.
  await page.getByRole('button', { name: 'Fortsätt' }).click()
  await page.getByRole('alert').getByRole('heading', { name: 'Det finns ett problem' }).waitFor()
  t.same(await axe(), [], 'axe: the form with its errors')
  await page.getByRole('alert').getByRole('link', { name: /Ange en e-postadress/ }).click()
  t.equal(await page.evaluate('document.activeElement.id'), 'email', 'the summary\'s link leads to the field')

  await page.getByLabel('E-postadress').fill(email)
  await page.getByLabel('Exportera allt om adressen').check()
  await page.getByRole('button', { name: 'Fortsätt' }).click()
  await page.getByRole('heading', { level: 1, name: 'Kontrollera innan du fortsätter' }).waitFor()
  t.match(await page.locator('main').innerText(), /2 förfrågningar, ingen under rättsligt skydd/)
  t.same(await axe(), [], 'axe: the check page')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Exportera' }).click()])
  const document = JSON.parse(await readFile(await download.path(), 'utf8')) as { email: string, requests: Array<{ message: string }> }
  t.equal(document.email, email)
  t.same(document.requests.map((r) => r.message), ['Första frågan', 'Andra frågan'], 'the download holds both requests')

  await page.goto(`${served.origin}/console/subjects`)
  await page.getByLabel('E-postadress').fill(email)
  await page.getByLabel('Radera allt om adressen').check()
  await page.getByRole('button', { name: 'Fortsätt' }).click()
  await page.getByText('Allt raderas nu, i databasen, i köerna och i e-postkopiorna. Det går inte att ångra.').waitFor()
  await page.getByRole('button', { name: 'Radera allt' }).click()
  await page.getByRole('status').getByText('2 förfrågningar raderades.').waitFor()
  t.same(await axe(), [], 'axe: the confirmation')

  t.same(await databaseMentions(email), [], 'no table mentions the address')
  t.notMatch(await redisDump(served.app.core.redis, served.config.QUEUE_PREFIX), email, 'nor does Redis')
  t.notMatch(await mailDropText(served.config.MAIL_DROP_DIR), email, 'nor the mail drop')
  const audited = await (await testDatabase()).auditEntry.findMany({ where: { action: { in: ['subjects.export', 'subjects.erase'] } }, orderBy: { at: 'asc' } })
  t.match(audited, [{ action: 'subjects.export', actor: 'console:dana@ri.se' }, { action: 'subjects.erase', actor: 'console:dana@ri.se' }], 'audited as her')
  t.same(problems().slice(onProvider).filter((p) => !/status of 400/.test(p)), [], 'no CSP violation or console error (but the form\'s own 400)')
})

t.test('at 320 CSS pixels every console page reflows without horizontal scrolling', async (t) => {
  const { served, submit } = await consoleApp(t, { OIDC_ROLE_SCOPES: 'all=requests:read requests:write subjects:export subjects:erase retention:purge contacts:read contacts:write webhooks:read webhooks:write audit:read' })
  const id = await submit('lotta-fransson', 'En ganska lång fråga om Akademin för Livslångt Lärande och hur man anmäler sig till kursen')
  const endpoint = await served.app.services.webhookEndpoints.create({ url: 'http://127.0.0.1:9/a-rather-long-path/for-the-receiver', events: ['contact_request.received'], description: '', contactId: null, payloadMode: 'thin' }, 'test')
  const { page, axe } = await openPage(t, { viewport: { width: 320, height: 640 } })
  await signIn(page, served, 'all')
  const pages = ['/console', `/console/requests/${id}`, `/console/requests/${id}/withdraw`, '/console/subjects', '/console/quarantine', '/console/retention',
    '/console/directory', '/console/directory/lotta-fransson', '/console/keys', '/console/webhooks', `/console/webhooks?endpoint=${endpoint.endpoint.id}`, '/console/audit']
  for (const path of pages) {
    await page.goto(`${served.origin}${path}`)
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as number
    const wide = await page.evaluate('[...document.querySelectorAll(\'body *\')].filter((el) => el.closest(\'table\') === null && el.getBoundingClientRect().right > document.documentElement.clientWidth).map((el) => el.tagName + \'.\' + el.className + \'#\' + el.id).slice(0, 5)')
    t.equal(overflow, 0, `${path}: no horizontal scrolling ${JSON.stringify(wide)}`)
    t.same(await axe(), [], `${path}: axe at 320 px`)
  }
})

t.test('the privacy officer changes a request from its page: legal hold, restriction, spam and release, close, and erasure after a warning', async (t) => {
  const { served, submit } = await consoleApp(t)
  const id = await submit('lotta-fransson', 'En fråga som ska hållas kvar en tid')
  const { page, problems, axe } = await openPage(t)
  await signIn(page, served, 'dana')
  const onProvider = problems().length
  const row = async () => await (await testDatabase()).contactRequest.findUnique({ where: { id } })
  await page.goto(`${served.origin}/console/requests/${id}`)
  await page.getByRole('heading', { level: 2, name: 'Administrera' }).waitFor()
  t.same(await axe(), [], 'axe: a request with its admin forms')

  await page.getByRole('button', { name: 'Sätt rättsligt skydd' }).click()
  t.equal((await row())?.legalHoldReason, null, 'the browser asks for the reason first (required)')
  await page.getByLabel('Skäl för rättsligt skydd (t.ex. diarienummer)').fill('Dnr 2026/123')
  await page.getByRole('button', { name: 'Sätt rättsligt skydd' }).click()
  await page.getByRole('status').getByText('Förfrågan har rättsligt skydd.').waitFor()
  t.match(await row(), { legalHoldReason: 'Dnr 2026/123' })

  await page.getByRole('link', { name: 'Radera förfrågan (samtycket återkallat)' }).click()
  await page.getByRole('heading', { level: 1, name: 'Radera förfrågan?' }).waitFor()
  t.same(await axe(), [], 'axe: the warning before an erasure')
  await page.getByRole('button', { name: 'Radera förfrågan' }).click()
  await page.getByRole('status').getByText(/har rättsligt skydd och kan inte raderas/).waitFor()
  t.ok(await row(), 'a legal hold keeps it')

  await page.getByRole('button', { name: 'Häv rättsligt skydd' }).click()
  await page.getByRole('status').getByText('Det rättsliga skyddet är hävt.').waitFor()
  await page.getByRole('button', { name: 'Begränsa behandlingen' }).click()
  await page.getByRole('status').getByText('Behandlingen är begränsad.').waitFor()
  t.ok((await row())?.restrictedAt)
  await page.getByRole('button', { name: 'Markera som skräppost' }).click()
  await page.getByRole('status').getByText('Förfrågan är markerad som skräppost.').waitFor()
  t.equal((await row())?.status, 'quarantined')
  await page.getByRole('button', { name: 'Släpp ur karantänen' }).click()
  await page.getByRole('status').getByText(/släppt ur karantänen/).waitFor()
  await page.getByRole('button', { name: 'Avsluta' }).click()
  await page.getByRole('status').getByText('Förfrågan är avslutad.').waitFor()
  t.match(await row(), { status: 'closed', closedAt: Date })

  await page.getByRole('link', { name: 'Radera förfrågan (samtycket återkallat)' }).click()
  await page.getByRole('button', { name: 'Radera förfrågan' }).click()
  await page.getByRole('status').getByText('Förfrågan är raderad.').waitFor()
  t.equal(await row(), null, 'erased')
  const actions = (await (await testDatabase()).auditEntry.findMany({ where: { targetId: id, actor: 'console:dana@ri.se', action: { startsWith: 'requests.' } }, orderBy: { at: 'asc' } })).map((a) => a.action)
  t.same(actions, ['requests.legal_hold.set', 'requests.withdraw_consent', 'requests.legal_hold.lift', 'requests.restriction.set', 'requests.spam.mark_spam', 'requests.spam.release', 'requests.status', 'requests.withdraw_consent'], 'each change audited as her')
  t.same(problems().slice(onProvider), [])
})

t.test('the quarantine, retention and the audit log: empty, filled and after a run, with the keyboard and axe', async (t) => {
  const { served, submit } = await consoleApp(t)
  const expired = await submit('lotta-fransson', 'En gammal fråga')
  await (await testDatabase()).contactRequest.update({ where: { id: expired }, data: { retainUntil: new Date(Date.now() - 86_400_000) } })
  const { page, problems, axe } = await openPage(t)
  await signIn(page, served, 'dana')
  const onProvider = problems().length
  const nav = page.getByRole('navigation', { name: 'Konsolen' })

  await nav.getByRole('link', { name: 'Skräppost' }).click()
  await page.getByText('Karantänen är tom.').waitFor()
  t.same(await axe(), [], 'axe: an empty quarantine')

  await nav.getByRole('link', { name: 'Gallring' }).click()
  await page.getByRole('heading', { level: 1, name: 'Gallring' }).waitFor()
  t.same(await axe(), [], 'axe: retention before any run')
  await page.getByRole('button', { name: 'Provkör' }).focus()
  await page.keyboard.press('Enter')
  await page.getByRole('status').getByText('En förfrågan').waitFor()
  t.ok(await (await testDatabase()).contactRequest.findUnique({ where: { id: expired } }), 'a dry run deletes nothing')
  t.same(await axe(), [], 'axe: the dry run\'s answer')
  await page.getByRole('button', { name: 'Gallra nu' }).click()
  await page.getByRole('status').getByText('Gallrat: en förfrågan.').waitFor()
  t.equal(await (await testDatabase()).contactRequest.findUnique({ where: { id: expired } }), null, 'the run deletes it')
  t.equal(await page.getByRole('table').getByRole('row').count(), 3, 'both runs in the history')

  await nav.getByRole('link', { name: 'Granskningslogg' }).click()
  await page.getByLabel('Åtgärd, t.ex. console.requests.read').fill('retention.purge')
  await page.getByRole('button', { name: 'Filtrera' }).click()
  await page.getByRole('table').waitFor()
  t.match(await page.getByRole('table').innerText(), /console:dana@ri\.se\s+retention\.purge/, 'the purges, as her')
  t.same(await axe(), [], 'axe: the audit log')
  t.same(problems().slice(onProvider), [])
})

t.test('a web editor deactivates a contact who left; a change that breaks the directory\'s rules is refused with the reason', async (t) => {
  const { served } = await consoleApp(t)
  const { page, problems, axe } = await openPage(t)
  await signIn(page, served, 'erik')
  const onProvider = problems().length
  await page.getByRole('navigation', { name: 'Konsolen' }).getByRole('link', { name: 'Katalog' }).click()
  await page.getByRole('heading', { level: 1, name: 'Katalog' }).waitFor()
  t.same(await axe(), [], 'axe: the directory')
  await page.getByRole('link', { name: 'Ändra Sofia Frölander' }).click()
  await page.getByRole('heading', { level: 1, name: 'Sofia Frölander' }).waitFor()
  t.same(await axe(), [], 'axe: a contact\'s form')
  await page.getByLabel('Tar emot förfrågningar').uncheck()
  await page.getByLabel('Svarstid i arbetsdagar (tom: standard)').fill('5')
  await page.getByRole('button', { name: 'Spara' }).click()
  await page.getByRole('status').getByText('Sofia Frölander är ändrad.').waitFor()
  t.match(await (await testDatabase()).contact.findUniqueOrThrow({ where: { id: 'sofia-frolander' } }), { active: false, responseDays: 5 })

  // Lotta's delegate is Sofia: Sofia's cannot be Lotta.
  await page.getByRole('link', { name: 'Ändra Sofia Frölander' }).click()
  await page.getByLabel('Ersättare', { exact: true }).selectOption('lotta-fransson')
  await page.getByRole('button', { name: 'Spara' }).click()
  await page.getByRole('alert').getByText('sofia-frolander: delegation cycle with lotta-fransson').waitFor()
  t.same(await axe(), [], 'axe: the form with its error summary')
  t.equal((await (await testDatabase()).contact.findUniqueOrThrow({ where: { id: 'sofia-frolander' } })).delegateId, null, 'nothing changed')
  t.equal(await page.getByRole('navigation', { name: 'Konsolen' }).getByRole('link', { name: 'Inkorg' }).count(), 1)
  const inbox = await page.goto(`${served.origin}/console`)
  t.equal(inbox?.status(), 403, 'no role that reads requests: the inbox is not his')
  await page.goto(`${served.origin}/console/audit`)
  await page.getByRole('heading', { level: 1, name: 'Ingen behörighet' }).waitFor()
  t.match(await (await testDatabase()).auditEntry.findMany({ where: { action: 'console.page', actor: 'console:erik@ri.se' } }), [{ outcome: 'refused', detail: { page: '/console/audit', scope: 'audit:read' } }], 'a page his scopes do not open is refused, audited')
  t.same(problems().slice(onProvider).filter((p) => !/status of (400|403)/.test(p)), [])
})

t.test('keys and webhooks: a key is shown once, then only its start, and revoked; a webhook\'s deliveries, its replay and a new secret shown once', async (t) => {
  const { served, submit } = await consoleApp(t, { OIDC_ROLE_SCOPES: 'drift=requests:read requests:write audit:read webhooks:read webhooks:write' })
  const created = await served.app.services.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hook', events: ['contact_request.received'], description: '', contactId: null, payloadMode: 'thin' }, 'test')
  await submit('lotta-fransson', 'En fråga som en webhook får höra om')
  const { page, problems, axe } = await openPage(t)
  await signIn(page, served, 'ops')
  const onProvider = problems().length
  const nav = page.getByRole('navigation', { name: 'Konsolen' })

  await nav.getByRole('link', { name: 'API-nycklar' }).click()
  await page.getByText('Inga nycklar.').waitFor()
  t.same(await axe(), [], 'axe: no keys yet')
  await page.getByRole('button', { name: 'Skapa nyckel' }).click()
  await page.getByRole('alert').getByText('Ange ett namn på en rad').waitFor()
  t.same(await axe(), [], 'axe: the form\'s errors')
  await page.getByLabel('Vem eller vad nyckeln är till').fill('Ärendesystemet')
  await page.getByLabel('requests:read').check()
  await page.getByLabel('audit:read').check()
  await page.getByRole('button', { name: 'Skapa nyckel' }).click()
  const key = await page.getByRole('status').locator('code').innerText()
  t.match(key, /^cik_/, 'the key, shown once')
  t.equal((await served.app.inject({ method: 'GET', url: '/v1/admin/audit', headers: { authorization: `Bearer ${key}` } })).statusCode, 200, 'and it opens the admin API')
  await page.goto(`${served.origin}/console/keys`)
  t.notMatch(await page.content(), key, 'never again')
  t.match(await page.getByRole('table').innerText(), /Ärendesystemet[\s\S]*requests:read audit:read|Ärendesystemet[\s\S]*audit:read requests:read/)
  await page.getByRole('button', { name: 'Återkalla Ärendesystemet' }).click()
  await page.getByRole('status').getByText('Nyckeln är återkallad.').waitFor()
  t.equal((await served.app.inject({ method: 'GET', url: '/v1/admin/audit', headers: { authorization: `Bearer ${key}` } })).statusCode, 401, 'revoked')

  await nav.getByRole('link', { name: 'Webhooks' }).click()
  await page.getByRole('link', { name: 'Leveranser http://127.0.0.1:9' }).click()
  await page.getByRole('heading', { level: 2, name: 'Leveranser' }).waitFor()
  t.match(await page.getByRole('table').nth(1).innerText(), /contact_request\.received/)
  t.same(await axe(), [], 'axe: the deliveries')
  await page.getByRole('button', { name: 'Byt hemlighet http://127.0.0.1:9' }).click()
  const secret = await page.getByRole('status').locator('code').innerText()
  t.match(secret, /^whsec_/, 'the new secret, shown once')
  t.match(await (await testDatabase()).auditEntry.findMany({ where: { targetId: created.endpoint.id, action: 'webhooks.rotate_secret' } }), [{ actor: 'console:ops@ri.se', outcome: 'ok' }])
  t.same(problems().slice(onProvider).filter((p) => !/status of 400/.test(p)), [])
})

t.test('with the keyboard only: sign in, open a request from the inbox, take it, and answer a data-subject request', async (t) => {
  const { served, submit } = await consoleApp(t)
  await submit('lotta-fransson', 'En fråga som tas med tangentbordet')
  const { page } = await openPage(t)
  await page.context().route((url) => url.hostname !== '127.0.0.1', async (route) => { await route.abort() })
  await page.goto(`${served.origin}/console`)
  await page.keyboard.press('Tab') // the brand link
  await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Logga in', 'the sign-in link is the second stop')
  await page.keyboard.press('Enter')
  // The provider's own form, by keyboard too.
  await page.locator('input[name="login"]').waitFor()
  await page.keyboard.type('lotta')
  await page.keyboard.press('Tab')
  await page.keyboard.type('any')
  await page.keyboard.press('Enter')
  await page.locator('button[type="submit"]').waitFor()
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { level: 1, name: 'Inkorg' }).waitFor()

  // Tab to the first request's link and open it.
  for (let i = 0; i < 30 && !/^Öppna/.test(await focused(page)); i++) await page.keyboard.press('Tab')
  t.match(await focused(page), /^Öppna/, 'the request\'s link is reached by Tab')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { level: 1, name: /Förfrågan från/ }).waitFor()
  for (let i = 0; i < 30 && await focused(page) !== 'Jag tar den'; i++) await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Jag tar den')
  await page.keyboard.press('Enter')
  await page.getByRole('status').getByText('Du har tagit förfrågan.').waitFor()

  // Sign out by keyboard too: Tab reaches the header's button.
  await page.keyboard.press('Shift+Tab')
  for (let i = 0; i < 40 && await focused(page) !== 'Logga ut'; i++) await page.keyboard.press('Shift+Tab')
  t.equal(await focused(page), 'Logga ut', 'the sign-out button is reached by keyboard')
})

t.test('with the keyboard only, the privacy officer exports an address: the radio group and the check page', async (t) => {
  const { served } = await consoleApp(t)
  await post(served.app, await altchaSubmission(served.app, { email: 'karin@example.se', message: 'Karins fråga' }))
  const { page } = await openPage(t)
  await signIn(page, served, 'dana')
  await page.goto(`${served.origin}/console/subjects`)
  for (let i = 0; i < 30 && await focused(page) !== 'E-postadress'; i++) await page.keyboard.press('Tab')
  t.equal(await focused(page), 'E-postadress')
  await page.keyboard.type('karin@example.se')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Space')
  t.equal(await focused(page), 'Exportera allt om adressen', 'the first choice, chosen with Space')
  await page.keyboard.press('ArrowDown')
  t.equal(await focused(page), 'Radera allt om adressen', 'the arrow keys move within the group')
  await page.keyboard.press('ArrowUp')
  await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Fortsätt')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { level: 1, name: 'Kontrollera innan du fortsätter' }).waitFor()
  for (let i = 0; i < 30 && await focused(page) !== 'Exportera'; i++) await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Exportera')
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')])
  t.match(JSON.parse(await readFile(await download.path(), 'utf8')), { email: 'karin@example.se', requests: [{ message: 'Karins fråga' }] })
})
