// A real Chromium (Debian's, driven by playwright-core) against the real service on
// loopback, with what a test needs to judge a page as a person meets it: every CSP
// violation, console error and page error, and axe-core's audit.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, type TestApp } from './app.js'

interface TestLike { teardown: (fn: () => unknown) => void }

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

let shared: Promise<Browser> | undefined

/** One browser per test file; a missing Chromium fails loudly, saying how to install it. */
export async function browser (t: TestLike): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need it. Install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`)
  }
  if (shared === undefined) {
    shared = chromium.launch({
      executablePath: CHROMIUM,
      // This machine has no network: keep Chromium from trying to reach Google's services.
      args: ['--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
    })
    const launched = shared
    t.teardown(async () => { await (await launched).close() })
  }
  return await shared
}

/** The app, listening on loopback, as a browser reaches it. */
export async function servedApp (t: TestLike, env: Record<string, string> = {}): Promise<TestApp & { origin: string }> {
  const served = await buildTestApp(t, env)
  await served.app.listen({ host: '127.0.0.1', port: 0 })
  return { ...served, origin: originOf(served.app) }
}

export const originOf = (app: FastifyInstance): string => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

export interface WatchedPage {
  page: Page
  /** CSP violations, console errors and uncaught errors so far: a clean page has none. */
  problems: () => string[]
}

/** A fresh context and page whose every CSP violation and error is written down. */
export async function openPage (t: TestLike, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await (await browser(t)).newContext({ locale: 'sv-SE', ...options })
  t.teardown(async () => { await context.close() })
  const problems: string[] = []
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`)
    })
  })
  const page = await context.newPage()
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
  page.on('pageerror', (err) => { problems.push(`page error: ${err.message}`) })
  return { page, problems: () => [...problems] }
}

const require = createRequire(import.meta.url)
let axeSource: Promise<string> | undefined

/** axe-core's violations on the page as it is now, for WCAG 2.0–2.2 A and AA. */
export async function axeViolations (page: Page): Promise<Array<{ id: string, nodes: number, help: string }>> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8')
  // Evaluated, not added as a <script>: the page's CSP stays in force for everything else.
  await page.evaluate(await axeSource)
  return await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string, help: string, nodes: unknown[] }> }> } }).axe
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } })
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.length }))
  }, WCAG_TAGS)
}
