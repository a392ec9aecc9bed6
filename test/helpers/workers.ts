// Starts the real worker side (notify Worker and outbox relay) in-process, against the test database.
import { PassThrough } from 'node:stream'
import { pino } from 'pino'
import type { Config } from '../../src/config.js'
import { startWorkers, type WorkerOptions, type Workers } from '../../workers/index.js'
import { sharedDatabase } from './database.js'

interface TestLike { teardown: (fn: () => unknown) => void }

/** `ownDatabase`: the workers open their own pool from config.DATABASE_URL (a proxy, say) instead of sharing the test's. */
export async function startTestWorkers (t: TestLike, config: Config, options: Pick<WorkerOptions, 'tuning' | 'webhookNetwork' | 'metrics' | 'clock'> & { ownDatabase?: boolean } = {}): Promise<Workers & { logs: () => string }> {
  const stream = new PassThrough()
  const chunks: string[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
  const { ownDatabase = false, ...rest } = options
  const database = ownDatabase ? undefined : await sharedDatabase()
  const workers = await startWorkers(config, { ...rest, database, log: pino({ level: 'debug' }, stream) })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await workers.close()
  }
  t.teardown(close)
  return { ...workers, close, logs: () => chunks.join('') }
}
