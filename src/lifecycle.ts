// What every process entry shares: reading the configuration or stopping, and shutting down gracefully.
import closeWithGrace from 'close-with-grace'
import type { FastifyBaseLogger } from 'fastify'
import { ConfigError, loadConfig, type Config } from './config.js'

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
export function closeOnSignals (config: Config, log: FastifyBaseLogger, close: () => Promise<void>): void {
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err !== undefined) log.error({ err }, 'shutting down after an uncaught error')
    else log.info({ signal }, 'shutting down')
    await close()
  })
}
