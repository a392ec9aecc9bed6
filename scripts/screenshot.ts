// npm run screenshot: the demo page as a new visitor sees it, and the withdrawal pages a
// receipt's link opens, for the README (docs/*.png).
import { benchEnv, launchChromium, makeBodies, prepareDatabase, startServer } from '../bench/common.js'
import { createWithdrawalLinks } from '../src/receipts/withdrawal-link.js'

const env = benchEnv({ QUEUE_PREFIX: `screenshot-${process.pid}` })
await prepareDatabase(env)
const server = await startServer(env, 'intake')
const browser = await launchChromium()
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'sv-SE' })
  await page.goto(`http://127.0.0.1:${server.port}/`)
  await page.getByText('Kontakta Lotta', { exact: true }).click()
  await page.getByText('Jag är inte en robot').first().waitFor()
  await page.screenshot({ path: 'docs/demo-page.png', fullPage: true })
  await page.getByText('Skicka', { exact: true }).first().click()
  await page.getByText('Det finns ett problem').first().waitFor()
  await page.screenshot({ path: 'docs/demo-page-errors.png', fullPage: true })
  process.stdout.write('wrote docs/demo-page.png and docs/demo-page-errors.png\n')

  // A stored request, and the link its receipt would carry.
  const [body = ''] = await makeBodies(env, 1)
  const stored = await fetch(`http://127.0.0.1:${server.port}/v1/contact-requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  const { id } = await stored.json() as { id: string }
  const links = createWithdrawalLinks({ pseudonymKey: env.PSEUDONYM_KEY as string, baseUrl: `http://127.0.0.1:${server.port}` })
  await page.setViewportSize({ width: 800, height: 500 })
  await page.goto(links.url({ requestId: id, expiresAt: new Date(Date.now() + 86_400_000), locale: 'sv' }))
  await page.screenshot({ path: 'docs/withdrawal-ask.png', fullPage: true })
  await page.getByRole('button', { name: 'Radera min förfrågan' }).click()
  await page.getByRole('heading', { name: 'Din förfrågan är raderad' }).waitFor()
  await page.screenshot({ path: 'docs/withdrawal-done.png', fullPage: true })
  process.stdout.write('wrote docs/withdrawal-ask.png and docs/withdrawal-done.png\n')
} finally {
  await browser.close()
  server.child.kill('SIGTERM')
}
