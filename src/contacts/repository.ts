// Reads of the contact directory.
import type { PrismaClient } from '../db/client.js'

export interface PublicContact { id: string, name: string, title: string }

export function createContactRepository (prisma: PrismaClient) {
  return {
    /** Contacts that forms may offer: active ones, without their addresses. */
    async listActive (): Promise<PublicContact[]> {
      return await prisma.contact.findMany({
        where: { active: true },
        select: { id: true, name: true, title: true },
        orderBy: { name: 'asc' }
      })
    }
  }
}
export type ContactRepository = ReturnType<typeof createContactRepository>
