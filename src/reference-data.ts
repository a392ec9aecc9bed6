// Loads the contact directory and the privacy notices into the database (startup and `npm run db:seed`).
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.js'
import { readDirectoryFile } from './contacts/directory.js'
import { publishNotices, readNoticeFiles } from './notices/catalog.js'
import type { Repositories } from './repositories/index.js'

export async function loadReferenceData (
  repositories: Pick<Repositories, 'contacts' | 'notices'>,
  config: Pick<Config, 'CONTACTS_FILE' | 'PRIVACY_NOTICES_DIR'>,
  log: Pick<FastifyBaseLogger, 'info'>
): Promise<void> {
  // With no file, the database (kept through the admin API) is the directory's only source.
  const entries = config.CONTACTS_FILE === '' ? null : await readDirectoryFile(config.CONTACTS_FILE)
  const notices = await readNoticeFiles(config.PRIVACY_NOTICES_DIR)
  const directory = entries === null ? { directory: 'kept in the database (CONTACTS_FILE is empty)' } : await repositories.contacts.sync(entries)
  const { published } = await publishNotices(repositories.notices, notices)
  log.info({ ...directory, noticesPublished: published }, 'contact directory and privacy notices loaded')
}
