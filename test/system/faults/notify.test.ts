// Delivery survives its dependencies failing: Redis down at submit time, a killed worker, a shutdown.
import t from 'tap'
import { once } from 'node:events'
import pg from 'pg'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { testDatabase } from '../../helpers/database.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { workerProcess } from '../../helpers/processes.js'
import { privateRedis } from '../../helpers/private-redis.js'
import { eventually } from '../../helpers/wait.js'
import { TEST_DATABASE_URL } from '../../helpers/config.js'
import { createOutboxRelay } from '../../../src/notifications/relay.js'

t.test('with Redis down at submit time the request is accepted, and once Redis is back the e-mail arrives', async (t) => {
  const redis = await privateRedis(t)
  await redis.start()
  const sink = await smtpSink()
  t.teardown(sink.close)
  const { app, config } = await buildTestApp(t, { REDIS_URL: redis.url, SMTP_URL: sink.url })
  const workers = await startTestWorkers(t, config, { tuning: { relayDelayMs: 300, relayIntervalMs: 200 } })
  const prisma = await testDatabase()

  await redis.stop()
  const body = await altchaSubmission(app)
  const res = await post(app, body)
  t.equal(res.statusCode, 202, 'accepted while Redis is down')
  const id = res.json().id as string
  t.equal((await prisma.notification.findFirstOrThrow({ where: { requestId: id } })).status, 'pending')
  // The relay has found it and failed to enqueue it: the first moment anything could have gone out.
  await eventually(async () => /outbox relay: redis unavailable/.test(workers.logs()) ? true : undefined, { what: 'the relay to try and fail' })
  t.equal(sink.delivered.length, 0, 'nothing can be sent while Redis is down')

  await redis.start()
  const [mail] = await sink.waitForDelivered(1, 20_000)
  t.match(mail?.text, 'Akademin för Livslångt Lärande')
  const notification = await eventually(async () => {
    const n = await prisma.notification.findFirstOrThrow({ where: { requestId: id } })
    return n.status === 'sent' ? n : undefined
  })
  t.ok(notification.queuedAt, 'the relay queued it')
  t.equal(sink.delivered.length, 1, 'exactly once')
  await redis.settled()
})

t.test('the relay takes over notifications left pending, and a job already waiting is not queued twice', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  // No worker runs: the API's job waits in the queue and its notification stays pending.
  const res = await post(app, await altchaSubmission(app))
  const notification = await prisma.notification.findFirstOrThrow({ where: { requestId: res.json().id } })
  t.equal(notification.status, 'pending')
  t.equal(await app.core.queues.notify.getWaitingCount(), 1)

  const relay = createOutboxRelay({
    name: 'notifications',
    outbox: app.core.repositories.notifications,
    enqueue: app.core.producers.notify.enqueue,
    log: app.log,
    delayMs: 0,
    intervalMs: 60_000
  })
  t.equal(await relay.tick(), 1, 'the relay re-adds it')
  t.equal(await app.core.queues.notify.getWaitingCount(), 1, 'under the same job id: still one job')
  t.match(await prisma.notification.findUniqueOrThrow({ where: { id: notification.id } }), { status: 'queued', queuedAt: Date })
  t.equal(await relay.tick(), 0, 'and leaves it alone from then on')
})

t.test('a queued notification whose job Redis lost (a failover, a node restarted empty) is enqueued again; one whose job waits stays one job', async (t) => {
  const { app } = await buildTestApp(t)
  const prisma = await testDatabase()
  const queue = app.core.queues.notify
  const ids: string[] = []
  for (const message of ['Förlorad', 'Väntande']) {
    const res = await post(app, await altchaSubmission(app, { message }))
    ids.push((await prisma.notification.findFirstOrThrow({ where: { requestId: res.json().id } })).id)
  }
  const [lost, waiting] = ids as [string, string]
  const relay = createOutboxRelay({ name: 'notifications', outbox: app.core.repositories.notifications, enqueue: app.core.producers.notify.enqueue, log: app.log, delayMs: 0, intervalMs: 60_000 })
  t.equal(await relay.tick(), 2, 'both marked queued by the relay')
  await queue.remove(lost)
  t.equal(await relay.tick(), 0, 'a freshly queued row is left alone')
  // Both were queued long ago, as far as the relay can tell.
  await prisma.notification.updateMany({ where: { id: { in: ids } }, data: { queuedAt: new Date(Date.now() - 3_600_000) } })
  t.equal(await relay.tick(), 2, 'both are added again')
  t.ok(await queue.getJob(lost), 'the lost job is back')
  t.ok(await queue.getJob(waiting), 'the one that waited is there')
  t.equal(await queue.getWaitingCount(), 2, 'and is still one job')
  t.equal(await relay.tick(), 0, 'their clock restarted: left alone again')
})

t.test('a worker killed with SIGKILL mid-delivery: the job is recovered and the e-mail arrives', async (t) => {
  // The first message is never answered: the worker hangs in the middle of sending it.
  const sink = await smtpSink((n) => n === 1 ? { hang: true } : { code: 250 })
  t.teardown(sink.close)
  const env = { SMTP_URL: sink.url, JOB_LOCK_MS: '1500', MAIL_BACKOFF_MS: '50' }
  const { app, config } = await buildTestApp(t, env)
  const prisma = await testDatabase()

  const child = workerProcess(config, env)
  t.teardown(() => { child.kill('SIGKILL') })

  const res = await post(app, await altchaSubmission(app))
  await eventually(async () => sink.received >= 1 ? true : undefined, { timeoutMs: 20_000, what: 'the worker process to start sending' })
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  t.match(await prisma.notification.findFirstOrThrow({ where: { requestId: res.json().id } }), { status: 'pending', attempts: 1 }, 'the attempt was counted before anything was sent')

  await startTestWorkers(t, config)
  const [mail] = await sink.waitForDelivered(1, 20_000)
  t.ok(mail, 'the recovered job delivered the e-mail')
  const notification = await eventually(async () => {
    const n = await prisma.notification.findFirstOrThrow({ where: { requestId: res.json().id } })
    return n.status === 'sent' ? n : undefined
  })
  t.equal(notification.attempts, 2, 'the killed attempt is counted')
})

t.test('at-least-once: a worker killed after the SMTP server accepted, before the status was recorded, sends again with the same Message-ID', async (t) => {
  const env = { JOB_LOCK_MS: '1500', MAIL_BACKOFF_MS: '50' }
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL })
  let notificationId = ''
  // Before the server answers 250 to the first message, the test takes the notification's row:
  // the worker's "sent" update will wait for it, and the worker is killed while it waits.
  const sink = await smtpSink(async (n) => {
    if (n === 1) {
      await db.query('BEGIN')
      await db.query('SELECT 1 FROM notifications WHERE id = $1 FOR UPDATE', [notificationId])
    }
    return { code: 250 }
  })
  t.teardown(sink.close)
  const { app, config } = await buildTestApp(t, { ...env, SMTP_URL: sink.url })
  const prisma = await testDatabase()
  await db.connect()
  t.teardown(async () => { await db.end() })
  await app.core.queues.notify.pause()
  const requestId = (await post(app, await altchaSubmission(app))).json().id as string
  notificationId = (await prisma.notification.findFirstOrThrow({ where: { requestId } })).id
  await app.core.queues.notify.resume()

  const child = workerProcess(config, { ...env, SMTP_URL: sink.url })
  t.teardown(() => { child.kill('SIGKILL') })
  await sink.waitForDelivered(1, 20_000)
  const waiting = await eventually(async () => {
    const { rows } = await db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE notifications%'")
    return rows[0]
  }, { what: 'the worker\'s status update to wait' })
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  // The dead worker's update must not land after all: end its session, as if it had never been sent.
  await db.query('SELECT pg_terminate_backend($1)', [waiting.pid])
  await db.query('ROLLBACK')
  t.match(await prisma.notification.findUniqueOrThrow({ where: { id: notificationId } }), { status: 'pending', attempts: 1, sentAt: null }, 'accepted by the server, not recorded')

  await startTestWorkers(t, config)
  const mails = await sink.waitForDelivered(2, 20_000)
  t.equal(mails.length, 2, 'delivered again on recovery')
  t.equal(mails[1]?.messageId, mails[0]?.messageId, 'with the same Message-ID: a duplicate the recipient can recognise')
  t.match(mails[0]?.messageId, notificationId)
  const sent = await eventually(async () => {
    const row = await prisma.notification.findUniqueOrThrow({ where: { id: notificationId } })
    return row.status === 'sent' ? row : undefined
  })
  t.match(sent, { attempts: 2, sentAt: Date }, 'recorded sent once, both attempts counted')
})

t.test('a worker asked to stop finishes the e-mail it is sending first', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const sink = await smtpSink(() => ({ code: 250 }))
  t.teardown(sink.close)
  const { app, config } = await buildTestApp(t, { SMTP_URL: sink.url })
  const workers = await startTestWorkers(t, config)
  const prisma = await testDatabase()
  // Hold the job inside the mailer until the test lets it go.
  const mailer = workers.services.mailer
  const send = mailer.send.bind(mailer)
  let sending = false
  mailer.send = async (message) => { sending = true; await gate; return await send(message) }

  const res = await post(app, await altchaSubmission(app))
  await eventually(async () => sending ? true : undefined, { what: 'the job to start' })
  let closed = false
  const closingEvent = once(workers.notify, 'closing')
  const closing = workers.close().then(() => { closed = true })
  await closingEvent
  // A negative has nothing to poll for: once closing has begun, give a close that would not wait the time to finish.
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(closed, false, 'close waits for the running job')
  release()
  await closing
  t.equal(sink.delivered.length, 1, 'the e-mail went out')
  t.equal((await prisma.notification.findFirstOrThrow({ where: { requestId: res.json().id } })).status, 'sent')
})

t.test('a worker process given SIGTERM mid-job finishes that e-mail, records it, and exits within SHUTDOWN_TIMEOUT_MS', async (t) => {
  let accept: () => void = () => {}
  const accepted = new Promise<void>((resolve) => { accept = resolve })
  let received = false
  // The server holds its answer to the first message until the test lets it go.
  const sink = await smtpSink(async () => { received = true; await accepted; return { code: 250 } })
  t.teardown(sink.close)
  const env = { SMTP_URL: sink.url, SHUTDOWN_TIMEOUT_MS: '5000' }
  const { app, config } = await buildTestApp(t, env)
  const prisma = await testDatabase()
  const child = workerProcess(config, env)
  t.teardown(() => { child.kill('SIGKILL') })
  const requestId = (await post(app, await altchaSubmission(app))).json().id as string
  await eventually(async () => received ? true : undefined, { timeoutMs: 20_000, what: 'the worker process to be sending' })

  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  const signalled = Date.now()
  child.kill('SIGTERM')
  await eventually(async () => await app.core.queues.notify.getActiveCount() === 1 ? true : undefined, { what: 'the job to stay active' })
  t.equal(child.exitCode, null, 'the process waits for its running job')
  accept()
  const [code] = await exited
  const took = Date.now() - signalled
  t.equal(code, 0, 'a clean exit')
  t.ok(took < 5000, `within SHUTDOWN_TIMEOUT_MS (${took} ms)`)
  t.equal(sink.delivered.length, 1)
  t.match(await prisma.notification.findFirstOrThrow({ where: { requestId } }), { status: 'sent', attempts: 1 }, 'recorded before the process ended')
})
