// After a failed send: what is stored about the failure, and whether BullMQ tries again.
import t from 'tap'
import { UnrecoverableError } from 'bullmq'
import { describeMailError, settleSendFailure } from '../../../workers/processors/notify.js'
import { fakeJob, memoryLog } from '../helpers.js'

t.test('a mail error is described by its code, command and status, with addresses removed', async (t) => {
  t.same(describeMailError({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550, response: '550 5.1.1 <lotta@ri.se>: no such user' }),
    { permanent: true, text: 'EENVELOPE RCPT TO 550: 550 5.1.1 <address>: no such user' })
  t.same(describeMailError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:2525' }), { permanent: false, text: 'ECONNECTION: connect ECONNREFUSED 127.0.0.1:2525' })
  t.same(describeMailError(undefined), { permanent: false, text: 'unknown error' })
  t.same(describeMailError({ code: '', responseCode: 451, response: 'try later' }), { permanent: false, text: '451: try later' })
})

t.test('only SMTP 5xx is permanent', async (t) => {
  for (const [code, permanent] of [[499, false], [500, true], [554, true], [599, true], [600, false], [421, false]] as const) {
    t.equal(describeMailError({ responseCode: code }).permanent, permanent, String(code))
  }
})

t.test('the stored text is at most 300 characters of the server\'s answer', async (t) => {
  t.equal(describeMailError({ response: 'x'.repeat(1000) }).text.length, 300)
})

function recorder () {
  const calls: string[] = []
  return {
    calls,
    record: {
      failed: async (text: string, permanent: boolean) => { calls.push(`failed ${permanent ? 'permanent' : 'exhausted'}: ${text}`) },
      retrying: async (text: string) => { calls.push(`retrying: ${text}`) }
    }
  }
}

t.test('a temporary failure with attempts left is recorded as retrying and thrown for BullMQ to retry', async (t) => {
  const { calls, record } = recorder()
  const { log, lines } = memoryLog()
  const err = await settleSendFailure({ responseCode: 451, response: 'try later' }, fakeJob({}, { attemptsMade: 1, attempts: 3 }), record, log).catch((e: unknown) => e)
  t.type(err, Error)
  t.notOk(err instanceof UnrecoverableError, 'retried')
  t.equal((err as Error).message, '451: try later')
  t.same(calls, ['retrying: 451: try later'])
  t.match(lines(), [{ level: 40, attempt: 2, error: '451: try later', msg: /will retry/ }])
})

t.test('a temporary failure on the last attempt is recorded as failed (exhausted) and not retried by its error', async (t) => {
  const { calls, record } = recorder()
  const { log, lines } = memoryLog()
  const err = await settleSendFailure({ responseCode: 451, response: 'try later' }, fakeJob({}, { attemptsMade: 2, attempts: 3 }), record, log).catch((e: unknown) => e)
  t.notOk(err instanceof UnrecoverableError, 'BullMQ ends it: no attempts left')
  t.same(calls, ['failed exhausted: 451: try later'])
  t.match(lines(), [{ level: 50, attempt: 3, permanent: false, msg: /re-driven/ }])
})

t.test('a permanent failure is recorded as failed at once and ends the job, however many attempts are left', async (t) => {
  const { calls, record } = recorder()
  const { log } = memoryLog()
  const err = await settleSendFailure({ responseCode: 550, response: 'no such user' }, fakeJob({}, { attemptsMade: 0, attempts: 5 }), record, log).catch((e: unknown) => e)
  t.type(err, UnrecoverableError)
  t.same(calls, ['failed permanent: 550: no such user'])
})

t.test('a job without an attempts option has one attempt', async (t) => {
  const { calls, record } = recorder()
  const job = { ...fakeJob({}), opts: {} } as unknown as Parameters<typeof settleSendFailure>[1]
  await settleSendFailure({ responseCode: 451 }, job, record, memoryLog().log).catch(() => {})
  t.same(calls, ['failed exhausted: 451: unknown error'])
})
