// The admin command line: `npm run cli -- <command>`.
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadConfig, ConfigError } from '../config.js'
import { createDatabase } from '../db/client.js'
import { ensureDatabase, migrate } from '../db/migrate.js'
import { loadReferenceData } from '../db/reference-data.js'
import { loggerOptions } from '../logger.js'

const USAGE = `Usage: npm run cli -- <command>

Commands:
  db migrate   create the database if missing and apply pending migrations
  db seed      load the contact directory and privacy notices
  db setup     both of the above
`

const MIGRATIONS_DIR = 'prisma/migrations'

async function main (argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true })
  const command = positionals.join(' ')
  const config = loadConfig()
  const log = pino(loggerOptions(config))

  if (command === 'db migrate' || command === 'db setup') {
    if (await ensureDatabase(config.DATABASE_URL)) log.info('database created')
    const { applied } = await migrate(config.DATABASE_URL, MIGRATIONS_DIR)
    log.info({ applied }, applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`)
  }
  if (command === 'db seed' || command === 'db setup') {
    const database = createDatabase({ connectionString: config.DATABASE_URL, max: 1 })
    try {
      await loadReferenceData(database.prisma, config, log)
    } finally {
      await database.close()
    }
  }
  if (!['db migrate', 'db seed', 'db setup'].includes(command)) {
    process.stderr.write(USAGE)
    return 64 // EX_USAGE
  }
  return 0
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
}
