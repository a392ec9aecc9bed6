// A process's core closes whatever happened to its parts: a queue whose close fails (its first
// command went unanswered past the deadline, as in an event-loop stall under load) does not keep
// the others or the connection open, nor fail the shutdown.
import t from 'tap'
import { once } from 'node:events'
import { pino } from 'pino'
import { createCore } from '../../../src/roots/core.js'
import { sharedDatabase } from '../../helpers/database.js'
import { testConfig } from '../../helpers/config.js'

t.test('the core closes every queue and its connection even when one queue fails to close', async (t) => {
  const core = await createCore(testConfig(), { log: pino({ level: 'silent' }), database: await sharedDatabase() })
  const { notify, receipt, webhook } = core.queues
  const realClose = notify.close.bind(notify)
  notify.close = async () => { await realClose(); throw new Error('Command timed out') }
  const ended = once(core.redis, 'end')
  await t.resolves(core.close(), 'the shutdown goes on')
  t.ok(receipt.closing !== undefined && webhook.closing !== undefined, 'the other queues are closed')
  await ended
  t.pass('and the connection is closed')
})
