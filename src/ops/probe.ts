// The containers' health check: `node dist/src/ops/probe.js api|worker`. Asks this container's own
// process, on its operations listener, whether it is ready, and accepts the answer only from the
// process it names: on a shared (host) network another process on the same port cannot pass for it.
import { configOrExit } from '../lifecycle.js'
import { DEFAULT_METRICS_PORTS } from './listener.js'
import { PROCESS_ROLES, type ProcessRole } from './readiness.js'

const TIMEOUT_MS = 2500

/** Where to ask: the listener's own address, or loopback when it listens on every interface. */
function hostOf (configured: string): string {
  const host = configured === '0.0.0.0' || configured === '::' || configured === '' ? '127.0.0.1' : configured
  return host.includes(':') ? `[${host}]` : host
}

async function check (role: ProcessRole): Promise<string | null> {
  const config = configOrExit()
  const url = `http://${hostOf(config.METRICS_HOST)}:${config.METRICS_PORT ?? DEFAULT_METRICS_PORTS[role]}/health/ready`
  let res: Response
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (err) {
    return `${url}: no answer (${(err as Error).name})`
  }
  const body = await res.json().catch(() => null) as { status?: string, process?: string, checks?: Record<string, string> } | null
  if (body?.process !== role) return `${url}: answered by ${body?.process ?? 'something else'}, not the ${role}`
  if (res.status !== 200) return `${url}: not ready ${JSON.stringify(body.checks ?? {})}`
  return null
}

const role = process.argv[2] as ProcessRole
if (!PROCESS_ROLES.includes(role)) {
  process.stderr.write(`usage: probe.js ${PROCESS_ROLES.join('|')}\n`)
  process.exit(2)
}
const problem = await check(role)
process.stdout.write(`${problem ?? `${role} ready`}\n`)
process.exit(problem === null ? 0 : 1)
