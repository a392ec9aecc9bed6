// The containers' health probe as the image's HEALTHCHECK runs it, a process of its own: it believes
// only the process it names, ready.
import t from 'tap'
import { once } from 'node:events'
import { buildTestApp } from '../helpers/app.js'
import { startTestWorkers } from '../helpers/workers.js'
import { ready, workerListener } from '../helpers/ops.js'
import { eventually } from '../helpers/wait.js'
import { DEAD_URL_PORT } from '../helpers/config.js'
import { forkEntry } from '../helpers/processes.js'

/** Runs the containers' health probe against `port`, as the image's HEALTHCHECK does. */
async function probe (role: string, port: number): Promise<{ code: number, output: string }> {
  const child = forkEntry('src/ops/probe.ts', [role], { env: { ...process.env, METRICS_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const [code] = await once(child, 'exit') as [number]
  return { code, output }
}

t.test('the health probe passes only for the process it names, ready', async (t) => {
  const { config } = await buildTestApp(t, {})
  const workers = await startTestWorkers(t, config)
  const worker = await workerListener(t, workers)
  const api = await workerListener(t, workers, 'api')
  await eventually(async () => (await ready(worker.url)).status === 200 ? true : undefined, { what: 'the worker to be ready' })
  const portOf = (url: string): number => Number(new URL(url).port)

  t.match(await probe('worker', portOf(worker.url)), { code: 0, output: /worker ready/ })
  t.match(await probe('worker', portOf(api.url)), { code: 1, output: /answered by api, not the worker/ }, 'an API on the port is not the worker')
  t.match(await probe('worker', DEAD_URL_PORT), { code: 1, output: /no answer/ })
  t.match(await probe('nobody', portOf(worker.url)), { code: 2 })

  await workers.notify.pause(true)
  t.match(await probe('worker', portOf(worker.url)), { code: 1, output: /not ready/ })
})
