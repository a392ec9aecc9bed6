// The spam signals one by one: each fires alone on what it is about, under its stable reason code,
// and adds its configured weight; the classifier stays silent until it has learned enough.
import t from 'tap'
import fc from 'fast-check'
import { loadConfig } from '../../../src/config.js'
import { createSpamScorer, type Scorable } from '../../../src/spam/scorer.js'
import { EMPTY_MODEL, spamProbability, type SpamModel } from '../../../src/spam/classifier.js'
import { campaignKey, tokenHashes, words, MAX_TOKENS } from '../../../src/spam/text.js'
import { anyString, checkProperty } from '../../helpers/properties.js'

const KEY = 'test-pseudonym-key-0123456789'
const config = (env: Record<string, string> = {}) => loadConfig({ PSEUDONYM_KEY: KEY, SPAM_KEYWORDS: 'köp billigt,casino bonus', ...env })
const NOW = new Date('2026-12-03T12:00:00Z')

/** A person's submission: nothing about it is odd. */
const person = (overrides: Partial<Scorable> = {}): Scorable => ({
  message: 'Hej! Jag vill veta mer om Akademin för Livslångt Lärande och hur vår kommun kan delta i nästa omgång.',
  email: 'anna.andersson@skelleftea.se',
  locale: 'sv',
  honeypotFilled: false,
  startedAt: new Date(NOW.getTime() - 95_000),
  ...overrides
})

const scorer = (env: Record<string, string> = {}, model: SpamModel = EMPTY_MODEL) => createSpamScorer(config(env), () => model)

t.test('a person\'s submission fires nothing', async (t) => {
  t.same(scorer().score(person(), NOW), { score: 0, reasons: [], campaignKey: campaignKey(KEY, person().message, 40) })
})

t.test('each signal fires alone on what it is about, with its reason code and weight', async (t) => {
  const cases: Array<[string, Partial<Scorable>, number]> = [
    ['honeypot', { honeypotFilled: true }, 1],
    ['fill_time', { startedAt: new Date(NOW.getTime() - 1200) }, 0.6],
    ['links', { message: 'Se https://seo-byran.com/1, www.billigt.se och klick.nu/x, skriv till sales@annons.com' }, 0.6],
    ['disposable_email', { email: 'someone@mailinator.com' }, 0.5],
    ['language', { message: 'Здравствуйте! Мы предлагаем продвижение вашего сайта в поисковых системах по низкой цене.' }, 0.5],
    ['keyword', { message: 'Hej, vill du KÖP  BILLIGT av oss? Hör av dig så berättar jag mer.' }, 0.6]
  ]
  for (const [reason, overrides, weight] of cases) {
    const { score, reasons } = scorer().score(person(overrides), NOW)
    t.same(reasons, [reason], `${reason} alone`)
    t.equal(score, weight, `${reason} adds its weight`)
  }
})

t.test('weights come from the configuration, and signals add up', async (t) => {
  const { score, reasons } = scorer({ SPAM_WEIGHT_LINKS: '0.25', SPAM_WEIGHT_DISPOSABLE_EMAIL: '0.5' })
    .score(person({ message: 'https://a.com https://b.se https://c.nu', email: 'x@yopmail.com' }), NOW)
  t.same(reasons, ['links', 'disposable_email'])
  t.equal(score, 0.75)
})

t.test('a disposable provider\'s subdomain is disposable too; a real domain\'s is not', async (t) => {
  t.same(scorer().score(person({ email: 'a@anything.33m.co' }), NOW).reasons, ['disposable_email'])
  t.same(scorer().score(person({ email: 'a@mail.ri.se' }), NOW).reasons, [])
})

t.test('the language signal: English and the neighbours\' languages are served; short messages are not judged', async (t) => {
  const english = 'Hello, I read about your project on circular construction and would like to know whether municipalities can join.'
  const norwegian = 'Hei! Jeg lurer på om dere har mulighet til å holde et foredrag for kommunen vår i løpet av våren neste år.'
  t.same(scorer().score(person({ message: english }), NOW).reasons, [])
  t.same(scorer().score(person({ message: norwegian }), NOW).reasons, [])
  t.same(scorer().score(person({ message: 'Wir bieten Ihnen günstige Suchmaschinenoptimierung für Ihre Webseite an, rufen Sie uns an.' }), NOW).reasons, ['language'])
  t.same(scorer().score(person({ message: 'Привет, как дела?' }), NOW).reasons, [], 'too short to judge')
  t.same(scorer({ SPAM_LANGUAGES: 'sv' }).score(person({ message: english, locale: 'en' }), NOW).reasons, [], 'the page\'s own language is served')
})

t.test('fill time: a provider that tells no start says nothing; SPAM_MIN_FILL_SECONDS=0 turns it off', async (t) => {
  t.same(scorer().score(person({ startedAt: null }), NOW).reasons, [])
  t.same(scorer({ SPAM_MIN_FILL_SECONDS: '0' }).score(person({ startedAt: NOW }), NOW).reasons, [])
})

t.test('SPAM_FILTER=false reads the honeypot only', async (t) => {
  const off = scorer({ SPAM_FILTER: 'false' })
  t.same(off.score(person({ email: 'x@mailinator.com', startedAt: NOW }), NOW), { score: 0, reasons: [], campaignKey: null })
  t.same(off.score(person({ honeypotFilled: true }), NOW), { score: 1, reasons: ['honeypot'], campaignKey: null })
})

t.test('the classifier says nothing until it has seen enough of both labels, then what it learned', async (t) => {
  const spamText = 'Vi erbjuder SEO och fler besökare till er hemsida, garanterad förstasida på Google'
  const hamText = 'Hej Lotta, kan vi ses och prata om ert projekt om livslångt lärande i kommunen'
  const learned = (spamExamples: number, hamExamples: number): SpamModel => {
    const tokens = new Map<string, [number, number]>()
    for (const token of tokenHashes(KEY, spamText, 'x@seo.example')) tokens.set(token, [spamExamples, 0])
    for (const token of tokenHashes(KEY, hamText, 'y@kommun.se')) tokens.set(token, [tokens.get(token)?.[0] ?? 0, hamExamples])
    return { spamExamples, hamExamples, tokens }
  }
  const seo = person({ message: 'Garanterad förstasida på Google! Vi erbjuder SEO till er hemsida.', email: 'z@seo.example' })
  t.same(scorer({}, learned(50, 49)).score(seo, NOW).reasons, [], 'silent with 49 ham examples')
  t.same(scorer({}, learned(50, 50)).score(seo, NOW).reasons, ['classifier'])
  t.same(scorer({}, learned(50, 50)).score(person({ message: hamText }), NOW).reasons, [], 'a message like the released ones passes')
  t.equal(spamProbability(learned(50, 50), [], 50), 0.5, 'a message of unknown words is a coin toss, which is below any threshold')
})

t.test('the classifier\'s tokens are keyed hashes of distinct words, at most MAX_TOKENS', async (t) => {
  const message = Array.from({ length: 1000 }, (_v, i) => `ord${i} ord${i}`).join(' ')
  t.equal(words(message).length, MAX_TOKENS)
  const hashes = tokenHashes(KEY, 'Hej hej HEJ', 'a@Example.se')
  t.equal(hashes.length, 2, 'one word, one domain')
  t.ok(hashes.every((h) => /^[0-9a-f]{32}$/.test(h)))
  t.notSame(tokenHashes('another-pseudonym-key-0123456789', 'Hej', 'a@example.se'), tokenHashes(KEY, 'Hej', 'a@example.se'), 'another key, other hashes')
})

t.test('the campaign key: the same text but for numbers, links, case and punctuation; none for short texts', async (t) => {
  const a = campaignKey(KEY, 'Vi erbjuder billiga annonser till ert företag, ring 070-123 45 67 eller se https://x.example/1', 40)
  const b = campaignKey(KEY, 'VI ERBJUDER billiga annonser till ert företag!! Ring 08-99 88 77 eller se https://y.example/2', 40)
  t.ok(a !== null && a === b)
  t.not(a, campaignKey(KEY, 'Vi erbjuder dyra annonser till ert företag, ring 070-123 45 67 eller se https://x.example/1', 40))
  t.equal(campaignKey(KEY, 'Ring mig, tack!', 40), null)
})

t.test('any message, address and start scores without throwing, to a finite score of known reasons', async (t) => {
  const s = scorer({}, EMPTY_MODEL)
  await checkProperty(t, 'scoring', fc.asyncProperty(anyString(2000), anyString(60), fc.boolean(), fc.option(fc.date({ noInvalidDate: true })), async (message, email, honeypotFilled, startedAt) => {
    const { score, reasons } = s.score({ message, email, locale: 'sv', honeypotFilled, startedAt }, NOW)
    return Number.isFinite(score) && reasons.every((r) => ['honeypot', 'fill_time', 'links', 'disposable_email', 'language', 'keyword', 'classifier'].includes(r))
  }))
})
