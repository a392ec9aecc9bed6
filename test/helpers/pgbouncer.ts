// PgBouncer in transaction pooling mode in front of the test's PostgreSQL, on a free loopback port.
// It refuses to run as root, so it runs as postgres, from a folder that user owns; it is stopped by
// the PID it writes.
import { execFile } from 'node:child_process'
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { eventually, freePort } from './wait.js'

const run = promisify(execFile)

interface TestLike { teardown: (fn: () => unknown) => void }

export interface PgBouncer {
  port: number
  /** `url` with its host and port replaced by PgBouncer's. */
  through: (url: string) => string
  stop: () => Promise<void>
  start: () => Promise<void>
}

export async function pgBouncer (t: TestLike, upstream: { host: string, port: number }): Promise<PgBouncer> {
  const port = await freePort()
  const dir = await mkdtemp('/tmp/pgbouncer-')
  const ini = join(dir, 'pgb.ini')
  await writeFile(join(dir, 'users.txt'), '"postgres" ""\n')
  await writeFile(ini, [
    '[databases]',
    `* = host=${upstream.host} port=${upstream.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'auth_type = trust',
    `auth_file = ${dir}/users.txt`,
    'pool_mode = transaction',
    'max_client_conn = 200',
    'default_pool_size = 20',
    'unix_socket_dir =',
    `logfile = ${dir}/pgb.log`,
    `pidfile = ${dir}/pgb.pid`
  ].join('\n') + '\n')
  const asPostgres = userInfo().uid === 0
  if (asPostgres) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    for (const path of [dir, ini, join(dir, 'users.txt')]) await chown(path, Number(stdout), Number(gid))
  }
  const answers = async () => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return true
    } catch {
      return undefined
    } finally {
      await client.end().catch(() => {})
    }
  }
  const bouncer: PgBouncer = {
    port,
    through: (url) => {
      const u = new URL(url)
      u.hostname = '127.0.0.1'
      u.port = String(port)
      return u.toString()
    },
    async start () {
      const command = `pgbouncer -d ${ini}`
      if (asPostgres) await run('su', ['postgres', '-s', '/bin/sh', '-c', command])
      else await run('sh', ['-c', command])
      await eventually(answers, { what: 'PgBouncer to answer' })
    },
    async stop () {
      const pid = Number(await readFile(join(dir, 'pgb.pid'), 'utf8').catch(() => ''))
      if (!Number.isInteger(pid) || pid <= 0) return
      try { process.kill(pid, 'SIGTERM') } catch { return }
      await eventually(async () => { try { process.kill(pid, 0); return undefined } catch { return true } }, { what: 'PgBouncer to exit' })
    }
  }
  t.teardown(async () => {
    await bouncer.stop()
    await rm(dir, { recursive: true, force: true })
  })
  await bouncer.start()
  return bouncer
}
