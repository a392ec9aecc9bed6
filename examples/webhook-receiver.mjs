import { createServer } from 'node:http'
import { Webhook } from 'standardwebhooks'

const webhook = new Webhook(process.env.WEBHOOK_SECRET) // the whsec_… shown when the endpoint was created
const seen = new Set() // in production: a table with a unique webhook-id

createServer((req, res) => {
  let body = ''
  req.setEncoding('utf8').on('data', (chunk) => { body += chunk }).on('end', () => {
    let event
    try { event = webhook.verify(body, req.headers) } catch { return res.writeHead(400).end() } // forged, altered or stale
    if (!seen.has(req.headers['webhook-id'])) { seen.add(req.headers['webhook-id']); console.log(event.type, event.data.requestId) }
    res.writeHead(204).end() // anything but 2xx is retried
  })
}).listen(Number(process.env.PORT ?? 8080), '127.0.0.1')
