// Abuse at the edges: oversized headers and URLs, slow bodies and idle connections get a clear
// status or a closed connection within the server's time-outs, and never hold a database connection.
import t from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { buildTestApp } from '../../helpers/app.js'
import { eventually } from '../../helpers/wait.js'

const TIMEOUTS = { requestTimeout: 1000, keepAliveTimeout: 500, connectionsCheckingInterval: 100 }

async function listening (t: Parameters<typeof buildTestApp>[0]) {
  const built = await buildTestApp(t, {}, { timeouts: TIMEOUTS })
  await built.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = built.app.server.address() as AddressInfo
  return { ...built, port }
}

/** A raw connection, and everything it receives until the server closes it. */
async function rawConnection (port: number) {
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  let received = ''
  socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1') })
  const closed = new Promise<void>((resolve) => socket.once('close', () => { resolve() }))
  socket.on('error', () => {})
  return { socket, closed, received: () => received }
}

/** The status and JSON body of the answer `raw` holds. */
function answer (raw: string): { status: number, body: { statusCode?: number, code?: string } } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4)
  return { status, body: body === '' ? {} : JSON.parse(body.replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, '')) }
}

/** Connections of the pool under Prisma that are checked out right now. */
const inUse = (app: Awaited<ReturnType<typeof listening>>['app']) => app.core.database.pool.totalCount - app.core.database.pool.idleCount

t.test('headers or a URL over Node\'s limit are refused with 431 in the documented shape, and the connection closes', async (t) => {
  const { port } = await listening(t)
  for (const request of [
    `GET /v1/contacts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    `GET /v1/contacts?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`
  ]) {
    const connection = await rawConnection(port)
    connection.socket.write(request)
    await connection.closed
    t.match(answer(connection.received()), { status: 431, body: { statusCode: 431, code: 'HEADERS_TOO_LARGE' } })
  }
})

t.test('a URL just under the limit gets an ordinary answer', async (t) => {
  const { port } = await listening(t)
  const connection = await rawConnection(port)
  connection.socket.write(`GET /v1/contacts?q=${'a'.repeat(15_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
  await connection.closed
  t.equal(answer(connection.received()).status, 200)
})

t.test('malformed HTTP is refused with 400 in the documented shape', async (t) => {
  const { port } = await listening(t)
  const connection = await rawConnection(port)
  connection.socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n')
  await connection.closed
  t.match(answer(connection.received()), { status: 400, body: { code: 'BAD_REQUEST' } })
})

t.test('a body sent a byte at a time is cut off with 408 at the request time-out, never reaching a handler or the database', async (t) => {
  const { app, port } = await listening(t)
  const connection = await rawConnection(port)
  connection.socket.write('POST /v1/contact-requests HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{')
  const drip = setInterval(() => { if (!connection.socket.destroyed) connection.socket.write(' ') }, 100)
  t.teardown(() => { clearInterval(drip) })
  let maxInUse = 0
  const watch = setInterval(() => { maxInUse = Math.max(maxInUse, inUse(app)) }, 20)
  await connection.closed
  clearInterval(watch)
  clearInterval(drip)
  t.match(answer(connection.received()), { status: 408, body: { statusCode: 408, code: 'REQUEST_TIMEOUT' } })
  t.equal(maxInUse, 0, 'no database connection was taken while the body trickled in')
  t.equal(await app.core.database.prisma.contactRequest.count(), 0)
})

t.test('idle connections, with or without a first request, are closed by the server', async (t) => {
  const { port } = await listening(t)
  const idle: Array<Awaited<ReturnType<typeof rawConnection>>> = []
  for (let i = 0; i < 20; i++) {
    const connection = await rawConnection(port)
    if (i % 2 === 0) connection.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')
    idle.push(connection)
  }
  await Promise.all(idle.map(async (c) => { await c.closed }))
  t.ok(idle.filter((_, i) => i % 2 === 0).every((c) => answer(c.received()).status === 200), 'the ones that asked were answered first')
  t.ok(idle.filter((_, i) => i % 2 === 1).every((c) => c.received() === '' || answer(c.received()).status === 408), 'the ones that never asked are closed')
})

t.test('closing the server does not wait for idle keep-alive connections', async (t) => {
  const built = await buildTestApp(t, {}, { timeouts: { ...TIMEOUTS, keepAliveTimeout: 60_000 } })
  await built.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = built.app.server.address() as AddressInfo
  const connection = await rawConnection(port)
  connection.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')
  await eventually(async () => connection.received().includes('\r\n\r\n') ? true : undefined, { what: 'the answer' })
  const closing = built.app.close().then(() => 'closed')
  const outcome = await Promise.race([closing, new Promise((resolve) => setTimeout(() => { resolve('still waiting') }, 5000))])
  t.equal(outcome, 'closed', 'close() finished with an idle keep-alive connection open')
  await connection.closed
})

t.test('a body the server stops reading (413) raises nothing when its deadline passes (fuzzing found an uncaught error 10 s later)', async (t) => {
  const { app } = await listening(t)
  const res = await app.inject({ method: 'POST', url: '/v1/contact-requests', payload: Buffer.alloc(100 * 1024, 'a'), headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 413)
  await new Promise((resolve) => setTimeout(resolve, TIMEOUTS.requestTimeout + 500))
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'and the server is still up')
})
