// When a request is deleted: the retention rules that decide a date, defined here once.

const DAY_MS = 86_400_000

/** What a status change does to a request's dates. */
export interface StatusChange<S extends string> {
  status: S
  closedAt?: Date
  retainUntil?: Date
}

/**
 * Closing a request shortens its retention to `daysAfterClose` from now, and never lengthens it;
 * any other change, and closing what is already closed, leaves the dates as they are.
 */
export function statusChange<S extends string> (
  current: { status: string, retainUntil: Date }, status: S, daysAfterClose: number, now = new Date()
): StatusChange<S> {
  if (status !== 'closed' || current.status === 'closed') return { status }
  const shortened = new Date(now.getTime() + daysAfterClose * DAY_MS)
  return { status, closedAt: now, retainUntil: shortened < current.retainUntil ? shortened : current.retainUntil }
}
