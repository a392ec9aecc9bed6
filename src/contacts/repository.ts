// Reads of the contact directory.
import type { PrismaClient } from '../db/client.js'

/** What a form or a contact card may show: never an e-mail address. */
export interface PublicContact { id: string, name: string, title: string, phone?: string }

export function createContactRepository (prisma: PrismaClient) {
  return {
    /** Contacts that forms may offer: active ones, without their addresses. */
    async listActive (): Promise<PublicContact[]> {
      const rows = await prisma.contact.findMany({
        where: { active: true },
        select: { id: true, name: true, title: true, phone: true },
        orderBy: { name: 'asc' }
      })
      return rows.map(({ phone, ...contact }) => phone === null ? contact : { ...contact, phone })
    }
  }
}
export type ContactRepository = ReturnType<typeof createContactRepository>
