// Published privacy notices (privacy_notices): the only module that names their columns.
import type { Database } from '../db/client.js'
import type { PrivacyNotice } from '../generated/prisma/client.js'

export type StoredNotice = Pick<PrivacyNotice, 'version' | 'locale' | 'text' | 'sha256'>

export function createNoticeRepository ({ prisma }: Database) {
  return {
    async find (version: string, locale: string): Promise<StoredNotice | null> {
      return await prisma.privacyNotice.findUnique({
        where: { version_locale: { version, locale } },
        select: { version: true, locale: true, text: true, sha256: true }
      })
    },

    /** The newest published version in a language. */
    async newestVersion (locale: string): Promise<string | null> {
      const row = await prisma.privacyNotice.findFirst({ where: { locale }, orderBy: { version: 'desc' }, select: { version: true } })
      return row?.version ?? null
    },

    async insert (notice: StoredNotice): Promise<void> {
      await prisma.privacyNotice.create({ data: notice })
    }
  }
}
export type NoticeRepository = ReturnType<typeof createNoticeRepository>
