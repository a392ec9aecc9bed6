// A local SMTP sink for the notify bench, in its own process: accepts everything, counts, keeps nothing.
import { SMTPServer } from 'smtp-server'

let accepted = 0
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 1000,
  onData (stream, _session, callback) {
    stream.on('data', () => {})
    stream.on('end', () => { accepted++; callback(null, 'Queued') })
  }
})
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address()
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 })
})
process.on('message', () => { process.send?.({ accepted }) })
process.on('SIGTERM', () => { server.close(() => process.exit(0)) })
