// A real Chromium (Debian's, driven by playwright-core) against the real service on
// loopback, with what a test needs to judge a page as a person meets it: every CSP
// violation, console error and page error, and axe-core's audit.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import tap from 'tap'
import { type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'
import { CHROMIUM_PATH, launchChromium } from '../../bench/common.js'
import { buildApp, type AppOptions } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { testConfig } from './config.js'
import { resetData, sharedDatabase } from './database.js'
import { emptyQueue } from './wait.js'

interface TestLike { teardown: (fn: () => unknown) => void }

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

let shared: Promise<Browser> | undefined

/** One browser per test file, closed after its last test; a missing Chromium fails loudly, saying how to install it. */
export async function browser (): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`)
  }
  if (shared === undefined) {
    shared = launchChromium()
    const launched = shared
    tap.teardown(async () => { await (await launched).close() })
  }
  return await shared
}

export interface ServedApp {
  app: FastifyInstance
  config: Config
  origin: string
  /** Stops the API as a crash or a redeploy would: its port stops answering. */
  stop: () => Promise<void>
  /** Starts a new API process on the same port, with the data as it is now. */
  restart: () => Promise<void>
}

/** The app, listening on loopback, as a browser reaches it. */
/** `port`: a port chosen beforehand, for a test whose configuration names the service's own address (PUBLIC_BASE_URL). */
export async function servedApp (t: TestLike, env: Record<string, string> = {}, { port: chosen, ...options }: Pick<AppOptions, 'captchaEndpoints'> & { port?: number } = {}): Promise<ServedApp> {
  const database = await sharedDatabase()
  await resetData(database.prisma)
  const config = testConfig(env)
  let port = chosen ?? 0
  let running: FastifyInstance | null = null
  const served: ServedApp = {
    app: null as unknown as FastifyInstance,
    config,
    origin: '',
    async stop () {
      const app = running
      running = null
      await app?.close()
    },
    async restart () {
      await served.stop()
      const app = await buildApp(config, { ...options, database })
      await app.listen({ host: '127.0.0.1', port })
      port = (app.server.address() as AddressInfo).port
      served.app = app
      served.origin = `http://127.0.0.1:${port}`
      running = app
    }
  }
  await served.restart()
  t.teardown(async () => {
    if (running !== null) await emptyQueue(running.core.queues.notify)
    await served.stop()
  })
  return served
}

export interface WatchedPage {
  page: Page
  /** CSP violations, console errors and uncaught errors so far: a clean page has none. */
  problems: () => string[]
  /** axe-core's violations on the page as it is now, for WCAG 2.0–2.2 A and AA. */
  axe: () => Promise<Array<{ id: string, nodes: string[], help: string }>>
}

/** A fresh context and page whose every CSP violation and error is written down. */
export async function openPage (t: TestLike, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await (await browser()).newContext({ locale: 'sv-SE', ...options })
  t.teardown(async () => { await context.close() })
  const problems: string[] = []
  let auditing = false
  // Scripts for the page are strings here: this project's TypeScript has no DOM types outside web/.
  await context.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
    console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' from ' + e.sourceFile + ':' + e.lineNumber)
  })`)
  const page = await context.newPage()
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    // Chromium logs every refused or failed fetch; a refusal of the intake is what a test provokes, and the form handles it.
    if (/^Failed to load resource/.test(message.text()) && message.location().url.endsWith('/v1/contact-requests')) return
    // axe-core copies cross-origin stylesheets into <style> elements of a scratch document, which
    // inherits the page's CSP: those refusals are axe's own, and only happen while it runs.
    if (auditing && /Content Security Policy|CSP violation: style-src-elem blocked inline/.test(message.text())) return
    problems.push(message.text())
  })
  page.on('pageerror', (err) => { problems.push(`page error: ${err.message}`) })
  return {
    page,
    problems: () => [...problems],
    async axe () {
      auditing = true
      try {
        return await axeViolations(page)
      } finally {
        auditing = false
      }
    }
  }
}

const require = createRequire(import.meta.url)
let axeSource: Promise<string> | undefined

async function axeViolations (page: Page): Promise<Array<{ id: string, nodes: string[], help: string }>> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8')
  // Evaluated, not added as a <script>: the page's CSP stays in force for everything else.
  await page.evaluate(await axeSource)
  // The pause after the run lets the page report what the run set off before the window closes.
  return await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} } })
    .then((result) => new Promise((resolve) => setTimeout(() => resolve(result), 100)))
    .then((result) => result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`)
}

/** What has focus, as a person using a screen reader would hear it named. */
export async function focused (page: Page): Promise<string> {
  return await page.evaluate(`(() => {
    const el = document.activeElement
    if (el === null || el === document.body) return ''
    const label = el.labels?.[0]?.textContent ?? el.getAttribute('aria-label')
    return (label ?? el.querySelector('h2')?.textContent ?? el.textContent ?? '').replace(/\\s+/g, ' ').trim()
  })()`)
}
