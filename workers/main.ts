// The worker process: `npm run start:worker`.
import { pino } from 'pino'
import { loggerOptions } from '../src/logger.js'
import { closeOnSignals, configOrExit } from '../src/lifecycle.js'
import { startWorkers } from './index.js'

const config = configOrExit()
const log = pino(loggerOptions(config))
const workers = await startWorkers(config, { log })
closeOnSignals(config, log, workers.close)
