// The follow-up schedule: BullMQ's job scheduler makes one job per slot, so two workers send one
// digest, not two; a digest its worker could not send before it stopped is sent after a restart.
import t from 'tap'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { smtpSink } from '../../helpers/smtp.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'

// A working day's morning, whatever day the suite runs on.
const clock = () => new Date('2026-12-09T08:00:00+01:00')

t.test('two workers run each slot once; a digest refused before a restart is sent once after it', async (t) => {
  let refuse = true
  const sink = await smtpSink((_n, raw) => refuse && raw.toString().includes('<digest-') ? { code: 451, message: 'try later' } : { code: 250 })
  t.teardown(sink.close)
  // Every second: several slots within the test.
  const { app, config } = await buildTestApp(t, { SMTP_URL: sink.url, FOLLOW_UP_CRON: '* * * * * *', MAIL_BACKOFF_MS: '50' })
  const runs: string[] = []
  const watch = (worker: { on: (event: 'completed' | 'failed', fn: (job: { id?: string } | undefined) => void) => unknown }) => {
    worker.on('completed', (job) => runs.push(job?.id ?? '?'))
    worker.on('failed', (job) => runs.push(job?.id ?? '?'))
  }
  const first = await startTestWorkers(t, config, { clock })
  const second = await startTestWorkers(t, config, { clock })
  const { id } = (await post(app, await altchaSubmission(app, { message: 'Väntar på svar' }))).json<{ id: string }>()
  await sink.waitForDelivered(1)
  await app.core.database.prisma.contactRequest.update({ where: { id }, data: { receivedAt: new Date('2026-12-01T10:00:00+01:00') } })
  watch(first.followUp)
  watch(second.followUp)
  // The run writes the reminder and fails to send it: the job fails, the row stays pending.
  await eventually(async () => runs.length >= 3 ? true : undefined, { what: 'three slots', timeoutMs: 10_000 })
  await Promise.all([first.close(), second.close()])
  t.equal(new Set(runs).size, runs.length, `each slot's job ran once across two workers (${runs.length} runs)`)
  t.equal(await app.core.database.prisma.followUp.count({ where: { requestId: id, status: 'pending' } }), 1, 'one reminder written, not sent')
  t.equal(sink.delivered.filter((m) => m.subject?.startsWith('Påminnelse') === true).length, 0)

  refuse = false
  const restarted = await startTestWorkers(t, config, { clock })
  const after: string[] = []
  restarted.followUp.on('completed', (job) => after.push(job.id ?? '?'))
  await eventually(async () => after.length >= 2 ? true : undefined, { what: 'two slots after the restart', timeoutMs: 10_000 })
  const reminders = sink.delivered.filter((m) => m.subject?.startsWith('Påminnelse') === true)
  t.equal(reminders.length, 1, 'the pending reminder, sent once')
  t.match(reminders[0]?.text, id)
  t.equal(await app.core.database.prisma.followUp.count({ where: { requestId: id, status: 'sent' } }), 1)
})
