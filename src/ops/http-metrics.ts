// Cross-cutting: every answer's duration, labelled by method, route template and status code.
// The template (/v1/admin/requests/:id), never the URL: a URL carries ids and whatever a client makes up.
import fp from 'fastify-plugin'
import type { Metrics } from './metrics.js'

/** The label of a request no route matched (404s, probes of made-up paths): one series, not one per path. */
export const UNMATCHED_ROUTE = '(unmatched)'

export default fp<{ metrics: Metrics }>(async function httpMetrics (app, { metrics }) {
  app.addHook('onResponse', async (request, reply) => {
    metrics.http.duration.observe({
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode)
    }, reply.elapsedTime / 1000)
  })
}, { name: 'http-metrics', fastify: '5.x' })
