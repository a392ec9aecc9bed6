// Working days in Sweden: Monday to Friday but for public holidays and the eves that are days
// off in practice (midsommarafton, julafton, nyårsafton), from date-holidays, in the institute's
// time zone (Europe/Stockholm: TIME_ZONE in src/notifications/compose.ts).
import Holidays, { type HolidaysTypes } from 'date-holidays'
import { DateTime } from 'luxon'

/** date-holidays' types of a day off: "public" by law, "bank" the eves everyone has off. */
const DAYS_OFF: ReadonlySet<HolidaysTypes.HolidayType> = new Set<HolidaysTypes.HolidayType>(['public', 'bank'])

export interface WorkingCalendar {
  /** Whether this local date (YYYY-MM-DD) is a working day. */
  isWorkingDay: (date: string) => boolean
  /** The local date of an instant. */
  dateOf: (at: Date) => string
  /**
   * When a request handed over at `from` is due for a reminder if nobody answered: the first
   * working day after `days` working days have passed (the day it came does not count), at the
   * start of that day. Received on a Monday with 2 days: due Thursday at 00:00.
   */
  dueAt: (from: Date, days: number) => Date
  /** Whole working days from `from` to `to` (the day it came does not count). */
  workingDaysBetween: (from: Date, to: Date) => number
}

export function createWorkingCalendar (timeZone: string): WorkingCalendar {
  const holidays = new Holidays('SE', { timezone: timeZone, types: [...DAYS_OFF] })
  const daysOff = new Map<number, Set<string>>()
  // A year's days off, read once: date-holidays computes the movable feasts on every call.
  const offIn = (year: number): Set<string> => {
    let days = daysOff.get(year)
    if (days === undefined) {
      days = new Set(holidays.getHolidays(year).filter((h) => DAYS_OFF.has(h.type)).map((h) => h.date.slice(0, 10)))
      daysOff.set(year, days)
    }
    return days
  }
  const local = (at: Date): DateTime => DateTime.fromJSDate(at, { zone: timeZone }).startOf('day')
  const working = (day: DateTime): boolean => day.weekday <= 5 && !offIn(day.year).has(day.toISODate() ?? '')
  const nextWorking = (day: DateTime): DateTime => {
    let next = day.plus({ days: 1 })
    while (!working(next)) next = next.plus({ days: 1 })
    return next
  }

  return {
    isWorkingDay: (date) => working(DateTime.fromISO(date, { zone: timeZone })),
    dateOf: (at) => local(at).toISODate() ?? '',
    dueAt (from, days) {
      let day = local(from)
      for (let n = 0; n <= days; n++) day = nextWorking(day)
      return day.toJSDate()
    },
    workingDaysBetween (from, to) {
      const end = local(to)
      let day = local(from)
      let count = 0
      for (day = nextWorking(day); day <= end; day = nextWorking(day)) count++
      return count
    }
  }
}
