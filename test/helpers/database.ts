// A private database per test file: copied from a migrated template on first use, dropped when the file ends.
import { createHash } from 'node:crypto'
import pg from 'pg'
import tap from 'tap'
import { migrate, onServer, readMigrations } from '../../src/db/migrate.js'
import { createDatabase, type Database, type PrismaClient } from '../../src/db/client.js'
import { loadReferenceData } from '../../src/reference-data.js'
import { createRepositories, type Repositories } from '../../src/repositories/index.js'
import { DATA_TABLES } from '../../src/db/tables.js'
import { TEST_DATABASE_URL } from './config.js'

const MIGRATIONS_DIR = 'prisma/migrations'
const TEMPLATE_PREFIX = 'contact_intake_template_'
/** One lock for every test process on this server while a template is made. */
const TEMPLATE_LOCK = 727_011

/**
 * The migrated template every test file's database is copied from (CREATE DATABASE … TEMPLATE),
 * named for the migrations it holds: the first test process of a run that finds it missing makes it
 * (under an advisory lock, so parallel files wait for one migration rather than racing), and drops
 * the templates of other migration sets. A copy takes tens of milliseconds; migrating, hundreds.
 */
async function templateDatabase (): Promise<string> {
  const migrations = await readMigrations(MIGRATIONS_DIR)
  const name = `${TEMPLATE_PREFIX}${createHash('sha256').update(migrations.map((m) => `${m.name}:${m.checksum}`).join('\n')).digest('hex').slice(0, 16)}`
  await onServer(TEST_DATABASE_URL, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK])
    try {
      if ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount !== 0) return
      const stale = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${TEMPLATE_PREFIX}%`])
      for (const { datname } of stale.rows) await client.query(`DROP DATABASE ${pg.escapeIdentifier(datname)} WITH (FORCE)`)
      // Built under another name and renamed when complete: a run killed half-way leaves no broken template.
      const building = `${name}_building`
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(building)} WITH (FORCE)`)
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(building)}`)
      const url = new URL(TEST_DATABASE_URL)
      url.pathname = `/${building}`
      await migrate(url.toString(), MIGRATIONS_DIR)
      await client.query(`ALTER DATABASE ${pg.escapeIdentifier(building)} RENAME TO ${pg.escapeIdentifier(name)}`)
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK])
    }
  })
  return name
}

/** Creates this file's database as a copy of the migrated template. */
async function copyTemplate (): Promise<void> {
  const template = await templateDatabase()
  await onServer(TEST_DATABASE_URL, async (client, database) => {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} TEMPLATE ${pg.escapeIdentifier(template)}`)
  })
}

let prepared: Promise<Database> | undefined

/** The migrated test database, shared by the tests of one file and dropped after its last. */
export async function sharedDatabase (): Promise<Database> {
  if (prepared === undefined) {
    prepared = (async () => {
      await copyTemplate()
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

/** Empties the tables a test wrote to (the others are left alone) and reloads the shipped directory and notices. */
export async function resetData (prisma: PrismaClient): Promise<void> {
  const written = await prisma.$queryRawUnsafe<Array<{ name: string }>>(DATA_TABLES.map((name) => `SELECT '${name}' AS name WHERE EXISTS (SELECT FROM ${name})`).join(' UNION ALL '))
  // CASCADE: TRUNCATE refuses a table that another refers to (a delivery to its endpoint, say) unless
  // that one goes too; it reaches only tables that refer to these, never the directory or notices.
  if (written.length > 0) await prisma.$executeRawUnsafe(`TRUNCATE ${written.map(({ name }) => name).join(', ')} CASCADE`)
  await loadTestReferenceData()
}
