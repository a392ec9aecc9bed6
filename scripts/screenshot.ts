// npm run screenshot: the demo page as a new visitor sees it, the withdrawal pages a receipt's
// link opens, and the notification e-mail with its action links and the pages they open, for the
// README (docs/*.png).
import { benchEnv, launchChromium, makeBodies, prepareDatabase, startServer } from '../bench/common.js'
import { createWithdrawalLinks } from '../src/receipts/withdrawal-link.js'
import { createHandlingLinks } from '../src/handling/links.js'
import { composeNotification } from '../src/notifications/compose.js'
import { createConsoleSessions } from '../src/console/sessions.js'
import { SCOPES } from '../src/admin/keys.js'
import { Redis } from 'ioredis'

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

  // Another request, its notification e-mail as Lotta reads it, and the pages its links open.
  const [second = ''] = await makeBodies(env, 1)
  const request = await (await fetch(`http://127.0.0.1:${server.port}/v1/contact-requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: second })).json() as { id: string, retainUntil: string }
  const base = `http://127.0.0.1:${server.port}`
  const handling = createHandlingLinks({ pseudonymKey: env.PSEUDONYM_KEY as string, baseUrl: base })
  const grant = { requestId: request.id, expiresAt: new Date(request.retainUntil), locale: 'sv' as const }
  const lotta = handling.urls({ ...grant, handler: 'contact:lotta-fransson' })
  const mail = composeNotification({
    ...(JSON.parse(second) as { name: string, email: string, message: string }),
    id: request.id,
    phone: null,
    organisation: 'Skellefteå kommun',
    pageUrl: 'https://www.ri.se/sv/berattelser/ny-kompetens',
    receivedAt: new Date(),
    retainUntil: new Date(request.retainUntil),
    contactName: 'Lotta Fransson'
  }, { reason: 'direct', email: 'lotta.fransson@example.org', locale: 'sv', contactId: 'lotta-fransson' }, { from: env.MAIL_FROM as string, notificationId: request.id, actions: lotta })
  await page.setViewportSize({ width: 800, height: 700 })
  await page.setContent(String(mail.html))
  await page.screenshot({ path: 'docs/notification.png', fullPage: true })
  await page.setViewportSize({ width: 800, height: 500 })
  await page.goto(lotta.take)
  await page.screenshot({ path: 'docs/handling-take.png', fullPage: true })
  await page.getByRole('button', { name: 'Jag tar den' }).click()
  await page.getByRole('heading', { name: 'Du har tagit förfrågan' }).waitFor()
  await page.screenshot({ path: 'docs/handling-taken.png', fullPage: true })
  // Sofia's link, once Lotta has taken it: the page says so at once.
  await page.goto(handling.url({ ...grant, handler: 'contact:sofia-frolander', action: 'take' }))
  await page.getByRole('heading', { name: 'Redan hanterad' }).waitFor()
  await page.screenshot({ path: 'docs/handling-already.png', fullPage: true })
  await page.goto(lotta.pass)
  await page.screenshot({ path: 'docs/handling-pass.png', fullPage: true })
  process.stdout.write('wrote docs/notification.png and docs/handling-{take,taken,already,pass}.png\n')

  // The console, signed in as a privacy officer through a one-time link (the CLI's console link).
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  const sessions = createConsoleSessions({ redis, prefix: env.QUEUE_PREFIX as string, idleSeconds: 600, maxSeconds: 3600 })
  const link = await sessions.createLink({ name: 'Dana Dataskydd', scopes: [...SCOPES] }, 5)
  redis.disconnect()
  await page.goto(`${base}/console/link/${link}`)
  await page.getByRole('button', { name: 'Logga in' }).click()
  await page.getByRole('heading', { name: 'Inkorg' }).waitFor()
  await page.setViewportSize({ width: 1100, height: 700 })
  for (const [path, file] of [['/console', 'console-inbox'], [`/console/requests/${request.id}`, 'console-request'], ['/console/subjects', 'console-subjects']]) {
    await page.goto(`${base}${path}`)
    await page.screenshot({ path: `docs/${file}.png`, fullPage: true })
  }
  process.stdout.write('wrote docs/console-{inbox,request,subjects}.png\n')
} finally {
  await browser.close()
  server.child.kill('SIGTERM')
}
