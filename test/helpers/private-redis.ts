// A Redis server of the test's own, which the test may stop and start again on the same port.
import { spawn, type ChildProcess } from 'node:child_process'
import { Redis } from 'ioredis'
import { eventually, freePort } from './wait.js'
import { BLOCKING_RECONNECT_MAX_MS } from '../../src/redis/connect.js'

export interface PrivateRedis {
  url: string
  start: () => Promise<void>
  stop: () => Promise<void>
  /**
   * Waits until every client has had its chance to reconnect since the last start (the blocking
   * connections' backoff is at most BLOCKING_RECONNECT_MAX_MS). A test that restarted Redis ends
   * with it: closing a BullMQ worker whose client is still in its backoff hangs (see workers/services.ts).
   */
  settled: () => Promise<void>
}

export async function privateRedis (t: { teardown: (fn: () => unknown) => void }): Promise<PrivateRedis> {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | null = null
  let startedAt = 0

  const ping = async (): Promise<boolean> => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    client.on('error', () => {})
    try {
      await client.connect()
      return (await client.ping()) === 'PONG'
    } catch {
      return false
    } finally {
      client.disconnect()
    }
  }

  const redis: PrivateRedis = {
    url,
    async start () {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
      await eventually(async () => await ping() ? true : undefined, { what: 'the private Redis to answer' })
      startedAt = Date.now()
    },
    async settled () {
      const wait = startedAt + BLOCKING_RECONNECT_MAX_MS + 200 - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    },
    async stop () {
      const running = child
      child = null
      if (running === null || running.exitCode !== null) return
      await new Promise((resolve) => { running.once('exit', resolve); running.kill('SIGKILL') })
    }
  }
  t.teardown(redis.stop)
  return redis
}
