// One delivery attempt: sign the body per Standard Webhooks (with every secret that is valid,
// space-separated), POST it through the guarded agent, and say what came of it.
import { performance } from 'node:perf_hooks'
import { Webhook } from 'standardwebhooks'
import { request, type Dispatcher } from 'undici'
import { scrubAddresses } from '../logger.js'
import { AddressRefused } from './address-guard.js'

/** What is sent: the body is signed as it is, byte for byte. */
export interface Outgoing {
  /** The delivery's id: the webhook-id header, the same on every attempt (the receiver's idempotency key). */
  id: string
  url: string
  body: string
  /** whsec_ secrets; each signs, so a receiver holding any one of them verifies. */
  secrets: string[]
}

/** The most of an answer's body the delivery log keeps. */
export const RESPONSE_LOG_BYTES = 1024
/** The longest Retry-After honoured: past it, the regular schedule applies. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000

export type ErrorKind = 'timeout' | 'connection' | 'address_refused'

export interface Attempt {
  /** 2xx. */
  ok: boolean
  /** The HTTP status, when an answer came. */
  status: number | null
  errorKind: ErrorKind | null
  /** Safe to store and log: a status line or an error code, never a URL's secrets or an address. */
  detail: string
  durationMs: number
  /** At most RESPONSE_LOG_BYTES of the answer, as text, addresses masked. */
  response: string | null
  /** 429 or 503 with Retry-After: when the receiver asked to be tried again. */
  retryAfterMs: number | null
}

/** Retry-After as seconds or as an HTTP date; null when absent, unreadable or too far off. */
export function parseRetryAfter (value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value
  if (text === undefined || text.trim() === '') return null
  const ms = /^\s*\d+\s*$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now
  if (!Number.isFinite(ms)) return null
  const bounded = Math.max(0, ms)
  return bounded > MAX_RETRY_AFTER_MS ? null : bounded
}

/** Up to `limit` bytes of a body as printable text; the rest is not read (the connection is dropped). */
async function readCapped (body: Dispatcher.ResponseData['body'], limit: number): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(chunk as Buffer)
    size += (chunk as Buffer).length
    if (size >= limit) break
  }
  if (size === 0) return null
  // Not NUL (PostgreSQL text cannot hold it) nor other controls; a cut character becomes U+FFFD.
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit)).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
  return scrubAddresses(text)
}

function describeError (err: unknown): { kind: ErrorKind, detail: string } {
  if (err instanceof AddressRefused) return { kind: 'address_refused', detail: `address refused: ${err.hostname} resolves to a non-public address` }
  const e = err as { name?: string, code?: string }
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || /TIMEOUT/.test(e.code ?? '')) return { kind: 'timeout', detail: 'timeout: no complete answer in time' }
  return { kind: 'connection', detail: `connection: ${e.code ?? e.name ?? 'error'}` }
}

export interface SenderOptions {
  dispatcher: Dispatcher
  /** For the whole attempt: connecting, the answer's headers and body. */
  timeoutMs: number
}

/** The headers of a delivery, signed at `at` with each of its secrets (Standard Webhooks). */
export function createSigner () {
  // A Webhook decodes its secret once; endpoints are few.
  const signers = new Map<string, Webhook>()
  const signer = (secret: string): Webhook => {
    let webhook = signers.get(secret)
    if (webhook === undefined) signers.set(secret, webhook = new Webhook(secret))
    return webhook
  }
  return function headersFor ({ id, body, secrets }: Outgoing, at: Date): Record<string, string> {
    return {
      'content-type': 'application/json',
      'user-agent': 'contact-intake-webhooks/1',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': secrets.map((secret) => signer(secret).sign(id, at, body)).join(' ')
    }
  }
}

export function createWebhookSender ({ dispatcher, timeoutMs }: SenderOptions) {
  const headersFor = createSigner()
  return {

    async send (outgoing: Outgoing): Promise<Attempt> {
      const started = performance.now()
      const elapsed = () => Math.round(performance.now() - started)
      try {
        const answer = await request(outgoing.url, {
          method: 'POST',
          dispatcher,
          headers: headersFor(outgoing, new Date()),
          body: outgoing.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs)
        })
        const status = answer.statusCode
        const response = await readCapped(answer.body, RESPONSE_LOG_BYTES)
        const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(answer.headers['retry-after']) : null
        return { ok: status >= 200 && status < 300, status, errorKind: null, detail: `HTTP ${status}`, durationMs: elapsed(), response, retryAfterMs }
      } catch (err) {
        const { kind, detail } = describeError(err)
        return { ok: false, status: null, errorKind: kind, detail, durationMs: elapsed(), response: null, retryAfterMs: null }
      }
    }
  }
}
export type WebhookSender = ReturnType<typeof createWebhookSender>
