// Generated inputs (fast-check) and the runner that checks properties at CI size or, for
// `npm run fuzz`, for as long as FUZZ_SECONDS allows with a random seed.
import fc from 'fast-check'

interface TestLike {
  comment: (...message: unknown[]) => void
  pass: (message: string) => void
  fail: (message: string) => void
}

/** Set by `npm run fuzz`: the whole run's time budget, shared among the properties. */
const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 0)
/** A fixed seed in CI, so a failure there replays; a random one when fuzzing (printed). */
export const SEED = process.env.FUZZ_SEED !== undefined
  ? Number(process.env.FUZZ_SEED)
  : FUZZ_SECONDS > 0 ? Math.floor(Math.random() * 2 ** 31) : 20261127
/** Cases per property in CI. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40)

/**
 * Checks a property and reports how many cases ran. `share` is the part of the fuzzing budget
 * this property gets; in CI it runs RUNS cases (times `weight`).
 */
export async function checkProperty<T> (t: TestLike, name: string, property: fc.IAsyncProperty<T>, { share = 0.1, weight = 1 } = {}): Promise<void> {
  const parameters: fc.Parameters<T> = FUZZ_SECONDS > 0
    ? { seed: SEED, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: FUZZ_SECONDS * 1000 * share, markInterruptAsFailure: false }
    : { seed: SEED, numRuns: Math.max(1, Math.round(RUNS * weight)) }
  const details = await fc.check(property, parameters)
  t.comment(`${name}: ${details.numRuns} cases, seed ${details.seed}`)
  if (details.failed) t.fail(`${name}: ${String(details.errorInstance)}\n${fc.defaultReportMessage(details) ?? ''}`)
  else t.pass(name)
}

/** Characters that have broken parsers and databases: NUL, controls, lone surrogates, line and direction changers. */
const NASTY = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\r\n', '\u000b', '\u001b', '\u007f', '\u0085', '\u009f',
  '\ud800', '\udfff', '\ud83d', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069', '\ufeff', '\ufffe', '\uffff',
  '"', '\\', '%', '%00', '<', '>', '&', '\'', '@', ' ', '\u00a0', '😀', '👩‍👩‍👧', 'å', 'ß', '\u0301', '𝕏']

const char = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY) },
  // NUL on its own: the one character PostgreSQL refuses in every text column.
  { weight: 1, arbitrary: fc.constant('\u0000') }
)

/** Any string, of any Unicode category, with the nasty characters often. */
export const anyString = (maxLength = 80) => fc.string({ unit: char, maxLength })

/** Text as people write it, in any script: grapheme clusters (combining marks, emoji sequences), no controls. */
export const humanString = (maxLength = 80) => fc.string({ unit: 'grapheme', minLength: 1, maxLength })

/** Keys that trip up objects built from JSON. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']

/** Any JSON value, a few levels deep, with the same strings, huge and tiny numbers. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: char }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, '', null, true, [], {}) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }) }
)

/** JSON nested `depth` levels deep. */
export const deepJson = fc.integer({ min: 50, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`)

/** A field that is usually valid and sometimes anything at all. */
export const field = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: anyJson })

/**
 * An object as JSON text, with extra members after the generated ones: unknown keys, prototype
 * keys, and keys the object already has (duplicates, which JSON.parse resolves to the last).
 */
export function withExtraMembers (value: fc.Arbitrary<Record<string, unknown>>, knownKeys: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, ...knownKeys), anyString(20))
  const members = fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(key, anyJson), { minLength: 1, maxLength: 3 }) })
  return fc.tuple(value, members).map(([object, extras]) => {
    const base = JSON.stringify(object)
    if (extras.length === 0) return base
    const members = extras.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')
    return base === '{}' ? `{${members}}` : `${base.slice(0, -1)},${members}}`
  })
}

/** What a header value may carry on the wire (Node refuses the rest before sending). */
export const headerValue = fc.string({ unit: fc.constantFrom(...'\t abcXYZ019-_.:;,=/+*!#$%&\'()[]{}<>?@"\\~`^|'.split(''), '\u00e5', '\u00ff'), maxLength: 300 })

/** The error body every refusal has: the documented shape and a stable code. */
export const ERROR_CODES = new Set(['BAD_REQUEST', 'CAPTCHA_FAILED', 'CAPTCHA_UNAVAILABLE', 'CONFLICT', 'CONSENT_REQUIRED', 'FORBIDDEN',
  'IDEMPOTENCY_KEY_REUSED', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'UNAUTHENTICATED', 'UNAVAILABLE', 'UNKNOWN_CONTACT',
  'UNSUPPORTED_MEDIA_TYPE', 'URI_TOO_LONG', 'VALIDATION_FAILED'])

/** Why an error answer does not have the documented shape, or null when it does. */
export function errorShapeProblem (statusCode: number, body: string): string | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return `not JSON: ${body.slice(0, 100)}`
  }
  const e = parsed as { statusCode?: unknown, code?: unknown, message?: unknown, details?: unknown }
  if (e.statusCode !== statusCode) return `statusCode ${String(e.statusCode)} in a ${statusCode} answer`
  if (typeof e.code !== 'string' || !ERROR_CODES.has(e.code)) return `unknown code ${String(e.code)}`
  if (typeof e.message !== 'string') return 'no message'
  if (e.details !== undefined && !(Array.isArray(e.details) && e.details.every((d: { path?: unknown, message?: unknown }) => typeof d.path === 'string' && typeof d.message === 'string'))) return 'malformed details'
  return null
}
