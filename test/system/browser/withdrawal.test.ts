// The withdrawal pages as a person meets them: in Chromium, under their real CSP, with the
// keyboard, checked with axe-core; and the link's page cannot be put in a frame.
import t from 'tap'
import { focused, openPage, servedApp } from '../../helpers/browser.js'
import { testDatabase } from '../../helpers/database.js'
import { altchaSubmission, post } from '../../helpers/app.js'

t.test('with the keyboard: the page says what will be erased, the button erases it, the answer says so; no axe violations', async (t) => {
  const served = await servedApp(t)
  const { id } = (await post(served.app, await altchaSubmission(served.app))).json<{ id: string }>()
  const token = served.app.services.withdrawalLinks.token({ requestId: id, expiresAt: new Date(Date.now() + 86_400_000), locale: 'sv' })
  const { page, problems, axe } = await openPage(t)
  const response = await page.goto(`${served.origin}/withdraw/${token}`)
  t.match(response?.headers()['content-security-policy'], /frame-ancestors 'none'/, 'never in a frame: its one button erases')
  await page.getByRole('heading', { level: 1, name: 'Dra tillbaka din förfrågan' }).waitFor()
  t.match(await page.locator('main').innerText(), /Du skickade en förfrågan till Lotta Fransson/)
  t.same(await axe(), [], 'the question page passes axe')
  await page.keyboard.press('Tab')
  t.equal(await focused(page), 'Radera min förfrågan', 'the button is the first stop')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { level: 1, name: 'Din förfrågan är raderad' }).waitFor()
  t.same(await axe(), [], 'the answer page passes axe')
  t.equal(await (await testDatabase()).contactRequest.count({ where: { id } }), 0, 'erased')
  t.same(problems(), [], 'no CSP violation or console error')
})

t.test('a link that does not work gets a page that says so, in plain words, with nothing to press', async (t) => {
  const served = await servedApp(t)
  const { page, problems, axe } = await openPage(t)
  const response = await page.goto(`${served.origin}/withdraw/not-a-real-link`)
  t.equal(response?.status(), 404)
  await page.getByRole('heading', { level: 1, name: 'Länken gäller inte' }).waitFor()
  t.equal(await page.getByRole('button').count(), 0)
  t.same(await axe(), [])
  // Chromium reports the document's own 404 on the console; nothing else may be there.
  t.same(problems().filter((p) => !p.startsWith('Failed to load resource: the server responded with a status of 404')), [])
  t.equal(problems().length, 1)
})
