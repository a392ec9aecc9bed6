// Test configuration: the real local PostgreSQL and Redis, private names for this test process.
import { loadConfig, type Config } from '../../src/config.js'

export const RUN_ID = `t${process.pid}${Date.now().toString(36)}`
const SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432'
export const TEST_DATABASE_URL = `${SERVER}/contact_intake_${RUN_ID}`
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
/** A port nothing listens on: a dependency that is down. */
export const DEAD_URL_PORT = 1

export const TEST_WEBHOOK_SECRET_KEY = '0f'.repeat(32)

export function testConfig (env: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test-${RUN_ID}`,
    LOG_LEVEL: 'silent',
    PSEUDONYM_KEY: 'test-pseudonym-key-0123456789',
    ALTCHA_HMAC_KEY: 'test-altcha-hmac-key-0123456789',
    // Cheap proof of work: tests solve real challenges in milliseconds.
    ALTCHA_COST: '10',
    SITE_HOSTNAMES: 'www.ri.se,localhost',
    ALLOWED_ORIGINS: 'https://www.ri.se',
    CAPTCHA_TIMEOUT_MS: '500',
    // Tests post many times from one address; the rate-limit test sets its own limit.
    RATE_LIMIT_MAX: '10000',
    // Receipts are a feature of their own (test/receipts.test.ts); elsewhere they would be a
    // second e-mail, job and mail file beside every notification the tests count.
    RECEIPTS: 'false',
    WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY,
    // Test receivers listen on the loopback interface, over plain http.
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    // The day's reminders run when a test runs them (the follow-up tests set a schedule of their own).
    FOLLOW_UP_CRON: 'off',
    // Operations listeners on free ports: test files run side by side.
    METRICS_PORT: '0',
    // Messages are read on the event loop: a thread per app would load the language model for every
    // test app. The threads are tested on their own (test/integration/spam/text-readers.test.ts).
    SPAM_THREADS: '0',
    ...env
  })
}

/** What the admin CLI needs to reach this test file's database, Redis and queues. */
export const CLI_ENV = { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `test-${RUN_ID}`, PSEUDONYM_KEY: 'test-pseudonym-key-0123456789', LOG_LEVEL: 'silent' }
