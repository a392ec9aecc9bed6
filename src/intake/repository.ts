// Storage for contact requests on the intake path: one statement to read, one to write.
// Both run on the pool under Prisma, without Prisma's raw-query layer, which
// costs about twice the query itself (see src/db/client.ts); the rest is Prisma.
import type pg from 'pg'
import type { RoutableContact } from '../contacts/routing.js'
import { createBatcher, fulfilled } from '../db/batcher.js'

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

export interface IntakeRepositoryOptions {
  /** The same person and message again within this many seconds is a repeat. */
  duplicateWindowSeconds: number
  /** Statements of each kind running at once; the pool must have room for both kinds. */
  maxInFlight?: number
  maxBatch?: number
}

interface PriorRow {
  id: string
  receivedAt: string
  retainUntil: string
  bodySha256: string | null
  captchaKey: string
  fingerprint: string
  idempotencyKey: string | null
  recent: boolean
}

// Both statements take a batch of submissions as parallel arrays (see src/db/batcher.ts).
// The key columns are char(64): the arrays must be bpchar[] for their indexes to be used.
const LOOKUP = `
  SELECT
    (SELECT coalesce(json_agg(json_build_object(
              'id', c.id, 'email', c.email, 'locale', c.locale, 'active', c.active,
              'delegateStandsIn', c.delegate_stands_in, 'retentionDays', c.retention_days,
              'delegate', (SELECT json_build_object('id', d.id, 'email', d.email, 'locale', d.locale, 'active', d.active)
                             FROM contacts d WHERE d.id = c.delegate_id))), '[]'::json)
       FROM contacts c WHERE c.id = ANY($1::text[])) AS contacts,
    (SELECT coalesce(json_agg(p ORDER BY p."receivedAt"), '[]'::json) FROM (
       SELECT id, received_at AS "receivedAt", retain_until AS "retainUntil", body_sha256 AS "bodySha256",
              captcha_key AS "captchaKey", fingerprint, idempotency_key AS "idempotencyKey",
              received_at > now() - make_interval(secs => $5) AS recent
         FROM contact_requests
        WHERE captcha_key = ANY($2::bpchar[])
           OR idempotency_key = ANY($4::bpchar[])
           OR (fingerprint = ANY($3::bpchar[]) AND received_at > now() - make_interval(secs => $5))) p) AS prior`

// A row whose id, CAPTCHA key or Idempotency-Key is taken is skipped, with its
// consent and notification rows (they join on the inserted requests): it comes
// back missing, and its caller gets DuplicateSubmission.
const INSERT = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                         $10::text[], $11::boolean[], $12::bpchar[], $13::bpchar[], $14::bpchar[], $15::bpchar[], $16::int[],
                         $17::text[], $18::text[], $19::bpchar[], $20::uuid[])
      AS i(id, contact_id, name, email, phone, organisation, message, locale, page_url,
           captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, retention_days,
           notice_version, notice_locale, notice_sha256, notification_id)
  ), request AS (
    INSERT INTO contact_requests (id, contact_id, name, email, phone, organisation, message, locale, page_url,
                                  captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, retain_until)
    SELECT id, contact_id, name, email, phone, organisation, message, locale, page_url,
           captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, now() + make_interval(days => retention_days)
      FROM input
    ON CONFLICT DO NOTHING
    RETURNING id, received_at, retain_until
  ), consent AS (
    INSERT INTO consent_records (request_id, notice_version, notice_locale, notice_sha256, method, consented_at)
    SELECT r.id, i.notice_version, i.notice_locale, i.notice_sha256, 'checkbox', r.received_at FROM request r JOIN input i USING (id)
  ), notification AS (
    INSERT INTO notifications (id, request_id) SELECT i.notification_id, r.id FROM request r JOIN input i USING (id)
  )
  SELECT id, retain_until AS "retainUntil" FROM request`

const insertColumns = (rows: NewContactRequest[]): unknown[] => [
  rows.map((r) => r.id), rows.map((r) => r.contactId), rows.map((r) => r.name), rows.map((r) => r.email),
  rows.map((r) => r.phone), rows.map((r) => r.organisation), rows.map((r) => r.message), rows.map((r) => r.locale),
  rows.map((r) => r.pageUrl), rows.map((r) => r.captchaProvider), rows.map((r) => r.captchaVerified),
  rows.map((r) => r.captchaKey), rows.map((r) => r.fingerprint), rows.map((r) => r.idempotencyKey),
  rows.map((r) => r.bodySha256), rows.map((r) => r.retentionDays), rows.map((r) => r.notice.version),
  rows.map((r) => r.notice.locale), rows.map((r) => r.notice.sha256), rows.map((r) => r.notificationId)
]

export function createIntakeRepository (pool: pg.Pool, { duplicateWindowSeconds, maxInFlight = 3, maxBatch = 50 }: IntakeRepositoryOptions) {
  const lookups = createBatcher<LookupKeys, Lookup>({
    maxInFlight,
    maxBatch,
    async run (batch) {
      const { rows: [row] } = await pool.query<{ contacts: LookupContact[], prior: PriorRow[] }>(LOOKUP, [
        [...new Set(batch.map((k) => k.contactId))], batch.map((k) => k.captchaKey), batch.map((k) => k.fingerprint),
        batch.map((k) => k.idempotencyKey), duplicateWindowSeconds
      ])
      const contacts = new Map((row?.contacts ?? []).map((c) => [c.id, c]))
      return fulfilled(batch.map((keys) => ({
        contact: contacts.get(keys.contactId) ?? null,
        prior: (row?.prior ?? []).flatMap((p): PriorRequest[] => {
          const sameCaptcha = p.captchaKey === keys.captchaKey
          const sameFingerprint = p.recent && p.fingerprint === keys.fingerprint
          const sameIdempotencyKey = keys.idempotencyKey !== null && p.idempotencyKey === keys.idempotencyKey
          if (!sameCaptcha && !sameFingerprint && !sameIdempotencyKey) return []
          return [{ id: p.id, retainUntil: new Date(p.retainUntil), bodySha256: p.bodySha256, sameCaptcha, sameFingerprint, sameIdempotencyKey }]
        })
      })))
    }
  })

  async function insertAll (batch: NewContactRequest[]): Promise<Array<StoredReceipt | null>> {
    const { rows } = await pool.query<StoredReceipt>(INSERT, insertColumns(batch))
    const stored = new Map(rows.map((r) => [r.id, r]))
    return batch.map((r) => stored.get(r.id) ?? null)
  }

  const inserts = createBatcher<NewContactRequest, StoredReceipt | null>({
    maxInFlight,
    maxBatch,
    async run (batch) {
      try {
        return fulfilled(await insertAll(batch))
      } catch (err) {
        // One bad row must not fail the others: give each its own statement and its own error.
        if (batch.length === 1) throw err
        return await Promise.allSettled(batch.map(async (r) => (await insertAll([r]))[0] ?? null))
      }
    }
  })

  return {
    /**
     * Everything intake must know before it writes: how the contact can be
     * reached, and earlier requests this submission may repeat (the same
     * CAPTCHA solution, the same Idempotency-Key, or the same person and
     * message within the window).
     */
    async lookup (keys: LookupKeys): Promise<Lookup> {
      return await lookups.push(keys)
    },

    /**
     * Stores the request, its consent record and its notification in one
     * statement: all three or nothing. Throws DuplicateSubmission when the
     * CAPTCHA solution or Idempotency-Key is taken.
     */
    async insert (r: NewContactRequest): Promise<StoredReceipt> {
      const stored = await inserts.push(r)
      if (stored === null) throw new DuplicateSubmission()
      return stored
    }
  }
}
export type IntakeRepository = ReturnType<typeof createIntakeRepository>
