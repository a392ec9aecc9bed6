// The API process: configuration, reference data, listen, graceful shutdown.
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { loadReferenceData } from './db/reference-data.js'
import type { FastifyInstance } from 'fastify'

/** Builds and starts the API; resolves once it listens. */
export async function startApi (config: Config): Promise<FastifyInstance> {
  const app = await buildApp(config)
  for (const name of config.ephemeralSecrets) {
    app.log.warn(`${name} is not set: using a random key for this process only. Set it in production, the same on every instance.`)
  }
  await loadReferenceData(app.prisma, config, app.log)
  await app.listen({ host: config.HOST, port: config.PORT })
  return app
}

/** Reads the configuration or stops the process with a message naming what is wrong. */
export function configOrExit (): Config {
  try {
    return loadConfig()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    process.exit(78) // EX_CONFIG
  }
}

/** Closes everything on SIGTERM/SIGINT or a crash, within the configured delay. */
export function closeOnSignals (config: Config, log: FastifyInstance['log'], close: () => Promise<void>): void {
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err !== undefined) log.error({ err }, 'shutting down after an uncaught error')
    else log.info({ signal }, 'shutting down')
    await close()
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = configOrExit()
  const app = await startApi(config)
  closeOnSignals(config, app.log, async () => { await app.close() })
}
