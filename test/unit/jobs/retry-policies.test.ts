// The retry policies at their shipped values: what the README promises about when a notification
// and a webhook delivery are tried again.
import t from 'tap'
import { Backoffs, type BackoffOptions, type MinimalJob } from 'bullmq'
import { loadConfig } from '../../../src/config.js'
import { notifyJobOptions } from '../../../src/jobs/notify.js'
import { createWebhookProducer, RetryLater, webhookBackoff, type WebhookQueue } from '../../../src/jobs/webhook.js'
import { TUNING } from '../../../src/roots/core.js'

const SAMPLES = 300
const range = (draw: () => number) => {
  const values = Array.from({ length: SAMPLES }, draw)
  return { min: Math.min(...values), max: Math.max(...values) }
}

t.test('notifications: 8 attempts, 5 s doubling, each delay drawn from its upper half (jitter 0.5)', async (t) => {
  const config = loadConfig({})
  const options = notifyJobOptions({ maxAttempts: config.MAIL_MAX_ATTEMPTS, backoffMs: config.MAIL_BACKOFF_MS })
  t.match(options, { attempts: 8, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 } })
  for (let retry = 1; retry < 8; retry++) {
    const ceiling = 5000 * 2 ** (retry - 1)
    const { min, max } = range(() => Number(Backoffs.calculate(options.backoff as BackoffOptions, retry, new Error('451'), {} as MinimalJob)))
    t.ok(min >= ceiling / 2 && max <= ceiling, `retry ${retry}: between ${ceiling / 2000} s and ${ceiling / 1000} s (drew ${min}–${max} ms)`)
    t.ok(max - min > ceiling * 0.3, `retry ${retry}: the delays spread`)
  }
})

t.test('webhooks: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 24 h, each ±20 %, then failed (eight attempts)', async (t) => {
  const schedule = [5000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 24 * 3600_000]
  t.same(TUNING.webhookRetryMs, schedule)
  const backoff = webhookBackoff(TUNING.webhookRetryMs)
  schedule.forEach((step, i) => {
    const { min, max } = range(() => backoff(i + 1))
    t.ok(min >= step * 0.8 && max <= step * 1.2, `retry ${i + 1}: within ±20 % of ${step} ms (drew ${min}–${max})`)
    t.ok(min < step * 0.95 && max > step * 1.05, `retry ${i + 1}: jittered both ways`)
  })
  const late = range(() => backoff(schedule.length + 3))
  t.ok(late.min >= 24 * 3600_000 * 0.8 && late.max <= 24 * 3600_000 * 1.2, 'past the schedule, its last step')
  t.equal(backoff(2, 'webhook', new RetryLater('HTTP 429', 120_000)), 120_000, 'a receiver\'s Retry-After replaces the step')
  let added: unknown
  const queue = { addBulk: async (jobs: unknown[]) => { added = jobs } } as unknown as WebhookQueue
  await createWebhookProducer(queue, TUNING.webhookRetryMs).enqueue('d1')
  t.match(added, [{ name: 'webhook', data: { deliveryId: 'd1' }, opts: { jobId: 'd1', attempts: 8, backoff: { type: 'webhook' } } }])
})

t.test('the outbox relay leaves the API 10 s to enqueue before it steps in, looking every 5 s', async (t) => {
  t.equal(TUNING.relayDelayMs, 10_000)
  t.equal(TUNING.relayIntervalMs, 5000)
})
