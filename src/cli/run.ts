// The admin command line's commands, run against the admin services (src/roots/admin.ts) on a core;
// src/cli/index.ts is the process entry. Tests call runCli() in-process.
import { userInfo } from 'node:os'
import { pino } from 'pino'
import { loadConfig, ConfigError, type Config } from '../config.js'
import { AppError } from '../errors.js'
import { ensureDatabase, migrate } from '../db/migrate.js'
import { loadReferenceData } from '../reference-data.js'
import { loggerOptions } from '../logger.js'
import { createCore, type Core } from '../roots/core.js'
import { createAdminServices, type AdminServices } from '../roots/admin.js'
import type { Scope } from '../admin/keys.js'
import { parseCommand, UsageError, USAGE, type Command } from './commands.js'
import { handledOutcome } from '../admin/handling.js'
import { handlerOf } from '../handling/links.js'
import type { Act } from '../handling/state.js'

const MIGRATIONS_DIR = 'prisma/migrations'

/** Where a command reads its configuration and writes its answer. */
export interface CliIo {
  env: Record<string, string | undefined>
  stdout: { write: (text: string) => unknown }
  stderr: { write: (text: string) => unknown, isTTY?: boolean }
}

/** What a command operates with: the admin operations, and the repositories they read. */
type Services = AdminServices & Pick<Core, 'repositories' | 'config'>

interface Context {
  services: Services
  actor: string
  io: CliIo
  /** Writes a command's answer to stdout, as JSON. */
  print: (value: unknown) => void
}

async function purge ({ services, actor, io, print }: Context, dryRun: boolean): Promise<void> {
  const progress = io.stderr.isTTY === true
    ? (run: { batches: number, requests: number }) => { io.stderr.write(`\rbatch ${run.batches}: ${run.requests} requests purged`) }
    : undefined
  const run = await services.retention.purgeExpired({ dryRun, actor, trigger: 'cli', onBatch: progress })
  if (progress !== undefined && run.batches > 0) io.stderr.write('\n')
  print(run)
}

async function createKey ({ services, actor, io, print }: Context, name: string, scopes: Scope[]): Promise<void> {
  const { id, key } = await services.keys.create(name, scopes)
  await services.repositories.audit.record({ actor, action: 'keys.create', targetId: id, outcome: 'ok', detail: { scopes } })
  io.stderr.write('The key is shown once; only its hash is kept. Use it as: Authorization: Bearer <key>\n')
  print({ id, name, scopes, key })
}

async function revokeKey ({ services, actor, print }: Context, id: string): Promise<void> {
  const revoked = await services.keys.revoke(id)
  await services.repositories.audit.record({ actor, action: 'keys.revoke', targetId: id, outcome: revoked ? 'ok' : 'failed' })
  if (!revoked) throw new UsageError(`no active key with id or prefix ${id}`)
  print({ revoked: id })
}

type WebhookAction = Extract<Command, { command: 'webhooks' }>['action']

/** Endpoint and delivery changes from the command line; each operation audits itself, as from the admin API. */
async function webhooks ({ services, actor, io, print }: Context, action: WebhookAction, id: string): Promise<void> {
  const { webhookEndpoints: endpoints } = services
  switch (action) {
    case 'rotate': {
      const rotated = await endpoints.rotateSecret(id, actor)
      io.stderr.write('The secret is shown once; only a sealed copy is kept. The old one signs too until previousValidUntil.\n')
      return print(rotated)
    }
    case 'enable':
    case 'disable': return print(await endpoints.change(id, { enabled: action === 'enable' }, actor))
    case 'delete': return print(await endpoints.remove(id, actor))
    case 'test': return print({ deliveryId: await endpoints.sendTest(id, actor) })
    case 'deliveries': {
      await endpoints.get(id)
      return print((await services.repositories.webhooks.deliveries(id, 20)).page)
    }
    case 'replay': {
      await endpoints.replay(id, actor)
      return print({ replayed: id })
    }
  }
}

async function createWebhook ({ services, actor, io, print }: Context, command: Extract<Command, { command: 'webhooks create' }>): Promise<void> {
  const { command: _command, ...settings } = command
  const { endpoint, secret } = await services.webhookEndpoints.create(settings, actor)
  io.stderr.write('The secret is shown once; only a sealed copy is kept. Give it to the receiver.\n')
  print({ endpoint, secret })
}

/** The quarantine's review list, release and mark as spam, as from the admin API. */
async function spam ({ services, actor, print }: Context, command: Extract<Command, { command: 'spam quarantine' | 'spam summary' | 'spam' }>): Promise<void> {
  const { repositories, spamDecisions } = services
  if (command.command === 'spam quarantine') {
    const { page, more } = await repositories.spam.quarantined({ limit: 200 })
    await repositories.audit.record({ actor, action: 'spam.quarantine', outcome: 'ok', detail: { count: page.length } })
    return print({ items: page, more })
  }
  if (command.command === 'spam summary') {
    const since = new Date(Date.now() - command.days * 86_400_000)
    return print({ since, quarantined: await repositories.spam.quarantineSize(), decisions: await repositories.spam.summary(since) })
  }
  const decided = command.action === 'release' ? await spamDecisions.release(command.id, actor) : await spamDecisions.markSpam(command.id, actor)
  if (decided === null) throw new UsageError(`no contact request with id ${command.id}`)
  print(decided)
}

/** The handling actions, as from the admin API: the request after it, or why not (an AppError). */
async function handle ({ services, actor, print }: Context, command: Extract<Command, { command: 'handle' }>): Promise<void> {
  const act: Act = command.action === 'take'
    ? { action: 'take', handler: handlerOf(command.contactId) }
    : command.action === 'pass' ? { action: 'pass', to: handlerOf(command.to === 'fallback' ? null : command.to) } : { action: 'answer' }
  print(handledOutcome(command.id, await services.handlingActions.act(command.id, act, { admin: actor })))
}

/** A one-time sign-in link to the console, printed once; its making is audited. */
async function consoleLink ({ services, actor, io, print }: Context, { name, scopes, minutes }: Extract<Command, { command: 'console link' }>): Promise<void> {
  const token = await services.consoleSessions.createLink({ name, scopes }, minutes)
  await services.repositories.audit.record({ actor, action: 'console.link.create', outcome: 'ok', detail: { scopes: scopes.length, minutes } })
  io.stderr.write(`Good for ${minutes} minutes, once. It signs in as "${name}" with: ${scopes.join(', ')}.\n`)
  print({ url: `${services.config.PUBLIC_BASE_URL}/console/link/${token}`, expiresInMinutes: minutes })
}

/** Runs a command that needs the services (everything but db). */
async function run (ctx: Context, command: Exclude<Command, { command: 'db' }>): Promise<void> {
  const { print } = ctx
  switch (command.command) {
    case 'purge': return await purge(ctx, command.dryRun)
    case 'subject': return print(command.action === 'export'
      ? await ctx.services.subjects.exportSubject({ email: command.email, actor: ctx.actor })
      : await ctx.services.subjects.eraseSubject({ email: command.email, actor: ctx.actor }))
    case 'keys create': return await createKey(ctx, command.name, command.scopes)
    case 'keys list': return print(await ctx.services.keys.list())
    case 'keys revoke': return await revokeKey(ctx, command.id)
    case 'webhooks list': return print(await ctx.services.webhookEndpoints.list())
    case 'webhooks create': return await createWebhook(ctx, command)
    case 'webhooks': return await webhooks(ctx, command.action, command.id)
    case 'spam quarantine':
    case 'spam summary':
    case 'spam': return await spam(ctx, command)
    case 'handle': return await handle(ctx, command)
    case 'console link': return await consoleLink(ctx, command)
  }
}

async function database (config: Config, action: 'migrate' | 'seed' | 'setup'): Promise<void> {
  const log = pino(loggerOptions(config))
  if (action === 'migrate' || action === 'setup') {
    // Migrations hold a session-level advisory lock: behind a transaction-pooling PgBouncer they
    // need a direct connection.
    const direct = config.DIRECT_DATABASE_URL ?? config.DATABASE_URL
    if (await ensureDatabase(direct)) log.info('database created')
    const { applied } = await migrate(direct, MIGRATIONS_DIR)
    log.info({ applied }, applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`)
  }
  if (action === 'seed' || action === 'setup') await withServices(config, async ({ repositories }) => { await loadReferenceData(repositories, config, log) })
}

async function withServices (config: Config, run: (services: Services) => Promise<void>): Promise<void> {
  const core = await createCore({ ...config, DATABASE_POOL_SIZE: 2 }, { log: pino(loggerOptions(config)) })
  try {
    await run({ ...createAdminServices(core), repositories: core.repositories, config: core.config })
  } finally {
    await core.close()
  }
}

async function main (argv: string[], io: CliIo): Promise<void> {
  const command = parseCommand(argv)
  const config = loadConfig(io.env)
  if (command.command === 'db') return await database(config, command.action)
  await withServices(config, async (services) => { await run({ services, actor: `cli:${userInfo().username}`, io, print: (value) => { io.stdout.write(`${JSON.stringify(value, null, 2)}\n`) } }, command) })
}

/** Runs one command line; the answer is the process's exit code. */
export async function runCli (argv: string[], io: CliIo): Promise<number> {
  try {
    await main(argv, io)
    return 0
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      const { message } = err as Error
      if (message !== '') io.stderr.write(`${message}\n\n`)
      io.stderr.write(USAGE)
      return 64 // EX_USAGE
    }
    if (err instanceof AppError) {
      // Refused as the admin API would refuse it: its message and the fields at fault, no stack.
      io.stderr.write(`${err.message}\n${(err.details ?? []).map((d) => `  ${d.path}: ${d.message}\n`).join('')}`)
      return 1
    }
    io.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`)
    return 1
  }
}
