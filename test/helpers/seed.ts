// Many stored requests at once, straight in SQL: for purge tests and the purge bench.
import type pg from 'pg'

export interface SeedOptions {
  count: number
  /** Days from now when their retention ends: negative for expired requests. */
  retainDays: number
  email?: string
  /** Whether each gets a consent record and a notification, as intake writes them. */
  complete?: boolean
}

/** Inserts `count` requests (with consent and notification rows) in one statement each; answers their ids. */
export async function seedRequests (pool: pg.Pool, { count, retainDays, email = 'seeded@example.se', complete = true }: SeedOptions): Promise<void> {
  await pool.query(`
    WITH request AS (
      INSERT INTO contact_requests (id, contact_id, name, email, message, locale, captcha_provider, captcha_verified, captcha_key, fingerprint, received_at, retain_until)
      SELECT gen_random_uuid(), 'lotta-fransson', 'Seeded Person', $3, 'Seeded message ' || g, 'sv', 'altcha', true,
             encode(sha256(gen_random_uuid()::text::bytea), 'hex'), encode(sha256(gen_random_uuid()::text::bytea), 'hex'),
             now() - interval '200 days', now() + make_interval(days => $2)
        FROM generate_series(1, $1) g
      RETURNING id, received_at
    ), consent AS (
      INSERT INTO consent_records (request_id, notice_version, notice_locale, notice_sha256, method, consented_at)
      SELECT id, '2026-11-26', 'sv', (SELECT sha256 FROM privacy_notices WHERE version = '2026-11-26' AND locale = 'sv'), 'checkbox', received_at
        FROM request WHERE $4
    )
    INSERT INTO notifications (id, request_id, status, recipient, smtp_response)
    SELECT gen_random_uuid(), id, 'sent', 'lotta.fransson@example.org', '250 OK' FROM request WHERE $4`, [count, retainDays, email, complete])
}
