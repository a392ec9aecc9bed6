// A real SMTP server in-process (smtp-server), scripted to answer as a mail server would.
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { AddressInfo } from 'node:net'
import { eventually } from './wait.js'

/** How the server answers the n-th message (1-based): accept, refuse with a code, or never answer. */
export type Answer = { code: 250 } | { code: number, message: string } | { hang: true }

export interface SmtpSink {
  url: string
  /** Messages the server accepted (answered 250), parsed. */
  delivered: ParsedMail[]
  /** Messages whose DATA arrived, whatever the answer. */
  received: number
  waitForDelivered: (count: number, timeoutMs?: number) => Promise<ParsedMail[]>
  close: () => Promise<void>
}

/** `answer` may take its time: the server answers when its promise settles (a test can act in between). */
export async function smtpSink (answer: (n: number, raw: Buffer) => Answer | Promise<Answer> = () => ({ code: 250 })): Promise<SmtpSink> {
  const sink: SmtpSink = {
    url: '',
    close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) },
    delivered: [],
    received: 0,
    waitForDelivered: async (count, timeoutMs = 10_000) => await eventually(
      async () => sink.delivered.length >= count ? sink.delivered : undefined,
      { timeoutMs, what: `${count} delivered message(s)` })
  }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData (stream: SMTPServerDataStream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const n = ++sink.received
        Promise.resolve(answer(n, Buffer.concat(chunks))).then((reply) => {
          if ('hang' in reply) return
          if (reply.code !== 250) {
            callback(Object.assign(new Error((reply as { message: string }).message), { responseCode: reply.code }))
            return
          }
          simpleParser(Buffer.concat(chunks)).then((mail) => {
            sink.delivered.push(mail)
            callback(null, 'Queued as test')
          }, callback)
        }, callback)
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`
  return sink
}
