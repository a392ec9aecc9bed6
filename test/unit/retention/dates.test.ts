// Retention dates: closing shortens, never lengthens; other changes leave the dates alone.
import t from 'tap'
import { statusChange } from '../../../src/retention/dates.js'

const now = new Date('2026-12-03T10:00:00Z')
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000)

t.test('closing an open request keeps it RETENTION_DAYS_AFTER_CLOSE from now, and records when', async (t) => {
  t.same(statusChange({ status: 'received', retainUntil: inDays(180) }, 'closed', 30, now), { status: 'closed', closedAt: now, retainUntil: inDays(30) })
})

t.test('closing never lengthens: a request due sooner keeps its date', async (t) => {
  t.same(statusChange({ status: 'taken', retainUntil: inDays(10) }, 'closed', 30, now), { status: 'closed', closedAt: now, retainUntil: inDays(10) })
  t.same(statusChange({ status: 'taken', retainUntil: inDays(30) }, 'closed', 30, now).retainUntil, inDays(30), 'the same date either way')
})

t.test('closing what is closed, and any other change, leaves the dates as they are', async (t) => {
  t.same(statusChange({ status: 'closed', retainUntil: inDays(30) }, 'closed', 1, now), { status: 'closed' })
  t.same(statusChange({ status: 'closed', retainUntil: inDays(30) }, 'received', 1, now), { status: 'received' })
  t.same(statusChange({ status: 'received', retainUntil: inDays(180) }, 'taken', 1, now), { status: 'taken' })
})

t.test('now is the clock by default', async (t) => {
  const before = Date.now()
  const change = statusChange({ status: 'received', retainUntil: inDays(10_000) }, 'closed', 30)
  t.ok((change.closedAt?.getTime() ?? 0) >= before)
  t.equal((change.retainUntil?.getTime() ?? 0) - (change.closedAt?.getTime() ?? 0), 30 * 86_400_000)
})
