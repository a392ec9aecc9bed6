// The audit log: who did what to which record, and how it ended. Never personal data.
import { createHmac, randomUUID } from 'node:crypto'
import type { PrismaClient } from '../db/client.js'
import type { Prisma } from '../generated/prisma/client.js'

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

/** The keyed hash under which a data subject's address appears in the audit log. */
export function subjectHash (pseudonymKey: string, email: string): string {
  return createHmac('sha256', pseudonymKey).update(`subject\u0000${email.trim().toLowerCase()}`).digest('hex')
}

export function createAudit (prisma: PrismaClient) {
  return {
    async record (entry: AuditRecord): Promise<void> {
      await prisma.auditEntry.create({
        data: {
          id: randomUUID(),
          actor: entry.actor,
          action: entry.action,
          targetId: entry.targetId ?? null,
          subjectHash: entry.subjectHash ?? null,
          outcome: entry.outcome,
          detail: entry.detail ?? undefined
        }
      })
    }
  }
}
export type Audit = ReturnType<typeof createAudit>
