// Data-subject requests: access (GDPR Art. 15) and erasure (Art. 17) by e-mail address.
import type { Database } from '../db/client.js'
import type { Prisma } from '../generated/prisma/client.js'
import type { Removal, RemovedCounts } from '../retention/removal.js'

const normalise = (email: string): string => email.trim().toLowerCase()

/** Everything about one request an admin or its subject may see: consent with the notice text, deliveries, history. */
export const REQUEST_DETAIL = {
  consent: { include: { notice: { select: { version: true, locale: true, text: true, sha256: true, publishedAt: true } } } },
  notifications: {
    orderBy: { createdAt: 'asc' },
    select: { id: true, status: true, recipient: true, routeReason: true, attempts: true, lastError: true, smtpResponse: true, messageId: true, createdAt: true, queuedAt: true, lastAttemptAt: true, sentAt: true, failedAt: true }
  },
  events: { orderBy: { at: 'asc' }, select: { at: true, kind: true, value: true, actor: true } }
} satisfies Prisma.ContactRequestInclude

/** The keyed hashes that find repeats are the service's own business, not part of the record. */
export function withoutInternalKeys<T extends { captchaKey: string, fingerprint: string, idempotencyKey: string | null, bodySha256: string | null }> (row: T): Omit<T, 'captchaKey' | 'fingerprint' | 'idempotencyKey' | 'bodySha256'> {
  const { captchaKey: _c, fingerprint: _f, idempotencyKey: _i, bodySha256: _b, ...visible } = row
  return visible
}

export interface SubjectExport {
  generatedAt: string
  email: string
  requests: unknown[]
  /** Audit entries about this person's requests, and earlier requests of theirs (by keyed hash). */
  audit: unknown[]
}

export function createSubjectService ({ prisma, pool }: Pick<Database, 'prisma' | 'pool'>, removal: Removal) {
  async function requestIds (email: string): Promise<string[]> {
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM contact_requests WHERE lower(email) = $1 ORDER BY received_at', [normalise(email)])
    return rows.map((r) => r.id)
  }

  return {
    requestIds,

    /** Everything held about an address, as one document. */
    async export (email: string, subjectHash: string): Promise<SubjectExport> {
      const ids = await requestIds(email)
      const requests = await prisma.contactRequest.findMany({ where: { id: { in: ids } }, orderBy: { receivedAt: 'asc' }, include: REQUEST_DETAIL })
      const audit = await prisma.auditEntry.findMany({
        where: { OR: [{ targetId: { in: ids } }, { subjectHash }] },
        orderBy: { at: 'asc' },
        select: { at: true, actor: true, action: true, targetId: true, outcome: true }
      })
      return {
        generatedAt: new Date().toISOString(),
        email: normalise(email),
        requests: requests.map(withoutInternalKeys),
        audit
      }
    },

    /**
     * Removes everything held about an address, across PostgreSQL, Redis and
     * the mail drop, except requests under a legal hold (GDPR Art. 17(3)(e)):
     * those are kept and named in the answer.
     */
    async erase (email: string): Promise<RemovedCounts & { ids: string[], heldIds: string[] }> {
      const removed = await removal.removeRequests(pool, { sql: 'lower(r.email) = $1 AND r.legal_hold_reason IS NULL', values: [normalise(email)] }, 'erasure', null)
      await removal.sweepJobEvents(pool)
      const { rows } = await pool.query<{ id: string }>('SELECT id FROM contact_requests WHERE lower(email) = $1 AND legal_hold_reason IS NOT NULL', [normalise(email)])
      return { ...removed, heldIds: rows.map((r) => r.id) }
    },

    /** Withdrawal of consent: the request is erased, unless a legal hold keeps it. */
    async eraseRequest (id: string): Promise<RemovedCounts & { ids: string[] }> {
      const removed = await removal.removeRequests(pool, { sql: 'r.id = $1 AND r.legal_hold_reason IS NULL', values: [id] }, 'erasure', null)
      await removal.sweepJobEvents(pool)
      return removed
    }
  }
}
export type SubjectService = ReturnType<typeof createSubjectService>
