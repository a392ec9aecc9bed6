// What the spam signals read of a message: its words, its links, its language, its campaign key.
// The text itself is never kept: the classifier stores keyed hashes of words, the campaign signal
// a keyed hash of the whole normalised message (src/privacy/pseudonyms.ts holds the key's rules).
import { find as findLinks } from 'linkifyjs'
// ELD's medium database: the languages contact forms here meet, 15 µs for a short message (tinyld
// took 51 to 79, a third of the intake's scoring cost; npm run bench).
import { eld } from 'eld/medium'
import { keyedHash } from '../privacy/pseudonyms.js'

/** Words the classifier reads at most, per message: the first distinct ones are plenty, and scoring stays cheap. */
export const MAX_TOKENS = 300

/** The detector reads at most this much: a language shows in the first lines. */
const LANGUAGE_SAMPLE_CHARS = 2000
/** Under this many characters, the language detector guesses: it is not asked. */
const LANGUAGE_MIN_CHARS = 60

/** Distinct lower-case words (letters and digits) of the message, in order, at most MAX_TOKENS. */
export function words (message: string): string[] {
  const found = new Set<string>()
  for (const [word] of message.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    if (word.length < 2 || word.length > 40) continue
    found.add(word)
    if (found.size === MAX_TOKENS) break
  }
  return [...found]
}

/** The domain of an e-mail address, as it is compared. */
export const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase()

/** The classifier's view of a message: its words, and the sender's e-mail domain, as keyed hashes. */
export function tokenHashes (key: string, message: string, email: string): string[] {
  return [...words(message), `@${domainOf(email)}`].map((token) => keyedHash(key, 'spam-token', token).slice(0, 32))
}

/** Web addresses and e-mail addresses in the message, as a person would see them (linkifyjs). */
export const linkCount = (message: string): number => findLinks(message).length

/** The message's language (ISO 639-1, as ELD names it: no for Norwegian), or null when the detector is not sure. */
export function language (message: string): string | null {
  const detected = eld.detect(message.slice(0, LANGUAGE_SAMPLE_CHARS))
  return detected.language !== '' && detected.isReliable() ? detected.language : null
}

/** What the costly signals read of a message: how many links it holds, and its language. */
export interface TextReading {
  links: number
  /** Null when the message is too short to tell, or the detector is not sure. */
  language: string | null
}

/** Reads a message's links and language: on the event loop, or on a worker thread (src/spam/text-readers.ts). */
export const readText = (message: string): TextReading => ({
  links: linkCount(message),
  language: message.length >= LANGUAGE_MIN_CHARS ? language(message) : null
})

/** readText as a reader's read: on the event loop, for SPAM_THREADS=0 and for scorers given no reader. */
export const readOnLoop = async (message: string): Promise<TextReading> => readText(message)

/**
 * What makes two messages "nearly the same" for the campaign signal: letters only, lower case,
 * one space between words; numbers, links and punctuation (what a campaign varies) left out.
 * Null when too little is left to tell a campaign from people writing "call me, please".
 */
export function campaignKey (key: string, message: string, minChars: number): string | null {
  const text = message.toLowerCase()
    .replace(/\b(?:https?:\/\/|www\.)\S+/gu, ' ')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim()
  return text.length < minChars ? null : keyedHash(key, 'spam-campaign', text)
}
