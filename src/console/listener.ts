// The console on a listener of its own (CONSOLE_PORT), so a deployment can keep it off the public
// internet: a second HTTP server that hands its requests to the same Fastify instance
// (app.routing), marked as the console's. Then the console's pages answer only there, and the
// public port answers 404 for them; the console's port answers nothing but the console (and the
// stylesheet its pages use).
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'

const VIA_CONSOLE = Symbol('contact-intake.console-listener')
type Marked = IncomingMessage & { [VIA_CONSOLE]?: true }

/** What a request to this path is: a console page (or its stylesheet) or the public service's. */
const isConsolePath = (url: string): boolean => /^\/console(\/|\?|$)/.test(url) || url.startsWith('/demo/')

/** Routes each request to its listener: on a separate console port, the console is there and only there. */
export function separateConsole (app: FastifyInstance, { timeouts }: { timeouts: { requestTimeout: number, keepAliveTimeout: number } }) {
  let server: Server | null = null
  app.addHook('onRequest', async (request, reply) => {
    const viaConsole = (request.raw as Marked)[VIA_CONSOLE] === true
    const consolePath = isConsolePath(request.url)
    if (viaConsole ? !consolePath : consolePath && !request.url.startsWith('/demo/')) {
      reply.callNotFound()
      return reply
    }
  })
  app.addHook('onClose', async () => {
    const listening = server
    if (listening === null) return
    listening.closeIdleConnections()
    await new Promise<void>((resolve) => listening.close(() => { resolve() }))
  })
  return {
    /** Opens the console's port; answers its address. */
    async listen ({ host, port }: { host: string, port: number }): Promise<string> {
      await app.ready()
      const listening = createServer((req: Marked, res) => {
        req[VIA_CONSOLE] = true
        app.routing(req, res)
      })
      listening.requestTimeout = timeouts.requestTimeout
      listening.keepAliveTimeout = timeouts.keepAliveTimeout
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject)
        listening.listen(port, host, () => { listening.off('error', reject); resolve() })
      })
      server = listening
      const address = listening.address() as AddressInfo
      return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/console`
    }
  }
}
export type SeparateConsole = ReturnType<typeof separateConsole>
