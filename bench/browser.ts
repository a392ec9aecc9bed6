// npm run bench:browser: in headless Chromium, from the click on "Skicka" to the visible
// receipt, at the default ALTCHA cost, against the real service in a child process; and the bytes
// a form downloads before it can be used, with the shipped directory and with an institute's.
import { readFile } from 'node:fs/promises'
import pg from 'pg'
import type { Browser } from 'playwright-core'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { NOTIFY_QUEUE } from '../src/jobs/notify.js'
import { benchEnv, launchChromium, prepareDatabase, startServer } from './common.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 20)

// The default cost (5000), not the cheap one the intake bench uses: this is what a person's browser solves.
const env = benchEnv({ ALTCHA_COST: '5000' })

/** Milliseconds from the click to the receipt, for one person; `settled`: the widget had finished before the click. */
async function once (browser: Browser, origin: string, settled: boolean): Promise<number> {
  const context = await browser.newContext({ locale: 'sv-SE' })
  // Timed in the page, from the click to the receipt's arrival, so the driver's polling adds nothing.
  await context.addInitScript(`
    document.addEventListener('click', (e) => { if (e.target.closest?.('button[type="submit"]')) window.clickedAt = performance.now() }, true)
    new MutationObserver(() => { if (window.receiptAt === undefined && document.querySelector('.cf-receipt')) window.receiptAt = performance.now() })
      .observe(document, { childList: true, subtree: true })`)
  try {
    const page = await context.newPage()
    await page.goto(`${origin}/`)
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Lotta Fransson' }) })
    await card.getByText('Kontakta Lotta', { exact: true }).click()
    await card.getByText('Jag är inte en robot').waitFor()
    // Focus entering the form starts the widget, as it does for a person.
    await card.getByRole('textbox', { name: 'Namn', exact: true }).fill('Anna Andersson')
    await card.getByRole('textbox', { name: 'E-post', exact: true }).fill(`anna.andersson+${Date.now()}@example.se`)
    await card.getByRole('textbox', { name: 'Meddelande', exact: true }).fill(`Hej! (${Math.random()})`)
    await card.getByRole('checkbox', { name: /Genom att skicka in formuläret/ }).check()
    if (settled) await card.getByText('Verifierad').waitFor()
    await card.getByText('Skicka', { exact: true }).click()
    await card.getByRole('heading', { name: /^Tack!/ }).waitFor()
    return await page.evaluate('window.receiptAt - window.clickedAt') as number
  } finally {
    await context.close()
  }
}

/**
 * The bytes (headers and bodies, as received) of everything the page loads for one form until its
 * CAPTCHA widget is shown, the page's own HTML left out: the embed, its styles, the notice, the
 * contact, the widget and its assets. A new context each time: nothing comes from a cache.
 */
async function formBytes (browser: Browser, origin: string): Promise<{ bytes: number, requests: number }> {
  const context = await browser.newContext({ locale: 'sv-SE' })
  const sizes: Array<Promise<number>> = []
  try {
    const page = await context.newPage()
    page.on('requestfinished', (request) => {
      if (request.resourceType() !== 'document') sizes.push(request.sizes().then((s) => s.responseHeadersSize + s.responseBodySize))
    })
    await page.goto(`${origin}/?contacts=lotta-fransson`)
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Lotta Fransson' }) })
    await card.getByText('Kontakta Lotta', { exact: true }).click()
    await card.getByText('Jag är inte en robot').waitFor()
    const all = await Promise.all(sizes)
    return { bytes: all.reduce((a, b) => a + b, 0), requests: all.length }
  } finally {
    await context.close()
  }
}

/** Adds `count` active contacts beside the shipped ones, as an institute's directory would have. */
async function growDirectory (count: number): Promise<void> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL })
  await client.connect()
  try {
    await client.query(`INSERT INTO contacts (id, name, title, email, phone, updated_at)
      SELECT 'bench-contact-' || n, 'Kontakt ' || n, 'Forskare', 'bench-contact-' || n || '@example.org', '+46 10 000 00 00', now()
      FROM generate_series(1, $1) AS n ON CONFLICT (id) DO UPDATE SET active = true`, [count])
  } finally {
    await client.end()
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN

await prepareDatabase(env)
const server = await startServer(env, 'intake')
const browser = await launchChromium()
try {
  const origin = `http://127.0.0.1:${server.port}`
  await once(browser, origin, true) // warm-up: JIT, pools, the browser's caches
  for (const settled of [false, true]) {
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) times.push(await once(browser, origin, settled))
    times.sort((a, b) => a - b)
    const label = settled ? 'widget already verified at the click' : 'clicked at once after filling in (widget still solving)'
    process.stdout.write(`${label}: median ${quantile(times, 0.5).toFixed(0)} ms, p95 ${quantile(times, 0.95).toFixed(0)} ms over ${RUNS} runs (min ${times[0]?.toFixed(0)}, max ${times.at(-1)?.toFixed(0)})\n`)
  }
  const shipped = await formBytes(browser, origin)
  await growDirectory(2998)
  const institute = await formBytes(browser, origin)
  process.stdout.write(`bytes before a form is usable: ${shipped.bytes} B in ${shipped.requests} requests with the shipped 2 contacts, ${institute.bytes} B in ${institute.requests} with 3,000\n`)
  const build = JSON.parse(await readFile('dist/web/embed/build.json', 'utf8')) as { entryGzipBytes: number, budgetGzipBytes: number }
  process.stdout.write(`embed script: ${build.entryGzipBytes} B gzip (budget ${build.budgetGzipBytes} B); goal: median ≤ 1000 ms\n`)
} finally {
  await browser.close()
  server.child.kill('SIGTERM')
  // Nothing works these jobs off in the bench: leave no keys behind.
  const connection = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null })
  const queue = new Queue(NOTIFY_QUEUE, { prefix: env.QUEUE_PREFIX, connection })
  await queue.obliterate({ force: true })
  await queue.close()
  connection.disconnect()
}
