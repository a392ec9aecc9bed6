// The withdrawal link's token: what it grants, and that a forged, altered or expired one grants nothing.
import t from 'tap'
import { createWithdrawalLinks } from '../../../src/receipts/withdrawal-link.js'

const links = createWithdrawalLinks({ pseudonymKey: 'test-pseudonym-key-0123456789', baseUrl: 'https://kontakt.ri.se' })
const requestId = '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f'
const expiresAt = new Date('2027-06-01T10:00:00Z')
const now = new Date('2026-12-03T08:00:00Z')
const grant = { requestId, expiresAt, locale: 'en' as const }
const flip = (s: string, at: number) => `${s.slice(0, at)}${s[at] === 'A' ? 'B' : 'A'}${s.slice(at + 1)}`

t.test('a token grants its request, expiry (to the second) and language back', async (t) => {
  t.same(links.verify(links.token(grant), now), grant)
  t.same(links.verify(links.token({ ...grant, locale: 'sv' }), now), { ...grant, locale: 'sv' })
  const odd = new Date('2027-06-01T10:00:00.999Z')
  t.same(links.verify(links.token({ ...grant, expiresAt: odd }), now)?.expiresAt, expiresAt, 'milliseconds are dropped')
})

t.test('the link is the service\'s base URL, /withdraw/, and the token', async (t) => {
  t.equal(links.url(grant), `https://kontakt.ri.se/withdraw/${links.token(grant)}`)
  t.match(links.token(grant), /^[A-Za-z0-9_-]{34}\.[A-Za-z0-9_-]{43}$/)
})

t.test('an altered payload or a forged signature is refused, at every position', async (t) => {
  const token = links.token(grant)
  for (let at = 0; at < token.length; at++) {
    if (token[at] === '.') continue
    t.equal(links.verify(flip(token, at), now), null, `character ${at}`)
  }
})

t.test('a token signed with another key is refused', async (t) => {
  const other = createWithdrawalLinks({ pseudonymKey: 'another-pseudonym-key-0123456', baseUrl: 'https://kontakt.ri.se' })
  t.equal(links.verify(other.token(grant), now), null)
})

t.test('a token is refused from the second it expires', async (t) => {
  const token = links.token(grant)
  t.same(links.verify(token, new Date(expiresAt.getTime() - 1)), grant, 'a millisecond before')
  t.equal(links.verify(token, expiresAt), null, 'at its expiry')
  t.equal(links.verify(token, new Date(expiresAt.getTime() + 1000)), null, 'after')
  t.equal(links.verify(links.token({ ...grant, expiresAt: new Date(Date.now() - 1000) })), null, 'now by default')
})

t.test('malformed tokens are refused without throwing', async (t) => {
  const token = links.token(grant)
  for (const bad of ['', 'abc', token.replace('.', ''), `${token}A`, `A${token}`, token.replace('.', '_'), `${token.slice(0, 34)}.${token.slice(35)}=`, '%00%E2%80%AE']) {
    t.equal(links.verify(bad, now), null, JSON.stringify(bad))
  }
})

t.test('a well-signed payload naming no known language is refused', async (t) => {
  // Signed with the real key: only the language byte is out of range.
  const payload = Buffer.from(links.token(grant).split('.')[0] ?? '', 'base64url')
  payload.writeUInt8(7, 24)
  const { createHmac, hkdfSync } = await import('node:crypto')
  const key = Buffer.from(hkdfSync('sha256', 'test-pseudonym-key-0123456789', '', 'contact-intake withdrawal link v1', 32))
  const forged = `${payload.toString('base64url')}.${createHmac('sha256', key).update(payload).digest('base64url')}`
  t.equal(links.verify(forged, now), null)
})

t.test('a link mailed before an upgrade still opens: the token\'s layout and its key are fixed', async (t) => {
  // Computed once from the documented layout (16 bytes of id, 8 of expiry in seconds, 1 of language;
  // HMAC-SHA-256 under HKDF-SHA-256(PSEUDONYM_KEY, salt '', info 'contact-intake withdrawal link v1')).
  const mailed = 'bxwtPkpbTG2OfwobLD1OXwAAAABr_ougAQ.0nx0P0jjRntVP1TiYiaqUFaIR8vNy_csEeHQlMtTxK8'
  t.same(links.verify(mailed, now), grant)
  t.equal(links.token(grant), mailed)
})
