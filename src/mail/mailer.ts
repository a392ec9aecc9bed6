// Sends mail: over SMTP with nodemailer, or into a drop folder of .eml files when no SMTP server is configured.
import { access, constants, mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import nodemailer from 'nodemailer'
import type Mail from 'nodemailer/lib/mailer/index.js'

export interface SentMail {
  messageId: string
  /** The SMTP server's final answer, or where the file was written. */
  response: string
}

export interface Mailer {
  /** Where mail goes, for logs and the record of processing: an SMTP host, or the drop folder. */
  readonly destination: string
  send: (message: Mail.Options & { messageId: string }) => Promise<SentMail>
  /** Resolves when mail could be handed over now: the SMTP server greets and accepts the login, or the drop folder is writable. */
  verify: () => Promise<void>
  close: () => void
}

export interface MailerOptions {
  smtpUrl: string | undefined
  dropDir: string
  /** SMTP connections kept open and reused; match the worker's concurrency. */
  maxConnections?: number
  /** Per-command socket timeouts; an SMTP server that stops answering must not hold a job forever. */
  timeoutMs?: number
}

export function createMailer ({ smtpUrl, dropDir, maxConnections = 1, timeoutMs = 30_000 }: MailerOptions): Mailer {
  if (smtpUrl === undefined) return createDropMailer(resolve(dropDir))
  const url = new URL(smtpUrl)
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections,
    host: url.hostname,
    port: url.port === '' ? (url.protocol === 'smtps:' ? 465 : 587) : Number(url.port),
    secure: url.protocol === 'smtps:',
    auth: url.username === '' ? undefined : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs
  })
  return {
    destination: `smtp://${url.host}`,
    async send (message) {
      const info = await transport.sendMail(message)
      return { messageId: info.messageId, response: info.response }
    },
    async verify () { await transport.verify() },
    close () { transport.close() }
  }
}

/** The local default: each message becomes `<dropDir>/<file>.eml`, where a person can open it. */
function createDropMailer (dropDir: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    destination: `file://${dropDir}`,
    async send (message) {
      const info = await transport.sendMail(message)
      await mkdir(dropDir, { recursive: true })
      const path = join(dropDir, `${dropFileName(message.messageId)}.eml`)
      await writeFile(path, info.message as Buffer)
      return { messageId: info.messageId, response: `written to ${path}` }
    },
    async verify () {
      await mkdir(dropDir, { recursive: true })
      await access(dropDir, constants.W_OK)
    },
    close () { transport.close() }
  }
}

/** `<id@domain>` → `id`: the drop file is named after the notification, so it can be found and erased. */
export function dropFileName (messageId: string): string {
  return messageId.replace(/^<|>$/g, '').split('@')[0]?.replace(/[^A-Za-z0-9-]/g, '') ?? 'message'
}
