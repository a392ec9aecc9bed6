// Admin API keys: created by the CLI, shown once, kept only as a SHA-256, revocable, scoped.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { ApiKeyRepository, ListedKey } from '../repositories/api-keys.js'

export const SCOPES = [
  'requests:read', 'requests:write', 'contacts:read', 'contacts:write', 'retention:purge',
  'subjects:export', 'subjects:erase', 'audit:read', 'webhooks:read', 'webhooks:write'
] as const
export type Scope = typeof SCOPES[number]

export interface AdminKey {
  id: string
  name: string
  scopes: Scope[]
}

// "cik_<prefix>_<secret>": the prefix finds the row, the whole key is hashed.
// 32 random bytes need no slow hash: nobody can guess their way to a match.
const KEY_FORMAT = /^cik_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/

const sha256 = (key: string): Buffer => createHash('sha256').update(key).digest()

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value)

export function createKeyStore (repository: ApiKeyRepository) {
  return {
    /** Creates a key and answers it: the only time it can be seen. */
    async create (name: string, scopes: Scope[]): Promise<{ id: string, key: string }> {
      const prefix = randomBytes(6).toString('hex')
      const key = `cik_${prefix}_${randomBytes(32).toString('base64url')}`
      const id = randomUUID()
      await repository.insert({ id, name, prefix, hash: sha256(key).toString('hex'), scopes: scopes.join(' ') })
      return { id, key }
    },

    /** The key a bearer token stands for, or null: unknown, malformed or revoked alike. */
    async authenticate (token: string): Promise<AdminKey | null> {
      const match = KEY_FORMAT.exec(token)
      if (match === null) return null
      const row = await repository.findByPrefix(match[1] ?? '')
      if (row === null || row.revokedAt !== null) return null
      if (!timingSafeEqual(sha256(token), Buffer.from(row.hash, 'hex'))) return null
      await repository.touch(row.id)
      return { id: row.id, name: row.name, scopes: row.scopes.split(' ').filter(isScope) }
    },

    async revoke (idOrPrefix: string): Promise<boolean> {
      return await repository.revoke(idOrPrefix)
    },

    async list (): Promise<ListedKey[]> {
      return await repository.list()
    }
  }
}
export type KeyStore = ReturnType<typeof createKeyStore>
