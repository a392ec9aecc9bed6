// Every third-party CAPTCHA provider against a local fake of its verify API.
import t, { type Test } from 'tap'
import { buildTestApp, post, submission } from '../../helpers/app.js'
import { testDatabase } from '../../helpers/database.js'
import { friendlyCaptchaFake, refusingUrl, siteverifyFake } from '../../helpers/captcha-fakes.js'
import { sampleValue } from '../../helpers/metrics.js'

const HCAPTCHA = { secret: '0x0000000000000000000000000000000000000000', sitekey: '10000000-ffff-ffff-ffff-000000000001' }
const TURNSTILE_SECRET = '1x0000000000000000000000000000000AA'
const RECAPTCHA_SECRET = 'recaptcha-v3-test-secret'
const FRIENDLY = { apiKey: 'frc-test-api-key', sitekey: 'FCMGEMUD2KTDSQ5H' }

const fakes = {
  hcaptcha: await siteverifyFake({ provider: 'hcaptcha', secret: HCAPTCHA.secret, sitekey: HCAPTCHA.sitekey }),
  turnstile: await siteverifyFake({ provider: 'turnstile', secret: TURNSTILE_SECRET }),
  recaptcha: await siteverifyFake({ provider: 'recaptcha', secret: RECAPTCHA_SECRET }),
  friendlycaptcha: await friendlyCaptchaFake(FRIENDLY)
}
t.teardown(async () => { await Promise.all(Object.values(fakes).map(async (f) => { await f.close() })) })
t.beforeEach(() => { for (const fake of Object.values(fakes)) fake.fault = 'none' })

/** The app with every provider enabled, each asked at its fake (or at `urls`). */
async function providerApp (t: Test, env: Record<string, string> = {}, urls: Partial<Record<keyof typeof fakes, string>> = {}) {
  return await buildTestApp(t, {
    CAPTCHA_PROVIDERS: 'altcha,hcaptcha,turnstile,recaptcha,friendlycaptcha',
    HCAPTCHA_SECRET: HCAPTCHA.secret,
    HCAPTCHA_SITEKEY: HCAPTCHA.sitekey,
    TURNSTILE_SECRET,
    RECAPTCHA_SECRET,
    RECAPTCHA_ACTION: 'contact',
    RECAPTCHA_MIN_SCORE: '0.5',
    FRIENDLYCAPTCHA_API_KEY: FRIENDLY.apiKey,
    FRIENDLYCAPTCHA_SITEKEY: FRIENDLY.sitekey,
    ...env
  }, {
    captchaEndpoints: {
      hcaptcha: urls.hcaptcha ?? fakes.hcaptcha.url,
      turnstile: urls.turnstile ?? fakes.turnstile.url,
      recaptcha: urls.recaptcha ?? fakes.recaptcha.url,
      friendlycaptcha: urls.friendlycaptcha ?? fakes.friendlycaptcha.url
    }
  })
}

const withCaptcha = (provider: string, token: string, overrides: Record<string, unknown> = {}) =>
  submission({ captcha: { provider, token }, ...overrides })

/** A token each provider accepts: reCAPTCHA v3 also needs the expected action and a good score. */
const goodToken = (provider: keyof typeof fakes) =>
  provider === 'recaptcha' ? fakes.recaptcha.issue({ action: 'contact', score: 0.9 }) : fakes[provider].issue()

for (const provider of ['hcaptcha', 'turnstile', 'recaptcha', 'friendlycaptcha'] as const) {
  t.test(`${provider}: a solved CAPTCHA is accepted and stored as verified`, async (t) => {
    const { app } = await providerApp(t)
    const prisma = await testDatabase()
    const res = await post(app, withCaptcha(provider, goodToken(provider)))
    t.equal(res.statusCode, 202)
    const stored = await prisma.contactRequest.findUniqueOrThrow({ where: { id: res.json().id } })
    t.match(stored, { captchaProvider: provider, captchaVerified: true })
  })

  t.test(`${provider}: a token the provider does not know is refused`, async (t) => {
    const { app } = await providerApp(t)
    const res = await post(app, withCaptcha(provider, 'forged-token'))
    t.equal(res.statusCode, 403)
    t.match(res.json(), { code: 'CAPTCHA_FAILED', details: [{ path: '/captcha', message: provider === 'friendlycaptcha' ? 'response_invalid' : 'invalid-input-response' }] })
  })

  t.test(`${provider}: an expired token is refused`, async (t) => {
    const { app } = await providerApp(t)
    const res = await post(app, withCaptcha(provider, fakes[provider].issue({ expired: true, action: 'contact', score: 0.9 })))
    t.equal(res.statusCode, 403)
    const expected = { hcaptcha: 'expired-input-response', turnstile: 'timeout-or-duplicate', recaptcha: 'timeout-or-duplicate', friendlycaptcha: 'response_timeout' }[provider]
    t.match(res.json(), { code: 'CAPTCHA_FAILED', details: [{ message: expected }] })
  })

  t.test(`${provider}: a token already spent elsewhere is refused by the provider`, async (t) => {
    const { app } = await providerApp(t)
    const token = goodToken(provider)
    // Spent on some other site or service: only the provider knows.
    fakes[provider].spend(token)
    const res = await post(app, withCaptcha(provider, token))
    t.equal(res.statusCode, 403)
    const expected = { hcaptcha: 'already-seen-response', turnstile: 'timeout-or-duplicate', recaptcha: 'timeout-or-duplicate', friendlycaptcha: 'response_duplicate' }[provider]
    t.match(res.json(), { code: 'CAPTCHA_FAILED', details: [{ message: expected }] })
  })

  t.test(`${provider}: a token reused for another message is refused without asking the provider`, async (t) => {
    const { app } = await providerApp(t)
    const token = goodToken(provider)
    t.equal((await post(app, withCaptcha(provider, token))).statusCode, 202)
    const calls = fakes[provider].calls
    const res = await post(app, withCaptcha(provider, token, { message: 'Riding on a used token' }))
    t.equal(res.statusCode, 403)
    t.match(res.json(), { details: [{ message: 'already-used' }] })
    t.equal(fakes[provider].calls, calls, 'the provider was not called again')
  })

  t.test(`${provider}: a double click reaches the provider once and gets one request`, async (t) => {
    const { app } = await providerApp(t)
    const prisma = await testDatabase()
    const body = withCaptcha(provider, goodToken(provider))
    const calls = fakes[provider].calls
    const [a, b] = await Promise.all([post(app, body), post(app, body)])
    t.equal(a.statusCode, 202)
    t.equal(b.statusCode, 202)
    t.equal(a.json().id, b.json().id)
    t.equal(fakes[provider].calls - calls, 1)
    t.equal(await prisma.contactRequest.count(), 1)
  })

  t.test(`${provider}: a double click that reaches another instance gets the first answer, though the provider refuses the token again`, async (t) => {
    const { app } = await providerApp(t)
    const { app: other } = await providerApp(t)
    const prisma = await testDatabase()
    const body = withCaptcha(provider, goodToken(provider))
    const first = await post(app, body)
    const calls = fakes[provider].calls
    const twin = await post(other, body)
    t.equal(fakes[provider].calls - calls, 1, 'the other instance asked the provider, which refused the spent token')
    t.equal(twin.statusCode, 202)
    t.same(twin.json(), first.json())
    t.equal(await prisma.contactRequest.count(), 1)
  })
}

for (const provider of ['hcaptcha', 'turnstile', 'recaptcha'] as const) {
  t.test(`${provider}: a token solved on another site is refused`, async (t) => {
    const { app } = await providerApp(t)
    const res = await post(app, withCaptcha(provider, fakes[provider].issue({ hostname: 'evil.example', action: 'contact', score: 0.9 })))
    t.equal(res.statusCode, 403)
    t.match(res.json(), { code: 'CAPTCHA_FAILED', details: [{ message: 'hostname-mismatch' }] })
  })

  for (const fault of ['slow', 'http-500', 'html', 'json-without-success'] as const) {
    t.test(`${provider}: when the provider answers ${fault}, the submission is refused with 503 and nothing is stored`, async (t) => {
      const { app } = await providerApp(t)
      const prisma = await testDatabase()
      fakes[provider].fault = fault
      const res = await post(app, withCaptcha(provider, goodToken(provider)))
      t.equal(res.statusCode, 503)
      t.equal(res.json().code, 'CAPTCHA_UNAVAILABLE')
      t.ok(Number(res.headers['retry-after']) > 0)
      t.equal(await prisma.contactRequest.count(), 0)
    })
  }

  t.test(`${provider}: when the provider refuses connections, the submission is refused with 503`, async (t) => {
    const { app } = await providerApp(t, {}, { [provider]: await refusingUrl() })
    const res = await post(app, withCaptcha(provider, goodToken(provider)))
    t.equal(res.statusCode, 503)
    t.equal(res.json().code, 'CAPTCHA_UNAVAILABLE')
  })
}

t.test('hcaptcha: the site key is sent, and a key that does not match the secret is refused', async (t) => {
  const { app } = await providerApp(t, { HCAPTCHA_SITEKEY: '20000000-ffff-ffff-ffff-000000000002' })
  const res = await post(app, withCaptcha('hcaptcha', fakes.hcaptcha.issue()))
  t.equal(fakes.hcaptcha.lastRequest?.sitekey, '20000000-ffff-ffff-ffff-000000000002')
  t.match(res.json(), { code: 'CAPTCHA_FAILED', details: [{ message: 'sitekey-secret-mismatch' }] })
})

t.test('a wrong secret is refused by the provider, and the visitor sees a CAPTCHA failure', async (t) => {
  const { app } = await providerApp(t, { TURNSTILE_SECRET: '2x0000000000000000000000000000000AA' })
  const res = await post(app, withCaptcha('turnstile', fakes.turnstile.issue()))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { details: [{ message: 'invalid-input-secret' }] })
})

t.test('recaptcha: a score below the threshold is refused', async (t) => {
  const { app } = await providerApp(t)
  const res = await post(app, withCaptcha('recaptcha', fakes.recaptcha.issue({ action: 'contact', score: 0.3 })))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { details: [{ message: 'score-too-low' }] })
})

t.test('recaptcha: a token for another action is refused', async (t) => {
  const { app } = await providerApp(t)
  const res = await post(app, withCaptcha('recaptcha', fakes.recaptcha.issue({ action: 'login', score: 0.9 })))
  t.equal(res.statusCode, 403)
  t.match(res.json(), { details: [{ message: 'action-mismatch' }] })
})

t.test('turnstile: an expected action is checked when configured', async (t) => {
  const { app } = await providerApp(t, { TURNSTILE_ACTION: 'contact' })
  const wrong = await post(app, withCaptcha('turnstile', fakes.turnstile.issue({ action: 'signup' })))
  t.match(wrong.json(), { code: 'CAPTCHA_FAILED', details: [{ message: 'action-mismatch' }] })
  const right = await post(app, withCaptcha('turnstile', fakes.turnstile.issue({ action: 'contact' })))
  t.equal(right.statusCode, 202)
})

t.test('the client address is sent to providers only when configured', async (t) => {
  const { app } = await providerApp(t)
  await post(app, withCaptcha('hcaptcha', fakes.hcaptcha.issue()))
  t.notOk('remoteip' in (fakes.hcaptcha.lastRequest ?? {}), 'no remoteip by default')

  const { app: sending } = await providerApp(t, { CAPTCHA_SEND_REMOTE_IP: 'true' })
  await post(sending, withCaptcha('hcaptcha', fakes.hcaptcha.issue(), { message: 'Another message' }))
  t.equal(fakes.hcaptcha.lastRequest?.remoteip, '127.0.0.1')
})

for (const fault of ['slow', 'http-500', 'html'] as const) {
  t.test(`friendlycaptcha: when the API answers ${fault}, the request is accepted as unverified and a warning is logged`, async (t) => {
    const { app, logs } = await providerApp(t, { LOG_LEVEL: 'warn' })
    const prisma = await testDatabase()
    fakes.friendlycaptcha.fault = fault
    const res = await post(app, withCaptcha('friendlycaptcha', fakes.friendlycaptcha.issue()))
    t.equal(res.statusCode, 202)
    const stored = await prisma.contactRequest.findUniqueOrThrow({ where: { id: res.json().id } })
    t.equal(stored.captchaVerified, false)
    t.match(logs(), /"alert":"captcha_fail_open"/)
    t.notMatch(logs(), /Anna|anna\.andersson/, 'the warning carries no personal data')
    const exposition = await app.core.metrics.registry.metrics()
    t.equal(sampleValue(exposition, 'contact_intake_captcha_fail_open_total', { provider: 'friendlycaptcha' }), 1, 'counted for the alert')
    t.equal(sampleValue(exposition, 'contact_intake_captcha_verifications_total', { provider: 'friendlycaptcha', result: 'unreachable' }), 1)
  })
}

t.test('friendlycaptcha: a rejected API key (HTTP 401) lets the request through unverified, as the vendor asks', async (t) => {
  const { app, logs } = await providerApp(t, { FRIENDLYCAPTCHA_API_KEY: 'wrong-key', LOG_LEVEL: 'warn' })
  const res = await post(app, withCaptcha('friendlycaptcha', fakes.friendlycaptcha.issue()))
  t.equal(res.statusCode, 202)
  t.match(logs(), /HTTP 401 auth_invalid/)
})

t.test('friendlycaptcha: with fail-open switched off, an outage refuses with 503', async (t) => {
  const { app } = await providerApp(t, { CAPTCHA_FAIL_OPEN: '' })
  fakes.friendlycaptcha.fault = 'http-500'
  const res = await post(app, withCaptcha('friendlycaptcha', fakes.friendlycaptcha.issue()))
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'CAPTCHA_UNAVAILABLE')
  const exposition = await app.core.metrics.registry.metrics()
  t.equal(sampleValue(exposition, 'contact_intake_captcha_fail_open_total', { provider: 'friendlycaptcha' }), 0, 'refused, not let through')
  t.equal(sampleValue(exposition, 'contact_intake_submissions_total', { outcome: 'error', reason: 'CAPTCHA_UNAVAILABLE' }), 1)
})

t.test('turnstile: fail-open can be chosen for another provider too', async (t) => {
  const { app } = await providerApp(t, { CAPTCHA_FAIL_OPEN: 'turnstile' })
  fakes.turnstile.fault = 'http-500'
  const res = await post(app, withCaptcha('turnstile', fakes.turnstile.issue()))
  t.equal(res.statusCode, 202)
})
