// Jobs asked for at once reach Redis together: one addBulk per batch, each caller told its own
// outcome, and a job id added twice still one job.
import t from 'tap'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import { bulkAdder } from '../../../src/jobs/bulk-add.js'
import { RUN_ID, TEST_REDIS_URL } from '../../helpers/config.js'

async function testQueue (t: { teardown: (fn: () => unknown) => void }) {
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 })
  const queue = new Queue<{ id: string }>(`bulk-${randomUUID()}`, { prefix: `test-${RUN_ID}`, connection })
  t.teardown(async () => { await queue.obliterate({ force: true }); await queue.close(); connection.disconnect() })
  return queue
}

t.test('jobs enqueued at once go in one addBulk, and each exists once', async (t) => {
  const queue = await testQueue(t)
  let bulks = 0
  const addBulk = queue.addBulk.bind(queue)
  queue.addBulk = async (jobs) => { bulks++; return await addBulk(jobs) }
  const add = bulkAdder<{ id: string }>(queue, 'job')
  const ids = Array.from({ length: 60 }, () => randomUUID())
  // As a batch of stored requests does: all asked for in one turn of the event loop.
  await Promise.all(ids.map(async (id) => { await add({ id }, { jobId: id }) }))
  t.equal(bulks, 1, 'one round trip for sixty jobs')
  t.equal(await queue.count(), 60)
  await add({ id: ids[0] as string }, { jobId: ids[0] })
  t.equal(await queue.count(), 60, 'a job id added again is still one job')
  t.same((await queue.getJob(ids[7] as string))?.data, { id: ids[7] })
})

t.test('a batch Redis refuses fails each of its callers, and the next batch goes on', async (t) => {
  const queue = await testQueue(t)
  const addBulk = queue.addBulk.bind(queue)
  let refuse = true
  queue.addBulk = async (jobs) => {
    if (refuse) throw new Error('Connection is closed.')
    return await addBulk(jobs)
  }
  const add = bulkAdder<{ id: string }>(queue, 'job')
  const outcomes = await Promise.allSettled([1, 2, 3].map(async () => { const id = randomUUID(); await add({ id }, { jobId: id }) }))
  t.same(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected'], 'every caller is told: it leaves its row to the outbox relay')
  refuse = false
  const id = randomUUID()
  await add({ id }, { jobId: id })
  t.equal(await queue.count(), 1)
})
