// A dependency that goes silent: a TCP proxy on a loopback port in front of the real PostgreSQL or
// Redis that, once silenced, keeps every connection open and accepts new ones but passes nothing on,
// the way a partition, a stalled host or a failover in progress looks from the service's side.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

interface TestLike { teardown: (fn: () => unknown) => void }

export interface SilenceableProxy {
  port: number
  /** From now on nothing passes, either way; connections stay open and new ones are accepted. */
  silence: () => void
  /** Connections accepted since the silence began. */
  acceptedWhileSilent: () => number
  /**
   * Ends the silence as a real peer would after a partition: every connection that lost bytes is
   * reset (both sides), and new connections pass again.
   */
  heal: () => void
  /** Resets every connection and stops listening: the host is gone rather than silent. */
  release: () => Promise<void>
}

export async function silenceableProxy (t: TestLike, target: { host: string, port: number }): Promise<SilenceableProxy> {
  const sockets = new Set<Socket>()
  let silent = false
  let acceptedWhileSilent = 0
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  }
  const server = createServer((client) => {
    track(client)
    if (silent) {
      acceptedWhileSilent++
      return
    }
    const upstream = connect(target.port, target.host)
    track(upstream)
    client.on('data', (chunk) => { if (!silent) upstream.write(chunk) })
    upstream.on('data', (chunk) => { if (!silent) client.write(chunk) })
    client.on('close', () => { if (!silent) upstream.destroy() })
    upstream.on('close', () => { if (!silent) client.destroy() })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  let released: Promise<void> | undefined
  const release = async () => {
    released ??= new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
    await released
  }
  t.teardown(release)
  return {
    port: (server.address() as AddressInfo).port,
    silence: () => { silent = true },
    heal: () => {
      // Every connection open now either lost bytes or was never forwarded.
      for (const socket of sockets) socket.destroy()
      silent = false
    },
    acceptedWhileSilent: () => acceptedWhileSilent,
    release
  }
}
