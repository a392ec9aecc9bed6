// The service's entries as real processes, with a test's configuration. They run compiled, from
// dist/ (compiled by `npm run check`, which `npm test` and `npm run test:system` run first), as the image runs
// them: a child started through tap's TypeScript loader would spend seconds transpiling src/ again.
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { Config } from '../../src/config.js'
import { TEST_DATABASE_URL, TEST_WEBHOOK_SECRET_KEY } from './config.js'

/**
 * A worker process on the test's database, Redis and queues. Its operations listener takes a free
 * port (METRICS_PORT 0): test files run side by side.
 */
export function workerProcess (config: Config, env: Record<string, string>): ChildProcess {
  return forkEntry('workers/main.ts', [], {
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

/**
 * Forks the compiled form of a process entry (`src/server.ts` runs as `dist/src/server.js`). Coverage
 * still counts: tap's NODE_OPTIONS come along, and the source maps lead back to src/.
 */
export function forkEntry (entry: string, args: string[], options: ForkOptions): ChildProcess {
  const compiled = `dist/${entry.replace(/\.ts$/, '.js')}`
  if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run npm run check first (npm test and npm run test:system do)`)
  return fork(compiled, args, { ...options, execArgv: ['--enable-source-maps', '--throw-deprecation'] })
}
