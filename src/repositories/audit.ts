// The audit log (audit_log): the only module that names its columns.
import type { Database } from '../db/client.js'
import type { AuditEntry, Prisma } from '../generated/prisma/client.js'

export type AuditOutcome = 'ok' | 'refused' | 'failed'

export interface AuditRecord {
  actor: string
  action: string
  targetId?: string | null
  subjectHash?: string | null
  outcome: AuditOutcome
  /** Counts and flags only. */
  detail?: Prisma.InputJsonObject | null
}

export interface AuditFilter {
  action?: string
  targetId?: string
  from?: Date
  to?: Date
  limit: number
}

/** An entry as the admin API lists it: its detail is always an object of counts and flags. */
export type ListedAuditEntry = Omit<AuditEntry, 'detail' | 'outcome'> & { outcome: AuditOutcome, detail: Prisma.JsonObject | null }

/** What a data subject's export shows of an entry: who did what, when, and how it ended. */
export type SubjectAuditEntry = Pick<AuditEntry, 'at' | 'actor' | 'action' | 'targetId' | 'outcome'>

export function createAuditRepository ({ prisma }: Database) {
  return {
    async record (entry: AuditRecord): Promise<void> {
      await prisma.auditEntry.create({
        data: {
          id: crypto.randomUUID(),
          actor: entry.actor,
          action: entry.action,
          targetId: entry.targetId ?? null,
          subjectHash: entry.subjectHash ?? null,
          outcome: entry.outcome,
          detail: entry.detail ?? undefined
        }
      })
    },

    /** Entries, newest first. */
    async list ({ action, targetId, from, to, limit }: AuditFilter): Promise<ListedAuditEntry[]> {
      const entries = await prisma.auditEntry.findMany({ where: { action, targetId, at: { gte: from, lt: to } }, orderBy: { at: 'desc' }, take: limit })
      // record() writes nothing else: one of the outcomes, and an object or nothing.
      return entries.map((e) => ({ ...e, outcome: e.outcome as AuditOutcome, detail: e.detail as Prisma.JsonObject | null }))
    },

    /** Entries about these requests or this subject, oldest first. */
    async aboutSubject (requestIds: string[], subjectHash: string): Promise<SubjectAuditEntry[]> {
      return await prisma.auditEntry.findMany({
        where: { OR: [{ targetId: { in: requestIds } }, { subjectHash }] },
        orderBy: { at: 'asc' },
        select: { at: true, actor: true, action: true, targetId: true, outcome: true }
      })
    }
  }
}
export type AuditRepository = ReturnType<typeof createAuditRepository>
