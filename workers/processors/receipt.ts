// The receipt job: one confirmation per address and window, with the withdrawal link.
import type { Job } from 'bullmq'
import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Config } from '../../src/config.js'
import type { ReceiptPayload } from '../../src/jobs/receipt.js'
import type { Mailer } from '../../src/mail/mailer.js'
import { composeReceipt } from '../../src/receipts/compose.js'
import type { ReceiptWindow } from '../../src/receipts/window.js'
import type { WithdrawalLinks } from '../../src/receipts/withdrawal-link.js'
import type { ReceiptRepository } from '../../src/repositories/receipts.js'
import { LOCALES, type Locale } from '../../src/schemas/common.js'
import { scrubAddresses } from '../../src/logger.js'
import { settleSendFailure } from './notify.js'
import { recordSent, type RecordRetry } from './record-sent.js'

export interface ReceiptProcessorDeps {
  receipts: ReceiptRepository
  mailer: Mailer
  window: ReceiptWindow
  links: WithdrawalLinks
  config: Pick<Config, 'MAIL_FROM' | 'RECEIPT_WINDOW_HOURS' | 'HANDLING_RESPONSE_DAYS'>
  log: Logger
  /** How long a sent receipt's record is retried while the database is unreachable. */
  recordRetry: RecordRetry
}

const localeOf = (value: string): Locale => (LOCALES as string[]).includes(value) ? value as Locale : 'sv'

export function createReceiptProcessor ({ receipts, mailer, window, links, config, log, recordRetry }: ReceiptProcessorDeps) {
  return async function processReceipt (job: Job<ReceiptPayload>): Promise<void> {
    const { receiptId } = job.data
    const jobLog = log.child({ jobId: job.id, receiptId })
    const data = await receipts.claim(receiptId)
    if (data === null) {
      jobLog.info('no receipt to send: already settled, skipped for a restriction, or erased')
      return
    }
    if (!await window.claim(data.email, receiptId)) {
      await receipts.markSkipped(receiptId, `another receipt went to this address within ${config.RECEIPT_WINDOW_HOURS} h`)
      jobLog.info('receipt skipped: one went to this address within the window')
      return
    }
    const withdrawUrl = links.url({ requestId: data.requestId, expiresAt: data.retainUntil, locale: localeOf(data.locale) })
    let sent
    try {
      sent = await mailer.send(composeReceipt(data, { from: config.MAIL_FROM, withdrawUrl, responseDays: config.HANDLING_RESPONSE_DAYS }))
    } catch (err) {
      return await settleSendFailure(err, job, {
        failed: async (text) => { await receipts.markFailed(receiptId, text) },
        retrying: async (text) => { await receipts.recordError(receiptId, text) }
      }, jobLog)
    }
    await recordSent(async () => { await receipts.markSent(receiptId, sent) }, jobLog, recordRetry)
    jobLog.info({ attempt: data.attempts, result: scrubAddresses(sent.response) }, 'receipt sent')
  }
}
