// The project's migrator: Prisma Migrate's layout and bookkeeping, applied without its engine.
import t from 'tap'
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { MigrationError, ensureDatabase, migrate } from '../../../src/db/migrate.js'
import { RUN_ID, TEST_DATABASE_URL } from '../../helpers/config.js'
import { dropDatabase } from '../../helpers/database.js'

const ALL = readdirSync('prisma/migrations', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()

let counter = 0
/** A fresh, empty database for one test, dropped afterwards. */
async function freshDatabase (t: { teardown: (fn: () => unknown) => void }): Promise<string> {
  const url = TEST_DATABASE_URL.replace(/\/[^/]+$/, `/contact_intake_${RUN_ID}_m${counter++}`)
  t.teardown(async () => { await dropDatabase(url) })
  return url
}

async function query<T extends pg.QueryResultRow> (url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try { return (await client.query<T>(sql)).rows } finally { await client.end() }
}

async function copyOfMigrations (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'))
  await cp('prisma/migrations', dir, { recursive: true })
  return dir
}

t.test('a missing database is created, then the migrations are applied once', async (t) => {
  const url = await freshDatabase(t)
  t.equal(await ensureDatabase(url), true)
  t.equal(await ensureDatabase(url), false, 'already there')
  const first = await migrate(url, 'prisma/migrations')
  t.same(first.applied, ALL)
  t.ok(ALL.length >= 2)
  t.same((await migrate(url, 'prisma/migrations')).applied, [], 'nothing to do the second time')
})

t.test('the bookkeeping is the one Prisma Migrate keeps', async (t) => {
  const url = await freshDatabase(t)
  await ensureDatabase(url)
  await migrate(url, 'prisma/migrations')
  const rows = await query<{ migration_name: string, checksum: string, finished_at: Date | null, applied_steps_count: number, rolled_back_at: Date | null }>(
    url, 'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations ORDER BY migration_name')
  t.match(rows, ALL.map((name) => ({
    migration_name: name,
    checksum: createHash('sha256').update(readFileSync(`prisma/migrations/${name}/migration.sql`)).digest('hex'),
    finished_at: Date,
    applied_steps_count: 1,
    rolled_back_at: null
  })))
})

t.test('two migrators at once apply each migration once', async (t) => {
  const url = await freshDatabase(t)
  await ensureDatabase(url)
  const results = await Promise.all([migrate(url, 'prisma/migrations'), migrate(url, 'prisma/migrations')])
  t.same(results.flatMap((r) => r.applied).sort(), ALL)
})

t.test('an applied migration whose file changed stops the migrator', async (t) => {
  const url = await freshDatabase(t)
  await ensureDatabase(url)
  const dir = await copyOfMigrations()
  await migrate(url, dir)
  await writeFile(join(dir, '20261126120000_init', 'migration.sql'), '-- edited after the fact\n', { flag: 'a' })
  await t.rejects(migrate(url, dir), new MigrationError('migration 20261126120000_init was changed after it was applied; add a new migration instead'))
})

t.test('a failing migration is rolled back, recorded, and blocks the next run', async (t) => {
  const url = await freshDatabase(t)
  await ensureDatabase(url)
  const dir = await copyOfMigrations()
  await mkdir(join(dir, '20261127000000_broken'))
  await writeFile(join(dir, '20261127000000_broken', 'migration.sql'), 'CREATE TABLE "half_done" (id int);\nSELECT no_such_function();\n')
  await t.rejects(migrate(url, dir), /migration 20261127000000_broken failed/)
  t.same(await query(url, "SELECT to_regclass('half_done') IS NULL AS gone"), [{ gone: true }], 'its transaction was rolled back')
  t.match(await query(url, "SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = '20261127000000_broken'"), [{ finished_at: null, logs: /no_such_function/ }])
  await t.rejects(migrate(url, dir), /failed earlier/)
})
