// Single-process mode for `npm start`: the API and the workers in one process, one operations listener.
import { closeOnSignals, configOrExit } from './lifecycle.js'
import { createMetrics } from './ops/metrics.js'
import { startOpsListener } from './ops/listener.js'
import { startApi } from './server.js'
import { startWorkers } from '../workers/index.js'

const config = configOrExit()
const metrics = createMetrics({ defaultMetrics: config.METRICS_ENABLED })
const app = await startApi(config, { metrics })
const workers = await startWorkers(config, { log: app.log, metrics })
const ops = await startOpsListener({ role: 'api+worker', metrics, services: app.services, worker: workers.readiness })
closeOnSignals(config, app.log, async () => {
  // Both stop taking work at once; the API's in-flight requests and the worker's running jobs finish.
  await Promise.all([app.close(), workers.close(), ops.close()])
})
