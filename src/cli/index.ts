// The admin command line: `npm run cli -- <command>`.
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadConfig, ConfigError } from '../config.js'
import { ensureDatabase, migrate } from '../db/migrate.js'
import { loadReferenceData } from '../db/reference-data.js'
import { loggerOptions } from '../logger.js'
import { createServices, type Services } from '../services.js'
import { isScope, SCOPES } from '../admin/keys.js'

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
  services: Services
  actor: string
}

const print = (value: unknown) => { process.stdout.write(`${JSON.stringify(value, null, 2)}\n`) }

async function purge ({ services, actor }: Context, dryRun: boolean): Promise<void> {
  const progress = process.stderr.isTTY
    ? (run: { batches: number, requests: number }) => { process.stderr.write(`\rbatch ${run.batches}: ${run.requests} requests purged`) }
    : undefined
  const run = await services.retention.purgeExpired({ dryRun, actor, trigger: 'cli', onBatch: progress })
  if (progress !== undefined && run.batches > 0) process.stderr.write('\n')
  print(run)
}

async function subject ({ services, actor }: Context, action: string, email: string | undefined): Promise<void> {
  if (email === undefined || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError('--email <address> is required')
  if (action === 'export') print(await services.subjects.exportSubject({ email, actor }))
  else if (action === 'erase') print(await services.subjects.eraseSubject({ email, actor }))
  else throw new UsageError(`unknown subject command: ${action}`)
}

async function createKey ({ services, actor }: Context, name: string | undefined, scopeList: string | undefined): Promise<void> {
  const scopes = (scopeList ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = scopes.filter((s) => !isScope(s))
  if (name === undefined || name.trim() === '') throw new UsageError('--name <who> is required')
  if (scopes.length === 0 || unknown.length > 0) throw new UsageError(`--scopes must list some of: ${SCOPES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`)
  const { id, key } = await services.keys.create(name.trim(), scopes.filter(isScope))
  await services.repositories.audit.record({ actor, action: 'keys.create', targetId: id, outcome: 'ok', detail: { scopes } })
  process.stderr.write('The key is shown once; only its hash is kept. Use it as: Authorization: Bearer <key>\n')
  print({ id, name: name.trim(), scopes, key })
}

async function keys (ctx: Context, action: string, values: { name?: string, scopes?: string, id?: string }): Promise<void> {
  if (action === 'create') {
    await createKey(ctx, values.name, values.scopes)
  } else if (action === 'list') {
    print(await ctx.services.keys.list())
  } else if (action === 'revoke') {
    if (values.id === undefined) throw new UsageError('--id <id or prefix> is required')
    const revoked = await ctx.services.keys.revoke(values.id)
    await ctx.services.repositories.audit.record({ actor: ctx.actor, action: 'keys.revoke', targetId: values.id, outcome: revoked ? 'ok' : 'failed' })
    if (!revoked) throw new UsageError(`no active key with id or prefix ${values.id}`)
    print({ revoked: values.id })
  } else {
    throw new UsageError(`unknown keys command: ${action}`)
  }
}

async function database (config: ReturnType<typeof loadConfig>, action: string): Promise<void> {
  if (!['migrate', 'seed', 'setup'].includes(action)) throw new UsageError(`unknown db command: ${action}`)
  const log = pino(loggerOptions(config))
  if (action === 'migrate' || action === 'setup') {
    if (await ensureDatabase(config.DATABASE_URL)) log.info('database created')
    const { applied } = await migrate(config.DATABASE_URL, MIGRATIONS_DIR)
    log.info({ applied }, applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`)
  }
  if (action === 'seed' || action === 'setup') await withServices(config, async ({ repositories }) => { await loadReferenceData(repositories, config, log) })
}

async function withServices (config: ReturnType<typeof loadConfig>, run: (services: Services) => Promise<void>): Promise<void> {
  const services = await createServices({ ...config, DATABASE_POOL_SIZE: 2 }, { log: pino(loggerOptions(config)) })
  try {
    await run(services)
  } finally {
    await services.close()
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
  if (group === 'db') {
    await database(config, action)
    return 0
  }
  if (!['purge', 'subject', 'keys'].includes(group)) throw new UsageError(command === '' ? '' : `unknown command: ${command}`)
  await withServices(config, async (services) => {
    const ctx: Context = { services, actor: `cli:${userInfo().username}` }
    if (group === 'purge') await purge(ctx, values['dry-run'] === true)
    else if (group === 'subject') await subject(ctx, action, values.email)
    else await keys(ctx, action, values)
  })
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
