// Applies prisma/migrations with Prisma Migrate's own bookkeeping, without Prisma's schema engine.
import { createHash, randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'

/** The advisory lock Prisma Migrate takes, so this and `prisma migrate deploy` exclude each other. */
const PRISMA_MIGRATE_LOCK = 72707369

export interface MigrationFile { name: string, sql: string, checksum: string }

export class MigrationError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'MigrationError'
  }
}

export async function readMigrations (dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()
  return await Promise.all(names.map(async (name) => {
    const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8')
    return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
  }))
}

/**
 * Runs `fn` on the server of `connectionString`, connected to its `postgres`
 * database (a database cannot be created or dropped from inside itself).
 */
export async function onServer<T> (connectionString: string, fn: (client: pg.Client, database: string) => Promise<T>): Promise<T> {
  const url = new URL(connectionString)
  const database = decodeURIComponent(url.pathname.slice(1))
  url.pathname = '/postgres'
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    return await fn(client, database)
  } finally {
    await client.end()
  }
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase (connectionString: string): Promise<boolean> {
  return await onServer(connectionString, async (client, database) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (rowCount !== 0) return false
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`)
      return true
    } catch (err) {
      // Another process created it in between.
      if ((err as { code?: string }).code === '42P04') return false
      throw err
    }
  })
}

/** A row of Prisma's bookkeeping, as the migrator reads it. */
type Applied = { migration_name: string, checksum: string, finished_at: Date | null, rolled_back_at: Date | null }

/**
 * Applies every migration not yet applied, each in its own transaction, under
 * Prisma's advisory lock. Refuses to go on when an applied migration's file has
 * changed or an earlier attempt failed: both need a person to look.
 */
export async function migrate (connectionString: string, dir: string): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(dir)
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK])
    await client.query(`
      CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`)
    const { rows } = await client.query<Applied>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at')
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null)
    if (failed !== undefined) {
      throw new MigrationError(`migration ${failed.migration_name} failed earlier; fix the database, then mark it rolled back (prisma migrate resolve --rolled-back ${failed.migration_name})`)
    }
    const applied = new Map(rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]))
    const done: string[] = []
    for (const migration of migrations) {
      const checksum = applied.get(migration.name)
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) throw new MigrationError(`migration ${migration.name} was changed after it was applied; add a new migration instead`)
        continue
      }
      await applyOne(client, migration)
      done.push(migration.name)
    }
    return { applied: done }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => {})
    await client.end()
  }
}

async function applyOne (client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID()
  try {
    await client.query('BEGIN')
    await client.query(migration.sql)
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`, [id, migration.checksum, migration.name])
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK')
    // Recorded as Prisma does, so the next run (and `prisma migrate status`) sees the failure.
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs) VALUES ($1, $2, $3, $4)',
      [id, migration.checksum, migration.name, (err as Error).message])
    throw new MigrationError(`migration ${migration.name} failed: ${(err as Error).message}`)
  }
}
