// The contact directory (contacts): the only module that names its columns.
import type { Database } from '../db/client.js'
import type { Contact } from '../generated/prisma/client.js'
import type { ContactEntry } from '../contacts/directory.js'
import type { DirectoryContact } from '../contacts/routing.js'

/** What a form or a contact card may show: never an e-mail address. */
export interface PublicContact { id: string, name: string, title: string, phone?: string }

/** A directory row as the directory file writes it. */
const toEntry = (c: Contact): ContactEntry => ({
  id: c.id,
  name: c.name,
  title: c.title,
  email: c.email,
  ...(c.phone === null ? {} : { phone: c.phone }),
  locale: c.locale as ContactEntry['locale'],
  active: c.active,
  ...(c.delegateId === null ? {} : { delegateId: c.delegateId }),
  delegateStandsIn: c.delegateStandsIn,
  ...(c.retentionDays === null ? {} : { retentionDays: c.retentionDays }),
  ...(c.responseDays === null ? {} : { responseDays: c.responseDays })
})

/** What anyone may read of a contact: never the address. */
const PUBLIC_FIELDS = { id: true, name: true, title: true, phone: true } as const

const toPublic = ({ phone, ...contact }: { id: string, name: string, title: string, phone: string | null }): PublicContact =>
  phone === null ? contact : { ...contact, phone }

// eslint-disable-next-line max-lines-per-function -- a repository: each method is one query
export function createContactRepository ({ prisma }: Database) {
  return {
    /**
     * Contacts that forms may offer: active ones, without their addresses, by name; only `ids`
     * when given, and at most `limit`.
     */
    async listActive ({ ids, limit }: { ids?: string[], limit?: number } = {}): Promise<PublicContact[]> {
      const rows = await prisma.contact.findMany({
        where: { active: true, ...(ids === undefined ? {} : { id: { in: ids } }) },
        select: PUBLIC_FIELDS,
        orderBy: { name: 'asc' },
        ...(limit === undefined ? {} : { take: limit })
      })
      return rows.map(toPublic)
    },

    /** One contact a form may address, or null for an unknown or inactive id (the two look alike). */
    async findActive (id: string): Promise<PublicContact | null> {
      const row = await prisma.contact.findFirst({ where: { id, active: true }, select: PUBLIC_FIELDS })
      return row === null ? null : toPublic(row)
    },

    /** The whole directory, inactive contacts included, as the directory file would list it. */
    async entries (): Promise<ContactEntry[]> {
      return (await prisma.contact.findMany({ orderBy: { id: 'asc' } })).map(toEntry)
    },

    /** The active contact with this e-mail address (whatever its case), if any: whom a console sign-in is. */
    async idByEmail (email: string): Promise<string | null> {
      const row = await prisma.contact.findFirst({ where: { email: { equals: email, mode: 'insensitive' }, active: true }, select: { id: true } })
      return row?.id ?? null
    },

    /** Whether the directory has this contact, active or not. */
    async exists (id: string): Promise<boolean> {
      return await prisma.contact.count({ where: { id } }) > 0
    },

    /** Every contact with its delegate, for routing and retention. */
    async forRouting (): Promise<DirectoryContact[]> {
      return await prisma.contact.findMany({
        select: {
          id: true,
          email: true,
          locale: true,
          active: true,
          delegateStandsIn: true,
          retentionDays: true,
          responseDays: true,
          delegate: { select: { id: true, email: true, locale: true, active: true } }
        }
      })
    },

    /** Contacts whose requests are kept for another time than the default. */
    async retentionOverrides (): Promise<Array<{ contactId: string, days: number }>> {
      const rows = await prisma.contact.findMany({ where: { retentionDays: { not: null } }, select: { id: true, retentionDays: true }, orderBy: { id: 'asc' } })
      return rows.map((c) => ({ contactId: c.id, days: c.retentionDays ?? 0 }))
    },

    /** Writes the fields an admin may change. */
    async update (entry: ContactEntry): Promise<void> {
      await prisma.contact.update({
        where: { id: entry.id },
        data: {
          active: entry.active,
          delegateId: entry.delegateId ?? null,
          delegateStandsIn: entry.delegateStandsIn,
          retentionDays: entry.retentionDays ?? null,
          responseDays: entry.responseDays ?? null
        }
      })
    },

    /**
     * Makes the table match the directory: every listed contact is created or
     * updated; contacts no longer listed are deactivated (their past requests keep
     * pointing at them). Delegates are set in a second pass, once all rows exist.
     */
    async sync (entries: ContactEntry[]): Promise<{ upserted: number, deactivated: number }> {
      return await prisma.$transaction(async (tx) => {
        for (const entry of entries) {
          const data = {
            name: entry.name,
            title: entry.title,
            email: entry.email,
            phone: entry.phone ?? null,
            locale: entry.locale ?? 'sv',
            active: entry.active ?? true,
            delegateStandsIn: entry.delegateStandsIn ?? false,
            retentionDays: entry.retentionDays ?? null,
            responseDays: entry.responseDays ?? null
          }
          await tx.contact.upsert({ where: { id: entry.id }, create: { id: entry.id, ...data }, update: data })
        }
        for (const entry of entries) {
          await tx.contact.update({ where: { id: entry.id }, data: { delegateId: entry.delegateId ?? null } })
        }
        const { count } = await tx.contact.updateMany({
          where: { id: { notIn: entries.map((e) => e.id) }, active: true },
          data: { active: false }
        })
        return { upserted: entries.length, deactivated: count }
      })
    }
  }
}
export type ContactRepository = ReturnType<typeof createContactRepository>
