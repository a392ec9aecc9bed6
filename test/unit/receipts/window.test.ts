// The receipt window: one receipt per address per window, counted under a keyed hash of the address.
import t from 'tap'
import type { Redis } from 'ioredis'
import { createReceiptWindow } from '../../../src/receipts/window.js'
import { keyedHash } from '../../../src/privacy/pseudonyms.js'

/** The two commands the window uses, over a Map; every SET is recorded with its arguments. */
function fakeRedis () {
  const values = new Map<string, string>()
  const sets: unknown[][] = []
  const redis = {
    async set (key: string, value: string, ...options: unknown[]) {
      sets.push([key, value, ...options])
      if (options.includes('NX') && values.has(key)) return null
      values.set(key, value)
      return 'OK'
    },
    async get (key: string) { return values.get(key) ?? null }
  }
  return { redis: redis as unknown as Redis, values, sets }
}

const KEY = 'test-pseudonym-key-0123456789'

t.test('the first receipt to an address claims the window; another to the same address, however written, does not', async (t) => {
  const { redis } = fakeRedis()
  const window = createReceiptWindow({ redis, pseudonymKey: KEY, prefix: 'p', hours: 24 })
  t.equal(await window.claim('anna@example.se', 'r1'), true)
  t.equal(await window.claim(' Anna@Example.SE ', 'r2'), false)
  t.equal(await window.claim('bertil@example.se', 'r3'), true, 'another address has its own window')
})

t.test('a retry of the receipt that holds the window may go on', async (t) => {
  const { redis } = fakeRedis()
  const window = createReceiptWindow({ redis, pseudonymKey: KEY, prefix: 'p', hours: 24 })
  t.equal(await window.claim('anna@example.se', 'r1'), true)
  t.equal(await window.claim('anna@example.se', 'r1'), true)
})

t.test('the key is the prefix and a keyed hash for receipts, never the address; it expires with the window', async (t) => {
  const { redis, values, sets } = fakeRedis()
  await createReceiptWindow({ redis, pseudonymKey: KEY, prefix: 'deploy-a', hours: 24 }).claim('Anna@example.se', 'r1')
  t.same([...values.keys()], [`deploy-a:receipt-window:${keyedHash(KEY, 'receipt', 'anna@example.se')}`])
  t.notMatch(JSON.stringify(sets), /anna/i)
  t.same(sets[0]?.slice(2), ['PX', 24 * 3_600_000, 'NX'])
})

t.test('deployments with other prefixes or keys count apart', async (t) => {
  const { redis } = fakeRedis()
  t.equal(await createReceiptWindow({ redis, pseudonymKey: KEY, prefix: 'a', hours: 24 }).claim('anna@example.se', 'r1'), true)
  t.equal(await createReceiptWindow({ redis, pseudonymKey: KEY, prefix: 'b', hours: 24 }).claim('anna@example.se', 'r2'), true)
  t.equal(await createReceiptWindow({ redis, pseudonymKey: 'other-key-0123456789', prefix: 'a', hours: 24 }).claim('anna@example.se', 'r3'), true)
})

t.test('0 hours is no limit, and Redis is not asked', async (t) => {
  const { redis, sets } = fakeRedis()
  const window = createReceiptWindow({ redis, pseudonymKey: KEY, prefix: 'p', hours: 0 })
  t.equal(await window.claim('anna@example.se', 'r1'), true)
  t.equal(await window.claim('anna@example.se', 'r2'), true)
  t.equal(sets.length, 0)
})
