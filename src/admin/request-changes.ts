// Changing a contact request as an admin: its status, a legal hold, a restriction. Each change
// is written to the request's history and audited here, whoever asks (the admin API today).
import type { ContactRequest, Prisma } from '../generated/prisma/client.js'
import { notFound } from '../errors.js'
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
