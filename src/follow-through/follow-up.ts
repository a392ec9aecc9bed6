// The follow-up run: on each working day's slot, every open request past its response time moves
// one step along the routing — its handler is reminded, then the delegate is told, then the
// fallback inbox — and each person gets one digest of everything waiting for them. Steps and
// digest rows are written first, in one statement; the mails go after, and what was not sent
// (a crash, an SMTP failure) is sent by the next attempt. Nothing is sent when nothing is waiting.
import type { FastifyBaseLogger } from 'fastify'
import { routeTo, type DirectoryContact, type Route } from '../contacts/routing.js'
import type { WorkingCalendar } from '../handling/calendar.js'
import { contactOf, handlerOf, type Handler, type HandlingLinks } from '../handling/links.js'
import type { Mailer } from '../mail/mailer.js'
import type { Metrics } from '../ops/metrics.js'
import type { DigestLine, FollowUpCandidate, FollowUpStep, HandlingRepository } from '../repositories/handling.js'
import type { Locale } from '../schemas/common.js'
import { composeDigest, type DigestItem } from './digest.js'

export interface FollowUpDeps {
  handling: Pick<HandlingRepository, 'followUpCandidates' | 'recordSteps' | 'pendingLines' | 'markSent'>
  /** The whole directory with delegates (the routing's read). */
  directory: () => Promise<DirectoryContact[]>
  calendar: WorkingCalendar
  links: HandlingLinks
  mailer: Mailer
  metrics: Metrics['handling']
  log: FastifyBaseLogger
  from: string
  fallbackEmail: string | undefined
  /** Gets a copy of every escalation. */
  copyEmail: string | undefined
  /** Working days for a contact without responseDays. */
  responseDays: number
  /** The clock of a scheduled run (tests set their own). */
  now?: () => Date
}

export interface FollowUpRun {
  /** False on a weekend or holiday: nothing was looked at. */
  workingDay: boolean
  steps: number
  digests: { sent: number, failed: number }
}

const DAY_MS = 86_400_000
const EVENTS = { 1: 'reminded', 2: 'escalated:delegate', 3: 'escalated:fallback' } as const
const localeOf = (route: Route): Locale => route.locale === 'en' ? 'en' : 'sv'

/** The next step of one request, or null when it is not due yet (pure: the run's rule). */
export function nextStep (
  request: FollowUpCandidate, byId: Map<string, DirectoryContact>, now: Date, deps: Pick<FollowUpDeps, 'calendar' | 'fallbackEmail' | 'copyEmail' | 'responseDays'>
): FollowUpStep | null {
  const addressed = byId.get(request.contactId) ?? null
  const holderId = request.handler === null ? request.contactId : contactOf(request.handler)
  const holder = holderId === null ? null : byId.get(holderId) ?? null
  const days = holder?.responseDays ?? addressed?.responseDays ?? deps.responseDays
  const since = request.followUpStage === 0 ? request.handedAt ?? request.receivedAt : request.followedUpAt ?? request.receivedAt
  if (now < deps.calendar.dueAt(since, days)) return null

  // Who each step would reach: the holder (by their routing), their delegate, the fallback inbox.
  const reminded = routeTo(holder, deps.fallbackEmail)
  const delegate = holder?.delegate?.active === true && holder.delegate.id !== reminded?.contactId ? holder.delegate : null
  const targets: Record<1 | 2 | 3, { recipient: string, locale: Locale, handler: Handler } | null> = {
    1: reminded === null ? null : { recipient: reminded.email, locale: localeOf(reminded), handler: handlerOf(reminded.contactId) },
    2: delegate === null ? null : { recipient: delegate.email, locale: delegate.locale === 'en' ? 'en' : 'sv', handler: handlerOf(delegate.id) },
    3: deps.fallbackEmail === undefined || reminded?.reason === 'fallback' ? null : { recipient: deps.fallbackEmail, locale: 'sv', handler: 'inbox:fallback' }
  }
  for (const stage of [1, 2, 3] as const) {
    const target = targets[stage]
    if (stage <= request.followUpStage || target === null) continue
    const copy = stage > 1 && deps.copyEmail !== undefined ? [{ recipient: deps.copyEmail, locale: 'sv', handler: null }] : []
    return { requestId: request.id, stage, event: EVENTS[stage], rows: [target, ...copy] }
  }
  return { requestId: request.id, stage: 3, event: 'exhausted', rows: [] }
}

/** The age buckets of the unanswered-requests gauge, in working days: [label, up to and including]. */
export const AGE_BUCKETS: ReadonlyArray<readonly [string, number]> = [['0-2', 2], ['3-5', 5], ['6-10', 10], ['over_10', Infinity]]

/** Open requests counted by age bucket (every bucket present, zero or not). */
export async function unansweredByAge (
  handling: Pick<HandlingRepository, 'openByDay'>, calendar: WorkingCalendar, timeZone: string, now = new Date()
): Promise<Record<string, number>> {
  const counts = Object.fromEntries(AGE_BUCKETS.map(([label]) => [label, 0]))
  for (const { day, count } of await handling.openByDay(timeZone)) {
    const age = calendar.workingDaysBetween(new Date(`${day}T12:00:00Z`), now)
    const [label] = AGE_BUCKETS.find(([, upTo]) => age <= upTo) ?? ['over_10']
    counts[label] = (counts[label] ?? 0) + count
  }
  return counts
}

export function createFollowUp (deps: FollowUpDeps) {
  const { handling, calendar, links, mailer, metrics, log } = deps

  /** Sends every pending digest, one message per recipient; a failed one stays pending. */
  async function sendDigests (slot: string): Promise<FollowUpRun['digests']> {
    const byRecipient = new Map<string, DigestLine[]>()
    for (const line of await handling.pendingLines()) byRecipient.set(line.recipient, [...byRecipient.get(line.recipient) ?? [], line])
    const result = { sent: 0, failed: 0 }
    for (const [recipient, lines] of byRecipient) {
      const items: DigestItem[] = lines.map((line) => ({
        ...line,
        actions: line.handler === null ? null : links.urls({ requestId: line.requestId, handler: line.handler, expiresAt: line.retainUntil, locale: line.locale === 'en' ? 'en' : 'sv' })
      }))
      const ids = lines.map((l) => l.followUpId).sort()
      try {
        await mailer.send(composeDigest(recipient, items, { from: deps.from, digestId: `digest-${slot}-${ids[0] ?? ''}` }))
        await handling.markSent(ids)
        result.sent++
        metrics.digests.inc({ result: 'sent' })
      } catch (err) {
        result.failed++
        metrics.digests.inc({ result: 'failed' })
        log.warn({ err, requests: lines.length }, 'follow-up digest not sent; it stays pending for the next attempt')
      }
    }
    return result
  }

  return {
    /** One slot's run, at `now` (the clock's time when not given). */
    async run (now = (deps.now ?? (() => new Date()))()): Promise<FollowUpRun> {
      const slot = calendar.dateOf(now)
      if (!calendar.isWorkingDay(slot)) return { workingDay: false, steps: 0, digests: { sent: 0, failed: 0 } }
      const byId = new Map((await deps.directory()).map((c) => [c.id, c]))
      const candidates = await handling.followUpCandidates(new Date(now.getTime() - DAY_MS))
      const steps = candidates.map((c) => nextStep(c, byId, now, deps)).filter((s): s is FollowUpStep => s !== null)
      await handling.recordSteps(steps, now, slot)
      for (const step of steps) metrics.followUps.inc({ stage: step.event })
      const digests = await sendDigests(slot)
      log.info({ slot, steps: steps.length, ...digests }, 'follow-up run done')
      return { workingDay: true, steps: steps.length, digests }
    }
  }
}
export type FollowUp = ReturnType<typeof createFollowUp>
