// Single-process mode for `npm start`: the API and the workers in one process.
import { closeOnSignals, configOrExit, startApi } from './server.js'

const config = configOrExit()
const app = await startApi(config)
closeOnSignals(config, app.log, async () => { await app.close() })
