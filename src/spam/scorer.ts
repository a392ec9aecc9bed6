// Spam scoring at intake: local signals, each with a stable reason code and a weight from the
// configuration; their sum against SPAM_THRESHOLD decides quarantine (README: "Spam").
//
// Every signal but one is decided here, from the submission alone. The campaign signal needs the
// requests of the last hours: it is decided by the statement that stores the request
// (src/repositories/requests.ts), from the campaign key computed here and the weights passed with it.
import { createRequire } from 'node:module'
import type { Config } from '../config.js'
import { hasLearned, spamProbability, type SpamModel } from './classifier.js'
import { campaignKey, domainOf, readOnLoop, readText, tokenHashes, type TextReading } from './text.js'
import type { TextReader } from './text-readers.js'
import type { SpamReason } from './rule.js'

/** Under this many letters, the same text from several people is not a campaign ("ring mig, tack"). */
const CAMPAIGN_MIN_CHARS = 40

export type SpamConfig = Pick<Config,
  'SPAM_FILTER' | 'PSEUDONYM_KEY' |
  'SPAM_WEIGHT_HONEYPOT' | 'SPAM_WEIGHT_FILL_TIME' | 'SPAM_MIN_FILL_SECONDS' | 'SPAM_WEIGHT_LINKS' | 'SPAM_MAX_LINKS' |
  'SPAM_WEIGHT_DISPOSABLE_EMAIL' | 'SPAM_WEIGHT_LANGUAGE' | 'SPAM_LANGUAGES' | 'SPAM_WEIGHT_CAMPAIGN' |
  'SPAM_WEIGHT_KEYWORD' | 'SPAM_KEYWORDS' | 'SPAM_WEIGHT_CLASSIFIER' | 'SPAM_CLASSIFIER_MIN_PROBABILITY' | 'SPAM_CLASSIFIER_MIN_EXAMPLES'>

/** What the scorer reads of a submission. */
export interface Scorable {
  message: string
  email: string
  /** The page's language (the form's locale). */
  locale: string
  /** The hidden field a person never sees was filled (by a robot, or by a browser's autofill). */
  honeypotFilled: boolean
  /** When the form's CAPTCHA challenge was issued, if the provider tells. */
  startedAt: Date | null
  /** The message's links and language, when read already (on a worker thread); read here otherwise. */
  reading?: TextReading
}

/** The signals decided from the submission alone, and the key the campaign signal is decided by. */
export interface SpamScore {
  score: number
  reasons: SpamReason[]
  campaignKey: string | null
}

// The maintained list (disposable-email-domains) ships as JSON only.
const require = createRequire(import.meta.url)
const disposable = new Set(require('disposable-email-domains') as string[])
/** Providers that hand out any subdomain: a domain under one of these is disposable too. */
const wildcards = new Set(require('disposable-email-domains/wildcard.json') as string[])

/** Whether mail to this domain (or a parent of it on the wildcard list) is thrown away after minutes. */
function isDisposable (email: string): boolean {
  const domain = domainOf(email)
  if (disposable.has(domain)) return true
  for (let at = 0; at !== -1; at = domain.indexOf('.', at + 1)) {
    if (wildcards.has(at === 0 ? domain : domain.slice(at + 1))) return true
  }
  return false
}

const normalisePhrase = (text: string): string => text.toLowerCase().replace(/\s+/gu, ' ')

/** Each signal's weight, from the configuration. */
const weightsOf = (config: SpamConfig): Record<SpamReason, number> => ({
  honeypot: config.SPAM_WEIGHT_HONEYPOT,
  fill_time: config.SPAM_WEIGHT_FILL_TIME,
  links: config.SPAM_WEIGHT_LINKS,
  disposable_email: config.SPAM_WEIGHT_DISPOSABLE_EMAIL,
  language: config.SPAM_WEIGHT_LANGUAGE,
  campaign: config.SPAM_WEIGHT_CAMPAIGN,
  keyword: config.SPAM_WEIGHT_KEYWORD,
  classifier: config.SPAM_WEIGHT_CLASSIFIER
})

/**
 * `reader` reads a message's links and language for `assess` (on a worker thread when
 * SPAM_THREADS is set: src/spam/text-readers.ts); on the event loop when not given.
 */
export function createSpamScorer (config: SpamConfig, model: () => SpamModel, reader: TextReader['read'] = readOnLoop) {
  const keywords = config.SPAM_KEYWORDS.map(normalisePhrase)
  const servedLanguages = new Set(config.SPAM_LANGUAGES)

  /** The signals that fire for this submission, each once, in SPAM_REASONS order. */
  function signals (input: Scorable, now: Date): SpamReason[] {
    const fired: SpamReason[] = []
    if (input.honeypotFilled) fired.push('honeypot')
    if (input.startedAt !== null && now.getTime() - input.startedAt.getTime() < config.SPAM_MIN_FILL_SECONDS * 1000) fired.push('fill_time')
    const { links, language } = input.reading ?? readText(input.message)
    if (links > config.SPAM_MAX_LINKS) fired.push('links')
    if (isDisposable(input.email)) fired.push('disposable_email')
    if (language !== null && !servedLanguages.has(language) && language !== input.locale) fired.push('language')
    const text = keywords.length === 0 ? '' : normalisePhrase(input.message)
    if (keywords.some((phrase) => text.includes(phrase))) fired.push('keyword')
    // Its tokens (a keyed hash per word) are only worth hashing once it has learned enough to speak.
    const learned = model()
    if (hasLearned(learned, config.SPAM_CLASSIFIER_MIN_EXAMPLES)) {
      const p = spamProbability(learned, tokenHashes(config.PSEUDONYM_KEY, input.message, input.email), config.SPAM_CLASSIFIER_MIN_EXAMPLES)
      if (p !== null && p >= config.SPAM_CLASSIFIER_MIN_PROBABILITY) fired.push('classifier')
    }
    return fired
  }

  const weights = weightsOf(config)

  return {
    /**
     * The submission's score and reasons, but for the campaign signal. With SPAM_FILTER=false only
     * the honeypot is read: what it catches is held as it always was, never dropped.
     */
    score (input: Scorable, now = new Date()): SpamScore {
      if (!config.SPAM_FILTER) {
        return input.honeypotFilled ? { score: weights.honeypot, reasons: ['honeypot'], campaignKey: null } : { score: 0, reasons: [], campaignKey: null }
      }
      const reasons = signals(input, now)
      const score = reasons.reduce((sum, reason) => sum + weights[reason], 0)
      return { score, reasons, campaignKey: campaignKey(config.PSEUDONYM_KEY, input.message, CAMPAIGN_MIN_CHARS) }
    },

    /** As score, with the message's links and language read by the reader: what the intake asks. */
    async assess (input: Scorable, now = new Date()): Promise<SpamScore> {
      if (!config.SPAM_FILTER) return this.score(input, now)
      return this.score({ ...input, reading: await reader(input.message) }, now)
    }
  }
}
export type SpamScorer = ReturnType<typeof createSpamScorer>
