// Changing a contact request as an admin: its status, a legal hold, a restriction. Each change
// is written to the request's history and audited here, whoever asks (the admin API today).
import type { ContactRequest, Prisma } from '../generated/prisma/client.js'
import { conflict, notFound } from '../errors.js'
import { statusChange } from '../retention/dates.js'
import type { AuditRepository } from '../repositories/audit.js'
import type { RequestRepository } from '../repositories/requests.js'

export interface RequestChange {
  /** The history's kind and value, e.g. status / closed; the audit action is requests.<action>. */
  kind: string
  value: string
  action: string
  /** The fields to write, given the request as it is once locked. */
  data: (row: ContactRequest) => Prisma.ContactRequestUpdateInput
}

export function createRequestChanges ({ requests, audit }: { requests: RequestRepository, audit: AuditRepository }) {
  return {
    /** Applies the change under the request's row lock; throws NOT_FOUND when there is no such request. */
    async change (id: string, actor: string, { kind, value, action, data }: RequestChange): Promise<ContactRequest> {
      const updated = await requests.change(id, { kind, value, actor }, data)
      await audit.record({ actor, action: `requests.${action}`, targetId: id, outcome: updated === null ? 'failed' : 'ok' })
      if (updated === null) throw notFound('No contact request with this id.')
      return updated
    }
  }
}
export type RequestChanges = ReturnType<typeof createRequestChanges>

/**
 * The changes an admin makes to a request, named: the admin API's routes and the console's forms
 * make the same ones. Reopening or closing (closing shortens retention, never lengthens it).
 */
export const REQUEST_CHANGES = {
  status: (status: 'received' | 'closed', daysAfterClose: number): RequestChange => ({
    kind: 'status',
    value: status,
    action: 'status',
    data: (current) => {
      // Out of quarantine only by a release, which sends what was held.
      if (current.status === 'quarantined') throw conflict('This request is quarantined as spam: release it first (POST …/release).')
      return statusChange(current, status, daysAfterClose)
    }
  }),
  legalHold: (reason: string): RequestChange => ({ kind: 'legal_hold', value: 'set', action: 'legal_hold.set', data: () => ({ legalHoldReason: reason, legalHoldAt: new Date() }) }),
  liftLegalHold: (): RequestChange => ({ kind: 'legal_hold', value: 'lifted', action: 'legal_hold.lift', data: () => ({ legalHoldReason: null, legalHoldAt: null }) }),
  restrict: (): RequestChange => ({ kind: 'restriction', value: 'set', action: 'restriction.set', data: () => ({ restrictedAt: new Date() }) }),
  liftRestriction: (): RequestChange => ({ kind: 'restriction', value: 'lifted', action: 'restriction.lift', data: () => ({ restrictedAt: null }) })
}
