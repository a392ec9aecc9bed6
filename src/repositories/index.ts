// Every repository over one database. Only these modules name tables and columns; the rest of
// the code asks them (eslint.config.js keeps the database client out of every other module).
import type { Database } from '../db/client.js'
import { createApiKeyRepository } from './api-keys.js'
import { createAuditRepository } from './audit.js'
import { createContactRepository } from './contacts.js'
import { createNoticeRepository } from './notices.js'
import { createNotificationRepository } from './notifications.js'
import { createReceiptRepository } from './receipts.js'
import { createPurgeRunRepository } from './purge-runs.js'
import { createRequestRepository, type RequestRepositoryOptions } from './requests.js'
import { createSpamRepository } from './spam.js'
import { createHandlingRepository } from './handling.js'
import { createWebhookRepository } from './webhooks.js'

export function createRepositories (database: Database, options: RequestRepositoryOptions) {
  return {
    requests: createRequestRepository(database, options),
    notifications: createNotificationRepository(database),
    receipts: createReceiptRepository(database),
    contacts: createContactRepository(database),
    notices: createNoticeRepository(database),
    purgeRuns: createPurgeRunRepository(database),
    audit: createAuditRepository(database),
    apiKeys: createApiKeyRepository(database),
    webhooks: createWebhookRepository(database),
    spam: createSpamRepository(database),
    handling: createHandlingRepository(database)
  }
}
export type Repositories = ReturnType<typeof createRepositories>
