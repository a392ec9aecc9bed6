// A real Prometheus (Debian's) scraping the real operations listener and evaluating the real alert
// rules: the exposition parses, every rule evaluates without error, and an alert fires and resolves
// on what the service reports.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createMetrics } from '../../src/ops/metrics.js'
import { altchaSubmission, buildTestApp, post } from '../helpers/app.js'
import { adminKey, asAdmin } from '../helpers/admin.js'
import { startTestWorkers } from '../helpers/workers.js'
import { opsListener } from '../helpers/ops.js'
import { eventually, freePort } from '../helpers/wait.js'

interface Rule { name: string, health: string, state: string, lastError?: string, lastEvaluation: string }

t.test('Prometheus scrapes the service, evaluates every rule without error, and the purge alert fires until a purge succeeds', async (t) => {
  const metrics = createMetrics()
  const { app, config } = await buildTestApp(t, {}, { metrics })
  const workers = await startTestWorkers(t, config, { metrics })
  const ops = await opsListener(t, { role: 'api+worker', metrics, core: app.core, worker: workers.readiness })

  const dir = await mkdtemp(join(tmpdir(), 'prometheus-'))
  await writeFile(join(dir, 'prometheus.yml'), [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    `rule_files: [${JSON.stringify(resolve('deploy/prometheus/alerts.yml'))}]`,
    'scrape_configs:',
    `  - { job_name: contact-intake-api, static_configs: [{ targets: ["${new URL(ops.url).host}"] }] }`
  ].join('\n'))
  const port = await freePort()
  const prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' })
  t.teardown(async () => {
    prometheus.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  const api = async <T>(path: string): Promise<T> => ((await (await fetch(`http://127.0.0.1:${port}/api/v1/${path}`)).json()) as { data: T }).data
  const query = async (expr: string) => await api<{ result: Array<{ metric: Record<string, string>, value: [number, string] }> }>(`query?query=${encodeURIComponent(expr)}`)

  const target = await eventually(async () => {
    const { activeTargets } = await api<{ activeTargets: Array<{ health: string, lastError: string }> }>('targets').catch(() => ({ activeTargets: [] }))
    return activeTargets[0]?.health === 'up' ? activeTargets[0] : undefined
  }, { timeoutMs: 30_000, what: 'Prometheus to scrape the service' })
  t.equal(target.lastError, '', 'the exposition parses')

  t.equal((await post(app, await altchaSubmission(app))).statusCode, 202)
  await eventually(async () => (await query('contact_intake_submissions_total{outcome="accepted"}')).result[0]?.value[1] === '1' ? true : undefined, { timeoutMs: 15_000, what: 'the submission to be scraped' })

  const rules = async () => (await api<{ groups: Array<{ rules: Rule[] }> }>('rules')).groups.flatMap((g) => g.rules)
  const evaluated = await eventually(async () => {
    const all = await rules()
    return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001')) ? all : undefined
  }, { timeoutMs: 15_000, what: 'every rule to be evaluated' })
  t.equal(evaluated.length, 9)
  for (const rule of evaluated) t.equal(rule.health, 'ok', `${rule.name} evaluates${rule.lastError === undefined || rule.lastError === '' ? '' : `: ${rule.lastError}`}`)
  const firing = (all: Rule[]) => all.filter((r) => r.state !== 'inactive').map((r) => r.name)
  // The first read of the purge history can outlast the gauges' 1.5 s bound while the database
  // client warms up on a busy machine; the gauge is then absent for one cache period (5 s).
  const on = await eventually(async () => { const names = firing(await rules()); return names.length > 0 ? names : undefined }, { timeoutMs: 15_000, what: 'an alert to be on' })
  t.same(on, ['ContactIntakePurgeStale'], 'no purge has ever succeeded here: only that alert is on')

  t.equal((await asAdmin(app, await adminKey(app), { method: 'POST', url: '/v1/admin/purges', payload: {} })).statusCode, 200)
  await eventually(async () => firing(await rules()).length === 0 ? true : undefined, { timeoutMs: 20_000, what: 'the purge alert to resolve' })
  t.pass('after a purge, no alert is on')
})
