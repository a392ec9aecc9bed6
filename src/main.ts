// Single-process mode for `npm start`: the API and the workers in one process.
import { closeOnSignals, configOrExit } from './lifecycle.js'
import { startApi } from './server.js'
import { startWorkers } from '../workers/index.js'

const config = configOrExit()
const app = await startApi(config)
const workers = await startWorkers(config, { log: app.log })
closeOnSignals(config, app.log, async () => {
  // Both stop taking work at once; the API's in-flight requests and the worker's running jobs finish.
  await Promise.all([app.close(), workers.close()])
})
