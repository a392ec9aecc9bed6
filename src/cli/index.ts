// The admin command line: `npm run cli -- <command>`.
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { loadConfig, ConfigError, type Config } from '../config.js'
import { createDatabase, type Database } from '../db/client.js'
import { ensureDatabase, migrate } from '../db/migrate.js'
import { loadReferenceData } from '../db/reference-data.js'
import { loggerOptions } from '../logger.js'
import { NOTIFY_QUEUE, type NotifyQueue } from '../jobs/notify.js'
import { createRemoval, type Removal } from '../retention/removal.js'
import { runPurge } from '../retention/purge.js'
import { createSubjectService } from '../subjects/service.js'
import { createAudit, subjectHash } from '../admin/audit.js'
import { createKeyStore, isScope, SCOPES } from '../admin/keys.js'

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  db migrate                       create the database if missing and apply pending migrations
  db seed                          load the contact directory and privacy notices
  db setup                         both of the above
  purge [--dry-run]                delete every request whose retention is over (no legal hold);
                                   --dry-run reports what would go and changes nothing
  subject export --email <addr>    everything held about an address, as JSON on stdout
  subject erase --email <addr>     erase everything held about an address
  keys create --name <who> --scopes <s1,s2,…>
                                   create an admin API key (shown once); scopes: ${SCOPES.join(', ')}
  keys list                        the keys, without their secrets
  keys revoke --id <id or prefix>  revoke a key
`

const MIGRATIONS_DIR = 'prisma/migrations'

class UsageError extends Error {}

interface Context {
  config: Config
  database: Database
  actor: string
  /** Redis and the notification queue, opened only for the commands that remove data. */
  removal: () => Promise<Removal>
}

const print = (value: unknown) => { process.stdout.write(`${JSON.stringify(value, null, 2)}\n`) }

async function purge (ctx: Context, dryRun: boolean): Promise<void> {
  const progress = process.stderr.isTTY
    ? (run: { batches: number, requests: number }) => { process.stderr.write(`\rbatch ${run.batches}: ${run.requests} requests purged`) }
    : undefined
  const run = await runPurge(ctx.database.pool, await ctx.removal(), { dryRun, actor: ctx.actor, trigger: 'cli', batchSize: ctx.config.PURGE_BATCH_SIZE, pauseMs: ctx.config.PURGE_PAUSE_MS, onBatch: progress })
  if (progress !== undefined && run.batches > 0) process.stderr.write('\n')
  await createAudit(ctx.database.prisma).record({ actor: ctx.actor, action: 'retention.purge', targetId: run.id, outcome: 'ok', detail: { dryRun, requests: run.requests } })
  print(run)
}

async function subject (ctx: Context, action: string, email: string | undefined): Promise<void> {
  if (email === undefined || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError('--email <address> is required')
  const audit = createAudit(ctx.database.prisma)
  const hash = subjectHash(ctx.config.PSEUDONYM_KEY, email)
  const subjects = createSubjectService(ctx.database, await ctx.removal())
  if (action === 'export') {
    const document = await subjects.export(email, hash)
    await audit.record({ actor: ctx.actor, action: 'subjects.export', subjectHash: hash, outcome: 'ok', detail: { requests: document.requests.length } })
    print(document)
  } else if (action === 'erase') {
    const { ids, heldIds, ...removed } = await subjects.erase(email)
    await audit.record({ actor: ctx.actor, action: 'subjects.erase', subjectHash: hash, outcome: 'ok', detail: { ...removed, held: heldIds.length } })
    print({ requestIds: ids, heldRequestIds: heldIds, ...removed })
  } else {
    throw new UsageError(`unknown subject command: ${action}`)
  }
}

async function keys (ctx: Context, action: string, values: { name?: string, scopes?: string, id?: string }): Promise<void> {
  const store = createKeyStore(ctx.database.prisma)
  const audit = createAudit(ctx.database.prisma)
  if (action === 'create') {
    const scopes = (values.scopes ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
    const unknown = scopes.filter((s) => !isScope(s))
    if (values.name === undefined || values.name.trim() === '') throw new UsageError('--name <who> is required')
    if (scopes.length === 0 || unknown.length > 0) throw new UsageError(`--scopes must list some of: ${SCOPES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`)
    const { id, key } = await store.create(values.name.trim(), scopes.filter(isScope))
    await audit.record({ actor: ctx.actor, action: 'keys.create', targetId: id, outcome: 'ok', detail: { scopes } })
    process.stderr.write('The key is shown once; only its hash is kept. Use it as: Authorization: Bearer <key>\n')
    print({ id, name: values.name.trim(), scopes, key })
  } else if (action === 'list') {
    print(await store.list())
  } else if (action === 'revoke') {
    if (values.id === undefined) throw new UsageError('--id <id or prefix> is required')
    const revoked = await store.revoke(values.id)
    await audit.record({ actor: ctx.actor, action: 'keys.revoke', targetId: values.id, outcome: revoked ? 'ok' : 'failed' })
    if (!revoked) throw new UsageError(`no active key with id or prefix ${values.id}`)
    print({ revoked: values.id })
  } else {
    throw new UsageError(`unknown keys command: ${action}`)
  }
}

async function main (argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { 'dry-run': { type: 'boolean' }, email: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' }, id: { type: 'string' } }
  })
  const [group = '', action = ''] = positionals
  const command = positionals.join(' ')
  const config = loadConfig()
  const log = pino(loggerOptions(config))

  if (group === 'db') {
    if (!['migrate', 'seed', 'setup'].includes(action)) throw new UsageError(`unknown db command: ${action}`)
    if (action === 'migrate' || action === 'setup') {
      if (await ensureDatabase(config.DATABASE_URL)) log.info('database created')
      const { applied } = await migrate(config.DATABASE_URL, MIGRATIONS_DIR)
      log.info({ applied }, applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`)
    }
    if (action === 'seed' || action === 'setup') {
      const database = createDatabase({ connectionString: config.DATABASE_URL, max: 1 })
      try {
        await loadReferenceData(database.prisma, config, log)
      } finally {
        await database.close()
      }
    }
    return 0
  }
  if (!['purge', 'subject', 'keys'].includes(group)) throw new UsageError(command === '' ? '' : `unknown command: ${command}`)

  const database = createDatabase({ connectionString: config.DATABASE_URL, max: 2 })
  const opened: { redis?: Redis, queue?: NotifyQueue } = {}
  const ctx: Context = {
    config,
    database,
    actor: `cli:${userInfo().username}`,
    async removal () {
      const redis = opened.redis ??= new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 })
      const queue = opened.queue ??= new Queue(NOTIFY_QUEUE, { prefix: config.QUEUE_PREFIX, connection: redis })
      return createRemoval({ queue, redis, mailDropDir: config.MAIL_DROP_DIR })
    }
  }
  try {
    if (group === 'purge') await purge(ctx, values['dry-run'] === true)
    else if (group === 'subject') await subject(ctx, action, values.email)
    else await keys(ctx, action, values)
  } finally {
    await opened.queue?.close()
    opened.redis?.disconnect()
    await database.close()
  }
  return 0
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
    const { message } = err as Error
    if (message !== '') process.stderr.write(`${message}\n\n`)
    process.stderr.write(USAGE)
    process.exitCode = 64 // EX_USAGE
  } else {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`)
    process.exitCode = 1
  }
}
