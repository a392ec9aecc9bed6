// One transaction on one client of the pool, for the repositories that write several statements
// together with node-postgres rather than Prisma.
import type pg from 'pg'
import { isDatabaseUnavailable } from '../db/unavailable.js'

/** Runs `work` in a transaction on one client of the pool, one statement at a time. */
export async function inTransaction<T> (pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    client.release()
    return result
  } catch (err) {
    // A connection that timed out or broke is dropped, not rolled back: the server rolls back
    // what it had when the session ends, and a silent one would not answer the ROLLBACK either.
    if (isDatabaseUnavailable(err)) {
      client.release(err as Error)
    } else {
      const rolledBack = await client.query('ROLLBACK').then(() => true, () => false)
      client.release(rolledBack ? undefined : err as Error)
    }
    throw err
  }
}
