// The checks a browser can make before sending: the same rules as the API's schema
// (src/intake/schemas.ts), so a person hears about a mistake without a round trip.
import type { MessageId } from './texts.js'

export type FieldName = 'name' | 'email' | 'phone' | 'organisation' | 'message' | 'consent' | 'captcha'

export interface FormValues {
  name: string
  email: string
  phone: string
  organisation: string
  message: string
  consent: boolean
}

export interface FieldError {
  field: FieldName
  message: MessageId
}

// JSON Schema counts lengths in code points, as the server does; String#length counts UTF-16 units.
const length = (value: string): number => [...value].length
const blank = (value: string): boolean => !/\S/.test(value)

// A dot-atom on both sides of one @, as the schema's Email (no characters that need quoting).
const EMAIL = /^[^\s"(),.:;<>@[\\\]]+(?:\.[^\s"(),.:;<>@[\\\]]+)*@[^\s"(),.:;<>@[\\\]]+(?:\.[^\s"(),.:;<>@[\\\]]+)+$/u
// What the schema refuses (src/schemas/common.ts): control characters and lone surrogates anywhere
// (tabs and line breaks allowed in the message), and in one-line fields line separators and bidi overrides.
/* eslint-disable no-control-regex -- refusing control characters is the point */
const REFUSED_IN_LINE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/u
const REFUSED_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF]/u
/* eslint-enable no-control-regex */
const PHONE = /^\+?[0-9][0-9 ()./-]{3,38}$/

/**
 * Every problem with the values, in the order of the fields on the form. Checked as the form
 * sends them (fieldsOf: trimmed), since that is what the server's schema judges.
 */
export function check (values: FormValues): FieldError[] {
  const errors: FieldError[] = []
  const add = (field: FieldName, message: MessageId) => errors.push({ field, message })
  const { name, email, phone = '', organisation = '', message } = fieldsOf(values)
  if (blank(name)) add('name', 'nameMissing')
  else if (length(name) > 200) add('name', 'nameTooLong')
  else if (REFUSED_IN_LINE.test(name)) add('name', 'nameCharacters')
  if (blank(email)) add('email', 'emailMissing')
  else if (!EMAIL.test(email) || length(email) > 254 || REFUSED_IN_LINE.test(email)) add('email', 'emailInvalid')
  if (phone !== '' && !PHONE.test(phone)) add('phone', 'phoneInvalid')
  if (length(organisation) > 200) add('organisation', 'organisationTooLong')
  else if (REFUSED_IN_LINE.test(organisation)) add('organisation', 'organisationCharacters')
  if (blank(message)) add('message', 'messageMissing')
  else if (length(message) > 10_000) add('message', 'messageTooLong')
  else if (REFUSED_IN_TEXT.test(message)) add('message', 'messageCharacters')
  if (!values.consent) add('consent', 'consentMissing')
  return errors
}

/** The fields as the form sends them: trimmed (the message as typed), an empty optional field left out. */
export function fieldsOf (values: FormValues): { name: string, email: string, phone?: string, organisation?: string, message: string } {
  const optional = (value: string) => value.trim() === '' ? undefined : value.trim()
  return {
    name: values.name.trim(),
    email: values.email.trim(),
    phone: optional(values.phone),
    organisation: optional(values.organisation),
    message: values.message
  }
}

/** The form field a server error's JSON pointer names, if it is one a person can correct. */
export function fieldOf (pointer: string): FieldName | null {
  const top = pointer.split('/')[1]
  switch (top) {
    case 'name': case 'email': case 'phone': case 'organisation': case 'message': return top
    case 'consent': return 'consent'
    case 'captcha': return 'captcha'
    default: return null
  }
}
