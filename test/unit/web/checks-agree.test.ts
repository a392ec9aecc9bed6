// The browser's field checks (web/contact-form/checks.ts) restate the server's schema
// (src/intake/schemas.ts) so a person hears about a mistake without a round trip. This ties them:
// for generated values, the browser flags a field exactly when the schema refuses what the form
// would send for it.
import t from 'tap'
import fc from 'fast-check'
import { check, fieldsOf, type FormValues } from '../../../web/contact-form/checks.js'
import { ContactRequestBodySchema } from '../../../src/intake/schemas.js'
import { validatorCompiler } from '../../../src/plugins/validation.js'
import { checkProperty } from '../../helpers/properties.js'

const validate = validatorCompiler()({ schema: ContactRequestBodySchema, httpPart: 'body', url: '/v1/contact-requests', method: 'POST' }) as
  ((body: unknown) => boolean) & { errors?: Array<{ instancePath: string, params: { missingProperty?: string } }> | null }

const FIELDS = ['name', 'email', 'phone', 'organisation', 'message'] as const

/** The fields the server's schema refuses in the body the form would send for `values`. */
function refusedByServer (values: FormValues): string[] {
  const body = {
    contactId: 'lotta-fransson',
    ...fieldsOf(values),
    consent: { accepted: true, noticeVersion: '2026-11-27' },
    captcha: { provider: 'altcha', token: 'token' }
  }
  if (validate(JSON.parse(JSON.stringify(body)))) return []
  const fields = (validate.errors ?? []).map((e) => e.instancePath.split('/')[1] || e.params.missingProperty || '/')
  return [...new Set(fields)].sort()
}

const refusedByBrowser = (values: FormValues): string[] =>
  [...new Set(check(values).map((e) => e.field).filter((f) => f !== 'consent'))].sort()

// Characters at every rule's edge: separators, controls, bidi overrides, surrogates, what an address may not hold.
const edgy = fc.constantFrom('a', 'Ö', 'é', '😀', ' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u2029', '\u202e', '\u2066', '\u0000', '\u0007', '\u007f', '\u0085',
  '\ud800', '\udc00', '@', '.', '"', '(', ',', ':', ';', '<', '[', '\\', '+', '-', '/', '0', '7')
const text = fc.oneof(
  fc.string({ unit: edgy, maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
  // Around each length limit: 200, 254, 10,000.
  fc.tuple(fc.constantFrom(198, 199, 200, 201, 253, 254, 255, 9999, 10_000, 10_001), fc.constantFrom('a', 'é', '😀'), fc.string({ unit: edgy, maxLength: 3 }))
    .map(([n, c, tail]) => c.repeat(n - [...tail].length) + tail)
)
const email = fc.oneof(
  fc.emailAddress(),
  fc.tuple(fc.string({ unit: edgy, maxLength: 8 }), fc.string({ unit: edgy, maxLength: 8 }), fc.string({ unit: edgy, maxLength: 4 }))
    .map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
  fc.tuple(fc.emailAddress(), fc.string({ unit: edgy, maxLength: 2 }), fc.string({ unit: edgy, maxLength: 2 })).map(([a, before, after]) => `${before}${a}${after}`),
  text
)
const phone = fc.oneof(fc.constant(''), fc.stringMatching(/^\+?[0-9][0-9 ()./-]{0,42}$/), fc.string({ unit: edgy, maxLength: 12 }))
const values: fc.Arbitrary<FormValues> = fc.record({
  name: fc.oneof(fc.constant('Anna Andersson'), text),
  email: fc.oneof(fc.constant('anna@example.se'), email),
  phone,
  organisation: fc.oneof(fc.constant(''), text),
  message: fc.oneof(fc.constant('Hej!'), text),
  consent: fc.constant(true)
})

t.test('the browser flags a field exactly when the server\'s schema refuses what the form sends for it', async (t) => {
  t.same(FIELDS.length, 5)
  await checkProperty(t, 'browser and server agree', fc.asyncProperty(values, async (v) => {
    const browser = refusedByBrowser(v)
    const server = refusedByServer(v)
    if (JSON.stringify(browser) !== JSON.stringify(server)) {
      throw new Error(`browser ${JSON.stringify(browser)} but server ${JSON.stringify(server)} for ${JSON.stringify(v).slice(0, 300)}`)
    }
  }), { weight: 25 })
})

t.test('the tie can tell them apart: a browser rule looser than the schema is caught', async (t) => {
  // What a drifted rule looks like: the browser's 200-character name against the schema's.
  const long = { name: 'a'.repeat(201), email: 'anna@example.se', phone: '', organisation: '', message: 'Hej!', consent: true }
  t.same(refusedByServer(long), ['name'])
  t.same(refusedByBrowser(long), ['name'])
  t.same(refusedByServer({ ...long, name: 'a'.repeat(200) }), [])
})
