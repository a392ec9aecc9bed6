// Starts the real worker side (notify Worker and outbox relay) in-process, against the test database.
import { PassThrough } from 'node:stream'
import { pino } from 'pino'
import type { Config } from '../../src/config.js'
import { startWorkers, type WorkerOptions, type Workers } from '../../workers/index.js'
import { sharedDatabase } from './database.js'

interface TestLike { teardown: (fn: () => unknown) => void }

export async function startTestWorkers (t: TestLike, config: Config, options: Pick<WorkerOptions, 'tuning' | 'webhookNetwork' | 'metrics'> = {}): Promise<Workers & { logs: () => string }> {
  const stream = new PassThrough()
  const chunks: string[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()))
  const workers = await startWorkers(config, { ...options, database: await sharedDatabase(), log: pino({ level: 'debug' }, stream) })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await workers.close()
  }
  t.teardown(close)
  return { ...workers, close, logs: () => chunks.join('') }
}
