// Restriction of processing (GDPR Art. 18): the one definition every claim uses. A restricted
// request is kept but not processed further, so the work it would cause is settled when a worker
// claims it, visibly, with this reason, instead of being done.
//
// How the work is settled differs by table, on purpose:
// - a notification is *failed*: the project manager was never told, which somebody must put right.
//   It shows among the failures and is re-driven by an admin once the restriction is lifted.
// - a receipt and a webhook delivery are *skipped*: nothing is owed later. The person's receipt
//   would confirm processing that is restricted, and a receiver told afterwards learns nothing
//   it needs (the request's later events reach it when they happen).

/** Where restricted processing is settled, table by table (see above). */
export const RESTRICTED_OUTCOME = { notifications: 'failed', receipts: 'skipped', webhook_deliveries: 'skipped' } as const

/** The reason a restricted request's work is settled with, in its `last_error`. */
export const RESTRICTED_REASON = 'processing restricted (GDPR Art. 18)'

/** SQL: whether processing of the request whose id is `requestId` (a column) is restricted. */
export const restrictedSql = (requestId: string): string =>
  `EXISTS (SELECT 1 FROM contact_requests restricted_request WHERE restricted_request.id = ${requestId} AND restricted_request.restricted_at IS NOT NULL)`
