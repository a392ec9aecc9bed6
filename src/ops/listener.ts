// The operations listener: /metrics (Prometheus text format; unless METRICS_ENABLED=false),
// /health/live and /health/ready, on METRICS_HOST:METRICS_PORT, apart from the public port, so a
// proxy in front of the API never exposes them. Every process has one; the worker's health check asks it.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Config } from '../config.js'
import type { Metrics } from './metrics.js'
import { ReadinessSchema, dependencyChecks, readiness, type Dependencies, type ProcessRole, type ReadinessSource } from './readiness.js'
import { registerStateGauges, type StateSource } from './state.js'
import { listenOn, orClose } from '../lifecycle.js'

/** Where each process listens by default: the worker one port up, so both run side by side on one host. */
export const DEFAULT_METRICS_PORTS: Record<ProcessRole, number> = { api: 9464, 'api+worker': 9464, worker: 9465 }

export interface OpsListenerOptions {
  role: ProcessRole
  metrics: Metrics
  /** The process's core (src/roots/core.ts): its configuration and log, what the scrape-time gauges read, its PostgreSQL and Redis. */
  core: Dependencies & { config: Config, log: FastifyBaseLogger, opsState: StateSource }
  /** What the worker adds to readiness (SMTP, paused queues), in a process that runs workers. */
  worker?: ReadinessSource
}

export interface OpsListener {
  /** The address it listens on, e.g. http://127.0.0.1:9464. */
  url: string
  close: () => Promise<void>
}

function build ({ role, metrics, core, worker }: OpsListenerOptions): FastifyInstance {
  const sources = [dependencyChecks(core), ...(worker === undefined ? [] : [worker])]
  // A scrape every few seconds is not news: no per-request log lines here.
  const app = Fastify({ loggerInstance: core.log.child({ listener: 'ops' }), logController: new LogController({ disableRequestLogging: true }) })
  if (core.config.METRICS_ENABLED) {
    registerStateGauges(metrics, core.opsState, Object.assign({}, ...sources.map((s) => s.checks)))
    app.get('/metrics', async (_request, reply) => {
      const body = await metrics.registry.metrics()
      return await reply.type(metrics.registry.contentType).send(body)
    })
  }
  app.get('/health/live', async () => ({ status: 'ok', process: role }))
  app.get('/health/ready', { schema: { response: { 200: ReadinessSchema, 503: ReadinessSchema } } }, async (_request, reply) => {
    const report = await readiness(role, sources)
    return await reply.code(report.status === 'ok' ? 200 : 503).send(report)
  })
  return app
}

export async function startOpsListener (options: OpsListenerOptions): Promise<OpsListener> {
  const { config, log } = options.core
  const app = build(options)
  const at = { host: config.METRICS_HOST, port: config.METRICS_PORT ?? DEFAULT_METRICS_PORTS[options.role] }
  const url = await orClose(async () => await listenOn(async (address) => await app.listen(address), at, 'METRICS_PORT'), async () => { await app.close() })
  log.info({ url }, 'operations listener: /metrics, /health/live, /health/ready')
  return { url, close: async () => { await app.close() } }
}
