// The service's entries as real processes, with a test's configuration (tap's TypeScript loader comes along in execArgv).
import { fork, type ChildProcess } from 'node:child_process'
import type { Config } from '../../src/config.js'
import { TEST_DATABASE_URL, TEST_WEBHOOK_SECRET_KEY } from './config.js'

/**
 * A worker process on the test's database, Redis and queues. Its operations listener takes a free
 * port (METRICS_PORT 0): test files run side by side.
 */
export function workerProcess (config: Config, env: Record<string, string>): ChildProcess {
  return fork('workers/main.ts', [], {
    env: {
      ...process.env,
      DATABASE_URL: TEST_DATABASE_URL,
      QUEUE_PREFIX: config.QUEUE_PREFIX,
      REDIS_URL: config.REDIS_URL,
      LOG_LEVEL: 'silent',
      METRICS_PORT: '0',
      PSEUDONYM_KEY: config.PSEUDONYM_KEY,
      ALTCHA_HMAC_KEY: config.ALTCHA_HMAC_KEY,
      WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      ...env
    },
    stdio: 'ignore'
  })
}
