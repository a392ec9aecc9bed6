// Where a person's data could still be: every table, every Redis key of a run, the mail drop.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { RedisClient } from '../../src/redis/connect.js'
import { sharedDatabase } from './database.js'

/** Every row of every table whose text, JSON or array columns mention `needle`, as "table.column". */
export async function databaseMentions (needle: string): Promise<string[]> {
  const { pool } = await sharedDatabase()
  const { rows: columns } = await pool.query<{ table_name: string, column_name: string }>(`
    SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND data_type IN ('text', 'character', 'character varying', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')`)
  const found: string[] = []
  for (const { table_name: table, column_name: column } of columns) {
    const { rows } = await pool.query(`SELECT 1 FROM "${table}" WHERE "${column}"::text ILIKE '%' || $1 || '%' LIMIT 1`, [needle])
    if (rows.length > 0) found.push(`${table}.${column}`)
  }
  return found
}

/**
 * Every key of this test run's prefix, with its value, as text: on a Cluster, from every master
 * (the queues' keys are under the prefix in braces there, a hash tag).
 */
export async function redisDump (redis: RedisClient, prefix: string): Promise<string> {
  const nodes: Redis[] = 'nodes' in redis && redis.isCluster ? redis.nodes('master') : [redis as Redis]
  return (await Promise.all(nodes.map(async (node) => await nodeDump(node, prefix)))).filter((d) => d !== '').join('\n')
}

async function nodeDump (redis: Redis, prefix: string): Promise<string> {
  const out: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', '1000')
    cursor = next
    for (const key of keys) {
      const type = await redis.type(key)
      const value = type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? await redis.hgetall(key)
          : type === 'list'
            ? await redis.lrange(key, '0', '-1')
            : type === 'set'
              ? await redis.smembers(key)
              : type === 'zset'
                ? await redis.zrange(key, '0', '-1')
                : type === 'stream' ? await redis.xrange(key, '-', '+') : null
      out.push(`${key} ${JSON.stringify(value)}`)
    }
  } while (cursor !== '0')
  return out.join('\n')
}

export async function mailDropText (dir: string): Promise<string> {
  const names = await readdir(dir).catch(() => [])
  return (await Promise.all(names.map(async (n) => await readFile(join(dir, n), 'utf8')))).join('\n')
}
