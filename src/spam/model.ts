// The classifier's counts as the API scores with them: read from PostgreSQL at start, then again
// once SPAM_MODEL_REFRESH_SECONDS have passed, in the background of a submission (never in its way).
// A decision or erasure made meanwhile reaches the scoring within that time; the counts
// themselves, in PostgreSQL, change in the decision's own transaction.
import type { FastifyBaseLogger } from 'fastify'
import { EMPTY_MODEL, type SpamModel } from './classifier.js'

export function createModelCache (load: () => Promise<SpamModel>, refreshMs: number, log: Pick<FastifyBaseLogger, 'warn'>) {
  let model = EMPTY_MODEL
  let readAt = Number.NEGATIVE_INFINITY
  let reading: Promise<void> | null = null

  /** Reads the counts again (one read at a time); a failed read keeps the last model. */
  async function refresh (): Promise<void> {
    reading ??= load().then((loaded) => { model = loaded }, (err: unknown) => {
      log.warn({ err }, 'spam model not read; scoring with the last one')
    }).finally(() => {
      readAt = Date.now()
      reading = null
    })
    await reading
  }

  return {
    refresh,
    /** The model to score with now; starts a read in the background when it is due. */
    current (): SpamModel {
      if (Date.now() - readAt >= refreshMs) refresh().catch(() => {})
      return model
    }
  }
}
