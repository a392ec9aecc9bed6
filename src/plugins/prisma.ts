// Infrastructure: the Prisma client as `app.prisma`.
import fp from 'fastify-plugin'
import { createPrismaClient, type PrismaClient } from '../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient
  }
}

export interface PrismaPluginOptions {
  connectionString: string
  /** A client owned by the caller (tests, the single-process mode); it is not closed here. */
  client?: PrismaClient
}

export default fp<PrismaPluginOptions>(async function prismaPlugin (app, opts) {
  const prisma = opts.client ?? createPrismaClient({ connectionString: opts.connectionString })
  app.decorate('prisma', prisma)
  if (!opts.client) {
    app.addHook('onClose', async () => { await prisma.$disconnect() })
  }
}, { name: 'prisma', fastify: '5.x' })
