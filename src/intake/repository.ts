// Storage for contact requests on the intake path: one statement that stores a
// submission unless it repeats an earlier one, batched across concurrent submissions.
// It runs on the pool under Prisma, without Prisma's raw-query layer, which
// costs about twice the query itself (see src/db/client.ts); the rest is Prisma.
import type pg from 'pg'
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
  captchaKey: string
  fingerprint: string
  idempotencyKey: string | null
}

/** What became of a submission given to `store`. */
export type StoreOutcome =
  | { stored: StoredReceipt }
  /** No such contact, or nobody (not even a fallback inbox) can take its requests. */
  | { unroutable: true }
  /**
   * Not stored: it repeats these earlier requests. An empty list means it lost
   * a race to a twin stored at the same instant; look again with findPrior.
   */
  | { prior: PriorRequest[] }

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
  /** Retention of a request whose contact has no override. */
  retentionDays: number
  /** Whether a fallback inbox takes requests no contact can. */
  hasFallbackInbox: boolean
  /** Statements running at once, and submissions per statement. */
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

// Earlier requests that submissions with these keys repeat: the same CAPTCHA
// solution, the same Idempotency-Key, or the same person and message within the
// window. The key columns are char(64): the arrays must be bpchar[] for their
// indexes to be used (as text[], every look-up scans the table).
const PRIOR = `
  SELECT id, received_at AS "receivedAt", retain_until AS "retainUntil", body_sha256 AS "bodySha256",
         captcha_key AS "captchaKey", fingerprint, idempotency_key AS "idempotencyKey",
         received_at > now() - make_interval(secs => $4) AS recent
    FROM contact_requests
   WHERE captcha_key = ANY($1::bpchar[])
      OR (fingerprint = ANY($2::bpchar[]) AND received_at > now() - make_interval(secs => $4))
      OR idempotency_key = ANY($3::bpchar[])`

// A batch of submissions as parallel arrays. Each is stored, with its consent
// record and notification, when its contact can be routed to (the SQL twin of
// routeRequest() !== null in src/contacts/routing.ts), it repeats no earlier
// request, and no other submission of the batch carries the same person and
// message. A key taken meanwhile (ON CONFLICT DO NOTHING) skips only that row.
const STORE = `
  WITH input AS (
    SELECT * FROM unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                         $14::text[], $15::boolean[], $1::bpchar[], $2::bpchar[], $3::bpchar[], $16::bpchar[],
                         $17::text[], $18::text[], $19::bpchar[], $20::uuid[]) WITH ORDINALITY
      AS i(id, contact_id, name, email, phone, organisation, message, locale, page_url,
           captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256,
           notice_version, notice_locale, notice_sha256, notification_id, n)
  ), routable AS (
    SELECT c.id, coalesce(c.retention_days, $21) AS retention_days
      FROM contacts c LEFT JOIN contacts d ON d.id = c.delegate_id
     WHERE c.id = ANY($6::text[]) AND (c.active OR coalesce(d.active, false) OR $22)
  ), prior AS (${PRIOR}
  ), accepted AS (
    SELECT DISTINCT ON (i.fingerprint) i.*, r.retention_days
      FROM input i JOIN routable r ON r.id = i.contact_id
     WHERE NOT EXISTS (SELECT 1 FROM prior p
                        WHERE p."captchaKey" = i.captcha_key OR p."idempotencyKey" = i.idempotency_key
                           OR (p.recent AND p.fingerprint = i.fingerprint))
     ORDER BY i.fingerprint, i.n
  ), request AS (
    INSERT INTO contact_requests (id, contact_id, name, email, phone, organisation, message, locale, page_url,
                                  captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, retain_until)
    SELECT id, contact_id, name, email, phone, organisation, message, locale, page_url,
           captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, now() + make_interval(days => retention_days)
      FROM accepted
     ORDER BY n -- first come, first stored: a later row with a taken key is the one skipped
    ON CONFLICT DO NOTHING
    RETURNING id, received_at, retain_until
  ), consent AS (
    INSERT INTO consent_records (request_id, notice_version, notice_locale, notice_sha256, method, consented_at)
    SELECT r.id, i.notice_version, i.notice_locale, i.notice_sha256, 'checkbox', r.received_at FROM request r JOIN input i USING (id)
  ), notification AS (
    INSERT INTO notifications (id, request_id) SELECT i.notification_id, r.id FROM request r JOIN input i USING (id)
  )
  SELECT (SELECT coalesce(json_agg(json_build_object('id', id, 'retainUntil', retain_until)), '[]'::json) FROM request) AS stored,
         (SELECT coalesce(json_agg(id), '[]'::json) FROM routable) AS routable,
         (SELECT coalesce(json_agg(p ORDER BY p."receivedAt"), '[]'::json) FROM prior p) AS prior`

/** The earlier requests among `rows` that a submission with `keys` repeats. */
function priorOf (rows: PriorRow[], keys: LookupKeys): PriorRequest[] {
  return rows.flatMap((p): PriorRequest[] => {
    const sameCaptcha = p.captchaKey === keys.captchaKey
    const sameFingerprint = p.recent && p.fingerprint === keys.fingerprint
    const sameIdempotencyKey = keys.idempotencyKey !== null && p.idempotencyKey === keys.idempotencyKey
    if (!sameCaptcha && !sameFingerprint && !sameIdempotencyKey) return []
    return [{ id: p.id, retainUntil: new Date(p.retainUntil), bodySha256: p.bodySha256, sameCaptcha, sameFingerprint, sameIdempotencyKey }]
  })
}

export function createIntakeRepository (pool: pg.Pool, options: IntakeRepositoryOptions) {
  const { duplicateWindowSeconds, retentionDays, hasFallbackInbox, maxInFlight = 4, maxBatch = 50 } = options

  async function storeAll (batch: NewContactRequest[]): Promise<StoreOutcome[]> {
    const column = <T>(pick: (r: NewContactRequest) => T): T[] => batch.map(pick)
    const { rows: [row] } = await pool.query<{ stored: Array<{ id: string, retainUntil: string }>, routable: string[], prior: PriorRow[] }>(STORE, [
      column((r) => r.captchaKey), column((r) => r.fingerprint), column((r) => r.idempotencyKey), duplicateWindowSeconds,
      column((r) => r.id), column((r) => r.contactId), column((r) => r.name), column((r) => r.email), column((r) => r.phone),
      column((r) => r.organisation), column((r) => r.message), column((r) => r.locale), column((r) => r.pageUrl),
      column((r) => r.captchaProvider), column((r) => r.captchaVerified), column((r) => r.bodySha256),
      column((r) => r.notice.version), column((r) => r.notice.locale), column((r) => r.notice.sha256), column((r) => r.notificationId),
      retentionDays, hasFallbackInbox
    ])
    const stored = new Map((row?.stored ?? []).map((s) => [s.id, s]))
    const routable = new Set(row?.routable ?? [])
    return batch.map((r): StoreOutcome => {
      const receipt = stored.get(r.id)
      if (receipt !== undefined) return { stored: { id: receipt.id, retainUntil: new Date(receipt.retainUntil) } }
      if (!routable.has(r.contactId)) return { unroutable: true }
      return { prior: priorOf(row?.prior ?? [], r) }
    })
  }

  const stores = createBatcher<NewContactRequest, StoreOutcome>({
    maxInFlight,
    maxBatch,
    async run (batch) {
      try {
        return fulfilled(await storeAll(batch))
      } catch (err) {
        // One bad row must not fail the others: give each its own statement and its own error.
        if (batch.length === 1) throw err
        return await Promise.allSettled(batch.map(async (r) => (await storeAll([r]))[0] as StoreOutcome))
      }
    }
  })

  return {
    /** Stores a submission with its consent record and notification (all or nothing), unless it repeats one. */
    async store (r: NewContactRequest): Promise<StoreOutcome> {
      return await stores.push(r)
    },

    /** Earlier requests a submission with these keys repeats; for the rare paths around `store`. */
    async findPrior (keys: LookupKeys): Promise<PriorRequest[]> {
      const { rows } = await pool.query<PriorRow>(PRIOR, [[keys.captchaKey], [keys.fingerprint], [keys.idempotencyKey], duplicateWindowSeconds])
      return priorOf(rows, keys)
    }
  }
}
export type IntakeRepository = ReturnType<typeof createIntakeRepository>
