// deploy/ as an operator relies on it: alert rules that promtool accepts and whose tests fire them,
// a dashboard and rules naming only metrics the service really exposes, and a compose file whose
// variables the service knows and whose commands the image has.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { ConfigSchema } from '../../src/config.js'
import { createMetrics } from '../../src/ops/metrics.js'
import { buildTestApp } from '../helpers/app.js'
import { startTestWorkers } from '../helpers/workers.js'
import { opsListener } from '../helpers/ops.js'
import { scrape } from '../helpers/metrics.js'

const run = promisify(execFile)
const RULES = 'deploy/prometheus/alerts.yml'
const RULE_TESTS = 'deploy/prometheus/alerts.test.yml'
const DASHBOARD = 'deploy/grafana/dashboards/contact-intake.json'
const COMPOSE = 'deploy/compose.yaml'

interface RuleFile { groups: Array<{ rules: Array<{ alert: string, expr: string }> }> }
interface RuleTests { tests: Array<{ alert_rule_test?: Array<{ alertname: string, exp_alerts: unknown[] }> }> }
interface Panel { targets?: Array<{ expr: string }>, panels?: Panel[] }

const rules = (parse(readFileSync(RULES, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules)
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }
const dashboardExprs = (panels: Panel[]): string[] => panels.flatMap((p) => [...(p.targets ?? []).map((q) => q.expr), ...dashboardExprs(p.panels ?? [])])

t.test('the alert rules pass promtool check rules, and their unit tests pass', async (t) => {
  const checked = await run('promtool', ['check', 'rules', RULES])
  t.match(checked.stdout, `SUCCESS: ${rules.length} rules found`)
  const tested = await run('promtool', ['test', 'rules', RULE_TESTS])
  t.match(tested.stdout, /SUCCESS/)
  const config = await run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml'])
  t.match(config.stdout, /is valid prometheus config file/)
})

t.test('every alert rule has a test that makes it fire', async (t) => {
  const tests = (parse(readFileSync(RULE_TESTS, 'utf8')) as RuleTests).tests.flatMap((x) => x.alert_rule_test ?? [])
  for (const { alert } of rules) {
    t.ok(tests.some((x) => x.alertname === alert && x.exp_alerts.length > 0), `${alert} is tested firing`)
  }
})

/** The metric names a PromQL expression reads (Prometheus's own `up` aside). */
function metricNames (expr: string): string[] {
  return [...expr.matchAll(/\b((?:contact_intake|nodejs|process)_[a-z0-9_]+)\b/g)].map((m) => m[1] as string)
}

/** The series names an exposition offers: every # TYPE line, and a histogram's _bucket, _count and _sum. */
function exposedNames (exposition: string): Set<string> {
  const names = new Set<string>()
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string)
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name as string}${suffix}`)
  }
  return names
}

t.test('every metric a rule or the dashboard names is one the service exposes', async (t) => {
  const metrics = createMetrics()
  const { app, config } = await buildTestApp(t, {}, { metrics })
  const workers = await startTestWorkers(t, config, { metrics })
  const ops = await opsListener(t, { role: 'api+worker', metrics, core: app.core, worker: workers.readiness })
  const exposition = await scrape(ops.url)
  const exposed = exposedNames(exposition)

  const named = [...rules.map((r) => r.expr), ...dashboardExprs(dashboard.panels)].flatMap(metricNames)
  t.ok(named.length > 30, 'the rules and the dashboard were read')
  for (const name of new Set(named)) t.ok(exposed.has(name), `${name} is exposed`)

  // promtool's lint of names, types and help; prom-client's own nodejs_active_*_total gauges are
  // the only exception it finds, and they are not ours to rename.
  const linted = await lint(exposition)
  t.same(linted.filter((line) => !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(line)), [], 'promtool check metrics finds nothing in ours')
})

/** promtool check metrics on an exposition: its complaints, one a line. */
async function lint (exposition: string): Promise<string[]> {
  const child = execFile('promtool', ['check', 'metrics'])
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stdin?.end(exposition)
  await new Promise((resolve) => child.once('close', resolve))
  return output.split('\n').filter((line) => line !== '')
}

t.test('the dashboard reads the data source compose provisions', async (t) => {
  const provisioned = parse(readFileSync('deploy/grafana/provisioning/datasources/prometheus.yml', 'utf8')) as { datasources: Array<{ uid: string }> }
  const uids = new Set(JSON.stringify(dashboard).match(/"uid":\s*"[^"]+"/g)?.map((m) => m.replace(/.*"([^"]+)"$/, '$1')))
  uids.delete('contact-intake')
  t.same([...uids], [provisioned.datasources[0]?.uid])
  t.ok(dashboardExprs(dashboard.panels).length >= 25, 'every panel has its queries')
})

interface ComposeService {
  build?: { context: string, target: string }
  image?: string
  command?: string[]
  environment?: Record<string, string>
  healthcheck?: { test?: string[], disable?: boolean }
  volumes?: string[]
}

const compose = parse(readFileSync(COMPOSE, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }
const ours = Object.entries(compose.services).filter(([, s]) => s.build !== undefined)
const dockerfile = readFileSync('Dockerfile', 'utf8')

t.test('compose runs the migration, the API and the worker from the Dockerfile', async (t) => {
  t.same(ours.map(([name]) => name).sort(), ['api', 'migrate', 'worker'])
  for (const [name, service] of ours) {
    t.equal(service.build?.context, '..', `${name} builds this repository`)
    t.match(dockerfile, new RegExp(`^FROM \\S+ AS ${service.build?.target ?? '?'}$`, 'm'), `${name}'s target is a stage of the Dockerfile`)
  }
})

t.test('every variable compose sets for the service is one the config schema knows', async (t) => {
  const known = new Set(Object.keys(ConfigSchema.properties))
  for (const [name, service] of ours) {
    for (const variable of Object.keys(service.environment ?? {})) t.ok(known.has(variable), `${name}: ${variable} is in src/config.ts`)
  }
})

/** Where a command's script comes from: dist/<path>.js is compiled from <path>.ts by tsconfig.build.json. */
function sourceOf (script: string): string {
  return script.replace(/^dist\//, '').replace(/\.js$/, '.ts')
}

t.test('every command compose runs in the image is a script the build compiles into it', async (t) => {
  const built = (JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] }).include
  const commands = ours.flatMap(([name, s]) => [
    ...(s.command === undefined ? [] : [[name, s.command] as const]),
    ...(s.healthcheck?.test === undefined ? [] : [[`${name} health check`, s.healthcheck.test.slice(1)] as const])
  ])
  t.ok(commands.length >= 5)
  for (const [what, command] of commands) {
    t.equal(command[0], 'node', `${what} runs node`)
    const script = command[1] ?? ''
    const source = sourceOf(script)
    t.ok(existsSync(source), `${what}: ${script} is compiled from ${source}`)
    t.ok(built.includes(source.split('/')[0] ?? ''), `${what}: ${source} is in the build`)
    t.match(dockerfile, `COPY ${source.split('/')[0] ?? '?'} ./`, `${what}: the image's build copies ${source.split('/')[0] ?? ''}`)
  }
})

t.test('the files compose mounts exist', async (t) => {
  const mounts = Object.values(compose.services).flatMap((s) => s.volumes ?? []).filter((v) => v.startsWith('./'))
  t.ok(mounts.length >= 4)
  for (const mount of mounts) t.ok(existsSync(`deploy/${mount.split(':')[0] ?? ''}`), `${mount} exists`)
})
