// Configuration: defaults for local use, and clear messages naming what is wrong.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { ConfigError, ConfigSchema, loadConfig } from '../../src/config.js'
import { parseTrustProxy } from '../../src/app.js'

t.test('an empty environment gives working local defaults', async (t) => {
  const config = loadConfig({})
  t.match(config, {
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/contact_intake',
    REDIS_URL: 'redis://127.0.0.1:6379',
    PORT: 3000,
    RETENTION_DAYS: 180,
    CAPTCHA_PROVIDERS: ['altcha'],
    CAPTCHA_FAIL_OPEN: ['friendlycaptcha'],
    CAPTCHA_TIMEOUT_MS: 3000
  })
  t.same(config.ephemeralSecrets.sort(), ['ALTCHA_HMAC_KEY', 'PSEUDONYM_KEY'])
  t.equal(config.ALTCHA_HMAC_KEY.length, 64, 'a random key stands in')
})

t.test('values are converted from text, and lists split on commas', async (t) => {
  const config = loadConfig({ PORT: '8080', CAPTCHA_SEND_REMOTE_IP: 'true', ALLOWED_ORIGINS: 'https://www.ri.se, https://ri.se', RECAPTCHA_MIN_SCORE: '0.7' })
  t.equal(config.PORT, 8080)
  t.equal(config.CAPTCHA_SEND_REMOTE_IP, true)
  t.same(config.ALLOWED_ORIGINS, ['https://www.ri.se', 'https://ri.se'])
  t.equal(config.RECAPTCHA_MIN_SCORE, 0.7)
})

t.test('a malformed value is refused with a message naming the variable and what it expects', async (t) => {
  const err = t.throws(() => loadConfig({ PORT: 'eighty', RETENTION_DAYS: '0', ALLOWED_ORIGINS: 'www.ri.se' })) as ConfigError
  t.type(err, ConfigError)
  t.match(err.message, /PORT: .*got "eighty"/)
  t.match(err.message, /RETENTION_DAYS: .*got "0"/)
  t.match(err.message, /ALLOWED_ORIGINS: .*expected comma-separated origins/)
})

t.test('an unknown CAPTCHA provider is refused', async (t) => {
  t.throws(() => loadConfig({ CAPTCHA_PROVIDERS: 'altcha,mystery' }), /CAPTCHA_PROVIDERS/)
})

t.test('an enabled provider needs its secret', async (t) => {
  t.throws(() => loadConfig({ CAPTCHA_PROVIDERS: 'altcha,hcaptcha' }), /HCAPTCHA_SECRET: required because CAPTCHA_PROVIDERS includes hcaptcha/)
  t.throws(() => loadConfig({ CAPTCHA_PROVIDERS: '' }), /at least one provider/)
})

t.test('a short secret is refused', async (t) => {
  t.throws(() => loadConfig({ ALTCHA_HMAC_KEY: 'short' }), /ALTCHA_HMAC_KEY: .*at least 16 characters/)
})

t.test('TRUST_PROXY takes booleans, hop counts and address lists', async (t) => {
  t.equal(parseTrustProxy('false'), false)
  t.equal(parseTrustProxy('true'), true)
  t.same(parseTrustProxy('10.0.0.1, 10.0.0.2'), ['10.0.0.1', '10.0.0.2'])
  const hops = parseTrustProxy('2') as (address: string, hop: number) => boolean
  t.equal(hops('10.0.0.1', 1), true)
  t.equal(hops('10.0.0.1', 2), false)
})

t.test('.env.example names every variable the service reads, and no other', async (t) => {
  const listed = new Set([...readFileSync('.env.example', 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]))
  const known = Object.keys(ConfigSchema.properties)
  for (const name of known) t.ok(listed.has(name), `${name} is in .env.example`)
  for (const name of listed) t.ok(known.includes(name as string), `${name as string} is a variable the service reads`)
})

t.test('a variable under its old name is still read, as its new one, and named for the start-up warning; the new name wins', async (t) => {
  const old = loadConfig({ NOTIFY_CONCURRENCY: '7', NOTIFY_LOCK_MS: '4000' })
  t.equal(old.MAIL_CONCURRENCY, 7)
  t.equal(old.JOB_LOCK_MS, 4000)
  t.same(old.renamedVariables, [{ old: 'NOTIFY_CONCURRENCY', current: 'MAIL_CONCURRENCY' }, { old: 'NOTIFY_LOCK_MS', current: 'JOB_LOCK_MS' }])
  const both = loadConfig({ NOTIFY_BACKOFF_MS: '100', MAIL_BACKOFF_MS: '200' })
  t.equal(both.MAIL_BACKOFF_MS, 200, 'the new name wins')
  t.same(both.renamedVariables, [{ old: 'NOTIFY_BACKOFF_MS', current: 'MAIL_BACKOFF_MS' }], 'and the old one is still named, so it gets removed')
  t.same(loadConfig({}).renamedVariables, [])
  t.throws(() => loadConfig({ NOTIFY_MAX_ATTEMPTS: 'many' }), /MAIL_MAX_ATTEMPTS: .*got "many"/, 'an old name\'s bad value is reported under the new name')
})
