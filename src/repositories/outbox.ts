// Which outbox rows the relay (src/notifications/relay.ts) takes, one rule for the three outboxes:
// notifications, receipts and webhook deliveries.

/** How much longer than a pending row a queued one waits before the relay adds its job again… */
export const REQUEUE_FACTOR = 6
/** …and at least this long: a job the relay just added needs time to be taken. */
export const REQUEUE_MIN_MS = 60_000

/**
 * Rows to (re-)enqueue: pending ones the API could not enqueue (older than `olderThanMs`), and
 * queued ones whose job Redis may have lost since — a failover drops writes the old master had not
 * replicated, a cluster node restarted without persistence comes back empty. Adding a job under
 * its own id again is a no-op while the job exists, so a queued row whose job waits in a backlog
 * costs one such no-op every REQUEUE_FACTOR × olderThanMs (a minute at least).
 */
export function relayableWhere (olderThanMs: number) {
  const now = Date.now()
  return {
    OR: [
      { status: 'pending' as const, createdAt: { lt: new Date(now - olderThanMs) } },
      { status: 'queued' as const, queuedAt: { lt: new Date(now - Math.max(olderThanMs * REQUEUE_FACTOR, REQUEUE_MIN_MS)) } }
    ]
  }
}

/** Rows whose jobs the relay has just added: marked queued now, which restarts their clock. */
export const justQueuedWhere = (ids: string[]) => ({ id: { in: ids }, status: { in: ['pending' as const, 'queued' as const] } })
