// The contact form as a person meets it: a real Chromium on the demo page, the real
// service behind it, and what was stored and mailed afterwards.
import t from 'tap'
import type { Locator, Page } from 'playwright-core'
import { focused, openPage, servedApp, type ServedApp } from '../../helpers/browser.js'
import { testDatabase } from '../../helpers/database.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { submission } from '../../helpers/app.js'
import { eventually } from '../../helpers/wait.js'

const SV = { path: '/', captcha: 'Jag är inte en robot', verified: 'Verifierad', send: 'Skicka', consent: /Genom att skicka in formuläret behandlar RISE/ }
const EN = { path: '/en', captcha: "I'm not a robot", verified: 'Verified', send: 'Send', consent: /By submitting this form you allow RISE/ }

/** Opens a contact's form from its card, as a person would, and waits until it can be used. */
async function openForm (page: Page, served: ServedApp, texts: typeof SV, contact: string, opener: string, beforeOpening = async () => {}): Promise<Locator> {
  await page.goto(`${served.origin}${texts.path}`)
  await page.locator('[data-contact-form] form').first().waitFor({ state: 'attached' })
  await beforeOpening()
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: contact }) })
  await card.getByText(opener, { exact: true }).click()
  await card.getByText(texts.captcha).waitFor()
  return card
}

async function fillIn (card: Locator, fields: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(fields)) await card.getByRole('textbox', { name: label, exact: true }).fill(value)
}

/** The demo page, on a fresh service, with Lotta's form open. */
async function lottasForm (t: Parameters<typeof servedApp>[0], env: Record<string, string> = {}) {
  const served = await servedApp(t, env)
  const { page, problems } = await openPage(t)
  return { page, problems, served, card: await openForm(page, served, SV, 'Lotta Fransson', 'Kontakta Lotta') }
}

const storedRequests = async () => await (await testDatabase()).contactRequest.findMany({ include: { consent: true }, orderBy: { receivedAt: 'asc' } })

t.test('Anna writes to Lotta in Swedish: a receipt with the deletion date, the request stored, Lotta mailed', async (t) => {
  const served = await servedApp(t)
  const sink = await smtpSink()
  t.teardown(sink.close)
  await startTestWorkers(t, { ...served.config, SMTP_URL: sink.url })
  const { page, problems, axe } = await openPage(t)
  const card = await openForm(page, served, SV, 'Lotta Fransson', 'Kontakta Lotta', async () => {
    t.same(await axe(), [], 'axe: the page as it loads')
  })
  t.same(await axe(), [], 'axe: the open form')
  await fillIn(card, { Namn: 'Anna Andersson', 'E-post': 'anna.andersson@example.se', Organisation: 'Skellefteå kommun', Meddelande: 'Hej!\nJag vill veta mer om Akademin för Livslångt Lärande.' })
  await card.getByRole('checkbox', { name: SV.consent }).check()
  await card.getByText(SV.send, { exact: true }).click()

  const receipt = card.getByRole('heading', { name: 'Tack! Din förfrågan har skickats till Lotta Fransson' })
  await receipt.waitFor()
  t.equal(await focused(page), 'Tack! Din förfrågan har skickats till Lotta Fransson', 'the receipt takes focus')
  const [stored] = await storedRequests()
  t.match(stored, { contactId: 'lotta-fransson', name: 'Anna Andersson', email: 'anna.andersson@example.se', phone: null, organisation: 'Skellefteå kommun', locale: 'sv', message: 'Hej!\nJag vill veta mer om Akademin för Livslångt Lärande.' })
  t.match(stored?.pageUrl, `${served.origin}/`)
  t.equal(stored?.consent?.noticeVersion, '2026-11-27', 'the version shown is the version submitted')
  const deletion = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'long', timeZone: 'Europe/Stockholm' }).format(stored?.retainUntil)
  t.match(await card.locator('.cf-receipt').textContent(), `raderas automatiskt ${deletion}`)
  t.match(await card.locator('.cf-receipt').textContent(), stored?.id ?? 'no id')
  t.same(await axe(), [], 'axe: the receipt')

  const [mail] = await sink.waitForDelivered(1)
  t.equal(mail?.to && 'text' in mail.to ? mail.to.text : '', 'lotta.fransson@example.org')
  t.equal(mail?.replyTo?.value[0]?.address, 'anna.andersson@example.se', 'answering is one click')
  t.same(problems(), [], 'no CSP violation, no console error')
})

t.test('in English to Sofia', async (t) => {
  const served = await servedApp(t)
  const sink = await smtpSink()
  t.teardown(sink.close)
  await startTestWorkers(t, { ...served.config, SMTP_URL: sink.url })
  const { page, problems, axe } = await openPage(t, { locale: 'en-GB' })
  const card = await openForm(page, served, EN, 'Sofia Frölander', 'Contact Sofia', async () => {
    t.same(await axe(), [], 'axe: the page as it loads')
  })
  await card.getByText('Read how we process your personal data').click()
  t.match(await card.locator('.cf-notice').textContent(), /Integritetsskyddsmyndigheten|supervisory authority|IMY/, 'the full notice is one click away')
  t.same(await axe(), [], 'axe: the open form, notice shown')
  await fillIn(card, { Name: 'John Smith', 'E-mail': 'john.smith@example.co.uk', Phone: '+44 20 7946 0000', Message: 'Hello, could we talk about a project?' })
  await card.getByRole('checkbox', { name: EN.consent }).check()
  await card.getByText(EN.send, { exact: true }).click()
  await card.getByRole('heading', { name: 'Thank you! Your request has been sent to Sofia Frölander' }).waitFor()
  t.equal(await focused(page), 'Thank you! Your request has been sent to Sofia Frölander')
  const [stored] = await storedRequests()
  t.match(stored, { contactId: 'sofia-frolander', locale: 'en', phone: '+44 20 7946 0000' })
  const deletion = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Stockholm' }).format(stored?.retainUntil)
  t.match(await card.locator('.cf-receipt').textContent(), `deleted automatically on ${deletion}`)
  t.same(await axe(), [], 'axe: the receipt')
  const [mail] = await sink.waitForDelivered(1)
  t.equal(mail?.to && 'text' in mail.to ? mail.to.text : '', 'sofia.frolander@example.org')
  t.same(problems(), [])
})

for (const [texts, contact, opener, first] of [[SV, 'Lotta Fransson', 'Kontakta Lotta', 'Skriv ditt namn'], [EN, 'Lotta Fransson', 'Contact Lotta', 'Enter your name']] as const) {
  t.test(`an empty submit (${texts.path}): the summary takes focus and its links lead to the fields`, async (t) => {
    const served = await servedApp(t)
    const { page, problems, axe } = await openPage(t)
    const card = await openForm(page, served, texts, contact, opener)
    await card.getByText(texts.send, { exact: true }).click()
    const summary = card.locator('.cf-summary')
    await summary.waitFor()
    t.match(await focused(page), texts === SV ? 'Det finns ett problem' : 'There is a problem', 'the summary has focus')
    const links = await summary.getByRole('link').allTextContents()
    t.equal(links.length, 4, 'name, e-mail, message and consent')
    t.equal(links[0], first)
    await summary.getByRole('link', { name: first }).click()
    const name = card.getByRole('textbox', { name: texts === SV ? 'Namn' : 'Name', exact: true })
    t.equal(await page.evaluate('document.activeElement?.id'), await name.getAttribute('id'), 'the link moves focus to the field')
    t.equal(await name.getAttribute('aria-invalid'), 'true')
    const describedBy = await name.getAttribute('aria-describedby') ?? ''
    t.match(await card.locator(`#${describedBy}`).textContent(), first, 'the field\'s message says the same words')
    t.same(await axe(), [], 'axe: the error state')
    t.equal((await storedRequests()).length, 0)
    t.same(problems(), [])
  })
}

t.test('at 320 CSS pixels wide the form reflows without horizontal scrolling', async (t) => {
  const served = await servedApp(t)
  const { page, problems } = await openPage(t, { viewport: { width: 320, height: 640 } })
  const card = await openForm(page, served, SV, 'Lotta Fransson', 'Kontakta Lotta')
  await card.getByText(SV.send, { exact: true }).click()
  await card.locator('.cf-summary').waitFor()
  t.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), 'no horizontal scroll in the error state')
  t.same(problems(), [])
})

t.test('a reused CAPTCHA solution is refused: the widget starts over and the form says so', async (t) => {
  const { page, problems, card, served } = await lottasForm(t)
  await fillIn(card, { Namn: 'Anna Andersson', 'E-post': 'anna.andersson@example.se', Meddelande: 'Hej från webbläsaren' })
  await card.getByText(SV.verified).waitFor()
  // Someone else spends this very solution first, with other content.
  const token = await card.locator('input[name="altcha"]').inputValue()
  const first = await served.app.inject({ method: 'POST', url: '/v1/contact-requests', payload: submission({ captcha: { provider: 'altcha', token } }) })
  t.equal(first.statusCode, 202)
  await card.getByRole('checkbox', { name: SV.consent }).check()
  await card.getByText(SV.send, { exact: true }).click()
  const message = 'Verifieringen misslyckades. Gör om den och skicka igen'
  await card.locator('.cf-summary').getByRole('link', { name: message }).waitFor()
  t.equal(await card.getByRole('textbox', { name: 'Namn', exact: true }).inputValue(), 'Anna Andersson', 'nothing typed is lost')
  // The widget starts over, and solves again as soon as focus is back in the form.
  await eventually(async () => {
    const fresh = await card.locator('input[name="altcha"]').inputValue().catch(() => '')
    return fresh !== '' && fresh !== token ? true : undefined
  }, { what: 'a fresh solution' })
  await card.locator('.cf-summary').getByRole('link', { name: message }).click()
  t.equal(await page.evaluate("document.activeElement?.closest('altcha-widget') !== null"), true, 'the link leads to the widget')
  await card.getByText(SV.send, { exact: true }).click()
  await card.getByRole('heading', { name: /^Tack!/ }).waitFor()
  t.equal((await storedRequests()).length, 2)
  t.same(problems(), [])
})

t.test('rate-limited: the form says when to try again, in words', async (t) => {
  const { problems, card, served } = await lottasForm(t, { RATE_LIMIT_MAX: '1' })
  // Another submission from this address used the allowance.
  await served.app.inject({ method: 'POST', url: '/v1/contact-requests', payload: {} })
  await fillIn(card, { Namn: 'Anna Andersson', 'E-post': 'anna.andersson@example.se', Meddelande: 'Hej igen' })
  await card.getByRole('checkbox', { name: SV.consent }).check()
  await card.getByText(SV.send, { exact: true }).click()
  await card.locator('.cf-summary').getByText('Du har skickat många förfrågningar. Försök igen om 10 minuter').waitFor()
  t.equal(await card.getByRole('textbox', { name: 'Meddelande', exact: true }).inputValue(), 'Hej igen')
  t.equal((await storedRequests()).length, 0)
  t.same(problems(), [])
})

t.test('the API goes down mid-way: nothing typed is lost, and the retry after restart stores one request', async (t) => {
  const { page, problems, card, served } = await lottasForm(t)
  const typed = { Namn: 'Anna Andersson', 'E-post': 'anna.andersson@example.se', Telefon: '+46 70 123 45 67', Organisation: 'Skellefteå kommun', Meddelande: 'Hej!\nNågot att minnas.' }
  await fillIn(card, typed)
  await card.getByRole('checkbox', { name: SV.consent }).check()
  await card.getByText(SV.verified).waitFor()
  const keys: string[] = []
  page.on('request', (request) => { if (request.url().endsWith('/v1/contact-requests')) keys.push(request.headers()['idempotency-key'] ?? '') })
  await served.stop()
  await card.getByText(SV.send, { exact: true }).click()
  await card.locator('.cf-summary').getByText('Det gick inte att skicka just nu').waitFor()
  for (const [label, value] of Object.entries(typed)) t.equal(await card.getByRole('textbox', { name: label, exact: true }).inputValue(), value, `${label} kept`)
  t.ok(await card.getByRole('checkbox', { name: SV.consent }).isChecked(), 'consent kept')
  t.equal(await card.getByText(SV.send, { exact: true }).isEnabled(), true, 'the button works again')

  await served.restart()
  await card.getByText(SV.send, { exact: true }).click()
  await card.getByRole('heading', { name: /^Tack!/ }).waitFor()
  t.equal(keys.length, 2)
  t.ok(keys[0] !== '' && keys[0] === keys[1], 'the retry carries the same Idempotency-Key: had the first reached the service, it would get the first answer')
  t.equal((await storedRequests()).length, 1)
  t.same(problems(), [])
})

t.test('a withdrawn notice version: the form shows the new notice, asks again, and stores the new version', async (t) => {
  const { problems, card, served } = await lottasForm(t)
  await fillIn(card, { Namn: 'Anna Andersson', 'E-post': 'anna.andersson@example.se', Meddelande: 'Hej!' })
  await card.getByRole('checkbox', { name: SV.consent }).check()
  // While Anna types, the operator publishes a new notice and withdraws the old one, then redeploys.
  const prisma = await testDatabase()
  for (const locale of ['sv', 'en']) {
    await prisma.privacyNotice.create({ data: { version: '2026-12-01', locale, text: `Ny version (${locale}): RISE behandlar dina personuppgifter enligt den här texten.\n\nMer information.`, sha256: '0'.repeat(64) } })
  }
  await prisma.privacyNotice.deleteMany({ where: { version: '2026-11-27' } })
  // The next test must find the shipped notice again (the reset republishes it from data/).
  t.teardown(async () => {
    await prisma.contactRequest.deleteMany()
    await prisma.privacyNotice.deleteMany({ where: { version: '2026-12-01' } })
  })
  await served.restart()
  await card.getByText(SV.send, { exact: true }).click()
  const message = 'Informationen om personuppgifter har uppdaterats. Läs den och kryssa i rutan igen'
  await card.locator('.cf-summary').getByRole('link', { name: message }).waitFor()
  const consent = card.getByRole('checkbox', { name: /Ny version \(sv\)/ })
  t.equal(await consent.isChecked(), false, 'the new notice must be accepted anew')
  t.equal(await consent.getAttribute('aria-invalid'), 'true')
  await consent.check()
  await card.getByText(SV.send, { exact: true }).click()
  await card.getByRole('heading', { name: /^Tack!/ }).waitFor()
  const [stored] = await storedRequests()
  t.equal(stored?.consent?.noticeVersion, '2026-12-01')
  t.same(problems(), [])
})

t.test('the honeypot is out of everyone\'s way but robots\'', async (t) => {
  const served = await servedApp(t)
  const { page } = await openPage(t)
  const card = await openForm(page, served, SV, 'Lotta Fransson', 'Kontakta Lotta')
  const honeypot = card.locator('input[name="website"]')
  t.equal(await honeypot.isVisible(), false)
  t.equal(await honeypot.getAttribute('tabindex'), '-1')
  const tree = await page.locator('body').ariaSnapshot()
  t.notMatch(tree, /Lämna det här fältet tomt/, 'not in the accessibility tree')
  await eventually(async () => (await honeypot.inputValue()) === '' ? true : undefined)
})

t.test('a name with a bidirectional override is caught in the browser, with no request sent', async (t) => {
  const { page, problems, card } = await lottasForm(t)
  let posted = 0
  page.on('request', (request) => { if (request.url().endsWith('/v1/contact-requests')) posted++ })
  await fillIn(card, { Namn: 'Anna \u202Egnissarrab', 'E-post': 'anna.andersson@example.se', Meddelande: 'Hej!' })
  await card.getByRole('checkbox', { name: SV.consent }).check()
  await card.getByText(SV.send, { exact: true }).click()
  await card.locator('.cf-summary').getByRole('link', { name: /^Namnet innehåller tecken som inte kan skickas/ }).waitFor()
  t.equal(await card.getByRole('textbox', { name: 'Namn', exact: true }).getAttribute('aria-invalid'), 'true')
  t.equal(posted, 0, 'nothing was sent')
  t.same(problems(), [])
})

t.test('an open form makes its own card taller, not its neighbour in the same row', async (t) => {
  const served = await servedApp(t)
  const { page, problems } = await openPage(t, { viewport: { width: 1100, height: 900 } })
  await page.goto(`${served.origin}/`)
  await page.locator('[data-contact-form] form').first().waitFor({ state: 'attached' })
  const card = (name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) })
  const heightOf = async (name: string) => (await card(name).boundingBox())?.height ?? 0
  const [lottaBox, sofiaBox] = [await card('Lotta Fransson').boundingBox(), await card('Sofia Frölander').boundingBox()]
  t.equal(lottaBox?.y, sofiaBox?.y, 'the two cards share a row at this width')
  const closed = await heightOf('Sofia Frölander')
  await card('Lotta Fransson').getByText('Kontakta Lotta', { exact: true }).click()
  await card('Lotta Fransson').getByText(SV.captcha).waitFor()
  t.ok(await heightOf('Lotta Fransson') > closed * 2, 'the open card grew')
  t.equal(await heightOf('Sofia Frölander'), closed, 'the closed card kept its height')
  t.same(problems(), [])
})
