// Infrastructure: the database as `app.prisma` (and `app.pg`, its pool, for the intake hot path).
import fp from 'fastify-plugin'
import type pg from 'pg'
import { createDatabase, type Database, type PrismaClient } from '../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient
    pg: pg.Pool
  }
}

export interface PrismaPluginOptions {
  connectionString: string
  poolSize: number
  /** A database owned by the caller (tests); it is not closed here. */
  database?: Database
}

export default fp<PrismaPluginOptions>(async function prismaPlugin (app, opts) {
  const database = opts.database ?? createDatabase({ connectionString: opts.connectionString, max: opts.poolSize })
  app.decorate('prisma', database.prisma)
  app.decorate('pg', database.pool)
  if (opts.database === undefined) {
    app.addHook('onClose', async () => { await database.close() })
  }
}, { name: 'prisma', fastify: '5.x' })
