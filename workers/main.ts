// The worker process: `npm run start:worker`.
import { pino } from 'pino'
import { loggerOptions } from '../src/logger.js'
import { closeOnSignals, configOrExit } from '../src/lifecycle.js'
import { createMetrics } from '../src/ops/metrics.js'
import { startOpsListener } from '../src/ops/listener.js'
import { startWorkers } from './index.js'

const config = configOrExit()
const log = pino(loggerOptions(config))
const metrics = createMetrics({ defaultMetrics: config.METRICS_ENABLED })
const workers = await startWorkers(config, { log, metrics })
const ops = await startOpsListener({ role: 'worker', metrics, services: workers.services, worker: workers.readiness })
closeOnSignals(config, log, async () => { await Promise.all([workers.close(), ops.close()]) })
