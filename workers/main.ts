// The worker process: `npm run start:worker`.
import { pino } from 'pino'
import { loggerOptions } from '../src/logger.js'
import { closeOnSignals, configOrExit, orClose, startOrExit, warnAboutConfig } from '../src/lifecycle.js'
import { createMetrics } from '../src/ops/metrics.js'
import { startOpsListener } from '../src/ops/listener.js'
import { startWorkers } from './index.js'

const config = configOrExit()
const log = pino(loggerOptions(config))
const metrics = createMetrics({ defaultMetrics: config.METRICS_ENABLED })
warnAboutConfig(config, log)
// A port in use ends the process cleanly, with its workers closed.
const { workers, ops } = await startOrExit(config, async () => {
  const workers = await startWorkers(config, { log, metrics })
  const ops = await orClose(async () => await startOpsListener({ role: 'worker', metrics, core: workers.core, worker: workers.readiness }), workers.close)
  return { workers, ops }
})
log.info({ operations: ops.url }, 'ready')
closeOnSignals(config, log, async () => { await Promise.all([workers.close(), ops.close()]) })
