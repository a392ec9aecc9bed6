// The operations listener of a test's app and workers, on a free port, closed when the test ends.
import { startOpsListener, type OpsListener, type OpsListenerOptions } from '../../src/ops/listener.js'

interface TestLike { teardown: (fn: () => unknown) => void }

export async function opsListener (t: TestLike, options: OpsListenerOptions): Promise<OpsListener> {
  const ops = await startOpsListener(options)
  t.teardown(ops.close)
  return ops
}
