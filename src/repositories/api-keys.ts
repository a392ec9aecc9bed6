// Admin API keys (api_keys): the only module that names their columns. What a key is: src/admin/keys.ts.
import type { Database } from '../db/client.js'
import type { ApiKey } from '../generated/prisma/client.js'

export type ListedKey = Omit<ApiKey, 'hash'>

export function createApiKeyRepository ({ prisma }: Database) {
  return {
    async insert (key: Pick<ApiKey, 'id' | 'name' | 'prefix' | 'hash' | 'scopes'>): Promise<void> {
      await prisma.apiKey.create({ data: key })
    },

    async findByPrefix (prefix: string): Promise<ApiKey | null> {
      return await prisma.apiKey.findUnique({ where: { prefix } })
    },

    async touch (id: string): Promise<void> {
      await prisma.apiKey.update({ where: { id }, data: { lastUsedAt: new Date() } })
    },

    /** Revokes the active key with this prefix (or id); false when there is none. */
    async revoke (idOrPrefix: string): Promise<boolean> {
      const { count } = await prisma.apiKey.updateMany({
        where: { OR: [{ prefix: idOrPrefix }, ...(/^[0-9a-f-]{36}$/.test(idOrPrefix) ? [{ id: idOrPrefix }] : [])], revokedAt: null },
        data: { revokedAt: new Date() }
      })
      return count > 0
    },

    /** Every key, oldest first, without its hash. */
    async list (): Promise<ListedKey[]> {
      return await prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' }, omit: { hash: true } })
    }
  }
}
export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>
