// Coalesces concurrent single items into batches ("batch while busy"): single-row statements into
// multi-row ones (src/repositories/), single jobs into one addBulk (src/jobs/bulk-add.ts).
//
// An idle service runs each item at once, alone. Under load, items arriving
// while `maxInFlight` batches are running wait for the next free slot and go
// together, so PostgreSQL parses, plans and commits once per batch instead of
// once per item, and Redis takes a batch's jobs in one round trip (the gains are
// measured in README.md, "Architecture").

export interface BatcherOptions<I, O> {
  /**
   * Runs one batch; answers one outcome per item, in the items' order. A
   * rejection fails every item of the batch.
   */
  run: (items: I[]) => Promise<Array<PromiseSettledResult<O>>>
  maxBatch: number
  maxInFlight: number
}

interface Waiting<I, O> {
  item: I
  resolve: (value: O) => void
  reject: (reason: unknown) => void
}

export function createBatcher<I, O> ({ run, maxBatch, maxInFlight }: BatcherOptions<I, O>) {
  let waiting: Array<Waiting<I, O>> = []
  let inFlight = 0
  let scheduled = false

  function start (): void {
    scheduled = false
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch)
      waiting = waiting.slice(batch.length)
      inFlight++
      run(batch.map((w) => w.item)).then((outcomes) => {
        batch.forEach((w, i) => {
          const outcome = outcomes[i]
          if (outcome?.status === 'fulfilled') w.resolve(outcome.value)
          else w.reject(outcome?.reason ?? new Error('the batch answered no outcome for this item'))
        })
      }, (err: unknown) => {
        for (const w of batch) w.reject(err)
      }).finally(() => {
        inFlight--
        start()
      })
    }
  }

  return {
    /** Runs `item` in the next batch and answers its result. */
    async push (item: I): Promise<O> {
      return await new Promise<O>((resolve, reject) => {
        waiting.push({ item, resolve, reject })
        // After the current I/O phase: every request that arrived in it joins the batch.
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true
          setImmediate(start)
        }
      })
    }
  }
}
export type Batcher<I, O> = ReturnType<typeof createBatcher<I, O>>

/** Wraps the values of a batch that succeeded as a whole. */
export const fulfilled = <O>(values: O[]): Array<PromiseSettledResult<O>> =>
  values.map((value) => ({ status: 'fulfilled', value }))
