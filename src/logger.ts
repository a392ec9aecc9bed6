// Logger options shared by the API and the worker: no personal data, no client addresses.
import type { LoggerOptions } from 'pino'
import type { Config } from './config.js'

/**
 * A safety net: the code never logs a submission, but if an object carrying one
 * reaches a log line, these fields are censored. `name` and `message` are only
 * censored inside such objects, since errors legitimately carry both.
 */
const SUBMISSION_FIELDS = ['name', 'email', 'phone', 'organisation', 'message', 'pageUrl', 'captcha', 'token']
const ANYWHERE_FIELDS = ['email', 'phone', 'organisation', 'pageUrl', 'captcha', 'token', 'authorization', 'ip', 'remoteAddress']
const CONTAINERS = ['body', 'submission', 'contactRequest', 'request']

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-forwarded-for"]',
  'req.headers["x-real-ip"]',
  'req.headers["idempotency-key"]',
  ...CONTAINERS.flatMap((c) => SUBMISSION_FIELDS.flatMap((f) => [`${c}.${f}`, `*.${c}.${f}`])),
  ...ANYWHERE_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`])
]

/** Text from another server (an SMTP reply, a webhook receiver's answer) can echo addresses; what is stored or logged must not. */
export const scrubAddresses = (text: string): string => text.replace(/<?[^\s<>@]+@[^\s<>@]+>?/g, '<address>')

interface RequestLike { id?: string, method?: string, url?: string, routeOptions?: { url?: string } }
interface ResponseLike { statusCode?: number }
interface ErrorLike { name?: string, message?: string, code?: unknown, statusCode?: unknown, stack?: string }

export function loggerOptions (config: Pick<Config, 'LOG_LEVEL'>): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Fastify's default request serializer logs the client's address and port: personal data.
      req: (req: RequestLike) => ({ method: req.method, url: req.url?.split('?')[0], route: req.routeOptions?.url }),
      res: (res: ResponseLike) => ({ statusCode: res.statusCode }),
      // Driver errors can carry SQL parameters or server details in extra fields; keep only these.
      err: (err: ErrorLike) => ({ type: err.name, message: err.message, code: err.code, statusCode: err.statusCode, stack: err.stack })
    },
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {})
  }
}
