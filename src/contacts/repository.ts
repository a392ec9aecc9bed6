// Reads of the contact directory.
import type { PrismaClient } from '../db/client.js'
import type { RoutableContact } from './routing.js'

export interface PublicContact { id: string, name: string, title: string }

export function createContactRepository (prisma: PrismaClient) {
  const routingSelect = {
    id: true,
    email: true,
    locale: true,
    active: true,
    delegateStandsIn: true,
    retentionDays: true,
    delegate: { select: { id: true, email: true, locale: true, active: true } }
  } as const

  return {
    /** Contacts that forms may offer: active ones, without their addresses. */
    async listActive (): Promise<PublicContact[]> {
      return await prisma.contact.findMany({
        where: { active: true },
        select: { id: true, name: true, title: true },
        orderBy: { name: 'asc' }
      })
    },

    async findForRouting (id: string): Promise<(RoutableContact & { retentionDays: number | null }) | null> {
      return await prisma.contact.findUnique({ where: { id }, select: routingSelect })
    }
  }
}
export type ContactRepository = ReturnType<typeof createContactRepository>
