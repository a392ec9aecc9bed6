// Cross-cutting: a request body must arrive within a deadline. Node's own request time-out
// stops guarding a request once its headers are in, so a client could send its body a byte at
// a time for as long as it liked, holding a connection (and a parser) all the while.
import { PassThrough } from 'node:stream'
import fp from 'fastify-plugin'
import { AppError } from '../errors.js'

export interface BodyDeadlineOptions {
  /** From the end of the headers to the last byte of the body. */
  timeoutMs: number
}

export default fp<BodyDeadlineOptions>(async function bodyDeadline (app, { timeoutMs }) {
  app.addHook('preParsing', async (_request, reply, payload) => {
    const guarded = new PassThrough()
    const timer = setTimeout(() => {
      if (reply.sent) return
      payload.unpipe(guarded)
      // The rest of the body is not read: the connection cannot serve another request.
      reply.header('connection', 'close')
      guarded.destroy(new AppError(408, 'REQUEST_TIMEOUT', 'The request body did not arrive in time.'))
    }, timeoutMs)
    const settle = () => { clearTimeout(timer) }
    payload.once('end', settle)
    payload.once('error', (err) => { settle(); guarded.destroy(err) })
    payload.once('close', settle)
    // An answer given without reading the body (415, 413, 404…) ends the exchange: nothing waits
    // for the body any more, and an error raised on the stream then would have no listener.
    reply.raw.once('close', settle)
    return payload.pipe(guarded)
  })
}, { name: 'body-deadline', fastify: '5.x' })
