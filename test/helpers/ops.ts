// The operations listener of a test's app and workers, on a free port, closed when the test ends.
import { startOpsListener, type OpsListener, type OpsListenerOptions } from '../../src/ops/listener.js'
import { createMetrics } from '../../src/ops/metrics.js'
import type { ProcessRole, Readiness } from '../../src/ops/readiness.js'
import type { Workers } from '../../workers/index.js'

interface TestLike { teardown: (fn: () => unknown) => void }

export async function opsListener (t: TestLike, options: OpsListenerOptions): Promise<OpsListener> {
  const ops = await startOpsListener(options)
  t.teardown(ops.close)
  return ops
}

/** The operations listener of test workers, answering as `role`. */
export async function workerListener (t: TestLike, workers: Workers, role: ProcessRole = 'worker'): Promise<OpsListener> {
  return await opsListener(t, { role, metrics: createMetrics({ defaultMetrics: false }), core: workers.core, worker: workers.readiness })
}

/** One readiness answer of an operations listener. */
export async function ready (url: string): Promise<{ status: number, body: Readiness }> {
  const res = await fetch(`${url}/health/ready`)
  return { status: res.status, body: await res.json() as Readiness }
}
