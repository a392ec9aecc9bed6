// A dependency that is there but says nothing: it accepts TCP connections on a loopback port and
// never answers, the way a partition, a stalled host or a failover in progress looks from outside.
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

interface TestLike { teardown: (fn: () => unknown) => void }

export async function silentServer (t: TestLike): Promise<{ port: number, connections: () => number }> {
  const sockets = new Set<Socket>()
  let accepted = 0
  const server = createServer((socket) => {
    accepted++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return { port: (server.address() as AddressInfo).port, connections: () => accepted }
}
