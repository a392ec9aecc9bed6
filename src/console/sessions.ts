// Console sessions, kept server-side in Redis: the browser holds only a random id (in a __Host-
// cookie), Redis a hash of it, so a Redis dump gives no one a session. A session ends when unused
// for CONSOLE_IDLE_SECONDS, when CONSOLE_SESSION_SECONDS old, or at sign-out; a new one is made
// at every sign-in (never reused from before it).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { RedisClient } from '../redis/connect.js'

/** Who is signed in, and what they may do. */
export interface ConsoleIdentity {
  /** How the audit log and a request's history name them: console:<e-mail>, or console-link:<name> for a one-time link. */
  actor: string
  /** The provider's subject and the person's e-mail. */
  subject: string
  email: string
  name: string
  /** Admin scopes from the person's roles. */
  scopes: string[]
  /** The contact they are, by verified e-mail: they see the requests addressed or passed to them. */
  contactId: string | null
}

export interface ConsoleSession extends ConsoleIdentity {
  createdAt: number
  lastSeenAt: number
  /** The synchronizer token every state-changing form carries. */
  csrf: string
  /** For the provider's sign-out. */
  idToken: string
}

/** Whom a one-time link signs in, and with which scopes. */
export interface LinkGrant { name: string, scopes: string[] }

/** A PKCE sign-in on its way through the provider. */
export interface PendingSignIn { codeVerifier: string, state: string, nonce: string }

const hash = (id: string): string => createHash('sha256').update(id).digest('hex')
const randomId = (): string => randomBytes(32).toString('base64url')

// eslint-disable-next-line max-lines-per-function -- a store: each method is one or two Redis commands
export function createConsoleSessions ({ redis, prefix, idleSeconds, maxSeconds, now = () => Date.now() }: {
  redis: RedisClient, prefix: string, idleSeconds: number, maxSeconds: number, now?: () => number
}) {
  const key = (id: string) => `${prefix}:console:session:${hash(id)}`
  const pendingKey = (id: string) => `${prefix}:console:sign-in:${hash(id)}`
  const linkKey = (token: string) => `${prefix}:console:link:${hash(token)}`

  async function save (id: string, session: ConsoleSession): Promise<void> {
    const left = Math.min(idleSeconds * 1000, session.createdAt + maxSeconds * 1000 - now())
    await redis.set(key(id), JSON.stringify(session), 'PX', Math.max(1, left))
  }

  return {
    /** Starts a session for a person who just signed in; its id goes in the cookie. */
    async create (identity: ConsoleIdentity, idToken: string): Promise<{ id: string, session: ConsoleSession }> {
      const id = randomId()
      const at = now()
      const session = { ...identity, idToken, createdAt: at, lastSeenAt: at, csrf: randomId() }
      await save(id, session)
      return { id, session }
    },

    /** The live session of this id, its idle time renewed; null when none (expired, ended, or never). */
    async touch (id: string): Promise<ConsoleSession | null> {
      const text = await redis.get(key(id))
      if (text === null) return null
      const session = JSON.parse(text) as ConsoleSession
      const at = now()
      if (at - session.lastSeenAt > idleSeconds * 1000 || at - session.createdAt > maxSeconds * 1000) {
        await redis.del(key(id))
        return null
      }
      const touched = { ...session, lastSeenAt: at }
      await save(id, touched)
      return touched
    },

    /** Ends a session: its cookie opens nothing afterwards. */
    async end (id: string): Promise<void> {
      await redis.del(key(id))
    },

    /** Whether a form's token is its session's. */
    csrfHolds: (session: ConsoleSession, token: unknown): boolean =>
      typeof token === 'string' && token.length === session.csrf.length && timingSafeEqual(Buffer.from(token), Buffer.from(session.csrf)),

    /** A one-time sign-in link's token (break-glass and try-out: the CLI's console link), good for `minutes`. */
    async createLink (grant: LinkGrant, minutes: number): Promise<string> {
      const token = randomId()
      await redis.set(linkKey(token), JSON.stringify(grant), 'EX', minutes * 60)
      return token
    },

    /** What a one-time link grants, once: a second use finds nothing. */
    async redeemLink (token: string): Promise<LinkGrant | null> {
      const text = await redis.getdel(linkKey(token))
      return text === null ? null : JSON.parse(text) as LinkGrant
    },

    /** Keeps a sign-in's PKCE verifier, state and nonce for ten minutes, under an id for its cookie. */
    async begin (pending: PendingSignIn): Promise<string> {
      const id = randomId()
      await redis.set(pendingKey(id), JSON.stringify(pending), 'EX', 600)
      return id
    },

    /** Takes a sign-in's pending state, once. */
    async resume (id: string): Promise<PendingSignIn | null> {
      const text = await redis.getdel(pendingKey(id))
      return text === null ? null : JSON.parse(text) as PendingSignIn
    }
  }
}
export type ConsoleSessions = ReturnType<typeof createConsoleSessions>
