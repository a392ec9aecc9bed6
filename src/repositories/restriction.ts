// Held work: the one definition every claim uses. A request whose processing is restricted (GDPR
// Art. 18), or that is quarantined as spam (src/spam/), is kept but not processed further, so the
// work it would cause is settled when a worker claims it, visibly, with its reason, instead of being done.
//
// How the work is settled differs by table, on purpose:
// - a notification is *failed*: the project manager was never told, which somebody must put right.
//   It shows among the failures and is re-driven by an admin once the restriction is lifted (a
//   released request gets a new notification instead, src/repositories/requests.ts).
// - a receipt and a webhook delivery are *skipped*: nothing is owed later. The person's receipt
//   would confirm processing that is restricted, and a receiver told afterwards learns nothing
//   it needs (the request's later events reach it when they happen).

/** Where held work is settled, table by table (see above). */
export const HELD_OUTCOME = { notifications: 'failed', receipts: 'skipped', webhook_deliveries: 'skipped' } as const

/** The reasons held work is settled with, in its `last_error`. */
export const HELD_REASONS = { restricted: 'processing restricted (GDPR Art. 18)', quarantined: 'quarantined as spam' } as const

/** SQL: whether the work of the request whose id is `requestId` (a column) is held. */
export const heldSql = (requestId: string): string =>
  `EXISTS (SELECT 1 FROM contact_requests held_request WHERE held_request.id = ${requestId} AND (held_request.restricted_at IS NOT NULL OR held_request.status = 'quarantined'))`

/** SQL: why the work of the request whose id is `requestId` is held (when heldSql says it is). */
export const heldReasonSql = (requestId: string): string =>
  `(SELECT CASE WHEN held_request.restricted_at IS NOT NULL THEN '${HELD_REASONS.restricted}' ELSE '${HELD_REASONS.quarantined}' END
      FROM contact_requests held_request WHERE held_request.id = ${requestId})`
