// Receipts, the outbox of the e-mails to the people who wrote: what the worker, the relay and the
// admin read and record about them. Part of the contact-request aggregate (src/repositories/
// requests.ts creates and removes the rows with their request); a claim reads what the receipt
// needs in the same statement.
import type { Database } from '../db/client.js'
import type { Receipt } from '../generated/prisma/client.js'
import { HELD_OUTCOME, heldReasonSql, heldSql } from './restriction.js'
import { justQueuedWhere, relayableWhere } from './outbox.js'

// A receipt is claimed like a notification; held work is skipped (src/repositories/restriction.ts).
const CLAIM_RECEIPT = `
  WITH held AS (
    UPDATE receipts SET status = '${HELD_OUTCOME.receipts}', updated_at = now(), last_error = ${heldReasonSql('receipts.request_id')}
     WHERE id = $1 AND status IN ('pending', 'queued') AND ${heldSql('receipts.request_id')}
  ), claimed AS (
    UPDATE receipts SET attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
     WHERE id = $1 AND status IN ('pending', 'queued') AND NOT ${heldSql('receipts.request_id')}
    RETURNING id, request_id, attempts
  )
  SELECT c.id, c.attempts, r.id AS "requestId", r.email, r.locale, r.received_at AS "receivedAt", r.retain_until AS "retainUntil",
         k.name AS "contactName", k.title AS "contactTitle", k.response_days AS "responseDays"
    FROM claimed c JOIN contact_requests r ON r.id = c.request_id JOIN contacts k ON k.id = r.contact_id`

/** What a receipt needs: where it goes and what it may say. Nothing the person typed but their address. */
export interface ReceiptData {
  id: string
  attempts: number
  requestId: string
  email: string
  locale: string
  receivedAt: Date
  retainUntil: Date
  contactName: string
  contactTitle: string
  /** The contact's response time in working days; null for the default. */
  responseDays: number | null
}

export type FailedReceipt = Pick<Receipt, 'id' | 'requestId' | 'attempts' | 'lastError' | 'failedAt'>

// eslint-disable-next-line max-lines-per-function -- a repository: each method is one query
export function createReceiptRepository ({ prisma, pool }: Database) {
  const settle = async (id: string, data: Parameters<typeof prisma.receipt.update>[0]['data']) => {
    await prisma.receipt.update({ where: { id }, data })
  }
  return {
    /** Starts a sending attempt (counted before anything is sent); null when there is nothing to send. */
    async claim (id: string): Promise<ReceiptData | null> {
      const { rows: [row] } = await pool.query<ReceiptData>(CLAIM_RECEIPT, [id])
      return row ?? null
    },
    async markSent (id: string, result: { messageId: string, response: string }): Promise<void> {
      await settle(id, { status: 'sent', sentAt: new Date(), messageId: result.messageId, smtpResponse: result.response, lastError: null })
    },
    /** Not sent, on purpose; `why` says so on the row. */
    async markSkipped (id: string, why: string): Promise<void> {
      await settle(id, { status: 'skipped', lastError: why })
    },
    async recordError (id: string, error: string): Promise<void> {
      await settle(id, { lastError: error })
    },
    async markFailed (id: string, error: string): Promise<void> {
      await settle(id, { status: 'failed', failedAt: new Date(), lastError: error })
    },
    async markQueued (ids: string[]): Promise<void> {
      await prisma.receipt.updateMany({ where: justQueuedWhere(ids), data: { status: 'queued', queuedAt: new Date() } })
    },
    async findUnqueued (olderThanMs: number, limit: number): Promise<string[]> {
      const rows = await prisma.receipt.findMany({
        where: relayableWhere(olderThanMs),
        select: { id: true },
        orderBy: { createdAt: 'asc' },
        take: limit
      })
      return rows.map((r) => r.id)
    },
    /** Those of `ids` that still exist. */
    async existing (ids: string[]): Promise<Set<string>> {
      const { rows } = await pool.query<{ id: string }>('SELECT id::text FROM receipts WHERE id = ANY($1::uuid[])', [ids])
      return new Set(rows.map((r) => r.id))
    },
    /** Receipts that ran out of attempts or were refused, oldest failure first. */
    async listFailed (limit: number): Promise<FailedReceipt[]> {
      return await prisma.receipt.findMany({
        where: { status: 'failed' },
        orderBy: { failedAt: 'asc' },
        take: limit,
        select: { id: true, requestId: true, attempts: true, lastError: true, failedAt: true }
      })
    }
  }
}
export type ReceiptRepository = ReturnType<typeof createReceiptRepository>

/** Statements composed from fragments: checked in expanded in src/repositories/sql/ (test/unit/repositories/composed-sql.test.ts). */
export const COMPOSED_STATEMENTS = { 'receipts.claim': CLAIM_RECEIPT }
