// Is a dependency there? One probe, bounded in time, used by the readiness answers and the
// dependency gauges alike, so a probe and a graph never disagree.
import { withTimeout } from '../with-timeout.js'

export type Check = 'up' | 'down'

/** A probe that takes longer than this counts as down: a readiness answer must come before the prober gives up. */
export const PROBE_TIMEOUT_MS = 1500

export async function probe (run: () => Promise<unknown>): Promise<Check> {
  try {
    await withTimeout(run(), PROBE_TIMEOUT_MS)
    return 'up'
  } catch {
    return 'down'
  }
}

/**
 * Remembers `load`'s answer for `ttlMs`: callers within that time share one call, so a storm of
 * probes or scrapes reaches PostgreSQL and Redis once per `ttlMs` at most.
 */
export function cachedFor<T> (ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let last: { at: number, value: Promise<T> } | undefined
  return async () => {
    const now = Date.now()
    if (last === undefined || now - last.at >= ttlMs) last = { at: now, value: load() }
    return await last.value
  }
}
