// What every process entry shares: reading the configuration or stopping, and shutting down gracefully.
import closeWithGrace from 'close-with-grace'
import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import { ConfigError, loadConfig, type Config } from './config.js'
import { loggerOptions } from './logger.js'

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

/** What start-up says about the configuration: secrets made up for this process, variables under their old names. */
export function warnAboutConfig (config: Config, log: FastifyBaseLogger): void {
  for (const name of config.ephemeralSecrets) {
    log.warn(`${name} is not set: using a random key for this process only. Set it in production, the same on every instance.`)
  }
  for (const { old, current } of config.renamedVariables) {
    log.warn({ variable: old, renamedTo: current }, `${old} is read as ${current}, its new name; rename it: the old name goes in the next release`)
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

/** A listener could not bind its address; `variable` is the setting that chooses it. */
export class ListenError extends Error {
  constructor (readonly variable: string, address: string, why: string) {
    super(`${variable}: cannot listen on ${address} (${why}); set ${variable} to a free port`)
    this.name = 'ListenError'
  }
}

interface Address { host: string, port: number }

const LISTEN_PROBLEMS: Record<string, string> = { EADDRINUSE: 'in use', EACCES: 'not permitted', EADDRNOTAVAIL: 'no such address here' }

/** Binds `host:port` through `listen`; an address that cannot be had becomes a ListenError naming `variable`. */
export async function listenOn<T> (listen: (at: Address) => Promise<T>, at: Address, variable: string): Promise<T> {
  try {
    return await listen(at)
  } catch (err) {
    const why = LISTEN_PROBLEMS[(err as NodeJS.ErrnoException).code ?? '']
    if (why === undefined) throw err
    throw new ListenError(variable, `${at.host}:${at.port}`, why)
  }
}

/**
 * Starts a process: a listener that cannot bind its port ends it with one log line naming the
 * variable to change and exit code 1 (`start` has closed what it opened); anything else is thrown.
 */
export async function startOrExit<T> (config: Config, start: () => Promise<T>): Promise<T> {
  try {
    return await start()
  } catch (err) {
    if (!(err instanceof ListenError)) throw err
    pino(loggerOptions(config)).fatal({ variable: err.variable }, err.message)
    process.exit(1)
  }
}

/** Runs `step`; if it throws, closes what was opened before it, then throws on. */
export async function orClose<T> (step: () => Promise<T>, close: () => Promise<unknown>): Promise<T> {
  try {
    return await step()
  } catch (err) {
    await close().catch(() => {})
    throw err
  }
}

/**
 * Closes each part whatever the others do: one that fails to close (a queue whose first command
 * went unanswered, say) is logged and the rest still close, so a shutdown always finishes.
 */
export async function closeEach (parts: Array<{ close: () => Promise<unknown> }>, log: FastifyBaseLogger): Promise<void> {
  const closed = await Promise.allSettled(parts.map(async (part) => await part.close()))
  for (const outcome of closed) if (outcome.status === 'rejected') log.debug({ err: outcome.reason }, 'closed after a failed start')
}
