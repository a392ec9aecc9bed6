// The privacy rules about identifying values: one way to compare addresses, one keyed hash per purpose.
import t from 'tap'
import { createHmac } from 'node:crypto'
import { keyedHash, normaliseAddress, subjectHash } from '../../../src/privacy/pseudonyms.js'
import { addressBucket, createClientKey } from '../../../src/abuse/client-key.js'

const KEY = 'test-pseudonym-key-0123456789'

t.test('an address is compared without its case and surrounding space', async (t) => {
  t.equal(normaliseAddress('  Anna.Andersson@Example.SE\t'), 'anna.andersson@example.se')
  t.equal(normaliseAddress('anna@example.se'), 'anna@example.se')
})

t.test('the keyed hash is HMAC-SHA-256 of the purpose and parts, NUL-separated, in hex', async (t) => {
  t.equal(keyedHash(KEY, 'subject', 'anna@example.se'), createHmac('sha256', KEY).update('subject\u0000anna@example.se').digest('hex'))
  t.equal(keyedHash(KEY, 'fingerprint', 'lotta', 'anna@example.se', 'Hej'), createHmac('sha256', KEY).update('fingerprint\u0000lotta\u0000anna@example.se\u0000Hej').digest('hex'))
})

t.test('one value hashes apart per purpose, per key, and per split into parts', async (t) => {
  const hashes = new Set([
    keyedHash(KEY, 'subject', 'anna@example.se'),
    keyedHash(KEY, 'receipt', 'anna@example.se'),
    keyedHash('another-key-0123456789', 'subject', 'anna@example.se'),
    keyedHash(KEY, 'fingerprint', 'a', 'b'),
    keyedHash(KEY, 'fingerprint', 'ab')
  ])
  t.equal(hashes.size, 5)
})

t.test('the audit log names a subject by the keyed hash of the normalised address', async (t) => {
  t.equal(subjectHash(KEY, ' Anna@Example.se'), keyedHash(KEY, 'subject', 'anna@example.se'))
  t.notMatch(subjectHash(KEY, 'anna@example.se'), /anna/)
})

t.test('a client is an IPv4 address, or its IPv6 /64; an IPv4-mapped address is its IPv4', async (t) => {
  t.equal(addressBucket('203.0.113.9'), '203.0.113.9')
  t.equal(addressBucket('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
  t.equal(addressBucket('2001:db8:1:2:bbbb::9'), addressBucket('2001:db8:1:2:aaaa::1'), 'one customer network')
  t.not(addressBucket('2001:db8:1:3::1'), addressBucket('2001:db8:1:2::1'))
  t.equal(addressBucket('::ffff:203.0.113.9'), '203.0.113.9')
})

t.test('a client key is stable within a UTC day, different the next day, and never the address', async (t) => {
  let now = new Date('2026-12-03T00:00:00Z')
  const key = createClientKey('secret-0123456789', () => now)
  const monday = key('203.0.113.9')
  t.equal(key('203.0.113.9'), monday)
  t.not(key('203.0.113.10'), monday)
  now = new Date('2026-12-03T23:59:59Z')
  t.equal(key('203.0.113.9'), monday, 'the same UTC day')
  now = new Date('2026-12-04T00:00:00Z')
  t.not(key('203.0.113.9'), monday, 'the next day')
  t.notMatch(monday, /203/)
  t.equal(createClientKey('secret-0123456789', () => new Date('2026-12-03T12:00:00Z'))('203.0.113.9'), monday, 'another process agrees')
  t.not(createClientKey('other-secret-0123', () => new Date('2026-12-03T12:00:00Z'))('203.0.113.9'), monday, 'another secret does not')
})
