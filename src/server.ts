// The API process: `npm run start:api`. Also exports what the single-process mode shares with it.
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import type { Config } from './config.js'
import { loadReferenceData } from './reference-data.js'
import { closeOnSignals, configOrExit, listenOn, orClose, startOrExit, warnAboutConfig } from './lifecycle.js'
import { createMetrics, type Metrics } from './ops/metrics.js'
import { startOpsListener } from './ops/listener.js'

/** Builds the API and loads the reference data; it does not listen yet (see listenPublic). */
export async function prepareApi (config: Config, { metrics }: { metrics: Metrics }): Promise<FastifyInstance> {
  const app = await buildApp(config, { metrics })
  warnAboutConfig(config, app.log)
  await orClose(async () => { await loadReferenceData(app.core.repositories, config, app.log) }, async () => { await app.close() })
  return app
}

/** Opens the public port (and the console's, when it has its own), last of a process's listeners; answers the public address. */
export async function listenPublic (app: FastifyInstance, config: Config): Promise<string> {
  const { consoleListener } = app
  if (consoleListener !== null && config.CONSOLE_PORT !== undefined) {
    const url = await listenOn(async (at) => await consoleListener.listen(at), { host: config.CONSOLE_HOST, port: config.CONSOLE_PORT }, 'CONSOLE_PORT')
    app.log.info({ console: url }, 'the console listens on its own port')
  }
  return await listenOn(async (at) => await app.listen(at), { host: config.HOST, port: config.PORT }, 'PORT')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = configOrExit()
  const metrics = createMetrics({ defaultMetrics: config.METRICS_ENABLED })
  // Every listener bound before the process says it is ready; a port in use ends it cleanly.
  const { app, ops, url } = await startOrExit(config, async () => {
    const app = await prepareApi(config, { metrics })
    const ops = await orClose(async () => await startOpsListener({ role: 'api', metrics, core: app.core }), async () => { await app.close() })
    const url = await orClose(async () => await listenPublic(app, config), async () => { await Promise.all([ops.close(), app.close()]) })
    return { app, ops, url }
  })
  app.log.info({ url, operations: ops.url }, 'ready')
  closeOnSignals(config, app.log, async () => { await Promise.all([app.close(), ops.close()]) })
}
