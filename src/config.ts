// The service's configuration: one TypeBox schema over environment variables, checked at startup.
import { randomBytes } from 'node:crypto'
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

export const CAPTCHA_PROVIDER_NAMES = ['altcha', 'hcaptcha', 'turnstile', 'recaptcha', 'friendlycaptcha'] as const
export type CaptchaProviderName = typeof CAPTCHA_PROVIDER_NAMES[number]

const Port = Type.Integer({ minimum: 0, maximum: 65535 })
const PositiveInt = Type.Integer({ minimum: 1 })
const Url = Type.String({ pattern: '^[a-z][a-z0-9+.-]*://', description: 'a URL' })
const Secret = Type.String({ minLength: 16, description: 'a secret of at least 16 characters' })
const List = <T extends TSchema>(item: T, description: string) => Type.Array(item, { description })

// Every variable the service reads, with its default, grouped by concern. Keys are the
// variables' names; each is one an operator may have reason to change. Settings only tests
// and benchmarks change are TUNING in src/roots/core.ts and CAPTCHA_ENDPOINTS in src/captcha/index.ts.

/** Where the processes listen and what they connect to. */
const Process = {
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ ...Port, default: 3000 }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  /** How long the public API may take to answer a request that has arrived; past it, 503 UNAVAILABLE with Retry-After. */
  HANDLER_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 4000 }),
  /** How long shutdown may take before the process exits anyway; keep it under the orchestrator's grace period. */
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ ...PositiveInt, default: 10_000 })
}

/** PostgreSQL, directly or through a pooler (README: "Production"). */
const Database = {
  DATABASE_URL: Type.String({ ...Url, default: 'postgresql://postgres@127.0.0.1:5432/contact_intake' }),
  /** A connection that bypasses a transaction-pooling PgBouncer, for migrations (they hold a session lock); DATABASE_URL when unset. */
  DIRECT_DATABASE_URL: Type.Optional(Type.String(Url)),
  /** Connections each process keeps to PostgreSQL. */
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  /** How long taking a connection (from the pool, or a new one) may take. */
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 2000 }),
  /** How long a query may go unanswered before it fails and its connection is dropped. */
  DATABASE_QUERY_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 })
}

const HostPort = Type.String({ pattern: '^(\\[[0-9a-fA-F:]+\\]|[^\\s:,\\[\\]]+):[0-9]{1,5}$' })

/** Redis: one server (REDIS_URL), Sentinel or a Cluster (README: "Production"). */
const RedisSettings = {
  REDIS_URL: Type.String({ ...Url, default: 'redis://127.0.0.1:6379' }),
  /** Sentinels to ask for the master (REDIS_URL is then not used). */
  REDIS_SENTINELS: List(HostPort, 'comma-separated host:port pairs'),
  /** The master's name in the sentinels' configuration. */
  REDIS_SENTINEL_NAME: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_SENTINEL_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  /** Cluster nodes to start from (REDIS_URL is then not used; the others are discovered). */
  REDIS_CLUSTER_NODES: List(HostPort, 'comma-separated host:port pairs'),
  /** The data nodes' credentials with Sentinel or a Cluster (with REDIS_URL, put them in the URL). */
  REDIS_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  /** How long a command on the request path (and a producer's) may go unanswered; also how often connections are pinged. */
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 50, default: 1000 }),
  /** Prefix of every BullMQ key, so several deployments can share one Redis (on a Cluster it is put in braces: a hash tag). */
  QUEUE_PREFIX: Type.String({ minLength: 1, default: 'contact-intake' })
}

/** The operations listener (/metrics and the health probes, apart from the public port) and the API reference (README: "Operations"). */
const Operations = {
  /** Off: no /metrics, no HTTP histogram, no process metrics; the health probes stay on the listener. */
  METRICS_ENABLED: Type.Boolean({ default: true }),
  /** 0.0.0.0 in a container, so Prometheus in another one can scrape it. */
  METRICS_HOST: Type.String({ default: '127.0.0.1' }),
  /** Default 9464 for the API and `npm start`, 9465 for the worker, so both run on one host. */
  METRICS_PORT: Type.Optional(Port),
  /** Serve the API reference at /docs (the OpenAPI document stays at /openapi.json). */
  DOCS_ENABLED: Type.Boolean({ default: true })
}

/** The contact directory and the privacy notices, shipped as files. */
const ReferenceData = {
  CONTACTS_FILE: Type.String({ default: 'data/contacts.json' }),
  PRIVACY_NOTICES_DIR: Type.String({ default: 'data/privacy-notices' }),
  /** The notice version offered by GET /v1/privacy-notice; the newest one when empty. */
  PRIVACY_NOTICE_VERSION: Type.Optional(Type.String({ minLength: 1 }))
}

/** Which sites may use the API, and how clients are told apart. */
const Web = {
  /** Origins whose pages may post to the API from a browser. */
  ALLOWED_ORIGINS: List(Type.String({ pattern: '^https?://[^/]+$' }), 'comma-separated origins such as https://www.ri.se'),
  /** Hostnames a CAPTCHA provider may report the token was solved on. */
  SITE_HOSTNAMES: List(Type.String({ minLength: 1 }), 'comma-separated host names such as www.ri.se'),
  /** false, true, a number of hops, or comma-separated proxy addresses (Fastify's trustProxy). */
  TRUST_PROXY: Type.String({ default: 'false' }),
  /** Where people reach this service: the withdrawal links in receipts start with it. */
  PUBLIC_BASE_URL: Type.String({ pattern: '^https?://[^/\\s]+(/[^\\s]*[^/\\s])?$', description: 'an http(s) URL without a trailing slash', default: 'http://localhost:3000' }),
  /** Who may put the demo page in a frame (CSP frame-ancestors): 'none', 'self' or origins. */
  FRAME_ANCESTORS: List(Type.String({ pattern: "^('none'|'self'|https?://[^/\\s]+)$" }), "comma-separated: 'none', 'self' or origins such as https://www.ri.se")
}

/** Abuse: rate limits and repeats. */
const Abuse = {
  RATE_LIMIT_MAX: Type.Integer({ ...PositiveInt, default: 10 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ ...PositiveInt, default: 600 }),
  /** Requests per minute and client on /v1/admin/. */
  ADMIN_RATE_LIMIT_MAX: Type.Integer({ ...PositiveInt, default: 300 }),
  /** The same person and message again within this many seconds is a repeat, answered with the first receipt. */
  DUPLICATE_WINDOW_SECONDS: Type.Integer({ ...PositiveInt, default: 600 }),
  /** Key for the keyed hashes of client addresses and submissions; random per process when unset. */
  PSEUDONYM_KEY: Type.Optional(Secret)
}

/** Retention and the GDPR record of processing. */
const Privacy = {
  RETENTION_DAYS: Type.Integer({ ...PositiveInt, default: 180 }),
  /** Closing a request shortens its retention to this many days after closing (never lengthens it). */
  RETENTION_DAYS_AFTER_CLOSE: Type.Integer({ minimum: 0, default: 30 }),
  /** When the worker runs the retention purge: a cron pattern, in PURGE_TIMEZONE; "off" for never. */
  PURGE_CRON: Type.String({ minLength: 1, default: '0 3 * * *' }),
  PURGE_TIMEZONE: Type.String({ minLength: 1, default: 'Europe/Stockholm' }),
  /** Who the record of processing names as controller, and how to reach its data protection officer. */
  CONTROLLER_NAME: Type.String({ minLength: 1, default: 'RISE Research Institutes of Sweden AB' }),
  CONTROLLER_CONTACT: Type.String({ minLength: 1, default: 'dataskydd@ri.se' })
}

const ProviderName = Type.Union(CAPTCHA_PROVIDER_NAMES.map((n) => Type.Literal(n)))

/** CAPTCHA providers: which, how strict, and their keys. */
const Captcha = {
  CAPTCHA_PROVIDERS: List(ProviderName, `comma-separated, from ${CAPTCHA_PROVIDER_NAMES.join(', ')}`),
  /** Providers whose outage lets submissions through, stored as unverified. */
  CAPTCHA_FAIL_OPEN: List(ProviderName, 'comma-separated provider names'),
  CAPTCHA_TIMEOUT_MS: Type.Integer({ ...PositiveInt, default: 3000 }),
  /** Send the client address to third-party providers (it is personal data). */
  CAPTCHA_SEND_REMOTE_IP: Type.Boolean({ default: false }),
  /** Signs ALTCHA challenges; random per process when unset (challenges then die with the process). */
  ALTCHA_HMAC_KEY: Type.Optional(Secret),
  ALTCHA_ALGORITHM: Type.Union(['PBKDF2/SHA-256', 'PBKDF2/SHA-512', 'SHA-256'].map((a) => Type.Literal(a)), { default: 'PBKDF2/SHA-256' }),
  ALTCHA_COST: Type.Integer({ ...PositiveInt, default: 5000 }),
  ALTCHA_EXPIRES_SECONDS: Type.Integer({ minimum: 10, default: 600 }),
  HCAPTCHA_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  HCAPTCHA_SITEKEY: Type.Optional(Type.String({ minLength: 1 })),
  TURNSTILE_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  TURNSTILE_ACTION: Type.Optional(Type.String({ minLength: 1 })),
  RECAPTCHA_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  RECAPTCHA_ACTION: Type.String({ minLength: 1, default: 'contact' }),
  RECAPTCHA_MIN_SCORE: Type.Number({ minimum: 0, maximum: 1, default: 0.5 }),
  FRIENDLYCAPTCHA_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  FRIENDLYCAPTCHA_SITEKEY: Type.Optional(Type.String({ minLength: 1 }))
}

/** Notification e-mail: where it goes, how it is retried. */
const Mail = {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…; without it, mail is written to MAIL_DROP_DIR. */
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://', description: 'an smtp:// or smtps:// URL' })),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Kontaktformulär <no-reply@example.org>' }),
  MAIL_DROP_DIR: Type.String({ minLength: 1, default: 'var/mail' }),
  /** How long an SMTP connection, greeting or command may go unanswered before the attempt fails (and is retried). */
  SMTP_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000 }),
  /** SMTP connections a worker keeps open; jobs beyond them wait for one while their database work overlaps. */
  SMTP_MAX_CONNECTIONS: Type.Optional(Type.Integer({ ...PositiveInt })),
  /** Inbox for notifications of requests to inactive contacts nobody stands in for. */
  NOTIFY_FALLBACK_EMAIL: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'an e-mail address' })),
  /** E-mail jobs (notifications and receipts) each of a worker's mail queues runs at once. */
  MAIL_CONCURRENCY: Type.Integer({ ...PositiveInt, default: 4 }),
  /** Attempts of an e-mail (notification or receipt) before it fails for good. */
  MAIL_MAX_ATTEMPTS: Type.Integer({ ...PositiveInt, default: 8 }),
  /** An e-mail's first retry delay; each further one doubles, with jitter. */
  MAIL_BACKOFF_MS: Type.Integer({ ...PositiveInt, default: 5000 }),
  /** How long a worker owns a job of any queue before another may take it over (a crashed worker's job comes back after this). */
  JOB_LOCK_MS: Type.Integer({ minimum: 1000, default: 30_000 }),
  /** Send the person who wrote a receipt with a link to withdraw their request (README: "Receipts"). */
  RECEIPTS: Type.Boolean({ default: true }),
  /** At most one receipt per address in this many hours; later requests get none (and say so). */
  RECEIPT_WINDOW_HOURS: Type.Integer({ minimum: 0, maximum: 24 * 30, default: 24 }),
  /** /health/ready reports notifications undelivered for longer than this as backlog. */
  OUTBOX_BACKLOG_SECONDS: Type.Integer({ ...PositiveInt, default: 300 })
}

/** Handling: the action links in a notification, and reminders when nobody answers (README: "Handling"). */
const Handling = {
  /** Working days a request may wait for an answer before its handler is reminded, for a contact without responseDays. */
  HANDLING_RESPONSE_DAYS: Type.Integer({ minimum: 1, maximum: 30, default: 2 }),
  /** When the worker sends the day's reminders: a cron pattern in Europe/Stockholm, skipped on Swedish holidays; "off" for never. */
  FOLLOW_UP_CRON: Type.String({ minLength: 1, default: '0 8 * * 1-5' }),
  /** A team address that gets a copy of every escalation (to a delegate or the fallback inbox). */
  FOLLOW_UP_COPY_EMAIL: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'an e-mail address' }))
}

/** The console: pages for the privacy officer, the web team and the project managers, behind OpenID Connect (README: "Console"). */
const Console = {
  /** The identity provider's issuer (Entra ID, Keycloak, Google…); without it the console has no sign-in. */
  OIDC_ISSUER_URL: Type.Optional(Type.String(Url)),
  OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  /** The ID token claim that lists a person's roles (groups). */
  OIDC_ROLES_CLAIM: Type.String({ minLength: 1, default: 'groups' }),
  /** Which roles grant which admin scopes: comma-separated role=scope scope…, e.g. dataskydd=requests:read subjects:export. */
  OIDC_ROLE_SCOPES: List(Type.String({ pattern: '^[^=,\\s]+=[a-z]+:[a-z]+( [a-z]+:[a-z]+)*$' }), 'comma-separated role=scope scope… pairs'),
  /** A session unused this long ends; so does any session this old. */
  /** The console on a port of its own (then not on PORT), e.g. reachable only from the institute's network. */
  CONSOLE_PORT: Type.Optional(Port),
  CONSOLE_HOST: Type.String({ default: '127.0.0.1' }),
  CONSOLE_IDLE_SECONDS: Type.Integer({ minimum: 1, default: 1800 }),
  CONSOLE_SESSION_SECONDS: Type.Integer({ minimum: 60, default: 8 * 3600 })
}

/** Webhooks: signed HTTP calls to other systems (README: "Webhooks"). */
const Weight = (value: number) => Type.Number({ minimum: 0, maximum: 10, default: value })

/**
 * Spam scoring (README: "Spam"). Each signal that fires adds its weight; a submission whose
 * weights reach SPAM_THRESHOLD is stored in quarantine, delivered to nobody until an admin releases it.
 */
const Spam = {
  /** false: no signal is read but the honeypot, whose submissions are still quarantined, never dropped. */
  SPAM_FILTER: Type.Boolean({ default: true }),
  SPAM_THRESHOLD: Type.Number({ minimum: 0.1, maximum: 100, default: 1 }),
  /** A quarantined request is kept this many days from entering the quarantine. */
  QUARANTINE_RETENTION_DAYS: Type.Integer({ ...PositiveInt, default: 30 }),
  /** The hidden field was filled: a robot, or a browser's autofill (so not a verdict of its own but for its weight). */
  SPAM_WEIGHT_HONEYPOT: Weight(1),
  /** Sent sooner than this after the form's CAPTCHA challenge was fetched (on the first focus in the form). */
  SPAM_WEIGHT_FILL_TIME: Weight(0.6),
  SPAM_MIN_FILL_SECONDS: Type.Integer({ minimum: 0, default: 3 }),
  /** More than SPAM_MAX_LINKS web or e-mail addresses in the message. */
  SPAM_WEIGHT_LINKS: Weight(0.6),
  SPAM_MAX_LINKS: Type.Integer({ minimum: 0, default: 2 }),
  /** The sender's domain is a throwaway-mail provider (the disposable-email-domains list). */
  SPAM_WEIGHT_DISPOSABLE_EMAIL: Weight(0.5),
  /** The message is in none of SPAM_LANGUAGES (nor the page's own). */
  SPAM_WEIGHT_LANGUAGE: Weight(0.5),
  SPAM_LANGUAGES: List(Type.String({ pattern: '^[a-z]{2}$' }), 'comma-separated ISO 639-1 codes'),
  /** The same text (but for numbers, links and punctuation) from SPAM_CAMPAIGN_SENDERS addresses within the window. */
  SPAM_WEIGHT_CAMPAIGN: Weight(0.6),
  SPAM_CAMPAIGN_SENDERS: Type.Integer({ minimum: 2, maximum: 50, default: 3 }),
  SPAM_CAMPAIGN_WINDOW_HOURS: Type.Integer({ ...PositiveInt, default: 24 }),
  /** The message holds one of SPAM_KEYWORDS (case-insensitive). */
  SPAM_WEIGHT_KEYWORD: Weight(0.6),
  SPAM_KEYWORDS: List(Type.String({ minLength: 2 }), 'comma-separated words or phrases'),
  /** The classifier, trained on this installation's releases and marks as spam, says spam this surely. */
  SPAM_WEIGHT_CLASSIFIER: Weight(1),
  SPAM_CLASSIFIER_MIN_PROBABILITY: Type.Number({ minimum: 0.5, maximum: 1, default: 0.9 }),
  /** The classifier says nothing until it has learned from this many examples of each label. */
  SPAM_CLASSIFIER_MIN_EXAMPLES: Type.Integer({ ...PositiveInt, default: 50 }),
  /** How often the API reads the classifier's counts again. */
  SPAM_MODEL_REFRESH_SECONDS: Type.Integer({ ...PositiveInt, default: 60 }),
  /**
   * Worker threads that read messages' links and language off the event loop (the costly signals,
   * and a long message's are the costliest); 0 reads them on the event loop.
   */
  SPAM_THREADS: Type.Integer({ minimum: 0, maximum: 8, default: 1 })
}

const Webhooks = {
  /**
   * Seals the endpoints' signing secrets (AES-256-GCM); without it no endpoint can be created or
   * delivered to. Same value for the API and the worker.
   */
  WEBHOOK_SECRET_KEY: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: '64 hex digits (openssl rand -hex 32)' })),
  /** Hosts a webhook may reach although they resolve to a private or loopback address, and over plain http. */
  WEBHOOK_ALLOWED_HOSTS: List(Type.String({ pattern: '^[^\\s/,]+$' }), 'comma-separated host names or addresses such as crm.internal'),
  /** Deliveries a worker has under way at once (reading and recording them included). */
  WEBHOOK_CONCURRENCY: Type.Integer({ ...PositiveInt, default: 16 }),
  /** Connections a worker keeps to one receiver's origin; deliveries beyond them wait for one while their database work overlaps. */
  WEBHOOK_MAX_CONNECTIONS: Type.Optional(Type.Integer({ ...PositiveInt })),
  /** An endpoint whose every attempt has failed for this long is disabled (an admin enables it again). */
  WEBHOOK_DISABLE_AFTER_HOURS: Type.Integer({ ...PositiveInt, default: 72 })
}

export const ConfigSchema = Type.Object({
  ...Process,
  ...Database,
  ...RedisSettings,
  ...Operations,
  ...ReferenceData,
  ...Web,
  ...Abuse,
  ...Privacy,
  ...Captcha,
  ...Spam,
  ...Mail,
  ...Handling,
  ...Console,
  ...Webhooks
}, { additionalProperties: false })

/** Every variable's default, for the parts (tests, benches) built without a configuration. */
export const CONFIG_DEFAULTS = Value.Default(ConfigSchema, {}) as Static<typeof ConfigSchema>

const EPHEMERAL_SECRETS = ['PSEUDONYM_KEY', 'ALTCHA_HMAC_KEY'] as const

/**
 * Variables renamed for what they govern (the NOTIFY_ ones also governed receipts and webhooks).
 * The old names are still read, for one release, with a warning at start-up; the new name wins.
 */
export const RENAMED_VARIABLES = {
  NOTIFY_CONCURRENCY: 'MAIL_CONCURRENCY',
  NOTIFY_MAX_ATTEMPTS: 'MAIL_MAX_ATTEMPTS',
  NOTIFY_BACKOFF_MS: 'MAIL_BACKOFF_MS',
  NOTIFY_LOCK_MS: 'JOB_LOCK_MS'
} as const satisfies Record<string, keyof Static<typeof ConfigSchema>>

export type Config = Static<typeof ConfigSchema> & Record<typeof EPHEMERAL_SECRETS[number], string> & {
  /** Secrets that were not configured and were made up for this process only (startup warns about them). */
  ephemeralSecrets: string[]
  /** Old names found in the environment, with the new name each was read as (startup warns about them). */
  renamedVariables: Array<{ old: string, current: string }>
}

const LIST_DEFAULTS: Partial<Record<keyof Static<typeof ConfigSchema>, string[]>> = {
  ALLOWED_ORIGINS: [],
  FRAME_ANCESTORS: ["'none'"],
  SITE_HOSTNAMES: ['localhost'],
  CAPTCHA_PROVIDERS: ['altcha'],
  CAPTCHA_FAIL_OPEN: ['friendlycaptcha'],
  WEBHOOK_ALLOWED_HOSTS: [],
  REDIS_SENTINELS: [],
  REDIS_CLUSTER_NODES: [],
  // Languages a reader at a Swedish institute reads: English, and the neighbours' Scandinavian.
  SPAM_LANGUAGES: ['sv', 'en', 'da', 'no', 'nb', 'nn'],
  SPAM_KEYWORDS: [],
  OIDC_ROLE_SCOPES: []
}

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Reads the configuration from `env`. Throws a ConfigError naming each variable
 * that is malformed, and what it expects, so the process stops with a clear message.
 */
export function loadConfig (given: Record<string, string | undefined> = process.env): Config {
  const renamedVariables = Object.entries(RENAMED_VARIABLES)
    .filter(([old]) => given[old] !== undefined)
    .map(([old, current]) => ({ old, current }))
  const env = { ...given }
  for (const { old, current } of renamedVariables) env[current] ??= given[old]
  const raw: Record<string, unknown> = {}
  for (const [name, schema] of Object.entries(ConfigSchema.properties)) {
    const value = env[name]
    if (schema.type === 'array') {
      raw[name] = value === undefined ? LIST_DEFAULTS[name as keyof typeof LIST_DEFAULTS] : splitList(value)
    } else if (value !== undefined && value !== '') {
      raw[name] = value
    }
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw))
  const problems = [...Value.Errors(ConfigSchema, converted)].map((e) => {
    const name = e.path.split('/')[1] ?? e.path
    const expected = (ConfigSchema.properties[name as keyof typeof ConfigSchema.properties] as TSchema | undefined)?.description
    return `${name}: ${e.message}${expected ? ` (expected ${expected})` : ''}; got ${JSON.stringify(env[name] ?? null)}`
  })
  if (problems.length > 0) throw new ConfigError([...new Set(problems)])
  const config = converted as Static<typeof ConfigSchema>
  problems.push(...crossCheck(config))
  if (problems.length > 0) throw new ConfigError(problems)
  const ephemeralSecrets = EPHEMERAL_SECRETS.filter((name) => config[name] === undefined)
  const made = Object.fromEntries(ephemeralSecrets.map((name) => [name, randomBytes(32).toString('hex')]))
  return { ...config, ...made, ephemeralSecrets, renamedVariables } as Config
}

function splitList (value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/** Rules that span variables: an enabled provider needs its secret. */
function crossCheck (config: Static<typeof ConfigSchema>): string[] {
  const needs: Record<CaptchaProviderName, keyof typeof config | null> = {
    altcha: null,
    hcaptcha: 'HCAPTCHA_SECRET',
    turnstile: 'TURNSTILE_SECRET',
    recaptcha: 'RECAPTCHA_SECRET',
    friendlycaptcha: 'FRIENDLYCAPTCHA_API_KEY'
  }
  const problems: string[] = []
  for (const provider of config.CAPTCHA_PROVIDERS) {
    const variable = needs[provider]
    if (variable !== null && config[variable] === undefined) {
      problems.push(`${variable}: required because CAPTCHA_PROVIDERS includes ${provider}`)
    }
  }
  if (config.CAPTCHA_PROVIDERS.length === 0) problems.push('CAPTCHA_PROVIDERS: at least one provider must be enabled')
  if (config.REDIS_SENTINELS.length > 0 && config.REDIS_CLUSTER_NODES.length > 0) {
    problems.push('REDIS_CLUSTER_NODES: set either it or REDIS_SENTINELS, not both')
  }
  if (config.REDIS_SENTINELS.length > 0 && config.REDIS_SENTINEL_NAME === undefined) {
    problems.push('REDIS_SENTINEL_NAME: required because REDIS_SENTINELS is set')
  }
  if (config.OIDC_ISSUER_URL !== undefined) {
    for (const variable of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const) {
      if (config[variable] === undefined) problems.push(`${variable}: required because OIDC_ISSUER_URL is set`)
    }
  }
  return problems
}
