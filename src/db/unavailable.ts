// Whether an error means PostgreSQL could not be reached (down, silent, refusing), rather than that
// the query was wrong: the error handler answers those with 503, and a broken connection is dropped.
import { Prisma } from '../generated/prisma/client.js'

/** Prisma's codes for "could not talk to the database" (connection, auth, pool timeout). */
const DB_UNREACHABLE_CODES = new Set(['P1000', 'P1001', 'P1002', 'P1003', 'P1008', 'P1010', 'P1011', 'P1017', 'P2024'])
/** The driver adapter's error kinds that mean the same. */
const DB_UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'DatabaseDoesNotExist', 'DatabaseAccessDenied', 'AuthenticationFailed', 'ConnectionClosed', 'TooManyConnections', 'TlsConnectionError'])

/** node-postgres: socket errors, and the pool's own connect timeout. */
const PG_UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|57P0[1-3]|53300|3D000|28P01|28000)$/

/** True when the error says PostgreSQL could not be reached, rather than that the query was wrong. */
export function isDatabaseUnavailable (err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientInitializationError) return true
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && PG_UNREACHABLE.test(code)) return true
  if (err instanceof Error && /timeout exceeded when trying to connect|Connection terminated|Query read timeout/.test(err.message)) return true
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false
  const kind = (err.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause?.kind
  return DB_UNREACHABLE_CODES.has(err.code) || (kind !== undefined && DB_UNREACHABLE_KINDS.has(kind))
}
