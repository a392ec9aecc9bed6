// Admin keys for tests, and requests that carry them.
import type { FastifyInstance, InjectOptions } from 'fastify'
import { SCOPES, type Scope } from '../../src/admin/keys.js'

export async function adminKey (app: FastifyInstance, scopes: readonly Scope[] = SCOPES, name = 'test-admin'): Promise<string> {
  return (await app.services.keys.create(name, [...scopes])).key
}

export async function asAdmin (app: FastifyInstance, key: string | null, options: InjectOptions) {
  return await app.inject({ ...options, headers: { ...options.headers, ...(key === null ? {} : { authorization: `Bearer ${key}` }) } })
}
