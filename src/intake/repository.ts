// Storage for contact requests on the intake path: one statement to read, one to write.
// Both run on the pool under Prisma, without Prisma's raw-query layer, which
// costs about twice the query itself (see src/db/client.ts); the rest is Prisma.
import type pg from 'pg'
import type { RoutableContact } from '../contacts/routing.js'

export interface NewContactRequest {
  id: string
  notificationId: string
  contactId: string
  name: string
  email: string
  phone: string | null
  organisation: string | null
  message: string
  locale: string
  pageUrl: string | null
  captchaProvider: string
  captchaVerified: boolean
  captchaKey: string
  fingerprint: string
  idempotencyKey: string | null
  bodySha256: string | null
  retentionDays: number
  notice: { version: string, locale: string, sha256: string }
}

export interface StoredReceipt {
  id: string
  retainUntil: Date
}

/** An earlier request that the new one may repeat, and how. */
export interface PriorRequest extends StoredReceipt {
  sameCaptcha: boolean
  sameFingerprint: boolean
  sameIdempotencyKey: boolean
  bodySha256: string | null
}

export interface LookupKeys {
  contactId: string
  captchaKey: string
  fingerprint: string
  idempotencyKey: string | null
  windowSeconds: number
}

export type LookupContact = RoutableContact & { retentionDays: number | null }

export interface Lookup {
  contact: LookupContact | null
  prior: PriorRequest[]
}

/** A unique key of contact_requests was already taken: the submission races an earlier one. */
export class DuplicateSubmission extends Error {
  constructor () {
    super('a request with this CAPTCHA solution or Idempotency-Key already exists')
    this.name = 'DuplicateSubmission'
  }
}

const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown }).code === '23505'

export function createIntakeRepository (pool: pg.Pool) {
  return {
    /**
     * Everything intake must know before it writes, in one round trip: how the
     * contact can be reached, and earlier requests this submission may repeat
     * (the same CAPTCHA solution, the same Idempotency-Key, or the same person
     * and message within the window).
     */
    async lookup (keys: LookupKeys): Promise<Lookup> {
      const { rows } = await pool.query<{ contact: LookupContact | null, prior: Array<PriorRequest & { retainUntil: string }> }>({
        text: `
        SELECT
          (SELECT json_build_object(
                    'id', c.id, 'email', c.email, 'locale', c.locale, 'active', c.active,
                    'delegateStandsIn', c.delegate_stands_in, 'retentionDays', c.retention_days,
                    'delegate', (SELECT json_build_object('id', d.id, 'email', d.email, 'locale', d.locale, 'active', d.active)
                                   FROM contacts d WHERE d.id = c.delegate_id))
             FROM contacts c WHERE c.id = $1) AS contact,
          (SELECT coalesce(json_agg(p ORDER BY p."receivedAt"), '[]'::json) FROM (
             SELECT id, received_at AS "receivedAt", retain_until AS "retainUntil", body_sha256 AS "bodySha256",
                    captcha_key = $2 AS "sameCaptcha",
                    fingerprint = $3 AND received_at > now() - make_interval(secs => $5) AS "sameFingerprint",
                    coalesce(idempotency_key = $4, false) AS "sameIdempotencyKey"
               FROM contact_requests
              WHERE captcha_key = $2
                 OR idempotency_key = $4
                 OR (fingerprint = $3 AND received_at > now() - make_interval(secs => $5))
              LIMIT 3) p) AS prior`,
        values: [keys.contactId, keys.captchaKey, keys.fingerprint, keys.idempotencyKey, keys.windowSeconds]
      })
      const row = rows[0]
      return {
        contact: row?.contact ?? null,
        prior: (row?.prior ?? []).map((p) => ({ ...p, retainUntil: new Date(p.retainUntil) }))
      }
    },

    /**
     * Stores the request, its consent record and its notification in one
     * statement: all three or nothing, in a single round trip. Throws
     * DuplicateSubmission when the CAPTCHA solution or Idempotency-Key is taken.
     */
    async insert (r: NewContactRequest): Promise<StoredReceipt> {
      try {
        const { rows } = await pool.query<StoredReceipt>({
          text: `
          WITH request AS (
            INSERT INTO contact_requests (id, contact_id, name, email, phone, organisation, message, locale, page_url,
                                          captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, retain_until)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now() + make_interval(days => $16))
            RETURNING id, received_at, retain_until
          ), consent AS (
            INSERT INTO consent_records (request_id, notice_version, notice_locale, notice_sha256, method, consented_at)
            SELECT id, $17, $18, $19, 'checkbox', received_at FROM request
          ), notification AS (
            INSERT INTO notifications (id, request_id) SELECT $20, id FROM request
          )
          SELECT id, retain_until AS "retainUntil" FROM request`,
          values: [
            r.id, r.contactId, r.name, r.email, r.phone, r.organisation, r.message, r.locale, r.pageUrl,
            r.captchaProvider, r.captchaVerified, r.captchaKey, r.fingerprint, r.idempotencyKey, r.bodySha256, r.retentionDays,
            r.notice.version, r.notice.locale, r.notice.sha256, r.notificationId
          ]
        })
        return rows[0] as StoredReceipt
      } catch (err) {
        if (isUniqueViolation(err)) throw new DuplicateSubmission()
        throw err
      }
    }
  }
}
export type IntakeRepository = ReturnType<typeof createIntakeRepository>
