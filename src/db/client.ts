// The database: one node-postgres pool, used by Prisma's driver adapter and by the intake hot path.
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../generated/prisma/client.js'

export type { PrismaClient }

export interface Database {
  prisma: PrismaClient
  /**
   * The pool under Prisma. Only src/repositories/ query it directly, for what
   * Prisma cannot express and for the hot paths: a Prisma raw query costs about
   * twice a pg query (README.md, "Architecture").
   */
  pool: pg.Pool
  /** Answers when PostgreSQL does (a readiness probe). */
  ping: () => Promise<void>
  close: () => Promise<void>
}

export interface DatabaseOptions {
  connectionString: string
  /** Pool size; the default suits one API process on a small machine. */
  max?: number
  /** How long taking a connection may take: the database cannot be reached (or is silent) past it. */
  connectionTimeoutMillis?: number
  /**
   * How long a query may go unanswered. node-postgres then fails it and, where it leaves the
   * connection unusable, drops the connection: a silent server never closes the socket itself.
   */
  queryTimeoutMillis?: number
}

export function createDatabase (options: DatabaseOptions): Database {
  const { connectionString, max = 10, connectionTimeoutMillis = 2000, queryTimeoutMillis = 5000 } = options
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis, query_timeout: queryTimeoutMillis })
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) })
  return {
    prisma,
    pool,
    async ping () {
      await pool.query('SELECT 1')
    },
    async close () {
      await prisma.$disconnect()
      await pool.end()
    }
  }
}
