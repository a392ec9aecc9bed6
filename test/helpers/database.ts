// A private database per test file: created and migrated on first use, dropped when the file ends.
import pg from 'pg'
import tap from 'tap'
import { ensureDatabase, migrate } from '../../src/db/migrate.js'
import { createPrismaClient, type PrismaClient } from '../../src/db/client.js'
import { loadReferenceData } from '../../src/db/reference-data.js'
import { TEST_DATABASE_URL } from './config.js'

let prepared: Promise<PrismaClient> | undefined

/** The migrated test database's client, shared by the tests of one file and dropped after its last. */
export async function testDatabase (): Promise<PrismaClient> {
  if (prepared === undefined) {
    prepared = (async () => {
      await ensureDatabase(TEST_DATABASE_URL)
      await migrate(TEST_DATABASE_URL, 'prisma/migrations')
      return createPrismaClient({ connectionString: TEST_DATABASE_URL })
    })()
    tap.teardown(async () => {
      await (await prepared)?.$disconnect()
      await dropDatabase(TEST_DATABASE_URL)
    })
  }
  return await prepared
}

export async function dropDatabase (url: string): Promise<void> {
  const server = new URL(url)
  const name = decodeURIComponent(server.pathname.slice(1))
  server.pathname = '/postgres'
  const client = new pg.Client({ connectionString: server.toString() })
  await client.connect()
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)
  await client.end()
}

/** Empties the request tables and reloads the shipped directory and notices. */
export async function resetData (prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe('TRUNCATE contact_requests, consent_records, notifications')
  await loadReferenceData(prisma, { CONTACTS_FILE: 'data/contacts.json', PRIVACY_NOTICES_DIR: 'data/privacy-notices' }, { info: () => {} })
}
