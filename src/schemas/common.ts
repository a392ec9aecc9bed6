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

/** A slug id such as lotta-fransson. */
export const ContactId = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 64 })

/** Pragmatic e-mail check: one @, no spaces, a dot in the domain; the mailbox proves the rest. */
export const Email = Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 254 })

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
