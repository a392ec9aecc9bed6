// Fakes for the unit tier: a BullMQ job as a processor sees it, a logger that keeps its lines.
import type { Job } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import { Writable } from 'node:stream'

/** A job on its `attemptsMade + 1`th attempt of `attempts`. */
export function fakeJob<T> (data: T, { attemptsMade = 0, attempts = 3 }: { attemptsMade?: number, attempts?: number } = {}): Job<T> {
  return { id: 'job-1', data, attemptsMade, opts: { attempts } } as unknown as Job<T>
}

/** A real pino logger writing into memory: tests read what it logged. */
export function memoryLog (): { log: FastifyBaseLogger, lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { chunks.push(chunk.toString()); done() } })
  const log = pino({ level: 'debug' }, stream) as unknown as FastifyBaseLogger
  return { log, lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) }
}
