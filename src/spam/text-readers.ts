// Where messages' links and language are read (SPAM_THREADS): on the event loop, or on worker
// threads, so that the costliest signals (and a long message's above all) do not hold up every
// other request. The messages asked for at once go to a thread together, in one task.
import { Piscina } from 'piscina'
import type { FastifyBaseLogger } from 'fastify'
import { createBatcher, fulfilled } from '../batcher.js'
import { readOnLoop, readText, type TextReading } from './text.js'

export interface TextReader {
  read: (message: string) => Promise<TextReading>
  /**
   * Resolves once a thread has loaded the reading module (the language model takes a while), so
   * that the first submissions after start do not wait for it within their deadline.
   */
  ready: () => Promise<void>
  close: () => Promise<void>
}

/** The worker's module, beside this one and in its form: .js when built, .ts when run from source (tests). */
const WORKER = new URL(`./text-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url)

/** Messages per task: enough to pay one hand-over for many, few enough to spread over the threads. */
const MAX_BATCH = 64

/** `worker` is the threads' module (a test gives one that fails). */
export function createTextReader (threads: number, log: Pick<FastifyBaseLogger, 'warn'>, worker: URL = WORKER): TextReader {
  if (threads === 0) return { read: readOnLoop, ready: async () => {}, close: async () => {} }
  const pool = new Piscina<string[], TextReading[]>({
    filename: worker.href,
    minThreads: threads,
    maxThreads: threads,
    // Idle threads stay: starting one loads the language model again.
    idleTimeout: Infinity
  })
  const batches = createBatcher<string, TextReading>({
    maxBatch: MAX_BATCH,
    maxInFlight: threads * 2,
    run: async (messages) => {
      try {
        return fulfilled(await pool.run(messages))
      } catch (err) {
        // A thread that failed (and is being replaced) must not fail the submissions: read them here.
        log.warn({ err }, 'spam text reading failed on a worker thread; read on the event loop')
        return fulfilled(messages.map(readText))
      }
    }
  })
  return {
    read: async (message) => await batches.push(message),
    // An empty task: answered once its thread has imported the module, model included. A thread
    // that cannot answer does not stop the start: its reads fall back to the loop, as any failed read.
    ready: async () => {
      await pool.run([]).catch((err: unknown) => { log.warn({ err }, 'spam text reading: a worker thread could not start; messages are read on the event loop until one can') })
    },
    close: async () => { await pool.close() }
  }
}
