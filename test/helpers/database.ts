// A private database per test file: created and migrated on first use, dropped when the file ends.
import pg from 'pg'
import tap from 'tap'
import { ensureDatabase, migrate, onServer } from '../../src/db/migrate.js'
import { createDatabase, type Database, type PrismaClient } from '../../src/db/client.js'
import { loadReferenceData } from '../../src/db/reference-data.js'
import { createRepositories, type Repositories } from '../../src/repositories/index.js'
import { TEST_DATABASE_URL } from './config.js'

let prepared: Promise<Database> | undefined

/** The migrated test database, shared by the tests of one file and dropped after its last. */
export async function sharedDatabase (): Promise<Database> {
  if (prepared === undefined) {
    prepared = (async () => {
      await ensureDatabase(TEST_DATABASE_URL)
      await migrate(TEST_DATABASE_URL, 'prisma/migrations')
      return createDatabase({ connectionString: TEST_DATABASE_URL })
    })()
    tap.teardown(async () => {
      await (await prepared)?.close()
      await dropDatabase(TEST_DATABASE_URL)
    })
  }
  return await prepared
}

/** The shared test database's Prisma client. */
export async function testDatabase (): Promise<PrismaClient> {
  return (await sharedDatabase()).prisma
}

export async function dropDatabase (url: string): Promise<void> {
  await onServer(url, async (client, name) => await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`))
}

/** The repositories over the shared test database, for setting the scene. */
export async function testRepositories (): Promise<Repositories> {
  return createRepositories(await sharedDatabase(), { duplicateWindowSeconds: 600 })
}

/** Loads the directory and notices from these files, as the API does at start. */
export async function loadTestReferenceData (files: { CONTACTS_FILE: string, PRIVACY_NOTICES_DIR: string } = SHIPPED_FILES): Promise<void> {
  await loadReferenceData(await testRepositories(), files, { info: () => {} })
}
const SHIPPED_FILES = { CONTACTS_FILE: 'data/contacts.json', PRIVACY_NOTICES_DIR: 'data/privacy-notices' }

/** Empties the request tables and reloads the shipped directory and notices. */
export async function resetData (prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe('TRUNCATE contact_requests, consent_records, notifications, receipts, request_events, purge_tombstones, purge_runs, audit_log, api_keys, webhook_endpoints, webhook_deliveries, webhook_attempts')
  await loadTestReferenceData()
}
