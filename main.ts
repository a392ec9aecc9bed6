// Single-process mode for `npm start`: the API and the workers in one process, one operations listener.
// It lives here, beside src/ and workers/, because it is the one module that needs both: src/ never
// imports workers/ (eslint.config.js holds it there).
import { closeOnSignals, configOrExit, orClose, startOrExit } from './src/lifecycle.js'
import { createMetrics } from './src/ops/metrics.js'
import { startOpsListener } from './src/ops/listener.js'
import { listenPublic, prepareApi } from './src/server.js'
import { startWorkers } from './workers/index.js'

const config = configOrExit()
const metrics = createMetrics({ defaultMetrics: config.METRICS_ENABLED })
// Every listener bound before the process says it is ready; a port in use ends it cleanly.
const { app, ops, url } = await startOrExit(config, async () => {
  const app = await prepareApi(config, { metrics })
  // One core for the process: one PostgreSQL pool, one fail-fast Redis connection, one set of queues.
  const workers = await orClose(async () => await startWorkers(config, { core: app.core }), async () => { await app.close() })
  // The app closes the core it shares: its workers stop first (onClose hooks run newest first).
  app.addHook('onClose', workers.close)
  const closeBoth = async () => { await app.close() }
  const ops = await orClose(async () => await startOpsListener({ role: 'api+worker', metrics, core: app.core, worker: workers.readiness }), closeBoth)
  const url = await orClose(async () => await listenPublic(app, config), async () => { await Promise.all([closeBoth(), ops.close()]) })
  return { app, ops, url }
})
app.log.info({ url, operations: ops.url }, 'ready')
closeOnSignals(config, app.log, async () => {
  // The API's in-flight requests finish, then the workers' running jobs, then the shared core closes.
  await Promise.all([app.close(), ops.close()])
})
