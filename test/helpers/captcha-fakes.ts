// Local stand-ins for the third-party CAPTCHA APIs, faithful to their documented contracts
// (shared/reference/captcha-providers.md), with the faults real networks produce.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault = 'none' | 'slow' | 'http-500' | 'html' | 'json-without-success'

interface IssuedToken {
  hostname: string
  action?: string
  score?: number
  expired?: boolean
  used: boolean
}

interface FakeBase {
  url: string
  /** What the last verify call sent (form fields or JSON), for assertions about what leaves the service. */
  lastRequest: Record<string, string> | null
  calls: number
  fault: Fault
  /** A token the provider would hand the browser after a solved challenge. */
  issue: (token?: Partial<Omit<IssuedToken, 'used'>>) => string
  /** Marks a token as verified already, by some other consumer of the provider. */
  spend: (token: string) => void
  close: () => Promise<void>
}

/** The parts every fake shares: its single-use tokens, counters and fault switch. */
function newFake (tokenPrefix: string) {
  const tokens = new Map<string, IssuedToken>()
  let server: Server | undefined
  const fake: FakeBase = {
    url: '',
    lastRequest: null,
    calls: 0,
    fault: 'none',
    issue: (token = {}) => {
      const id = `${tokenPrefix}-${randomUUID()}`
      tokens.set(id, { hostname: 'www.ri.se', used: false, ...token })
      return id
    },
    spend: (token) => { const issued = tokens.get(token); if (issued !== undefined) issued.used = true },
    close: async () => { await new Promise((resolve) => server?.close(resolve)) }
  }
  const serve = async (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<FakeBase> => {
    const listening = await listen(handler)
    server = listening.server
    fake.url = listening.url
    return fake
  }
  return { fake, tokens, serve }
}

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseBody (req: IncomingMessage, text: string): Record<string, string> {
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try { return JSON.parse(text) as Record<string, string> } catch { return {} }
  }
  return Object.fromEntries(new URLSearchParams(text))
}

function json (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

async function listen (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<{ server: Server, url: string }> {
  const server = createServer((req, res) => { handler(req, res).catch(() => res.writeHead(500).end()) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Applies a fault mode; returns true when the fault answered the request. */
async function applyFault (fault: Fault, res: ServerResponse): Promise<boolean> {
  switch (fault) {
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, 2000))
      json(res, 200, { success: true, hostname: 'www.ri.se' })
      return true
    case 'http-500':
      json(res, 500, { error: 'internal' })
      return true
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Gateway login</body></html>')
      return true
    case 'json-without-success':
      json(res, 200, { status: 'ok' })
      return true
    default:
      return false
  }
}

export interface SiteverifyFakeOptions {
  provider: 'hcaptcha' | 'turnstile' | 'recaptcha'
  secret: string
  /** hCaptcha: the site key the secret belongs to. */
  sitekey?: string
}

/**
 * hCaptcha, Turnstile and reCAPTCHA: form-encoded POST of secret and response,
 * HTTP 200 with {success, hostname, error-codes, …}. Tokens are single use.
 */
export async function siteverifyFake (options: SiteverifyFakeOptions): Promise<FakeBase> {
  const { fake, tokens, serve } = newFake(options.provider)
  const duplicateCode = options.provider === 'hcaptcha' ? 'already-seen-response' : 'timeout-or-duplicate'
  const expiredCode = options.provider === 'hcaptcha' ? 'expired-input-response' : 'timeout-or-duplicate'
  const fail = (res: ServerResponse, ...codes: string[]) => json(res, 200, { success: false, 'error-codes': codes })
  return await serve(async (req, res) => {
    fake.calls++
    const text = await readBody(req)
    if (await applyFault(fake.fault, res)) return
    if (req.method !== 'POST') { fail(res, 'bad-request'); return }
    // hCaptcha accepts only form encoding.
    if (options.provider === 'hcaptcha' && !(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) { fail(res, 'bad-request'); return }
    const body = parseBody(req, text)
    fake.lastRequest = body
    if (body.secret === undefined || body.secret === '') { fail(res, 'missing-input-secret'); return }
    if (body.secret !== options.secret) { fail(res, 'invalid-input-secret'); return }
    if (body.response === undefined || body.response === '') { fail(res, 'missing-input-response'); return }
    if (options.provider === 'hcaptcha' && body.sitekey !== undefined && body.sitekey !== options.sitekey) { fail(res, 'sitekey-secret-mismatch'); return }
    const token = tokens.get(body.response)
    if (token === undefined) { fail(res, 'invalid-input-response'); return }
    if (token.used) { fail(res, duplicateCode); return }
    token.used = true
    if (token.expired === true) { fail(res, expiredCode); return }
    json(res, 200, {
      success: true,
      challenge_ts: new Date().toISOString(),
      hostname: token.hostname,
      ...(token.action === undefined ? {} : { action: token.action }),
      ...(token.score === undefined ? {} : { score: token.score }),
      'error-codes': []
    })
  })
}

/**
 * Friendly Captcha v2: JSON POST with the key in X-API-Key; real HTTP statuses
 * for request errors, HTTP 200 with success false for bad solutions.
 */
export async function friendlyCaptchaFake (options: { apiKey: string, sitekey: string }): Promise<FakeBase> {
  const { fake, tokens, serve } = newFake('frc')
  const fail = (res: ServerResponse, status: number, code: string) =>
    json(res, status, { success: false, error: { error_code: code, detail: code.replace(/_/g, ' ') } })
  return await serve(async (req, res) => {
    fake.calls++
    const text = await readBody(req)
    if (await applyFault(fake.fault, res)) return
    if (req.method !== 'POST') { fail(res, 405, 'method_not_allowed'); return }
    const key = req.headers['x-api-key']
    if (key === undefined) { fail(res, 401, 'auth_required'); return }
    if (key !== options.apiKey) { fail(res, 401, 'auth_invalid'); return }
    const body = parseBody(req, text)
    fake.lastRequest = body
    if (body.response === undefined || body.response === '') { fail(res, 400, 'response_missing'); return }
    if (body.sitekey !== undefined && body.sitekey !== options.sitekey) { fail(res, 400, 'sitekey_invalid'); return }
    const token = tokens.get(body.response)
    if (token === undefined) { fail(res, 200, 'response_invalid'); return }
    if (token.used) { fail(res, 200, 'response_duplicate'); return }
    token.used = true
    if (token.expired === true) { fail(res, 200, 'response_timeout'); return }
    json(res, 200, {
      success: true,
      data: { event_id: randomUUID(), challenge: { timestamp: new Date().toISOString(), origin: `https://${token.hostname}` }, risk_intelligence: null }
    })
  })
}

/** A URL where nothing listens: connection refused. */
export async function refusingUrl (): Promise<string> {
  const { server, url } = await listen(async () => {})
  await new Promise((resolve) => server.close(resolve))
  return url
}
