// Schemas shared across features: the error body and small building blocks.
import { Type, type Static } from '@sinclair/typebox'

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable, machine-readable error code' }),
  message: Type.String(),
  details: Type.Optional(Type.Array(Type.Object({
    path: Type.String({ description: 'JSON pointer to the field, or header:<name>' }),
    message: Type.String()
  })))
}, { $id: 'Error', title: 'Error' })

export const LocaleSchema = Type.Union([Type.Literal('sv'), Type.Literal('en')], { description: 'Language: sv or en' })
export type Locale = Static<typeof LocaleSchema>
export const LOCALES: Locale[] = ['sv', 'en']

// Characters no text field takes. PostgreSQL refuses NUL in text and jsonb (that was a 500);
// the other C0 and C1 controls have no business in a form; a lone UTF-16 surrogate cannot be
// stored as UTF-8 and would come back changed.
const CONTROLS = '\\u0000-\\u001F\\u007F-\\u009F'
/** The same, less tab, line feed and carriage return. */
const CONTROLS_BUT_LINE_BREAKS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F'
const SURROGATES = '\\uD800-\\uDFFF'
// One-line fields also refuse line separators and bidirectional embeddings, overrides and
// isolates: in an e-mail subject they would reorder what follows.
const LINE_BREAKING = '\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069'
/** A character a one-line field may hold. */
const IN_LINE = `[^${CONTROLS}${SURROGATES}${LINE_BREAKING}]`
/** A character a message may hold: tabs and line breaks too. */
const IN_TEXT = `[^${CONTROLS_BUT_LINE_BREAKS}${SURROGATES}]`

/** One line of text, up to `maxLength` characters (code points); `required`: at least one that is not white space. */
export const Line = (maxLength: number, { required = false, description = 'one line, no control characters', minLength = undefined as number | undefined } = {}) =>
  Type.String({ maxLength, ...(minLength === undefined ? {} : { minLength }), pattern: required ? `^(?=.*\\S)${IN_LINE}+$` : `^${IN_LINE}*$`, description })

/** Free text over several lines, with at least one character that is not white space. */
export const Text = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: `^(?=[\\s\\S]*\\S)${IN_TEXT}+$`, description: 'text; line breaks and tabs allowed, no other control characters' })

/** A telephone number as people write it: digits, spaces and + ( ) - . / */
export const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 ()./-]{3,38}$', description: 'digits, spaces and + ( ) - . /' })

/** A slug id such as lotta-fransson. */
export const ContactId = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 64 })

/** A character of an address: no white space, nothing a one-line field refuses. */
const VISIBLE = `[^\\s${CONTROLS}${SURROGATES}${LINE_BREAKING}]`
// A run of an address's characters: no white space, none of the specials that would need
// quoting in a mail header (RFC 5322 3.2.3), nothing a one-line field refuses. Letters of any
// script are allowed (internationalised addresses, RFC 6531).
const ADDRESS_RUN = `[^\\s"(),.:;<>@\\[\\\\\\]${CONTROLS}${SURROGATES}${LINE_BREAKING}]+`

/** A web page's address. */
export const HttpUrl = (maxLength: number) => Type.String({ pattern: `^https?://${VISIBLE}+$`, maxLength })

/**
 * Pragmatic e-mail check: a dot-atom on both sides of one @ (no quoting: a reply header shows it
 * as it was typed), a dot in the domain; the mailbox proves the rest.
 */
export const Email = Type.String({ pattern: `^${ADDRESS_RUN}(?:\\.${ADDRESS_RUN})*@${ADDRESS_RUN}(?:\\.${ADDRESS_RUN})+$`, maxLength: 254 })

/** The responses every route may give besides its own. */
export const commonErrorResponses = {
  400: ErrorSchema,
  413: ErrorSchema,
  415: ErrorSchema,
  429: ErrorSchema,
  500: ErrorSchema,
  503: ErrorSchema
}

/** A time in a response: handlers may return a Date, the serializer writes ISO 8601. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' })

/** A value or null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

/** What the person typed, as a request stores it: the admin detail and a `full` webhook carry these. */
export const SubmittedFieldsSchema = Type.Object({
  name: Type.String(),
  email: Type.String(),
  phone: Nullable(Type.String()),
  organisation: Nullable(Type.String()),
  message: Type.String(),
  locale: Type.String(),
  pageUrl: Nullable(Type.String())
})
