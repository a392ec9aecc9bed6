// The API as a process: bad configuration stops it with a clear message; SIGTERM lets in-flight requests finish.
import t, { type Test } from 'tap'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { connect, createServer, type AddressInfo } from 'node:net'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Challenge } from 'altcha-lib'
import { solve } from '../helpers/altcha.js'
import { sharedDatabase, testDatabase } from '../helpers/database.js'
import { TEST_DATABASE_URL, TEST_REDIS_URL, RUN_ID } from '../helpers/config.js'
import pg from 'pg'
import { submission } from '../helpers/app.js'
import { eventually, freePort } from '../helpers/wait.js'
import { forkEntry } from '../helpers/processes.js'

function startApi (env: Record<string, string>): { child: ChildProcess, output: () => string } {
  let output = ''
  const child = forkEntry('src/server.ts', [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  return { child, output: () => output }
}

t.test('a malformed variable stops the process with a message naming it', async (t) => {
  const { child, output } = startApi({ PORT: 'eighty', RETENTION_DAYS: '-1' })
  const [code] = await once(child, 'exit') as [number]
  t.equal(code, 78)
  t.match(output(), /Invalid configuration:/)
  t.match(output(), /PORT: .*got "eighty"/)
  t.match(output(), /RETENTION_DAYS: .*got "-1"/)
})

/** The public URL from the process's "ready" line, once every listener is bound. */
const readyUrl = (output: string): string | undefined => /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"ready"/.exec(output)?.[1]

/** True when something accepts connections on the loopback port. */
async function listening (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { resolve(false) })
  })
}

t.test('a port in use ends the process with one line naming the variable to change, no stack, no listener left open', async (t) => {
  await sharedDatabase()
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { holder.close() })
  const held = (holder.address() as AddressInfo).port
  const env = { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `test-${RUN_ID}-ports`, LOG_LEVEL: 'info' }
  for (const [variable, other] of [['METRICS_PORT', 'PORT'], ['PORT', 'METRICS_PORT']] as const) {
    const free = await freePort()
    const { child, output } = startApi({ ...env, [variable]: String(held), [other]: String(free) })
    t.teardown(() => { child.kill('SIGKILL') })
    const [code] = await once(child, 'exit') as [number]
    t.equal(code, 1, `${variable} in use: exit code 1`)
    const fatal = output().split('\n').filter((line) => /"level":60/.test(line))
    t.equal(fatal.length, 1, 'one line says why')
    t.match(fatal[0], new RegExp(`"variable":"${variable}".*${variable}: cannot listen on 127\\.0\\.0\\.1:${held} \\(in use\\); set ${variable} to a free port`))
    t.notMatch(output(), /\n\s+at /, 'no stack')
    t.notMatch(output(), /"msg":"ready"/, 'never said it was ready')
    t.notOk(await listening(free), `its ${other} is not left open`)
  }
})

/**
 * The API, with a submission held in flight for as long as the test likes: a transaction
 * holds a lock on contact_requests that the submission's INSERT waits for, until release().
 */
async function startHeldApi (t: Test) {
  await sharedDatabase()
  const api = startApi({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test-${RUN_ID}-process`,
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ALTCHA_COST: '10',
    SITE_HOSTNAMES: 'www.ri.se'
  })
  t.teardown(() => { api.child.kill('SIGKILL') })
  const url = await eventually(async () => readyUrl(api.output()), { timeoutMs: 20_000, what: 'the API to listen' })
  const holder = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await holder.connect()
  await holder.query('BEGIN')
  await holder.query('LOCK TABLE contact_requests IN SHARE MODE')
  let held = true
  const release = async () => {
    if (!held) return
    held = false
    await holder.query('COMMIT')
    await holder.end()
  }
  t.teardown(release)
  return {
    ...api,
    url,
    release,
    /** A submission as the form would post it, with a solved challenge from this API. */
    async body (overrides: Record<string, unknown> = {}): Promise<string> {
      // On a connection of its own, closed after: the submission's connection is the one in flight.
      const challenge = await (await fetch(`${url}/v1/captcha/challenge`, { headers: { connection: 'close' } })).json() as Challenge
      return JSON.stringify(submission({ captcha: { provider: 'altcha', token: await solve(challenge) }, ...overrides }))
    },
    /** Resolves once a submission waits for the lock: it is in flight. */
    async inFlight (): Promise<void> {
      await eventually(async () => {
        const { rows } = await holder.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
        return rows.length > 0 ? true : undefined
      }, { what: 'the submission to wait for the lock' })
    }
  }
}

/** Waits a moment in which something that should not happen would. */
const moment = async () => { await new Promise((resolve) => setTimeout(resolve, 300)) }

t.test('on SIGTERM the API stops accepting, finishes the request in flight, and exits', async (t) => {
  const api = await startHeldApi(t)
  const { child, output, url } = api

  let exited = false
  child.once('exit', () => { exited = true })
  const inFlight = fetch(`${url}/v1/contact-requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: await api.body() })
  await api.inFlight()
  child.kill('SIGTERM')
  await moment()
  t.notOk(exited, 'the process waits for the request in flight')
  await api.release()
  const response = await inFlight
  t.equal(response.status, 202, 'the request in flight was answered')
  const code = child.exitCode ?? (await once(child, 'exit') as [number])[0]
  t.equal(code, 0, 'the process exited cleanly')
  t.match(output(), /"signal":"SIGTERM".*shutting down/)
  await t.rejects(fetch(`${url}/health/live`), 'nothing listens any more')
})

t.test('on SIGTERM, a submission whose client hung up is still stored before the database closes', async (t) => {
  const api = await startHeldApi(t)
  const { child, output, url } = api
  const prisma = await testDatabase()
  const before = await prisma.contactRequest.count()
  const client = new AbortController()
  const abandoned = fetch(`${url}/v1/contact-requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: await api.body({ message: 'Skickat och övergivet' }),
    signal: client.signal
  })
  await api.inFlight()
  client.abort()
  await t.rejects(abandoned)
  child.kill('SIGTERM')
  await moment()
  await api.release()
  const [code] = await once(child, 'exit') as [number]
  t.equal(code, 0, 'the process exited cleanly')
  t.notMatch(output(), /unexpected error|Cannot use a pool/, 'nothing ran into a closed pool')
  t.equal(await prisma.contactRequest.count({ where: { message: 'Skickat och övergivet' } }), 1, 'the submission was stored')
  t.ok(await prisma.contactRequest.count() > before)
})

/** Resolves with the connection error, or null if something accepted the connection. */
async function connectError (url: string): Promise<string | null> {
  const { hostname, port } = new URL(url)
  return await new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    socket.once('connect', () => { socket.destroy(); resolve(null) })
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? err.message) })
  })
}

t.test('during the shutdown window new connections are refused while the submission in flight finishes and is stored', async (t) => {
  const api = await startHeldApi(t)
  const { child, url } = api
  const prisma = await testDatabase()
  let settled = false
  const inFlight = fetch(`${url}/v1/contact-requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: await api.body({ message: 'Mitt i avstängningen' })
  }).finally(() => { settled = true })
  await api.inFlight()
  t.equal(await connectError(url), null, 'before SIGTERM the API accepts connections')
  child.kill('SIGTERM')
  const refused = await eventually(async () => await connectError(url) ?? undefined, { what: 'new connections to be refused' })
  t.equal(refused, 'ECONNREFUSED')
  t.notOk(settled, 'while the submission in flight is still being handled')
  await api.release()
  const response = await inFlight
  t.equal(response.status, 202)
  t.equal(response.headers.get('connection'), 'close', 'and its answer closes the connection')
  const [code] = await once(child, 'exit') as [number]
  t.equal(code, 0)
  t.equal(await prisma.contactRequest.count({ where: { message: 'Mitt i avstängningen' } }), 1, 'it was stored')
})

t.test('npm start\'s single process serves the API and delivers with its own worker, then stops on SIGTERM', async (t) => {
  await sharedDatabase()
  const dropDir = await mkdtemp(join(tmpdir(), 'main-mail-'))
  let output = ''
  const child = forkEntry('main.ts', [], {
    env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: `test-${RUN_ID}-main`, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', MAIL_DROP_DIR: dropDir, PURGE_CRON: 'off', NOTIFY_LOCK_MS: '30000' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  t.teardown(() => { child.kill('SIGKILL') })
  const url = await eventually(async () => readyUrl(output), { timeoutMs: 20_000, what: 'the process to listen' })
  t.match(output, /"variable":"NOTIFY_LOCK_MS","renamedTo":"JOB_LOCK_MS".*"msg":"NOTIFY_LOCK_MS is read as JOB_LOCK_MS/, 'an old variable name is warned about')
  // The worker is up before the process says it is ready.
  t.ok(await eventually(async () => /notify worker started/.test(output) ? true : undefined, { what: 'the worker to start' }))
  const challenge = await (await fetch(`${url}/v1/captcha/challenge`)).json() as Challenge
  const response = await fetch(`${url}/v1/contact-requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(submission({ captcha: { provider: 'altcha', token: await solve(challenge) }, message: 'Från npm start' }))
  })
  t.equal(response.status, 202)
  const { id } = await response.json() as { id: string }
  // The drop folder holds the receipt too (receipts are on by default): look for the notification among them.
  const notification = await eventually(async () => {
    const texts = await Promise.all((await readdir(dropDir)).map(async (f) => await readFile(join(dropDir, f), 'utf8')))
    return texts.find((text) => text.includes(`X-Contact-Request-ID: ${id}`))
  }, { timeoutMs: 10_000, what: 'the notification in the drop folder' })
  t.ok(notification, 'delivered by the worker in the same process')
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit') as [number]
  t.equal(code, 0)
})
