// Creates the Prisma client over node-postgres (the driver adapter needs no query engine binary).
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../generated/prisma/client.js'

export type { PrismaClient }

export interface PrismaOptions {
  connectionString: string
  /** Pool size; the default suits one API process on a small machine. */
  max?: number
  /** Fail a query fast when the database cannot be reached, instead of hanging the request. */
  connectionTimeoutMillis?: number
}

export function createPrismaClient ({ connectionString, max = 10, connectionTimeoutMillis = 3000 }: PrismaOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max, connectionTimeoutMillis })
  return new PrismaClient({ adapter })
}
