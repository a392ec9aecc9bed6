// A local webhook receiver for the webhook bench, in its own process: reads each body, answers 204, keeps nothing.
import { createServer } from 'node:http'

let received = 0
const server = createServer((req, res) => {
  req.on('data', () => {})
  req.on('end', () => { received++; res.writeHead(204).end() })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 })
})
process.on('message', () => { process.send?.({ received }) })
process.on('SIGTERM', () => { server.close(() => process.exit(0)) })
