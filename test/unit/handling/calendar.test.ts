// The working-day calendar: Swedish public holidays and the eves that are days off, in Europe/Stockholm.
import t from 'tap'
import { createWorkingCalendar } from '../../../src/handling/calendar.js'

const calendar = createWorkingCalendar('Europe/Stockholm')
const local = (date: string) => calendar.dateOf(calendar.dueAt(new Date(date), 0))

t.test('weekends, public holidays and the eves everyone has off are not working days; the rest are', async (t) => {
  for (const day of ['2026-06-19', '2026-06-20', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01', '2027-01-06', '2026-04-03', '2026-04-06', '2026-05-14', '2026-06-06', '2026-12-05', '2026-12-06']) {
    t.notOk(calendar.isWorkingDay(day), `${day} is off`)
  }
  // Annandag pingst is no holiday since 2005; trettondagsafton and valborgsmässoafton are half days at most.
  for (const day of ['2026-05-25', '2026-01-05', '2026-04-30', '2026-06-18', '2026-12-23', '2026-12-28', '2026-12-04']) {
    t.ok(calendar.isWorkingDay(day), `${day} is a working day`)
  }
})

t.test('due: the first working day after the response time, at the start of that day in Stockholm', async (t) => {
  t.equal(calendar.dueAt(new Date('2026-12-07T10:00:00+01:00'), 2).toISOString(), '2026-12-09T23:00:00.000Z', 'Monday + 2: Thursday 00:00 CET')
  t.equal(local('2026-12-07T10:00:00+01:00'), '2026-12-08', 'with 0 days, the next working day')
  t.equal(calendar.dueAt(new Date('2026-06-22T09:00:00+02:00'), 1).toISOString(), '2026-06-23T22:00:00.000Z', 'in summer time, 00:00 CEST')
})

t.test('a Friday-afternoon request before midsommar and before Christmas is due on the right working day', async (t) => {
  // Midsommarafton 2026 is a Friday: it and the weekend do not count.
  t.equal(calendar.dateOf(calendar.dueAt(new Date('2026-06-19T15:30:00+02:00'), 2)), '2026-06-24', 'Mon 22, Tue 23 pass: Wednesday')
  // The Friday before: five days reach over midsommar.
  t.equal(calendar.dateOf(calendar.dueAt(new Date('2026-06-12T16:00:00+02:00'), 5)), '2026-06-23', 'Mon–Thu and Mon 22 pass: Tuesday')
  // 2025: julafton, juldagen and annandag jul fall Wednesday to Friday.
  t.equal(calendar.dateOf(calendar.dueAt(new Date('2025-12-19T15:00:00+01:00'), 2)), '2025-12-29', 'Mon 22, Tue 23 pass: Monday 29th')
  // 2026: the Friday before Christmas; nyårsafton and nyårsdagen too.
  t.equal(calendar.dateOf(calendar.dueAt(new Date('2026-12-18T16:45:00+01:00'), 5)), '2026-12-30', 'Mon 21, Tue 22, Wed 23, Mon 28, Tue 29 pass: Wednesday 30th')
  t.equal(calendar.dateOf(calendar.dueAt(new Date('2026-12-18T16:45:00+01:00'), 6)), '2027-01-04', 'and Wednesday 30th: past nyårsafton and nyårsdagen to Monday 4 January')
})

t.test('a request late on Sunday in UTC but on Monday in Stockholm counts from its Stockholm day', async (t) => {
  // 23:30 UTC on Sunday 6 December is 00:30 on Monday 7 December in Stockholm.
  t.equal(calendar.dateOf(new Date('2026-12-06T23:30:00Z')), '2026-12-07')
  t.equal(calendar.dateOf(calendar.dueAt(new Date('2026-12-06T23:30:00Z'), 2)), '2026-12-10')
})

t.test('working days between two instants: the first day does not count, the last does', async (t) => {
  t.equal(calendar.workingDaysBetween(new Date('2026-12-07T10:00:00+01:00'), new Date('2026-12-07T18:00:00+01:00')), 0)
  t.equal(calendar.workingDaysBetween(new Date('2026-12-04T10:00:00+01:00'), new Date('2026-12-08T09:00:00+01:00')), 2, 'Friday to Tuesday')
  t.equal(calendar.workingDaysBetween(new Date('2026-12-23T10:00:00+01:00'), new Date('2026-12-28T09:00:00+01:00')), 1, 'over Christmas: Monday only')
})
