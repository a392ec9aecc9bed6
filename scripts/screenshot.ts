// npm run screenshot: the demo page as a new visitor sees it, for the README (docs/*.png).
import { benchEnv, launchChromium, prepareDatabase, startServer } from '../bench/common.js'

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
} finally {
  await browser.close()
  server.child.kill('SIGTERM')
}
