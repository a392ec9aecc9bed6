// The contact form's JSON, and the answer the API gives an accepted one (the receipt is the e-mail, src/receipts/).
import { Type, type Static } from '@sinclair/typebox'
import { ContactId, Email, HttpUrl, Line, LocaleSchema, Phone, Text } from '../schemas/common.js'

export const ContactRequestBodySchema = Type.Object({
  contactId: ContactId,
  name: Line(200, { required: true }),
  email: Email,
  phone: Type.Optional(Phone),
  organisation: Type.Optional(Line(200)),
  message: Text(10_000),
  locale: Type.Optional(LocaleSchema),
  pageUrl: Type.Optional(HttpUrl(2048)),
  consent: Type.Object({
    accepted: Type.Boolean({ description: 'The person ticked the consent box' }),
    noticeVersion: Line(64, { required: true, description: 'version from GET /v1/privacy-notice' })
  }, { additionalProperties: false }),
  captcha: Type.Object({
    provider: Line(32, { required: true }),
    token: Line(16_384, { required: true })
  }, { additionalProperties: false }),
  /** Honeypot: hidden in the form, so only robots fill it in. */
  website: Type.Optional(Type.String({ maxLength: 2048 }))
}, { additionalProperties: false, $id: 'ContactRequestBody' })
export type ContactRequestBody = Static<typeof ContactRequestBodySchema>

export const IntakeHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' }))
})

export const AcceptedSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Literal('received'),
  retainUntil: Type.String({ format: 'date-time', description: 'When the request and its personal data will be deleted' })
}, { $id: 'Accepted', description: 'The 202 answer: the request is stored; keep its id' })
export type Accepted = Static<typeof AcceptedSchema>
