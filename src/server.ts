// The API process: `npm run start:api`. Also exports startApi for the single-process mode.
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import type { Config } from './config.js'
import { loadReferenceData } from './db/reference-data.js'
import { closeOnSignals, configOrExit } from './lifecycle.js'
import { createMetrics, type Metrics } from './ops/metrics.js'
import { startOpsListener } from './ops/listener.js'

/** Builds and starts the API; resolves once it listens. */
export async function startApi (config: Config, { metrics }: { metrics: Metrics }): Promise<FastifyInstance> {
  const app = await buildApp(config, { metrics })
  for (const name of config.ephemeralSecrets) {
    app.log.warn(`${name} is not set: using a random key for this process only. Set it in production, the same on every instance.`)
  }
  await loadReferenceData(app.services.repositories, config, app.log)
  await app.listen({ host: config.HOST, port: config.PORT })
  return app
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = configOrExit()
  const metrics = createMetrics({ defaultMetrics: config.METRICS_ENABLED })
  const app = await startApi(config, { metrics })
  const ops = await startOpsListener({ role: 'api', metrics, services: app.services })
  closeOnSignals(config, app.log, async () => { await Promise.all([app.close(), ops.close()]) })
}
