// The self-hosted ALTCHA provider: challenges, solutions, expiry, tampering and replays.
import t from 'tap'
import { createChallenge, type Challenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import { buildTestApp, post, submission } from '../../helpers/app.js'
import { solve } from '../../helpers/altcha.js'
import { testDatabase } from '../../helpers/database.js'

const withToken = (token: string, overrides: Record<string, unknown> = {}) =>
  submission({ captcha: { provider: 'altcha', token }, ...overrides })

t.test('a challenge is fresh, signed, expiring and never cached', async (t) => {
  const { app } = await buildTestApp(t)
  const a = await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })
  const b = await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })
  t.equal(a.statusCode, 200)
  t.equal(a.headers['cache-control'], 'no-store')
  const challenge = a.json<Challenge>()
  t.match(challenge, { parameters: { algorithm: 'PBKDF2/SHA-256', nonce: /^[0-9a-f]+$/, salt: /^[0-9a-f]+$/ }, signature: /^[0-9a-f]{64}$/ })
  const expiresIn = (challenge.parameters.expiresAt ?? 0) - Date.now() / 1000
  t.ok(expiresIn > 590 && expiresIn <= 600, `expires in about 10 minutes (got ${expiresIn})`)
  t.not(b.json<Challenge>().parameters.nonce, challenge.parameters.nonce)
})

t.test('the challenge endpoint answers 404 when ALTCHA is not enabled', async (t) => {
  const { app } = await buildTestApp(t, { CAPTCHA_PROVIDERS: 'turnstile', TURNSTILE_SECRET: '1x0000000000000000000000000000000AA' })
  const res = await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'NOT_FOUND')
})

t.test('a solved challenge is accepted', async (t) => {
  const { app } = await buildTestApp(t)
  const challenge = (await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })).json<Challenge>()
  const res = await post(app, withToken(await solve(challenge)))
  t.equal(res.statusCode, 202)
})

t.test('an expired challenge is refused', async (t) => {
  const { app, config } = await buildTestApp(t)
  const challenge = await createChallenge({
    algorithm: 'PBKDF2/SHA-256', cost: 10, deriveKey, hmacSignatureSecret: config.ALTCHA_HMAC_KEY, expiresAt: new Date(Date.now() - 1000)
  })
  const res = await post(app, withToken(await solve(challenge)))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { code: 'CAPTCHA_FAILED', details: [{ message: 'expired' }] })
})

t.test('a challenge without an expiry is refused even when correctly signed', async (t) => {
  const { app, config } = await buildTestApp(t)
  const challenge = await createChallenge({ algorithm: 'PBKDF2/SHA-256', cost: 10, deriveKey, hmacSignatureSecret: config.ALTCHA_HMAC_KEY })
  const res = await post(app, withToken(await solve(challenge)))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { details: [{ message: 'no-expiry' }] })
})

t.test('a challenge signed with another key is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const challenge = await createChallenge({
    algorithm: 'PBKDF2/SHA-256', cost: 10, deriveKey, hmacSignatureSecret: 'somebody-elses-key-0123456789', expiresAt: new Date(Date.now() + 60_000)
  })
  const res = await post(app, withToken(await solve(challenge)))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { details: [{ message: 'invalid-signature' }] })
})

t.test('a tampered challenge (cheaper cost) is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const challenge = (await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })).json<Challenge>()
  const tampered = { ...challenge, parameters: { ...challenge.parameters, cost: 1 } }
  const res = await post(app, withToken(await solve(tampered)))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { details: [{ message: 'invalid-signature' }] })
})

t.test('a wrong solution is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const challenge = (await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })).json<Challenge>()
  const token = JSON.parse(Buffer.from(await solve(challenge), 'base64').toString()) as { solution: { counter: number, derivedKey: string } }
  token.solution.derivedKey = '00'.repeat(32)
  const res = await post(app, withToken(Buffer.from(JSON.stringify(token)).toString('base64')))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { details: [{ message: 'invalid-solution' }] })
})

t.test('a payload that is not ALTCHA\'s is refused', async (t) => {
  const { app } = await buildTestApp(t)
  for (const token of ['not base64 at all', Buffer.from('{"hello":1}').toString('base64')]) {
    const res = await post(app, withToken(token))
    t.equal(res.statusCode, 403)
    t.match(res.json(), { details: [{ message: 'malformed-payload' }] })
  }
})

t.test('one challenge buys one request, even with another solution for it', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const challenge = (await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })).json<Challenge>()
  t.equal((await post(app, withToken(await solve(challenge)))).statusCode, 202)
  // Same challenge, re-encoded solution (extra field): still the same challenge.
  const token = JSON.parse(Buffer.from(await solve(challenge), 'base64').toString()) as { solution: Record<string, unknown> }
  token.solution.time = 1234
  const res = await post(app, withToken(Buffer.from(JSON.stringify(token)).toString('base64'), { message: 'A second message' }))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { details: [{ message: 'already-used' }] })
  t.equal(await prisma.contactRequest.count(), 1)
})
