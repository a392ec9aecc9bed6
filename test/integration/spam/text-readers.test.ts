// Messages' links and language read on worker threads (SPAM_THREADS): the same readings as on the
// event loop, many messages at once, a long one without holding up the loop, and a submission
// whose signals were read there is held as it would be otherwise.
import t from 'tap'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { readText } from '../../../src/spam/text.js'
import { createTextReader, type TextReader } from '../../../src/spam/text-readers.js'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'

const MESSAGES = [
  'Hej! Jag vill veta mer om Akademin för Livslångt Lärande och hur vår kommun kan delta i nästa omgång.',
  'Wir bieten Ihnen günstige Suchmaschinenoptimierung für Ihre Webseite an, rufen Sie uns an.',
  'Se https://seo-byran.com/1, www.billigt.se och klick.nu/x, skriv till sales@annons.com',
  'Ring mig!'
]
const silent = { warn: () => {} }

t.test('a worker thread reads what the event loop reads, for many messages asked at once', async (t) => {
  const reader = createTextReader(1, silent)
  t.teardown(reader.close)
  const many = Array.from({ length: 200 }, (_v, i) => MESSAGES[i % MESSAGES.length] as string)
  t.same(await Promise.all(many.map(reader.read)), many.map(readText))
  t.same(await reader.read(MESSAGES[1] as string), { links: 0, language: 'de' })
  t.equal((await reader.read(MESSAGES[2] as string)).links, 4)
})

t.test('long messages read on a thread hold up the event loop far less than read on it', async (t) => {
  const long = 'Besök https://example.se/a?b=c och www.ri.se, mejla lotta@ri.se. Se även ri.se/om och foo.bar.museum '.repeat(100).slice(0, 10_000)
  /** The event loop's longest wait (ms) while `reader` reads a hundred long messages asked at once. */
  const longestWait = async (reader: TextReader): Promise<number> => {
    await reader.read(MESSAGES[0] as string) // a thread has started and loaded its model
    const delay = monitorEventLoopDelay({ resolution: 1 })
    delay.enable()
    await new Promise((resolve) => setTimeout(resolve, 20))
    await Promise.all(Array.from({ length: 100 }, async () => await reader.read(long)))
    await new Promise((resolve) => setTimeout(resolve, 5))
    delay.disable()
    await reader.close()
    return delay.max / 1e6
  }
  const onLoop = await longestWait(createTextReader(0, silent))
  const onThread = await longestWait(createTextReader(1, silent))
  t.ok(onThread < onLoop / 2, `longest wait ${onThread.toFixed(1)} ms with a thread, ${onLoop.toFixed(1)} ms without`)
})

t.test('when a thread fails its task, the messages are read on the event loop, and the failure is told', async (t) => {
  const warnings: unknown[] = []
  const failing = new URL('../../helpers/failing-text-worker.ts', import.meta.url)
  const reader = createTextReader(1, { warn: (...args: unknown[]) => { warnings.push(args) } }, failing)
  t.teardown(reader.close)
  t.same(await Promise.all(MESSAGES.map(reader.read)), MESSAGES.map(readText))
  t.ok(warnings.length >= 1, 'and says so')
})

t.test('ready() answers once a thread has loaded the reading module, and tells of a thread that cannot', async (t) => {
  const reader = createTextReader(1, silent)
  t.teardown(reader.close)
  await reader.ready()
  t.same(await reader.read(MESSAGES[1] as string), { links: 0, language: 'de' })

  const warnings: unknown[] = []
  const failing = createTextReader(1, { warn: (...args: unknown[]) => { warnings.push(args) } }, new URL('../../helpers/failing-text-worker.ts', import.meta.url))
  t.teardown(failing.close)
  await failing.ready()
  t.equal(warnings.length, 1, 'a failed start is logged, not thrown')
  t.same(await failing.read(MESSAGES[1] as string), readText(MESSAGES[1] as string), 'and its reads fall back to the loop')
})

t.test('a submission whose signals were read on a thread is held for them', async (t) => {
  const { app } = await buildTestApp(t, { SPAM_THREADS: '1' })
  const message = 'Wir bieten Ihnen günstige Suchmaschinenoptimierung: https://seo.example.com, www.seo-billig.de und klick.de/x.'
  const res = await post(app, await altchaSubmission(app, { message }))
  t.equal(res.statusCode, 202)
  const row = await app.core.database.prisma.contactRequest.findUniqueOrThrow({ where: { id: res.json<{ id: string }>().id } })
  t.equal(row.status, 'quarantined')
  t.ok(row.spamReasons.includes('links') && row.spamReasons.includes('language'), `held for its links and language: ${row.spamReasons.join(', ')}`)
})
