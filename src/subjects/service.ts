// Data-subject requests: access (GDPR Art. 15), erasure (Art. 17) and withdrawal of consent,
// one operation each behind the CLI and the admin API, each writing its own audit entry.
import { normaliseAddress, subjectHash } from '../privacy/pseudonyms.js'
import type { AuditRepository, SubjectAuditEntry } from '../repositories/audit.js'
import type { RequestDetail, RequestRepository } from '../repositories/requests.js'
import type { ErasureService, RemovedCounts } from '../erasure/erase.js'
import type { Metrics } from '../ops/metrics.js'

export interface SubjectExport {
  generatedAt: string
  email: string
  requests: RequestDetail[]
  /** Audit entries about this person's requests, and earlier requests of theirs (by keyed hash). */
  audit: SubjectAuditEntry[]
}

export interface Erasure extends RemovedCounts {
  requestIds: string[]
  /** Kept: under a legal hold (GDPR Art. 17(3)(e)). */
  heldRequestIds: string[]
}

/** What became of a withdrawal of consent. */
export type Withdrawal = { erased: RemovedCounts } | { held: true } | { missing: true }

export interface SubjectDeps {
  requests: RequestRepository
  audit: AuditRepository
  erasure: ErasureService
  metrics: Metrics['subjects']
  pseudonymKey: string
}

export function createSubjectService ({ requests, audit, erasure, metrics, pseudonymKey }: SubjectDeps) {
  return {
    /** Everything held about an address, as one document. */
    async exportSubject ({ email, actor }: { email: string, actor: string }): Promise<SubjectExport> {
      const hash = subjectHash(pseudonymKey, email)
      const details = await requests.detailsByEmail(email)
      const document = {
        generatedAt: new Date().toISOString(),
        email: normaliseAddress(email),
        requests: details,
        audit: await audit.aboutSubject(details.map((r) => r.id), hash)
      }
      await audit.record({ actor, action: 'subjects.export', subjectHash: hash, outcome: 'ok', detail: { requests: details.length } })
      metrics.exports.inc()
      return document
    },

    /**
     * Removes everything held about an address, across PostgreSQL, Redis and the mail drop,
     * except requests under a legal hold: those are kept and named in the answer.
     */
    async eraseSubject ({ email, actor }: { email: string, actor: string }): Promise<Erasure> {
      const { ids, ...removed } = await erasure.erase({ email }, 'erasure')
      const heldRequestIds = await requests.heldIds({ email })
      await audit.record({ actor, action: 'subjects.erase', subjectHash: subjectHash(pseudonymKey, email), outcome: 'ok', detail: { ...removed, held: heldRequestIds.length } })
      metrics.erasures.inc({ source: 'subject' })
      return { requestIds: ids, heldRequestIds, ...removed }
    },

    /** The person withdrew consent to one request: it is erased everywhere, unless a legal hold keeps it. */
    async withdrawConsent ({ requestId, actor }: { requestId: string, actor: string }): Promise<Withdrawal> {
      const { ids, ...removed } = await erasure.erase({ id: requestId }, 'erasure')
      const entry = { actor, action: 'requests.withdraw_consent', targetId: requestId }
      if (ids.length === 0) {
        const held = (await requests.heldIds({ id: requestId })).length > 0
        // Kept under a legal hold is a refusal; no such request (erased already, or never) a failure.
        await audit.record({ ...entry, outcome: held ? 'refused' : 'failed', detail: { held } })
        return held ? { held: true } : { missing: true }
      }
      await audit.record({ ...entry, outcome: 'ok', detail: { ...removed } })
      metrics.erasures.inc({ source: 'withdrawal' })
      return { erased: removed }
    }
  }
}
export type SubjectService = ReturnType<typeof createSubjectService>
