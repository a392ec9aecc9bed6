// The admin CLI's commands and their arguments: what `npm run cli -- …` may ask, checked before anything runs.
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { Value } from '@sinclair/typebox/value'
import { ContactId, Email, Line } from '../schemas/common.js'
import { isScope, SCOPES, type Scope } from '../admin/keys.js'
import { WEBHOOK_EVENTS, type WebhookEventType } from '../schemas/webhook-events.js'
import { Settings } from '../webhooks/schemas.js'

export const USAGE = `Usage: npm run cli -- <command> [options]

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
  webhooks list                    the webhook endpoints, without their secrets
  webhooks create --url <url> --events <e1,e2> [--payload thin|full] [--contact <id>] [--description <text>]
                                   create an endpoint (its secret is shown once); events: ${WEBHOOK_EVENTS.join(', ')}
  webhooks rotate --id <id>        a new signing secret (shown once); the old one signs too for 24 h
  webhooks enable|disable|delete|test --id <id>
                                   turn an endpoint on or off, delete it, or send it a webhook.test event
  webhooks deliveries --id <id>    an endpoint's latest deliveries with their attempts
  webhooks replay --id <delivery id>
                                   deliver a settled delivery again, under the same webhook-id
  spam quarantine                  the quarantine, newest first: ids, scores and reasons, no personal data
  spam release --id <request id>   release a quarantined request: its e-mails and webhook event are sent, once
  spam mark --id <request id>      mark a request as spam: into quarantine, nothing more is sent
  spam summary [--days <n>]        decisions of the last n days (30) by decision and reason
  console link --scopes <s1,s2,…> [--name <who>] [--minutes <n>]
                                   a one-time sign-in link to the console (10 minutes, single use)
  handle take --id <request id> --contact <contact id>
                                   a contact takes the request, as their "I'll take it" link would
  handle answered --id <request id>
                                   the person was answered: no more reminders
  handle pass --id <request id> --to <contact id|fallback>
                                   pass the request on: a notification with their own links goes to them
`

/** The command line asks for something the CLI does not do, or leaves out what it needs. */
export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export type Command =
  | { command: 'db', action: 'migrate' | 'seed' | 'setup' }
  | { command: 'purge', dryRun: boolean }
  | { command: 'subject', action: 'export' | 'erase', email: string }
  | { command: 'keys create', name: string, scopes: Scope[] }
  | { command: 'keys list' }
  | { command: 'keys revoke', id: string }
  | { command: 'webhooks list' }
  | { command: 'webhooks create', url: string, events: WebhookEventType[], payloadMode: 'thin' | 'full', contactId: string | null, description: string }
  | { command: 'webhooks', action: 'rotate' | 'enable' | 'disable' | 'delete' | 'test' | 'deliveries' | 'replay', id: string }
  | { command: 'spam quarantine' }
  | { command: 'spam summary', days: number }
  | { command: 'spam', action: 'release' | 'mark', id: string }
  | { command: 'console link', name: string, scopes: Scope[], minutes: number }
  | { command: 'handle', action: 'take', id: string, contactId: string }
  | { command: 'handle', action: 'answered', id: string }
  | { command: 'handle', action: 'pass', id: string, to: string }

const OPTIONS = {
  'dry-run': { type: 'boolean' },
  email: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  id: { type: 'string' },
  url: { type: 'string' },
  events: { type: 'string' },
  payload: { type: 'string' },
  contact: { type: 'string' },
  description: { type: 'string' },
  days: { type: 'string' },
  to: { type: 'string' },
  minutes: { type: 'string' }
} as const

function oneOf<T extends string> (value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`unknown ${what}: ${value}`)
  return value as T
}

/** The same rules as the admin API's: an address as the intake takes it, a key's name on one line. */
const KeyName = Line(200, { required: true })
const KEY_ID = /^([0-9a-f]{12}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

function keysCommand (action: string, values: { name?: string, scopes?: string, id?: string }): Command {
  switch (oneOf(action, ['create', 'list', 'revoke'], 'keys command')) {
    case 'create': {
      const scopes = (values.scopes ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
      const unknown = scopes.filter((s) => !isScope(s))
      if (values.name === undefined || !Value.Check(KeyName, values.name)) throw new UsageError('--name <who> is required: one line of up to 200 characters, no control characters')
      if (scopes.length === 0 || unknown.length > 0) throw new UsageError(`--scopes must list some of: ${SCOPES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`)
      return { command: 'keys create', name: values.name.trim(), scopes: scopes.filter(isScope) }
    }
    case 'list':
      return { command: 'keys list' }
    case 'revoke':
      if (values.id === undefined || !KEY_ID.test(values.id)) throw new UsageError('--id <id or prefix> is required: the key\'s id, or the 12 hex digits after cik_')
      return { command: 'keys revoke', id: values.id }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

interface WebhookValues { id?: string, url?: string, events?: string, payload?: string, contact?: string, description?: string }

function webhooksCommand (action: string, values: WebhookValues): Command {
  const which = oneOf(action, ['list', 'create', 'rotate', 'enable', 'disable', 'delete', 'test', 'deliveries', 'replay'], 'webhooks command')
  if (which === 'list') return { command: 'webhooks list' }
  if (which !== 'create') {
    if (values.id === undefined || !UUID.test(values.id)) throw new UsageError(`--id <id> is required: the ${which === 'replay' ? 'delivery' : 'endpoint'}'s id`)
    return { command: 'webhooks', action: which, id: values.id }
  }
  const events = (values.events ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '')
  if (values.url === undefined || !Value.Check(Settings.url, values.url)) throw new UsageError('--url <url> is required: an https URL (http for a host in WEBHOOK_ALLOWED_HOSTS)')
  if (events.length === 0 || !Value.Check(Settings.events, events)) throw new UsageError(`--events must list some of: ${WEBHOOK_EVENTS.join(', ')}`)
  const payloadMode = oneOf(values.payload ?? 'thin', ['thin', 'full'], 'payload mode')
  const contactId = values.contact ?? null
  if (!Value.Check(Settings.contactId, contactId)) throw new UsageError('--contact must be a contact id such as lotta-fransson')
  const description = values.description ?? ''
  if (!Value.Check(Settings.description, description)) throw new UsageError('--description: one line of up to 200 characters, no control characters')
  return { command: 'webhooks create', url: values.url, events: events as WebhookEventType[], payloadMode, contactId, description }
}

function spamCommand (action: string, values: { id?: string, days?: string }): Command {
  const which = oneOf(action, ['quarantine', 'release', 'mark', 'summary'], 'spam command')
  if (which === 'quarantine') return { command: 'spam quarantine' }
  if (which === 'summary') {
    const days = Number(values.days ?? '30')
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError('--days must be a whole number of days from 1 to 366')
    return { command: 'spam summary', days }
  }
  if (values.id === undefined || !UUID.test(values.id)) throw new UsageError('--id <id> is required: the request\'s id')
  return { command: 'spam', action: which, id: values.id }
}

function consoleCommand (action: string, values: { name?: string, scopes?: string, minutes?: string }): Command {
  oneOf(action, ['link'], 'console command')
  const scopes = (values.scopes ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = scopes.filter((s) => !isScope(s))
  if (scopes.length === 0 || unknown.length > 0) throw new UsageError(`--scopes must list some of: ${SCOPES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`)
  const name = values.name ?? userInfo().username
  if (!Value.Check(KeyName, name)) throw new UsageError('--name: one line of up to 200 characters, no control characters')
  const minutes = Number(values.minutes ?? '10')
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) throw new UsageError('--minutes must be a whole number from 1 to 60')
  return { command: 'console link', name: name.trim(), scopes: scopes.filter(isScope), minutes }
}

function handleCommand (action: string, values: { id?: string, contact?: string, to?: string }): Command {
  const which = oneOf(action, ['take', 'answered', 'pass'], 'handle command')
  const id = values.id
  if (id === undefined || !UUID.test(id)) throw new UsageError('--id <id> is required: the request\'s id')
  const contact = (value: string | undefined, option: string): string => {
    if (value === undefined || !Value.Check(ContactId, value)) throw new UsageError(`${option} is required: a contact id such as sofia-frolander`)
    return value
  }
  if (which === 'take') return { command: 'handle', action: which, id, contactId: contact(values.contact, '--contact <contact id>') }
  if (which === 'pass') return { command: 'handle', action: which, id, to: contact(values.to, '--to <contact id|fallback>') }
  return { command: 'handle', action: which, id }
}

/** The command `argv` asks for; throws UsageError (or node's ERR_PARSE_ARGS_*) when it asks for nothing the CLI does. */
export function parseCommand (argv: string[]): Command {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS })
  const [group = '', action = '', ...rest] = positionals
  if (rest.length > 0) throw new UsageError(`unexpected: ${rest.join(' ')}`)
  switch (group) {
    case 'db':
      return { command: 'db', action: oneOf(action, ['migrate', 'seed', 'setup'], 'db command') }
    case 'purge':
      return { command: 'purge', dryRun: values['dry-run'] === true }
    case 'subject': {
      const email = values.email
      if (email === undefined || !Value.Check(Email, email)) throw new UsageError('--email <address> is required: an e-mail address')
      return { command: 'subject', action: oneOf(action, ['export', 'erase'], 'subject command'), email }
    }
    case 'keys':
      return keysCommand(action, values)
    case 'webhooks':
      return webhooksCommand(action, values)
    case 'spam':
      return spamCommand(action, values)
    case 'handle':
      return handleCommand(action, values)
    case 'console':
      return consoleCommand(action, values)
    default:
      throw new UsageError(positionals.length === 0 ? '' : `unknown command: ${positionals.join(' ')}`)
  }
}
