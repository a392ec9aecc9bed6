// Cross-cutting: one place that turns every error into the JSON error body, and 404s too.
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import fp from 'fastify-plugin'
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable } from '../db/unavailable.js'
import { AppError, unavailable, validationFailed, type ErrorDetail } from '../errors.js'
import { DuplicateSubmission } from '../repositories/requests.js'

interface AjvError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/** Ajv errors as one detail per failing field, each named by a JSON pointer. */
function validationDetails (errors: AjvError[], context: string | undefined): ErrorDetail[] {
  const prefix = context === 'headers' ? 'header:' : context === 'querystring' ? 'query:' : ''
  const details = errors.map((e): ErrorDetail => {
    const child = e.params.missingProperty ?? e.params.additionalProperty
    const path = `${e.instancePath}${typeof child === 'string' ? `/${child}` : ''}`
    const message = e.keyword === 'additionalProperties' ? 'is not a known field' : e.message ?? 'is not valid'
    return { path: prefix === '' ? path || '/' : `${prefix}${path.replace(/^\//, '')}`, message }
  })
  return details.filter((d, i) => details.findIndex((o) => o.path === d.path && o.message === d.message) === i)
}

/** Maps any error to an AppError; anything unrecognised becomes null (a 500). */
function toAppError (err: FastifyError): AppError | null {
  if (err instanceof AppError) return err
  if (err.validation !== undefined) {
    return validationFailed(validationDetails(err.validation as AjvError[], err.validationContext))
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return validationFailed([{ path: '/', message: 'the body is empty' }])
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return validationFailed([{ path: '/', message: 'the body is not valid JSON' }])
    // HANDLER_TIMEOUT_MS passed: a dependency is slow or silent. What the handler was doing may
    // still complete (a stored request then answers the retry as a repeat).
    case 'FST_ERR_HANDLER_TIMEOUT':
      return unavailable('a dependency did not answer in time')
  }
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return validationFailed([{ path: '/', message: 'the body is not valid JSON' }])
  }
  if (err instanceof DuplicateSubmission) return new AppError(409, 'CONFLICT', 'This submission conflicts with one being processed. Please retry.')
  if (isDatabaseUnavailable(err)) return unavailable('database')
  const status = err.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    return new AppError(status, 'BAD_REQUEST', err.message)
  }
  return null
}

declare module 'fastify' {
  interface FastifyReply {
    /** The error `code` this answer carries; null for a success. */
    errorCode: string | null
  }
}

function send (reply: FastifyReply, error: AppError) {
  reply.errorCode = error.code
  if (error.retryAfter !== undefined && !reply.hasHeader('retry-after')) reply.header('retry-after', String(error.retryAfter))
  return reply.code(error.statusCode).send({
    statusCode: error.statusCode,
    code: error.code,
    message: error.message,
    ...(error.details === undefined ? {} : { details: error.details })
  })
}

/**
 * Errors the router meets before any route (Fastify's `frameworkErrors` option): a URL whose
 * percent-encoding is not UTF-8, a path parameter over the router's length limit. Without
 * this they would be answered in Fastify's own shape, not ours.
 */
export function frameworkErrors (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const error = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? new AppError(414, 'URI_TOO_LONG', 'A part of the URL is too long.')
    : err.code === 'FST_ERR_BAD_URL'
      ? validationFailed([{ path: 'url', message: 'is not a valid URL (malformed percent-encoding)' }])
      : null
  if (error === null) request.log.error({ err }, 'unexpected router error')
  send(reply, error ?? new AppError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.'))
}

/** What a client error (before any request exists) is answered with: status, code, words. */
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time.'],
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request line and headers are too large.']
}

/**
 * Errors of the HTTP parser and of the server's time-outs, met before Fastify has a request
 * (its `clientErrorHandler` option): answered in the documented shape, then the connection closes.
 */
export function clientErrorHandler (this: { log: Pick<FastifyBaseLogger, 'debug'> }, err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [statusCode, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'BAD_REQUEST', 'The request is not valid HTTP.']
  this.log.debug({ code: err.code }, 'client error')
  if (socket.writable) {
    const body = JSON.stringify({ statusCode, code, message })
    socket.write(`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy()
}

export default fp(async function errorHandlerPlugin (app) {
  app.decorateReply('errorCode', null)
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    const error = toAppError(err)
    if (error === null) {
      request.log.error({ err }, 'unexpected error')
      return await send(reply, new AppError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.'))
    }
    if (error.statusCode >= 500) request.log.error({ err }, error.message)
    else request.log.info({ code: error.code, statusCode: error.statusCode }, 'request refused')
    return await send(reply, error)
  })

  app.setNotFoundHandler(async (request, reply) =>
    await send(reply, new AppError(404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`)))
}, { name: 'error-handler', fastify: '5.x' })
