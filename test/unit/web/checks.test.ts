// The browser's field checks: what a person hears about before anything is sent.
import t from 'tap'
import { check, fieldOf, type FormValues } from '../../../web/contact-form/checks.js'

const valid: FormValues = { name: 'Anna Andersson', email: 'anna.andersson@example.se', phone: '', organisation: '', message: 'Hej!', consent: true }
const problems = (over: Partial<FormValues>) => check({ ...valid, ...over }).map((e) => `${e.field}:${e.message}`)
/** A value as an assertion's name: separators and surrogates escaped, so TAP's lines stay lines. */
const show = (value: string) => JSON.stringify(value).replace(/[\u2028\u2029\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)

t.test('a complete form has no problems', async (t) => {
  t.same(check(valid), [])
  t.same(problems({ phone: '+46 70 123 45 67', organisation: 'Skellefteå kommun' }), [])
})

t.test('an empty form names every required field, in the order of the form', async (t) => {
  t.same(problems({ name: '', email: '', message: '', consent: false }), ['name:nameMissing', 'email:emailMissing', 'message:messageMissing', 'consent:consentMissing'])
  t.same(problems({ name: ' \t', email: '  ', message: '\n' }), ['name:nameMissing', 'email:emailMissing', 'message:messageMissing'], 'white space is empty')
})

t.test('lengths are counted in characters (code points), up to each field\'s limit', async (t) => {
  t.same(problems({ name: 'a'.repeat(200) }), [])
  t.same(problems({ name: 'a'.repeat(201) }), ['name:nameTooLong'])
  t.same(problems({ name: '😀'.repeat(200) }), [], 'two UTF-16 units each, one character')
  t.same(problems({ organisation: 'a'.repeat(200) }), [])
  t.same(problems({ organisation: 'a'.repeat(201) }), ['organisation:organisationTooLong'])
  t.same(problems({ message: 'a'.repeat(10_000) }), [])
  t.same(problems({ message: 'a'.repeat(10_001) }), ['message:messageTooLong'])
})

t.test('an e-mail address is one @ between dot-atoms, with a dot in the domain, at most 254 characters', async (t) => {
  for (const ok of ['a@b.se', ' anna@example.se ', 'first.last+tag@sub.example.org', 'åsa@exempel.se']) t.same(problems({ email: ok }), [], ok)
  // The form sends it trimmed, and String#trim takes a line separator at the end too: the server gets a@b.se.
  t.same(problems({ email: 'a@b.se\u2028' }), [], 'a separator at the end is trimmed away, as the form sends it')
  for (const bad of ['anna', 'anna@', '@example.se', 'anna@example', 'an na@example.se', 'anna@@example.se', 'a..b@example.se', '.a@example.se', 'a.@example.se', 'anna@example..se', 'anna@.example.se', 'a"b@example.se', 'a(b@example.se', 'a,b@example.se', 'a:b@example.se', 'a;b@example.se', 'a<b@example.se', 'a[b@example.se', 'a\\b@example.se', 'a@b\u2028.se', 'anna@example.se bertil@example.se', 'anna@example.se>', 'anna@example.se,']) {
    t.same(problems({ email: bad }), ['email:emailInvalid'], show(bad))
  }
  const local = 'a'.repeat(64)
  const long = `${local}@${'b'.repeat(186)}.se`
  t.equal([...long].length, 254)
  t.same(problems({ email: long }), [])
  t.same(problems({ email: `a${long}` }), ['email:emailInvalid'], '255 characters')
  t.same(problems({ email: `  ${long}  ` }), [], 'the space around it is not counted')
})

t.test('a phone number is optional; given, it is digits with the usual separators, 4 to 40 characters', async (t) => {
  for (const ok of ['', '   ', '+46 70 123 45 67', ' 070-123 45 67 ', '070-123 45 67', '08 (123) 456.78/9', '1234', `+${'1'.repeat(39)}`]) t.same(problems({ phone: ok }), [], ok)
  for (const bad of ['123', 'phone', '+46 70 CALL ME', '--123456', '+', `+${'1'.repeat(40)}`, '12345678901234567890123456789012345678901']) t.same(problems({ phone: bad }), ['phone:phoneInvalid'], bad)
})

t.test('one-line fields refuse control characters, line breaks and separators, bidi overrides and lone surrogates', async (t) => {
  for (const c of ['\u0000', '\t', '\n', '\r', '\u001F', '\u007F', '\u009F', '\u2028', '\u2029', '\u202A', '\u202E', '\u2066', '\u2069', '\uD800', '\uDFFF']) {
    t.same(problems({ name: `An${c}na` }), ['name:nameCharacters'], `name ${show(c)}`)
    t.same(problems({ organisation: `R${c}ISE` }), ['organisation:organisationCharacters'], `organisation ${show(c)}`)
  }
  for (const ok of ['\u0020', '\u00A0', '\u2027', '\u202F', '\u2065', '\u206A', 'Åsa Öberg-Ängström', 'محمد']) t.same(problems({ name: `An${ok}na` }), [], show(ok))
})

t.test('the message keeps tabs and line breaks but refuses other control characters and lone surrogates', async (t) => {
  t.same(problems({ message: 'Hej!\tRad ett\r\nRad två\n' }), [])
  t.same(problems({ message: 'Hej 😀 \u202E right-to-left' }), [], 'emoji and bidi controls in free text')
  for (const c of ['\u0000', '\u0008', '\u000B', '\u000C', '\u000E', '\u001F', '\u007F', '\u009F', '\uD800', '\uDFFF']) t.same(problems({ message: `Hej${c}` }), ['message:messageCharacters'], show(c))
})

t.test('consent must be given', async (t) => {
  t.same(problems({ consent: false }), ['consent:consentMissing'])
})

t.test('a server error\'s pointer names the field a person can correct, or none', async (t) => {
  for (const field of ['name', 'email', 'phone', 'organisation', 'message', 'consent', 'captcha'] as const) t.equal(fieldOf(`/${field}`), field)
  t.equal(fieldOf('/consent/noticeVersion'), 'consent')
  t.equal(fieldOf('/captcha/token'), 'captcha')
  for (const other of ['/contactId', '/locale', '', '/', 'name']) t.equal(fieldOf(other), null, show(other))
})
