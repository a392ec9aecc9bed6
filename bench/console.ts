// npm run bench:console: the console's inbox over 100,000 requests — the first page, pages deep
// in by cursor, filtered by status and by contact, and a project manager's own — each answered
// one after another over HTTP, p50/p95 against the goal of 100 ms at p95; the health probe's
// time in the same run is the floor.
import type { AddressInfo } from 'node:net'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { benchEnv, prepareDatabase } from './common.js'

const ROWS = Number(process.env.BENCH_CONSOLE_ROWS ?? 100_000)
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200)

// One client asks thousands of times: the console's rate limit (the admin API's) would refuse it.
const env = benchEnv({ LOG_LEVEL: 'warn', ADMIN_RATE_LIMIT_MAX: '100000000' })
await prepareDatabase(env, async (client) => {
  // A year and a half of requests to both contacts, in every status, some passed on.
  await client.query(`
    INSERT INTO contact_requests (id, contact_id, name, email, message, locale, captcha_provider, captcha_verified, captcha_key, fingerprint,
                                  received_at, retain_until, status, handler)
    SELECT gen_random_uuid(), CASE WHEN g % 3 = 0 THEN 'sofia-frolander' ELSE 'lotta-fransson' END, 'Seeded Person', 'seeded' || g || '@example.se',
           'Seeded message ' || g, 'sv', 'altcha', true, md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text),
           now() - make_interval(mins => g * 8), now() + interval '180 days',
           (ARRAY['received', 'taken', 'answered', 'closed']::request_status[])[1 + g % 4],
           CASE WHEN g % 10 = 0 THEN 'contact:sofia-frolander' END
      FROM generate_series(1, $1) g`, [ROWS])
  await client.query('ANALYZE contact_requests')
})

const app = await buildApp(loadConfig(env))
await app.listen({ host: '127.0.0.1', port: 0 })
const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
const sessionFor = async (scopes: string[], contactId: string | null) => {
  const { id } = await app.services.consoleSessions.create({ actor: 'console:bench', subject: 'bench', email: 'bench@ri.se', name: 'Bench', scopes, contactId }, '')
  return `__Host-console=${id}`
}
const admin = await sessionFor(['requests:read'], null)
const manager = await sessionFor([], 'lotta-fransson')

/** Times `samples` requests one after another; each must answer 200. */
async function time (path: (i: number) => string, cookie: string | null): Promise<{ p50: number, p95: number, max: number }> {
  const took: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now()
    const res = await fetch(`${origin}${path(i)}`, { headers: cookie === null ? {} : { cookie } })
    await res.arrayBuffer()
    took.push(performance.now() - started)
    if (res.status !== 200) throw new Error(`${path(i)}: ${res.status}`)
  }
  took.sort((a, b) => a - b)
  const at = (q: number) => took[Math.min(took.length - 1, Math.floor(q * took.length))] ?? 0
  return { p50: at(0.5), p95: at(0.95), max: took.at(-1) ?? 0 }
}

/** Next-page links from the first page on, as a person paging back would follow them. */
async function cursors (count: number): Promise<string[]> {
  const paths = ['/console']
  while (paths.length < count) {
    const html = await (await fetch(`${origin}${paths.at(-1) ?? ''}`, { headers: { cookie: admin } })).text()
    const next = /<a href="(\/console\?[^"]+)">Nästa sida/.exec(html)?.[1]
    if (next === undefined) break
    paths.push(next.replace(/&amp;/g, '&'))
  }
  return paths
}

await time(() => '/console', admin) // warm-up
const deep = await cursors(40)
const results = {
  'health probe (floor)': await time(() => '/health/live', null),
  'inbox, first page': await time(() => '/console', admin),
  'inbox, pages 1–40 by cursor': await time((i) => deep[i % deep.length] ?? '/console', admin),
  'inbox, status taken': await time(() => '/console?status=taken', admin),
  'inbox, to Sofia': await time(() => '/console?contactId=sofia-frolander', admin),
  'inbox, a date range': await time(() => '/console?from=2026-06-01&to=2026-06-30', admin),
  'a project manager\'s own': await time(() => '/console', manager)
}
process.stdout.write(`console inbox over ${ROWS.toLocaleString('en')} requests, ${SAMPLES} sequential requests each (goal: p95 < 100 ms)\n`)
for (const [what, { p50, p95, max }] of Object.entries(results)) {
  process.stdout.write(`  ${what.padEnd(30)} p50 ${p50.toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms   max ${max.toFixed(1).padStart(6)} ms${p95 < 100 || what.startsWith('health') ? '' : '   OVER THE GOAL'}\n`)
}
await app.close()
