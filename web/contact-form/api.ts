// The service's public API, as the form uses it.
import type { Locale } from './texts.js'

export interface Notice {
  version: string
  locale: Locale
  text: string
}

export interface PublicContact {
  id: string
  name: string
  title: string
}

export interface Receipt {
  id: string
  retainUntil: string
}

export interface ErrorBody {
  code: string
  details?: Array<{ path: string, message: string }>
}

/** What became of a submission: stored, refused with an error body, or never answered. */
export type SubmitOutcome =
  | { kind: 'stored', receipt: Receipt }
  | { kind: 'refused', status: number, error: ErrorBody, retryAfter: number | null }
  | { kind: 'unreachable' }

async function getJson<T> (url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'omit' })
  if (!response.ok) throw new Error(`${url}: ${response.status}`)
  return await response.json() as T
}

export function createApi (origin: string) {
  return {
    challengeUrl: `${origin}/v1/captcha/challenge`,

    async notice (locale: Locale): Promise<Notice> {
      return await getJson<Notice>(`${origin}/v1/privacy-notice?locale=${locale}`)
    },

    /** The form's one contact (never the whole directory); null when the service knows no active one by this id. */
    async contact (id: string): Promise<PublicContact | null> {
      const response = await fetch(`${origin}/v1/contacts/${encodeURIComponent(id)}`, { headers: { accept: 'application/json' }, credentials: 'omit' })
      // 404: unknown or inactive; 400: not even an id. Either way the form names the contact by its id.
      if (response.status === 404 || response.status === 400) return null
      if (!response.ok) throw new Error(`contact ${id}: ${response.status}`)
      return await response.json() as PublicContact
    },

    /** Posts a body already serialised: the form compares it with the last attempt's to reuse its key. */
    async submit (body: string, idempotencyKey: string): Promise<SubmitOutcome> {
      let response: Response
      try {
        response = await fetch(`${origin}/v1/contact-requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, accept: 'application/json' },
          body,
          credentials: 'omit'
        })
      } catch {
        return { kind: 'unreachable' }
      }
      const answer = await response.json().catch(() => null) as (Receipt & ErrorBody) | null
      if (response.status === 202 && answer !== null) return { kind: 'stored', receipt: answer }
      if (answer === null || typeof answer.code !== 'string') return { kind: 'unreachable' }
      const retryAfter = Number(response.headers.get('retry-after'))
      return { kind: 'refused', status: response.status, error: answer, retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null }
    }
  }
}
export type Api = ReturnType<typeof createApi>
