// The three delivery processors called with fake jobs and fake repositories: what each records,
// sends and throws, with no database, Redis or network.
import t from 'tap'
import { UnrecoverableError } from 'bullmq'
import { createNotifyProcessor } from '../../../workers/processors/notify.js'
import { createReceiptProcessor } from '../../../workers/processors/receipt.js'
import { createWebhookProcessor } from '../../../workers/processors/webhook.js'
import { createMetrics } from '../../../src/ops/metrics.js'
import { createWithdrawalLinks } from '../../../src/receipts/withdrawal-link.js'
import { createHandlingLinks } from '../../../src/handling/links.js'
import { createSecretBox } from '../../../src/webhooks/secrets.js'
import { RetryLater } from '../../../src/jobs/webhook.js'
import type { DeliveryData } from '../../../src/repositories/notifications.js'
import type { ReceiptData } from '../../../src/repositories/receipts.js'
import type { ClaimedDelivery } from '../../../src/repositories/webhooks.js'
import type { Mailer } from '../../../src/mail/mailer.js'
import type { Attempt } from '../../../src/webhooks/sender.js'
import { fakeJob, memoryLog } from '../helpers.js'

const NOTIFICATION_ID = '11111111-1111-4111-8111-111111111111'
const lotta = { id: 'lotta', name: 'Lotta Fransson', email: 'lotta@ri.se', locale: 'sv', active: true, delegateStandsIn: false, delegate: null }
const delivery = (over: Partial<DeliveryData['contact']> = {}): DeliveryData => ({
  id: NOTIFICATION_ID,
  attempts: 1,
  handler: null,
  contact: { ...lotta, ...over },
  request: { id: 'r1', name: 'Anna', email: 'anna@example.se', phone: null, organisation: null, message: 'Hej', pageUrl: null, receivedAt: new Date(), retainUntil: new Date(Date.now() + 86_400_000), contactName: 'Lotta Fransson' }
})

/** A mailer that records what it was given, and fails as told. */
function fakeMailer (fail?: unknown): Mailer & { sent: Array<{ to: unknown, messageId: string, text: string }> } {
  const sent: Array<{ to: unknown, messageId: string, text: string }> = []
  return {
    destination: 'fake',
    sent,
    async send (message) {
      if (fail !== undefined) throw fail
      sent.push({ to: message.to, messageId: message.messageId, text: String(message.text) })
      return { messageId: message.messageId, response: '250 OK queued for <lotta@ri.se>' }
    },
    async verify () {},
    close () {}
  }
}

function notifySetup (data: DeliveryData | null, mailer = fakeMailer(), fallback?: string, recordFailures: Error[] = []) {
  const calls: string[] = []
  const enqueued: string[] = []
  const metrics = createMetrics({ defaultMetrics: false })
  const { log, lines } = memoryLog()
  const process = createNotifyProcessor({
    notifications: {
      claimForDelivery: async () => data,
      markSent: async (_id: string, route: { reason: string }) => {
        const failure = recordFailures.shift()
        if (failure !== undefined) throw failure
        calls.push(`sent ${route.reason}`)
      },
      recordError: async (_id: string, _route: unknown, text: string) => { calls.push(`error ${text}`) },
      markFailed: async (_id: string, text: string) => { calls.push(`failed ${text}`); return ['delivery-1'] }
    } as never,
    mailer,
    webhooks: { enqueue: async (id: string) => { enqueued.push(id) } } as never,
    config: { MAIL_FROM: 'Kontakt <noreply@ri.se>', NOTIFY_FALLBACK_EMAIL: fallback },
    links: createHandlingLinks({ pseudonymKey: 'k'.repeat(32), baseUrl: 'https://kontakt.ri.se' }),
    metrics: metrics.notifications,
    log,
    recordRetry: { maxMs: 1000, firstPauseMs: 1 }
  })
  const count = async (name: string) => JSON.stringify((await metrics.registry.getSingleMetric(`contact_intake_${name}`)?.get())?.values)
  return { process, calls, enqueued, mailer, lines, count }
}

t.test('notify: the routed recipient is mailed, the sending recorded and counted, no address logged', async (t) => {
  const { process, calls, mailer, lines, count } = notifySetup(delivery())
  await process(fakeJob({ notificationId: NOTIFICATION_ID }))
  t.match(mailer.sent, [{ to: 'lotta@ri.se', messageId: `<${NOTIFICATION_ID}@ri.se>` }])
  t.equal(mailer.sent.length, 1)
  t.same(calls, ['sent direct'])
  t.match(await count('notifications_sent_total'), /"value":1/)
  t.match(await count('notification_delivery_duration_seconds'), /"result":"sent"/, 'the hand-over is timed as sent')
  t.match(lines(), [{ jobId: 'job-1', notificationId: NOTIFICATION_ID, routeReason: 'direct', attempt: 1, result: /^250 OK queued for /, msg: 'notification sent' }])
  t.notMatch(JSON.stringify(lines()), /lotta@ri\.se|anna@example/)
})

t.test('notify: a notification already settled or erased sends nothing', async (t) => {
  const { process, calls, mailer, lines } = notifySetup(null)
  await process(fakeJob({ notificationId: NOTIFICATION_ID }))
  t.same([mailer.sent, calls], [[], []])
  t.match(lines(), [{ notificationId: NOTIFICATION_ID, msg: /^nothing to send: the notification is already settled, or was erased$/ }])
})

t.test('notify: nobody to receive it fails the notification for good and enqueues its webhooks', async (t) => {
  const { process, calls, enqueued, mailer, count } = notifySetup(delivery({ active: false }))
  await t.rejects(process(fakeJob({ notificationId: NOTIFICATION_ID })), UnrecoverableError)
  t.same(mailer.sent, [])
  t.match(calls, [/^failed no recipient/])
  t.same(enqueued, ['delivery-1'])
  t.match(await count('notifications_failed_total'), /"reason":"no_recipient"/)
})

t.test('notify: an inactive contact with a fallback inbox mails the fallback', async (t) => {
  const { process, calls, mailer } = notifySetup(delivery({ active: false }), fakeMailer(), 'kontakt@ri.se')
  await process(fakeJob({ notificationId: NOTIFICATION_ID }))
  t.same([mailer.sent[0]?.to, calls], ['kontakt@ri.se', ['sent fallback']])
})

t.test('notify: a temporary SMTP failure is recorded and retried; a permanent one fails it with its webhooks', async (t) => {
  const temporary = notifySetup(delivery(), fakeMailer({ responseCode: 451, response: 'try later' }))
  await t.rejects(temporary.process(fakeJob({ notificationId: NOTIFICATION_ID }, { attemptsMade: 0, attempts: 3 })), { message: '451: try later' })
  t.same(temporary.calls, ['error 451: try later'])
  t.match(await temporary.count('notifications_retried_total'), /"value":1/)
  t.match(await temporary.count('notification_delivery_duration_seconds'), /"result":"error"/, 'the failed hand-over is timed as an error')
  const permanent = notifySetup(delivery(), fakeMailer({ responseCode: 550, response: 'no such user' }))
  await t.rejects(permanent.process(fakeJob({ notificationId: NOTIFICATION_ID })), UnrecoverableError)
  t.same([permanent.calls, permanent.enqueued], [['failed 550: no such user'], ['delivery-1']])
  t.match(await permanent.count('notifications_failed_total'), /"reason":"permanent"/)
  const exhausted = notifySetup(delivery(), fakeMailer({ responseCode: 451 }))
  await t.rejects(exhausted.process(fakeJob({ notificationId: NOTIFICATION_ID }, { attemptsMade: 2, attempts: 3 })))
  t.match(await exhausted.count('notifications_failed_total'), /"reason":"exhausted"/)
})

t.test('notify: a sent message whose record meets an unreachable database is recorded again, not sent again', async (t) => {
  const silent = () => new Error('Query read timeout')
  const { process, calls, mailer, lines } = notifySetup(delivery(), fakeMailer(), undefined, [silent(), silent()])
  await process(fakeJob({ notificationId: NOTIFICATION_ID }))
  t.equal(mailer.sent.length, 1, 'sent once')
  t.same(calls, ['sent direct'], 'recorded as sent, and no error recorded')
  t.match(lines(), [{ msg: /not sent again/ }, { attempt: 3, msg: /recorded once the database answered/ }, { msg: 'notification sent' }])
})

t.test('notify: a record that fails for another reason, or for longer than the bound, ends the job (it is retried: at least once)', async (t) => {
  const wrong = notifySetup(delivery(), fakeMailer(), undefined, [new Error('null value in column "route" violates not-null constraint')])
  await t.rejects(wrong.process(fakeJob({ notificationId: NOTIFICATION_ID })), /not-null/)
  t.same([wrong.mailer.sent.length, wrong.calls], [1, []], 'thrown at once, not recorded as a send failure')
  const long = notifySetup(delivery(), fakeMailer(), undefined, Array.from({ length: 100 }, () => new Error('Query read timeout')))
  await t.rejects(long.process(fakeJob({ notificationId: NOTIFICATION_ID })), /Query read timeout/)
  t.same([long.mailer.sent.length, long.calls], [1, []])
})

const RECEIPT: ReceiptData = { id: 'rc1', attempts: 1, requestId: '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f', email: 'anna@example.se', locale: 'en', receivedAt: new Date(), retainUntil: new Date(Date.now() + 86_400_000), contactName: 'Lotta Fransson', contactTitle: 'Projektledare', responseDays: null }
const links = createWithdrawalLinks({ pseudonymKey: 'test-pseudonym-key-0123456789', baseUrl: 'https://kontakt.ri.se' })

function receiptSetup (data: ReceiptData | null, { windowOpen = true, mailer = fakeMailer() } = {}) {
  const calls: string[] = []
  const process = createReceiptProcessor({
    receipts: {
      claim: async () => data,
      markSent: async () => { calls.push('sent') },
      markSkipped: async (_id: string, why: string) => { calls.push(`skipped ${why}`) },
      recordError: async (_id: string, text: string) => { calls.push(`error ${text}`) },
      markFailed: async (_id: string, text: string) => { calls.push(`failed ${text}`) }
    } as never,
    mailer,
    window: { claim: async () => windowOpen },
    links,
    recordRetry: { maxMs: 1000, firstPauseMs: 1 },
    config: { MAIL_FROM: 'Kontakt <noreply@ri.se>', RECEIPT_WINDOW_HOURS: 24, HANDLING_RESPONSE_DAYS: 2 },
    log: memoryLog().log
  })
  return { process, calls, mailer }
}

t.test('receipt: sent to the sender with a withdrawal link that names the request, its deletion date and language', async (t) => {
  const { process, calls, mailer } = receiptSetup(RECEIPT)
  await process(fakeJob({ receiptId: 'rc1' }))
  t.same(calls, ['sent'])
  t.same(mailer.sent.map((m) => m.to), ['anna@example.se'])
  const token = /\/withdraw\/([A-Za-z0-9._-]+)/.exec(mailer.sent[0]?.text ?? '')?.[1] ?? ''
  t.same(links.verify(token), { requestId: RECEIPT.requestId, expiresAt: new Date(Math.floor(RECEIPT.retainUntil.getTime() / 1000) * 1000), locale: 'en' })
})

t.test('receipt: an unknown language in the row gives Swedish pages', async (t) => {
  const { process, mailer } = receiptSetup({ ...RECEIPT, locale: 'de' })
  await process(fakeJob({ receiptId: 'rc1' }))
  t.equal(links.verify(/\/withdraw\/([A-Za-z0-9._-]+)/.exec(mailer.sent[0]?.text ?? '')?.[1] ?? '')?.locale, 'sv')
})

t.test('receipt: nothing to send, or the window already taken: nothing is mailed', async (t) => {
  const none = receiptSetup(null)
  await none.process(fakeJob({ receiptId: 'rc1' }))
  t.same([none.calls, none.mailer.sent], [[], []])
  const taken = receiptSetup(RECEIPT, { windowOpen: false })
  await taken.process(fakeJob({ receiptId: 'rc1' }))
  t.same(taken.calls, ['skipped another receipt went to this address within 24 h'])
  t.same(taken.mailer.sent, [])
})

t.test('receipt: a failed send is settled like a notification\'s', async (t) => {
  const { process, calls } = receiptSetup(RECEIPT, { mailer: fakeMailer({ responseCode: 451, response: 'later' }) })
  await t.rejects(process(fakeJob({ receiptId: 'rc1' }, { attemptsMade: 0, attempts: 2 })))
  t.same(calls, ['error 451: later'])
  const last = receiptSetup(RECEIPT, { mailer: fakeMailer({ responseCode: 451, response: 'later' }) })
  await t.rejects(last.process(fakeJob({ receiptId: 'rc1' }, { attemptsMade: 1, attempts: 2 })))
  t.same(last.calls, ['failed 451: later'])
})

const KEY = '0f'.repeat(32)
const box = createSecretBox(KEY)
const claimed = (over: Partial<ClaimedDelivery> = {}): ClaimedDelivery => ({
  id: 'd1',
  eventType: 'contact_request.received',
  data: { requestId: 'r1' },
  attempts: 1,
  createdAt: new Date('2026-12-03T08:00:00Z'),
  endpointId: 'e1',
  url: 'https://crm.example.org/hook',
  secretSealed: box.seal('whsec_current', 'e1'),
  previousSecretSealed: null,
  submission: null,
  ...over
})
const answer = (over: Partial<Attempt>): Attempt => ({ ok: false, status: null, errorKind: null, detail: '', durationMs: 5, response: null, retryAfterMs: null, ...over })

function webhookSetup (data: ClaimedDelivery | null, result: Attempt, { failingTooLong = false, urlProblem = null as string | null } = {}) {
  const recorded: string[] = []
  const sent: Array<{ secrets: string[], body: string }> = []
  const metrics = createMetrics({ defaultMetrics: false })
  const process = createWebhookProcessor({
    webhooks: {
      claim: async () => data,
      recordAttempt: async (_id: string, attempt: { detail: string }, outcome: string) => { recorded.push(`${outcome}${attempt.detail === '' ? '' : ` ${attempt.detail}`}`) },
      disable: async () => { recorded.push('disabled'); return true },
      recordEndpointFailure: async () => failingTooLong
    } as never,
    box,
    policy: { problemWith: () => urlProblem } as never,
    sender: { send: async (outgoing: { secrets: string[], body: string }) => { sent.push(outgoing); return result } } as never,
    disableAfterHours: 72,
    disabledCount: metrics.webhooks.autoDisabled,
    log: memoryLog().log
  })
  return { process, recorded, sent }
}

t.test('webhook: delivered with the current and the previous secret while they overlap', async (t) => {
  const { process, recorded, sent } = webhookSetup(claimed({ previousSecretSealed: box.seal('whsec_previous', 'e1') }), answer({ ok: true, status: 204 }))
  await process(fakeJob({ deliveryId: 'd1' }))
  t.same(recorded, ['delivered'])
  t.same(sent[0]?.secrets, ['whsec_current', 'whsec_previous'])
  t.match(JSON.parse(sent[0]?.body ?? '{}'), { type: 'contact_request.received', data: { requestId: 'r1' } })
})

t.test('webhook: nothing claimed, nothing sent', async (t) => {
  const { process, recorded, sent } = webhookSetup(null, answer({ ok: true }))
  await process(fakeJob({ deliveryId: 'd1' }))
  t.same([recorded, sent], [[], []])
})

t.test('webhook: a refused URL or an unopenable secret is an attempt not made, retried', async (t) => {
  const refused = webhookSetup(claimed(), answer({ ok: true }), { urlProblem: 'not https' })
  await t.rejects(refused.process(fakeJob({ deliveryId: 'd1' })), { message: 'url refused: not https' })
  t.same([refused.recorded, refused.sent], [['retrying url refused: not https'], []])
  const sealedElsewhere = webhookSetup(claimed({ secretSealed: createSecretBox('ab'.repeat(32)).seal('whsec_x', 'e1') }), answer({ ok: true }))
  await t.rejects(sealedElsewhere.process(fakeJob({ deliveryId: 'd1' })), /signing secret cannot be opened/)
  t.same(sealedElsewhere.sent, [])
})

t.test('webhook: 410 Gone disables the endpoint and ends the delivery', async (t) => {
  const { process, recorded } = webhookSetup(claimed(), answer({ status: 410, detail: 'HTTP 410' }))
  await t.rejects(process(fakeJob({ deliveryId: 'd1' })), UnrecoverableError)
  t.same(recorded, ['failed HTTP 410', 'disabled'])
})

t.test('webhook: a failure is retried, after Retry-After when the receiver gave one; on the last attempt it fails', async (t) => {
  const plain = webhookSetup(claimed(), answer({ status: 500, detail: 'HTTP 500' }))
  const err = await plain.process(fakeJob({ deliveryId: 'd1' })).catch((e: unknown) => e)
  t.notOk(err instanceof UnrecoverableError || err instanceof RetryLater)
  t.same(plain.recorded, ['retrying HTTP 500'])
  const later = webhookSetup(claimed(), answer({ status: 429, detail: 'HTTP 429', retryAfterMs: 120_000 }))
  t.match(await later.process(fakeJob({ deliveryId: 'd1' })).catch((e: unknown) => e), { name: 'RetryLater', retryAfterMs: 120_000 })
  const last = webhookSetup(claimed(), answer({ status: 500, detail: 'HTTP 500' }))
  await t.rejects(last.process(fakeJob({ deliveryId: 'd1' }, { attemptsMade: 2, attempts: 3 })), UnrecoverableError)
  t.same(last.recorded, ['failed HTTP 500'])
})

t.test('webhook: an endpoint failing for too long is disabled with this failure, and the delivery ends', async (t) => {
  const { process, recorded } = webhookSetup(claimed(), answer({ status: 500, detail: 'HTTP 500' }), { failingTooLong: true })
  await t.rejects(process(fakeJob({ deliveryId: 'd1' }, { attemptsMade: 0, attempts: 8 })), UnrecoverableError)
  t.same(recorded, ['failed HTTP 500'])
})
