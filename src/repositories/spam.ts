// The spam filter's tables: what the classifier learned from admins' decisions (spam_training,
// spam_token_counts), and the anonymous log of decisions (spam_decisions). Learning and
// unlearning run inside the transaction of the decision or removal that causes them
// (src/repositories/requests.ts), so the counts never hold a request that is gone.
import type pg from 'pg'
import type { Database } from '../db/client.js'
import type { SpamModel } from '../spam/classifier.js'

export type SpamLabel = 'spam' | 'ham'

/**
 * Takes the requests' examples out of the counts; tokens left with no example go. The counts are
 * locked in token order first, as learn() writes them, so two removals at once (purge lanes,
 * concurrent purges) never wait for each other in a circle.
 */
export async function unlearn (client: pg.PoolClient, requestIds: string[]): Promise<void> {
  if (requestIds.length === 0) return
  await client.query(`
    SELECT c.token FROM spam_token_counts c
     WHERE c.token IN (SELECT unnest(tokens) FROM spam_training WHERE request_id = ANY($1::uuid[]))
     ORDER BY c.token FOR UPDATE`, [requestIds])
  const { rows } = await client.query<{ token: string }>(`
    WITH gone AS (
      DELETE FROM spam_training WHERE request_id = ANY($1::uuid[]) RETURNING label, tokens
    ), per_token AS (
      SELECT token, count(*) FILTER (WHERE label = 'spam')::int AS spam, count(*) FILTER (WHERE label = 'ham')::int AS ham
        FROM gone, unnest(tokens) AS token GROUP BY token
    ), updated AS (
      UPDATE spam_token_counts c SET spam = c.spam - p.spam, ham = c.ham - p.ham
        FROM per_token p WHERE c.token = p.token
      RETURNING c.token, c.spam, c.ham
    )
    SELECT token FROM updated WHERE spam <= 0 AND ham <= 0`, [requestIds])
  if (rows.length > 0) {
    await client.query('DELETE FROM spam_token_counts WHERE token = ANY($1::text[]) AND spam <= 0 AND ham <= 0', [rows.map((r) => r.token)])
  }
}

/** Adds a request's example under `label` (after unlearn of any earlier label). Tokens are distinct. */
export async function learn (client: pg.PoolClient, requestId: string, label: SpamLabel, tokens: string[]): Promise<void> {
  // In token order, so two decisions sharing tokens lock their counts in the same order.
  await client.query(`
    WITH example AS (
      INSERT INTO spam_training (request_id, label, tokens) VALUES ($1, $2, $3::text[]) RETURNING label, tokens
    )
    INSERT INTO spam_token_counts (token, spam, ham)
    SELECT token, (label = 'spam')::int, (label = 'ham')::int FROM example, unnest(tokens) AS token ORDER BY token
    ON CONFLICT (token) DO UPDATE SET spam = spam_token_counts.spam + excluded.spam, ham = spam_token_counts.ham + excluded.ham`,
  [requestId, label, tokens])
}

/** Writes one decision to the anonymous log. */
export async function logDecision (client: pg.PoolClient, decision: 'released' | 'marked_spam', reasons: string[], score: number | null): Promise<void> {
  await client.query('INSERT INTO spam_decisions (id, decision, reasons, score) VALUES (gen_random_uuid(), $1, $2::text[], $3)', [decision, reasons, score])
}

/** One line of the quarantine's review list: no personal data. */
export interface QuarantinedSummary {
  id: string
  contactId: string
  receivedAt: Date
  quarantinedAt: Date
  spamScore: number | null
  spamReasons: string[]
}

export interface QuarantinePage { page: QuarantinedSummary[], more: boolean }

/** Decisions of a period by decision and reason (a decision with several reasons counts under each). */
export interface DecisionSummary { decision: string, reason: string, count: number }

export function createSpamRepository ({ pool }: Database) {
  return {
    /** The classifier's counts as they are now. */
    async model (): Promise<SpamModel> {
      const [examples, tokens] = await Promise.all([
        pool.query<{ label: SpamLabel, count: number }>('SELECT label, count(*)::int AS count FROM spam_training GROUP BY label'),
        pool.query<{ token: string, spam: number, ham: number }>('SELECT token, spam, ham FROM spam_token_counts')
      ])
      const count = (label: SpamLabel) => examples.rows.find((r) => r.label === label)?.count ?? 0
      return {
        spamExamples: count('spam'),
        hamExamples: count('ham'),
        tokens: new Map(tokens.rows.map((r) => [r.token, [r.spam, r.ham] as const]))
      }
    },

    /** The quarantine, newest first; the page after `after` (quarantinedAt, id). */
    async quarantined ({ limit, after }: { limit: number, after?: { at: Date, id: string } }): Promise<QuarantinePage> {
      const { rows } = await pool.query<QuarantinedSummary>(`
        SELECT id, contact_id AS "contactId", received_at AS "receivedAt", quarantined_at AS "quarantinedAt",
               spam_score AS "spamScore", spam_reasons AS "spamReasons"
          FROM contact_requests
         WHERE status = 'quarantined' AND ($2::timestamptz IS NULL OR (quarantined_at, id) < ($2, $3::uuid))
         ORDER BY quarantined_at DESC, id DESC LIMIT $1`, [limit + 1, after?.at ?? null, after?.id ?? null])
      return { page: rows.slice(0, limit), more: rows.length > limit }
    },

    /** How many requests are in quarantine now. */
    async quarantineSize (): Promise<number> {
      const { rows: [row] } = await pool.query<{ count: number }>("SELECT count(*)::int AS count FROM contact_requests WHERE status = 'quarantined'")
      return row?.count ?? 0
    },

    /** Decisions since `since`, by decision and reason. */
    async summary (since: Date): Promise<DecisionSummary[]> {
      const { rows } = await pool.query<DecisionSummary>(`
        SELECT decision, reason, count(*)::int AS count
          FROM spam_decisions, unnest(CASE WHEN cardinality(reasons) = 0 THEN ARRAY['none'] ELSE reasons END) AS reason
         WHERE decided_at >= $1 GROUP BY decision, reason ORDER BY decision, count(*) DESC, reason`, [since])
      return rows
    }
  }
}
export type SpamRepository = ReturnType<typeof createSpamRepository>
