// Privacy notices: immutable, versioned texts per language, shipped as files and published to the database.
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { LOCALES, Text, type Locale } from '../schemas/common.js'
import type { NoticeRepository } from '../repositories/notices.js'

export interface Notice {
  version: string
  locale: Locale
  text: string
  sha256: string
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')

/** Why a notice text cannot be published as it is, or null: what a form shows must store and render. */
function textProblem (text: string): string | null {
  if (!Value.Check(NoticeText, text)) return 'is empty or holds a control character other than tab and line breaks'
  if (text.includes('\ufffd')) return 'is not valid UTF-8 (it holds U+FFFD, the replacement character)'
  return null
}
const NoticeText = Text(100_000)

/** Reads `<dir>/<version>/<locale>.txt` for every version folder. */
export async function readNoticeFiles (dir: string): Promise<Notice[]> {
  const notices: Notice[] = []
  for (const version of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const locale of LOCALES) {
      const text = await readFile(join(dir, version, `${locale}.txt`), 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new Error(`privacy notice ${version} has no ${locale} text (${join(dir, version, `${locale}.txt`)})`)
        throw err
      })
      const problem = textProblem(text)
      if (problem !== null) throw new Error(`privacy notice ${join(dir, version, `${locale}.txt`)} ${problem}`)
      notices.push({ version, locale, text, sha256: sha256Hex(text) })
    }
  }
  if (notices.length === 0) throw new Error(`no privacy notice found in ${dir}`)
  return notices
}

/**
 * Publishes notices that are new. A published notice never changes: if a file
 * differs from what was published under its version, this refuses to go on.
 */
export async function publishNotices (repository: NoticeRepository, notices: Notice[]): Promise<{ published: number }> {
  let published = 0
  for (const notice of notices) {
    const existing = await repository.find(notice.version, notice.locale)
    if (existing === null) {
      await repository.insert(notice)
      published++
    } else if (existing.sha256 !== notice.sha256) {
      throw new Error(`privacy notice ${notice.version}/${notice.locale} differs from the published text; publish a new version instead of editing it`)
    }
  }
  return { published }
}

/** Notice lookups, cached: published notices are immutable, so a cached one is never stale. */
export function createNoticeCatalog (repository: NoticeRepository, currentVersion?: string) {
  const cache = new Map<string, Notice>()
  const keyOf = (version: string, locale: string) => `${version}\u0000${locale}`

  return {
    async find (version: string, locale: Locale): Promise<Notice | null> {
      const cached = cache.get(keyOf(version, locale))
      if (cached !== undefined) return cached
      const row = await repository.find(version, locale)
      if (row === null) return null
      const notice: Notice = { version: row.version, locale, text: row.text, sha256: row.sha256 }
      cache.set(keyOf(version, locale), notice)
      return notice
    },

    /** The notice forms should show: the configured version, or the newest published. */
    async current (locale: Locale): Promise<Notice | null> {
      if (currentVersion !== undefined) return await this.find(currentVersion, locale)
      const version = await repository.newestVersion(locale)
      return version === null ? null : await this.find(version, locale)
    }
  }
}
export type NoticeCatalog = ReturnType<typeof createNoticeCatalog>
