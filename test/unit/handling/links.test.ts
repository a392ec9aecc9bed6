// The action links' tokens: what each grants, and that a forged, altered, expired or
// cross-purpose one grants nothing.
import t from 'tap'
import { createHandlingLinks, isHandler, type HandlingGrant } from '../../../src/handling/links.js'
import { createWithdrawalLinks } from '../../../src/receipts/withdrawal-link.js'

const key = 'test-pseudonym-key-0123456789'
const links = createHandlingLinks({ pseudonymKey: key, baseUrl: 'https://kontakt.ri.se' })
const now = new Date('2026-12-03T08:00:00Z')
const lotta = 'contact:lotta-fransson'
const grant: HandlingGrant = {
  requestId: '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f', handler: lotta, action: 'take', expiresAt: new Date('2027-06-01T10:00:00Z'), locale: 'sv'
}
const flip = (s: string, at: number) => `${s.slice(0, at)}${s[at] === 'A' ? 'B' : 'A'}${s.slice(at + 1)}`

t.test('a token grants its request, handler, action, expiry and language back', async (t) => {
  for (const action of ['take', 'answer', 'pass'] as const) t.same(links.verify(lotta, links.token({ ...grant, action }), now), { ...grant, action })
  const inbox = { ...grant, handler: 'inbox:fallback' as const, locale: 'en' as const }
  t.same(links.verify('inbox:fallback', links.token(inbox), now), inbox)
  const urls = links.urls(grant)
  t.match(urls, { take: /^https:\/\/kontakt\.ri\.se\/handle\/contact:lotta-fransson\/[\w-]{35}\.[\w-]{43}$/, answer: String, pass: String })
  t.equal(new Set(Object.values(urls)).size, 3, 'one token per action')
  const longest = { ...grant, handler: `contact:${'a'.repeat(64)}` as const }
  t.ok(links.path(longest).split('/').every((segment) => segment.length <= 100), 'every path segment fits the server\'s 100 characters, for the longest contact id')
})

t.test('an altered payload or signature is refused, at every position', async (t) => {
  const token = links.token(grant)
  for (let at = 0; at < token.length; at++) {
    if (token[at] === '.') continue
    t.equal(links.verify(lotta, flip(token, at), now), null, `character ${at}`)
  }
})

t.test('a token is bound to its handler, request, action and key', async (t) => {
  const token = links.token(grant)
  t.equal(links.verify('contact:sofia-frolander', token, now), null, 'presented as another handler\'s')
  t.equal(links.verify('inbox:fallback', token, now), null)
  const [payload] = token.split('.')
  const [, otherMac] = links.token({ ...grant, requestId: '00000000-0000-4000-8000-000000000000' }).split('.')
  const [, answerMac] = links.token({ ...grant, action: 'answer' }).split('.')
  t.equal(links.verify(lotta, `${payload}.${otherMac}`, now), null, 'a cross-request signature')
  t.equal(links.verify(lotta, `${payload}.${answerMac}`, now), null, 'a cross-action signature')
  const other = createHandlingLinks({ pseudonymKey: 'another-pseudonym-key-0123456', baseUrl: 'https://kontakt.ri.se' })
  t.equal(links.verify(lotta, other.token(grant), now), null, 'another key')
  // The withdrawal link is signed under the same PSEUDONYM_KEY, but with a key of its own.
  const withdrawal = createWithdrawalLinks({ pseudonymKey: key, baseUrl: 'https://kontakt.ri.se' }).token({ requestId: grant.requestId, expiresAt: grant.expiresAt, locale: 'sv' })
  t.equal(links.verify(lotta, withdrawal, now), null, 'a withdrawal token is no handling token')
})

t.test('a token is refused from the second it expires; malformed ones and handlers are refused', async (t) => {
  const token = links.token(grant)
  t.ok(links.verify(lotta, token, new Date(grant.expiresAt.getTime() - 1)))
  t.equal(links.verify(lotta, token, grant.expiresAt), null)
  for (const bad of ['', '.', 'a.b', `${token}x`, token.replace('.', ''), `${'A'.repeat(200)}.${'A'.repeat(43)}`]) t.equal(links.verify(lotta, bad, now), null, JSON.stringify(bad.slice(0, 20)))
  t.equal(links.verify('contact:Lotta', token, now), null)
})

t.test('handlers: a contact id or the fallback inbox, nothing else', async (t) => {
  for (const ok of ['contact:lotta-fransson', 'contact:a', 'inbox:fallback']) t.ok(isHandler(ok), ok)
  for (const bad of ['contact:', 'contact:Lotta', 'inbox:other', 'key:admin', 'contact:a--b', 'lotta-fransson']) t.notOk(isHandler(bad), bad)
})
