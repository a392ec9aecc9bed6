// Rate limits: per client address (IPv6 by /64), shared through Redis, never keyed on a raw address.
import t from 'tap'
import { Redis } from 'ioredis'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { TEST_REDIS_URL } from '../../helpers/config.js'
import { addressBucket, createClientKey } from '../../../src/abuse/client-key.js'

const LIMITED = { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' }

/** Cheap requests: an empty body is refused, but it still counts against the limit. */
async function hit (app: Awaited<ReturnType<typeof buildTestApp>>['app'], remoteAddress: string, headers: Record<string, string> = {}) {
  return await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: {}, remoteAddress, headers })
}

t.test('past the limit a client gets 429 RATE_LIMITED with Retry-After', async (t) => {
  const { app } = await buildTestApp(t, LIMITED)
  for (let i = 0; i < 3; i++) t.equal((await hit(app, '203.0.113.7')).statusCode, 400)
  const res = await hit(app, '203.0.113.7')
  t.equal(res.statusCode, 429)
  t.equal(res.json().code, 'RATE_LIMITED')
  const retryAfter = Number(res.headers['retry-after'])
  t.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`)
  t.equal((await hit(app, '203.0.113.8')).statusCode, 400, 'another address is not limited')
})

t.test('the limit holds across instances sharing Redis', async (t) => {
  const { app: a } = await buildTestApp(t, LIMITED)
  const { app: b } = await buildTestApp(t, LIMITED, { reset: false })
  await hit(a, '198.51.100.1')
  await hit(b, '198.51.100.1')
  await hit(a, '198.51.100.1')
  t.equal((await hit(b, '198.51.100.1')).statusCode, 429)
})

t.test('IPv6 clients are counted per /64 network', async (t) => {
  const { app } = await buildTestApp(t, LIMITED)
  await hit(app, '2001:db8:1:2::1')
  await hit(app, '2001:db8:1:2:aaaa::2')
  await hit(app, '2001:db8:1:2:ffff:ffff:ffff:3')
  t.equal((await hit(app, '2001:db8:1:2::4')).statusCode, 429, 'same /64')
  t.equal((await hit(app, '2001:db8:1:3::1')).statusCode, 400, 'neighbouring /64')
})

t.test('the address buckets', async (t) => {
  t.equal(addressBucket('203.0.113.7'), '203.0.113.7')
  t.equal(addressBucket('::ffff:203.0.113.7'), '203.0.113.7', 'IPv4-mapped IPv6 is its IPv4 address')
  t.equal(addressBucket('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64')
  t.equal(addressBucket('2001:db8::1'), '2001:db8::/64')
  t.equal(addressBucket('2001:DB8:0:0:ffff::9'), '2001:db8::/64', 'written any way, one network')
})

t.test('client keys are keyed hashes that change every day', async (t) => {
  let now = new Date('2026-11-26T12:00:00Z')
  const key = createClientKey('secret-0123456789abcdef', () => now)
  const today = key('203.0.113.7')
  t.notMatch(today, /203/)
  t.equal(key('203.0.113.7'), today, 'stable within a day')
  t.not(createClientKey('another-secret-0123456789')('203.0.113.7'), today, 'depends on the secret')
  now = new Date('2026-11-27T00:00:01Z')
  t.not(key('203.0.113.7'), today, 'a new key the next day')
})

t.test('no raw client address is written to Redis', async (t) => {
  const { app, config } = await buildTestApp(t, LIMITED)
  await hit(app, '192.0.2.55')
  await hit(app, '2001:db8:77::5')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const keys = await redis.keys(`${config.QUEUE_PREFIX}:*`)
  t.ok(keys.length > 0, 'rate-limit keys exist')
  t.notMatch(keys.join('\n'), /192\.0\.2\.55|2001:db8/)
  const values = await Promise.all(keys.map(async (k) => await redis.type(k) === 'string' ? await redis.get(k) : ''))
  t.notMatch(values.join('\n'), /192\.0\.2\.55|2001:db8/)
})

t.test('behind a trusted proxy, the forwarded address is the client', async (t) => {
  const { app } = await buildTestApp(t, { ...LIMITED, TRUST_PROXY: '1' })
  for (let i = 0; i < 3; i++) await hit(app, '10.0.0.1', { 'x-forwarded-for': `203.0.113.${i + 10}` })
  t.equal((await hit(app, '10.0.0.1', { 'x-forwarded-for': '203.0.113.99' })).statusCode, 400, 'clients behind one proxy are apart')
})

t.test('behind a trusted proxy, one forwarded client is limited, whatever it puts at the front of the chain', async (t) => {
  const { app } = await buildTestApp(t, { ...LIMITED, TRUST_PROXY: '1' })
  // The proxy appends the address it saw; anything before it is the client's own say.
  for (let i = 0; i < 3; i++) t.equal((await hit(app, '10.0.0.1', { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.50` })).statusCode, 400)
  t.equal((await hit(app, '10.0.0.1', { 'x-forwarded-for': '198.51.100.77, 203.0.113.50' })).statusCode, 429)
})

t.test('without TRUST_PROXY a forged X-Forwarded-For does not escape the limit', async (t) => {
  const { app } = await buildTestApp(t, LIMITED)
  for (let i = 0; i < 3; i++) await hit(app, '203.0.113.20', { 'x-forwarded-for': `198.51.100.${i}` })
  t.equal((await hit(app, '203.0.113.20', { 'x-forwarded-for': '198.51.100.200' })).statusCode, 429)
})

t.test('when Redis is down the limit is kept per instance, and intake goes on', async (t) => {
  const { app, logs } = await buildTestApp(t, { ...LIMITED, REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'warn' })
  for (let i = 0; i < 3; i++) t.equal((await hit(app, '203.0.113.30')).statusCode, 400)
  t.equal((await hit(app, '203.0.113.30')).statusCode, 429)
  t.match(logs(), /counting in this process only/)
  const valid = await post(app, await altchaSubmission(app), {})
  t.equal(valid.statusCode, 202, 'a valid submission from another client is accepted')
  t.equal(await app.core.database.prisma.contactRequest.count({ where: { id: valid.json().id } }), 1, 'and stored')
})
