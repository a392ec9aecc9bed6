// The statement batcher: alone when idle, together when busy, and each item its own outcome.
import t from 'tap'
import { createBatcher, fulfilled } from '../../src/batcher.js'

const deferred = () => {
  let release = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  return { released, release }
}

t.test('an item pushed while the service is idle runs at once, alone', async (t) => {
  const batches: number[][] = []
  const batcher = createBatcher<number, number>({ maxBatch: 10, maxInFlight: 1, run: async (items) => { batches.push(items); return fulfilled(items.map((i) => i * 2)) } })
  t.equal(await batcher.push(1), 2)
  t.equal(await batcher.push(2), 4)
  t.same(batches, [[1], [2]])
})

t.test('items arriving while every slot is busy go together, at most maxBatch at a time', async (t) => {
  const batches: number[][] = []
  const gate = deferred()
  const batcher = createBatcher<number, number>({
    maxBatch: 3,
    maxInFlight: 1,
    run: async (items) => { batches.push(items); await gate.released; return fulfilled(items) }
  })
  const first = batcher.push(0)
  await new Promise((resolve) => setImmediate(resolve))
  const rest = [1, 2, 3, 4, 5].map(async (i) => await batcher.push(i))
  gate.release()
  t.same(await Promise.all([first, ...rest]), [0, 1, 2, 3, 4, 5], 'each caller gets its own result')
  t.same(batches, [[0], [1, 2, 3], [4, 5]])
})

t.test('one item\'s failure is its own; a failed batch fails each of its items', async (t) => {
  const batcher = createBatcher<number, number>({
    maxBatch: 10,
    maxInFlight: 1,
    run: async (items) => {
      if (items.includes(99)) throw new Error('statement failed')
      return items.map((i): PromiseSettledResult<number> => i < 0 ? { status: 'rejected', reason: new Error(`bad ${i}`) } : { status: 'fulfilled', value: i })
    }
  })
  const [good, bad] = await Promise.allSettled([batcher.push(1), batcher.push(-1)])
  t.same(good, { status: 'fulfilled', value: 1 })
  t.match(bad, { status: 'rejected', reason: { message: 'bad -1' } })
  const both = await Promise.allSettled([batcher.push(2), batcher.push(99)])
  t.same(both.map((o) => o.status), ['rejected', 'rejected'])
  t.equal(await batcher.push(3), 3, 'the batcher goes on after a failed batch')
})

t.test('a batch that answers too few outcomes rejects the items left without one', async (t) => {
  const batcher = createBatcher<number, number>({ maxBatch: 10, maxInFlight: 1, run: async () => [] })
  await t.rejects(batcher.push(1), /no outcome/)
})
