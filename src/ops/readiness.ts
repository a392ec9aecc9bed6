// What a process answers when asked whether it can do its work: the same shape from the API, the
// worker and the single process, each naming itself, so a probe that reaches the wrong process
// (two containers on one host network, say) can tell.
import { Type, type Static } from '@sinclair/typebox'
import { probe, type Check } from './checks.js'

export const PROCESS_ROLES = ['api', 'worker', 'api+worker'] as const
export type ProcessRole = typeof PROCESS_ROLES[number]

/** One check's answer. */
export const CheckSchema = Type.Union([Type.Literal('up'), Type.Literal('down')])

export const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  process: Type.Union(PROCESS_ROLES.map((r) => Type.Literal(r))),
  checks: Type.Record(Type.String(), CheckSchema, { description: 'database and redis; the worker adds smtp (its last verify) and queues (down while one is paused)' }),
  paused: Type.Optional(Type.Array(Type.String(), { description: 'queues paused (by an admin, or this worker)' }))
})
export type Readiness = Static<typeof ReadinessSchema>

/** One process's readiness: a set of named checks, and the queues it finds paused. */
export interface ReadinessSource {
  checks: Record<string, () => Promise<Check>>
  paused?: () => Promise<string[]>
}

/** Runs every check at once; ready only when all are up. */
export async function readiness (process: ProcessRole, sources: ReadinessSource[]): Promise<Readiness> {
  const named = sources.flatMap((s) => Object.entries(s.checks))
  const [results, paused] = await Promise.all([
    Promise.all(named.map(async ([name, check]) => [name, await check()] as const)),
    Promise.all(sources.map(async (s) => await (s.paused?.() ?? []))).then((lists) => lists.flat())
  ])
  const checks: Record<string, Check> = Object.fromEntries(results)
  const runsQueues = sources.some((s) => s.paused !== undefined)
  if (runsQueues) checks.queues = paused.length === 0 ? 'up' : 'down'
  const ok = Object.values(checks).every((c) => c === 'up')
  return { status: ok ? 'ok' : 'unavailable', process, checks, ...(runsQueues ? { paused } : {}) }
}

/** What every process depends on and can ask whether it answers. */
export interface Dependencies {
  database: { ping: () => Promise<unknown> }
  redis: { ping: () => Promise<unknown> }
}

/** The checks every process makes: PostgreSQL and Redis answer. */
export function dependencyChecks (services: Dependencies): ReadinessSource & { checks: Record<'database' | 'redis', () => Promise<Check>> } {
  return {
    checks: {
      database: async () => await probe(services.database.ping),
      redis: async () => await probe(async () => await services.redis.ping())
    }
  }
}
