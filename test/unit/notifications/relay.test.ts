// The outbox relay over a fake outbox: what it asks for, what it marks, and where it stops.
import t from 'tap'
import { createOutboxRelay, type Outbox } from '../../../src/notifications/relay.js'
import { memoryLog } from '../helpers.js'

function outbox (pending: string[]) {
  const asked: Array<[number, number]> = []
  const marked: string[][] = []
  const box: Outbox = {
    findUnqueued: async (olderThanMs, limit) => { asked.push([olderThanMs, limit]); return pending.slice(0, limit) },
    markQueued: async (ids) => { marked.push(ids) }
  }
  return { box, asked, marked }
}

t.test('a tick asks for rows older than the delay, enqueues them and marks them queued', async (t) => {
  const { box, asked, marked } = outbox(['a', 'b'])
  const enqueued: string[] = []
  const relay = createOutboxRelay({ name: 'notifications', outbox: box, enqueue: async (id) => { enqueued.push(id) }, log: memoryLog().log, delayMs: 10_000, intervalMs: 5000, batchSize: 50 })
  t.equal(await relay.tick(), 2)
  t.same(asked, [[10_000, 50]])
  t.same([enqueued, marked], [['a', 'b'], [['a', 'b']]])
})

t.test('when Redis refuses, the relay marks only what it enqueued and stops for this tick', async (t) => {
  const { box, marked } = outbox(['a', 'b', 'c'])
  const { log, lines } = memoryLog()
  const relay = createOutboxRelay({ name: 'receipts', outbox: box, enqueue: async (id) => { if (id === 'b') throw new Error('Connection is closed.') }, log, delayMs: 10_000, intervalMs: 5000 })
  t.equal(await relay.tick(), 1)
  t.same(marked, [['a']])
  t.match(lines(), [{ outbox: 'receipts', waiting: 2, msg: /redis unavailable/ }])
})

t.test('nothing pending: nothing marked', async (t) => {
  const { box, marked } = outbox([])
  t.equal(await createOutboxRelay({ name: 'notifications', outbox: box, enqueue: async () => {}, log: memoryLog().log, delayMs: 1, intervalMs: 1 }).tick(), 0)
  t.same(marked, [])
})
