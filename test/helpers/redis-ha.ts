// Redis as production runs it, on loopback ports: a master, a replica and three sentinels, or a
// three-master cluster. Child processes of the test, each stopped by its PID when the test ends.
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { eventually, freePort } from './wait.js'

const run = promisify(execFile)

interface TestLike { teardown: (fn: () => unknown) => void }

/**
 * A redis-server of the test's own; `kill` sends SIGKILL and waits for the exit, `restart` starts it
 * again on the same port, in the same folder (a cluster node finds its nodes.conf there).
 */
interface Node { port: number, kill: () => Promise<void>, restart: () => Promise<void> }

/** A data node with `args`, or a sentinel with its configuration file. */
async function startNode (t: TestLike, args: string[], cwd: string, sentinelFile?: string): Promise<Node> {
  const port = await freePort()
  const argv = sentinelFile === undefined
    ? ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args]
    : [sentinelFile, '--sentinel', '--port', String(port), '--bind', '127.0.0.1']
  let child: ChildProcess
  const start = async () => {
    child = spawn('redis-server', argv, { cwd, stdio: 'ignore' })
    await eventually(async () => await cli(port, 'ping').then((out) => out === 'PONG' ? true : undefined, () => undefined), { what: `redis-server on ${port}` })
  }
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    await new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGKILL') })
  }
  t.teardown(kill)
  await start()
  return { port, kill, restart: start }
}

/** One redis-cli command against a loopback port; its output, trimmed. */
export async function cli (port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 })
  return stdout.trim()
}

async function scratch (t: TestLike, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  return dir
}

export interface SentinelSet {
  name: string
  master: Node
  replica: Node
  sentinels: Node[]
  /** REDIS_SENTINELS as the service takes it. */
  addresses: string
  /** The port the sentinels name as master now. */
  masterPort: () => Promise<number>
}

/** A master, its replica and three sentinels (quorum 2) that fail over within a few seconds. */
export async function redisSentinelSet (t: TestLike, name = 'intake'): Promise<SentinelSet> {
  const dir = await scratch(t, 'sentinel')
  const master = await startNode(t, [], dir)
  const replica = await startNode(t, ['--replicaof', '127.0.0.1', String(master.port)], dir)
  await eventually(async () => /master_link_status:up/.test(await cli(replica.port, 'info', 'replication')) ? true : undefined, { what: 'the replica to sync', timeoutMs: 15_000 })
  const sentinels: Node[] = []
  for (let i = 0; i < 3; i++) {
    // A sentinel rewrites its file: each has its own.
    const file = join(dir, `sentinel-${i}.conf`)
    await writeFile(file, [
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
      `dir ${dir}`
    ].join('\n') + '\n')
    sentinels.push(await startNode(t, [], dir, file))
  }
  // The sentinels find each other and the replica through the master (hello messages every 2 s).
  await eventually(async () => {
    const info = await cli(sentinels[0]!.port, 'sentinel', 'master', name)
    return /num-other-sentinels\s+2/.test(info) && /num-slaves\s+1/.test(info) ? true : undefined
  }, { timeoutMs: 15_000, intervalMs: 200, what: 'the sentinels to find each other and the replica' })
  const masterPort = async () => Number((await cli(sentinels[0]!.port, 'sentinel', 'get-master-addr-by-name', name)).split('\n')[1])
  return { name, master, replica, sentinels, addresses: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), masterPort }
}

export interface RedisClusterSet {
  nodes: Node[]
  /** REDIS_CLUSTER_NODES as the service takes it. */
  addresses: string
}

/** Three masters, no replicas, every slot assigned. */
export async function redisCluster (t: TestLike): Promise<RedisClusterSet> {
  const nodes: Node[] = []
  for (let i = 0; i < 3; i++) {
    const dir = await scratch(t, `cluster-${i}`)
    nodes.push(await startNode(t, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'], dir))
  }
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`)
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 })
  await eventually(async () => {
    const infos = await Promise.all(nodes.map(async (n) => await cli(n.port, 'cluster', 'info')))
    return infos.every((info) => /cluster_state:ok/.test(info)) ? true : undefined
  }, { timeoutMs: 15_000, intervalMs: 200, what: 'the cluster to be ok on every node' })
  return { nodes, addresses: addresses.join(',') }
}
