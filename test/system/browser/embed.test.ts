// The form with the keyboard alone, and a third-party site that keeps its own markup
// on another origin and posts to the service across origins.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { Page } from 'playwright-core'
import { focused, openPage, servedApp } from '../../helpers/browser.js'
import { testDatabase } from '../../helpers/database.js'
import { siteverifyFake } from '../../helpers/captcha-fakes.js'

const storedRequests = async () => await (await testDatabase()).contactRequest.findMany()

t.test('the whole flow with the keyboard only', async (t) => {
  const served = await servedApp(t)
  const { page, problems } = await openPage(t)
  await page.goto(`${served.origin}/`)
  const tab = async () => {
    await page.keyboard.press('Tab')
    t.not(await page.evaluate("document.activeElement?.getAttribute('name')"), 'website', 'never the honeypot')
    return await focused(page)
  }
  t.equal(await tab(), 'In English')
  t.equal(await tab(), '+46 72 451 19 36')
  t.equal(await tab(), 'Kontakta Lotta')
  await page.keyboard.press('Enter')
  await page.getByText('Jag är inte en robot').first().waitFor()
  const steps: Array<[string, string | null]> = [
    ['Namn *', 'Anna Andersson'],
    ['E-post *', 'anna.andersson@example.se'],
    ['Telefon', null],
    ['Organisation', null],
    ['Meddelande *', 'Hej! Skrivet med tangentbordet.']
  ]
  for (const [label, text] of steps) {
    t.equal(await tab(), label)
    if (text !== null) await page.keyboard.type(text)
  }
  t.match(await tab(), /^Genom att skicka in formuläret behandlar RISE dina personuppgifter/)
  await page.keyboard.press('Space')
  t.equal(await tab(), 'Läs hela informationen om hur vi behandlar dina personuppgifter')
  t.match(await tab(), /^(Jag är inte en robot|Verifierar|Verifierad)/, 'the widget, already at work since focus entered the form')
  t.equal(await tab(), 'Skicka')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: 'Tack! Din förfrågan har skickats till Lotta Fransson' }).waitFor()
  t.equal(await focused(page), 'Tack! Din förfrågan har skickats till Lotta Fransson')
  t.match(await storedRequests(), [{ contactId: 'lotta-fransson', message: 'Hej! Skrivet med tangentbordet.' }])
  t.same(problems(), [])
})

/** A partner's own page on another origin (localhost, against the service on 127.0.0.1). */
async function partnerSite (api: () => string, { formAttributes = '', captcha = '' } = {}): Promise<{ server: Server, origin: string }> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8')
    // The partner's CSP lets in exactly the service's origin, and no inline anything.
    response.setHeader('content-security-policy', `default-src 'none'; script-src ${api()}; style-src ${api()}; connect-src ${api()}; img-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'`)
    response.end(`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Partner</title><script src="${api()}/embed/v1/contact-form.js" defer></script></head>
  <body>
    <main>
      <h1>Write to Sofia</h1>
      <form data-contact-form data-contact-id="sofia-frolander" data-locale="en" method="post" class="partner-form"${formAttributes}>
        <p><label for="who">Your name</label> <input id="who" name="name"></p>
        <p><label for="mail">Your e-mail</label> <input id="mail" name="email" type="email"></p>
        <p><label for="what">What is it about?</label> <textarea id="what" name="message"></textarea></p>
        <p><input id="ok" type="checkbox" name="consent"> <label for="ok">I have read the privacy notice</label></p>
        ${captcha}
        <p><button type="submit">Send it</button></p>
      </form>
    </main>
  </body>
</html>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` }
}

/** Ola fills in the partner's own form, by its own labels, and sends it. */
async function fillInAndSend (page: Page): Promise<void> {
  await page.getByRole('textbox', { name: 'Your name' }).fill('Ola Nordmann')
  await page.getByRole('textbox', { name: 'Your e-mail' }).fill('ola@example.no')
  await page.getByRole('textbox', { name: 'What is it about?' }).fill('Samarbeid?')
  await page.getByRole('checkbox', { name: 'I have read the privacy notice' }).check()
  await page.getByRole('button', { name: 'Send it' }).click()
}

t.test('a partner page on another origin, with its own markup, enhanced and posting to the service', async (t) => {
  let apiOrigin = ''
  const partner = await partnerSite(() => apiOrigin)
  t.teardown(() => partner.server.close())
  const served = await servedApp(t, { ALLOWED_ORIGINS: partner.origin })
  apiOrigin = served.origin
  const { page, problems, axe } = await openPage(t, { locale: 'en-GB' })
  const asked: string[] = []
  page.on('request', (request) => { if (request.url().startsWith(`${served.origin}/v1/`)) asked.push(new URL(request.url()).pathname) })
  await page.goto(`${partner.origin}/`)
  await page.getByText("I'm not a robot").waitFor()
  t.ok(asked.includes('/v1/contacts/sofia-frolander') && !asked.includes('/v1/contacts'), 'the form asks for its one contact, never the whole directory')
  await page.getByRole('button', { name: 'Send it' }).click()
  await page.getByRole('link', { name: 'Enter your name' }).waitFor()
  t.match(await focused(page), /^There is a problem/)
  t.same(await axe(), [], 'axe: the partner page in its error state')

  await fillInAndSend(page)
  await page.getByRole('heading', { name: 'Thank you! Your request has been sent to Sofia Frölander' }).waitFor()
  t.match(await storedRequests(), [{ contactId: 'sofia-frolander', name: 'Ola Nordmann', pageUrl: `${partner.origin}/`, locale: 'en' }])
  t.equal(await page.locator('label[for="who"]').textContent(), 'Your name', 'the partner\'s markup is its own')
  t.equal(await page.locator('form.partner-form').count(), 1)
  t.same(problems(), [], 'no CSP violation on the partner page: no worker from another origin, nothing inline')
})

t.test('a partner that uses hCaptcha: the script sends what the vendor\'s widget wrote in its standard field', async (t) => {
  const hcaptcha = await siteverifyFake({ provider: 'hcaptcha', secret: '0x0000000000000000000000000000000000000000', sitekey: '10000000-ffff-ffff-ffff-000000000001' })
  t.teardown(hcaptcha.close)
  let apiOrigin = ''
  // The vendor's own script would render into .h-captcha and fill h-captcha-response; offline, the test fills it.
  const partner = await partnerSite(() => apiOrigin, {
    formAttributes: ' data-captcha-provider="hcaptcha"',
    captcha: '<div class="h-captcha" data-sitekey="10000000-ffff-ffff-ffff-000000000001"><textarea name="h-captcha-response" hidden></textarea></div>'
  })
  t.teardown(() => partner.server.close())
  const served = await servedApp(t, {
    ALLOWED_ORIGINS: partner.origin,
    CAPTCHA_PROVIDERS: 'hcaptcha',
    HCAPTCHA_SECRET: '0x0000000000000000000000000000000000000000',
    HCAPTCHA_SITEKEY: '10000000-ffff-ffff-ffff-000000000001'
  }, { captchaEndpoints: { hcaptcha: hcaptcha.url } })
  apiOrigin = served.origin
  const { page, problems } = await openPage(t, { locale: 'en-GB' })
  await page.goto(`${partner.origin}/`)
  await fillInAndSend(page)
  await page.getByRole('link', { name: 'The verification failed. Verify again and send' }).waitFor()
  t.equal(hcaptcha.calls, 0, 'no token yet: nothing was sent')

  const token = hcaptcha.issue()
  await page.evaluate(`document.querySelector('textarea[name="h-captcha-response"]').value = ${JSON.stringify(token)}`)
  await page.getByRole('button', { name: 'Send it' }).click()
  await page.getByRole('heading', { name: 'Thank you! Your request has been sent to Sofia Frölander' }).waitFor()
  t.equal(hcaptcha.lastRequest?.response, token, 'the service verified the vendor\'s token')
  t.match(await storedRequests(), [{ captchaProvider: 'hcaptcha', captchaVerified: true }])
  t.same(problems(), [])
})
