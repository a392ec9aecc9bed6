// Logs are processing too: no submitted personal data, no client address, no token.
import t from 'tap'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'

t.test('the logs of full submissions, good and bad, hold none of the submitted personal data', async (t) => {
  const { app, logs } = await buildTestApp(t, { LOG_LEVEL: 'trace' })
  const body = await altchaSubmission(app)
  const remoteAddress = '203.0.113.77'
  const headers = { 'idempotency-key': 'secret-idempotency-key-42', authorization: 'Bearer should-not-appear', cookie: 'session=should-not-appear' }
  t.equal((await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: body, remoteAddress, headers })).statusCode, 202)
  // A refused one (validation) and a repeat, so error paths are covered too.
  t.equal((await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: { ...body, email: 'broken' }, remoteAddress })).statusCode, 400)
  t.equal((await post(app, { ...body, message: 'Replay of a used token' })).statusCode, 403)

  const text = logs()
  t.ok(text.includes('contact request received'), 'the submission was logged')
  const captcha = body.captcha as { token: string }
  const secrets = [
    'Anna Andersson', 'anna.andersson', '+46 70 123 45 67', '70 123', 'Skellefteå', 'Skelleftea', 'Akademin för Livslångt',
    'ny-kompetens', remoteAddress, captcha.token.slice(0, 24), 'secret-idempotency-key-42', 'should-not-appear', 'Replay of a used token'
  ]
  for (const secret of secrets) t.notOk(text.includes(secret), `logs do not contain ${JSON.stringify(secret)}`)
})

t.test('the log of an unexpected failure carries no personal data either', async (t) => {
  const { app, logs } = await buildTestApp(t, { LOG_LEVEL: 'trace', DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/contact_intake' })
  const body = await altchaSubmission(app)
  t.equal((await post(app, body)).statusCode, 503)
  t.match(logs(), /"level":50/, 'the failure was logged as an error')
  t.notMatch(logs(), /Anna|anna\.andersson|Skellefte/)
})
