// A real HTTP receiver in the test process: it verifies every delivery as a receiver must (the
// standardwebhooks package's Webhook.verify), and answers as the test scripts it.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { eventually } from './wait.js'

/** How the receiver answers the n-th delivery (1-based): a status (with headers, a body), or never. */
export type ReceiverAnswer = { status: number, headers?: Record<string, string>, body?: string } | { hang: true }

export interface ReceivedDelivery {
  /** The request's path: where the delivery went. */
  path: string
  /** When the request arrived (Date.now()), for tests about the time between attempts. */
  arrivedAt: number
  id: string
  timestamp: string
  signature: string
  body: string
  /** The parsed body, as Webhook.verify answers it under the first secret that verifies. */
  payload: { type: string, timestamp: string, data: Record<string, unknown> & { submission?: Record<string, unknown> } } | null
  /** Which of the trusted secrets verify this delivery. */
  verifiedBy: string[]
  headers: IncomingMessage['headers']
}

export interface WebhookReceiver {
  url: string
  received: ReceivedDelivery[]
  /** Secrets this receiver holds, in order; a test can add or drop some. */
  secrets: string[]
  waitFor: (count: number, timeoutMs?: number) => Promise<ReceivedDelivery[]>
  close: () => Promise<void>
}

export async function webhookReceiver (answer: (n: number, delivery: ReceivedDelivery) => ReceiverAnswer | Promise<ReceiverAnswer> = () => ({ status: 204 })): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    secrets: [],
    waitFor: async (count, timeoutMs = 10_000) => await eventually(
      async () => receiver.received.length >= count ? receiver.received : undefined,
      { timeoutMs, what: `${count} webhook deliveries` }),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  const server = createServer((req, res) => {
    const arrivedAt = Date.now()
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const verifiedBy: string[] = []
      let payload: ReceivedDelivery['payload'] = null
      for (const secret of receiver.secrets) {
        try {
          payload = new Webhook(secret).verify(body, req.headers as Record<string, string>) as ReceivedDelivery['payload']
          verifiedBy.push(secret)
        } catch { /* not signed with this one */ }
      }
      const delivery: ReceivedDelivery = {
        path: req.url ?? '',
        arrivedAt,
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body,
        payload,
        verifiedBy,
        headers: req.headers
      }
      receiver.received.push(delivery)
      Promise.resolve(answer(receiver.received.length, delivery)).then((reply) => {
        if ('hang' in reply) return
        res.writeHead(reply.status, reply.headers).end(reply.body)
      }, (err: unknown) => { res.writeHead(500).end(String(err)) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/contact-requests`
  return receiver
}
