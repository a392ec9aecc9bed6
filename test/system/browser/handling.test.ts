// The action links' pages as a project manager meets them: in Chromium, under their real CSP,
// with the keyboard, checked with axe-core, in Swedish and English.
import t from 'tap'
import { focused, openPage, servedApp } from '../../helpers/browser.js'
import { testDatabase } from '../../helpers/database.js'
import { altchaSubmission, post } from '../../helpers/app.js'

const inADay = () => new Date(Date.now() + 86_400_000)

t.test('with the keyboard: "I\'ll take it" asks, takes, then offers "Answered"; no axe violations, no CSP violation', async (t) => {
  const served = await servedApp(t)
  const { id } = (await post(served.app, await altchaSubmission(served.app))).json<{ id: string }>()
  const path = served.app.services.handlingLinks.path({ requestId: id, handler: 'contact:lotta-fransson', action: 'take', expiresAt: inADay(), locale: 'sv' })
  const { page, problems, axe } = await openPage(t)
  const response = await page.goto(`${served.origin}${path}`)
  t.match(response?.headers()['content-security-policy'], /frame-ancestors 'none'/)
  await page.getByRole('heading', { level: 1, name: 'Ta förfrågan' }).waitFor()
  t.match(await page.locator('main').innerText(), /Förfrågan till Lotta Fransson, mottagen/)
  t.same(await axe(), [], 'the question page passes axe')
  await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Jag tar den', 'the button is the first stop')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { level: 1, name: 'Du har tagit förfrågan' }).waitFor()
  t.same(await axe(), [], 'the answer page passes axe')
  await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Markera som besvarad')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { level: 1, name: 'Förfrågan är besvarad' }).waitFor()
  t.match(await (await testDatabase()).contactRequest.findUniqueOrThrow({ where: { id } }), { status: 'answered', handler: 'contact:lotta-fransson' })
  t.same(problems(), [], 'no CSP violation or console error')
})

t.test('"Not mine", in English: a labelled choice of the delegate and colleagues, chosen with the keyboard', async (t) => {
  const served = await servedApp(t, { NOTIFY_FALLBACK_EMAIL: 'kontakt@ri.se' })
  const { id } = (await post(served.app, await altchaSubmission(served.app))).json<{ id: string }>()
  const path = served.app.services.handlingLinks.path({ requestId: id, handler: 'contact:lotta-fransson', action: 'pass', expiresAt: inADay(), locale: 'en' })
  const { page, problems, axe } = await openPage(t)
  await page.goto(`${served.origin}${path}`)
  await page.getByRole('heading', { level: 1, name: 'Not mine – pass it on' }).waitFor()
  const choice = page.getByLabel('Send to')
  t.same(await choice.locator('option').allInnerTexts(), ['Sofia Frölander', 'the shared inbox'], 'the delegate first, then the shared inbox (the directory has nobody else)')
  t.same(await axe(), [])
  await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Send to')
  await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Pass it on')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { level: 1, name: 'The request is passed on' }).waitFor()
  t.match(await page.locator('main').innerText(), /Sofia Frölander has it now/)
  t.same(await axe(), [])
  t.match(await (await testDatabase()).contactRequest.findUniqueOrThrow({ where: { id } }), { handler: 'contact:sofia-frolander', status: 'received' })
  t.same(problems(), [])
})
