// The errors this service answers with: each has a stable `code` that clients can rely on.

export interface ErrorDetail {
  /** JSON pointer to the offending field, e.g. "/consent/accepted". */
  path: string
  message: string
}

export class AppError extends Error {
  constructor (
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    /** Seconds after which a retry may succeed (sent as Retry-After). */
    readonly retryAfter?: number
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const validationFailed = (details: ErrorDetail[], message = 'The request is not valid.') =>
  new AppError(400, 'VALIDATION_FAILED', message, details)

export const captchaFailed = (reason: string) =>
  new AppError(403, 'CAPTCHA_FAILED', 'The CAPTCHA could not be verified. Please solve it again.', [{ path: '/captcha', message: reason }])

export const captchaUnavailable = () =>
  new AppError(503, 'CAPTCHA_UNAVAILABLE', 'The CAPTCHA service cannot be reached. Please try again shortly.', undefined, 30)

export const consentRequired = (details: ErrorDetail[]) =>
  new AppError(422, 'CONSENT_REQUIRED', 'Consent to the privacy notice is required.', details)

export const unknownContact = () =>
  new AppError(422, 'UNKNOWN_CONTACT', 'This contact cannot receive requests.', [{ path: '/contactId', message: 'no contact with this id can take requests' }])

export const idempotencyKeyReused = () =>
  new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.', [{ path: 'header:idempotency-key', message: 'already used with another body' }])

export const unavailable = (what: string) =>
  new AppError(503, 'UNAVAILABLE', `The service is temporarily unavailable (${what}). Please try again shortly.`, undefined, 5)

export const notFound = (message = 'Not found.') => new AppError(404, 'NOT_FOUND', message)

export const unauthenticated = () =>
  new AppError(401, 'UNAUTHENTICATED', 'An admin API key is required: Authorization: Bearer <key>.')

export const forbidden = (scope: string) =>
  new AppError(403, 'FORBIDDEN', `This key lacks the scope ${scope}.`, [{ path: 'header:authorization', message: `needs scope ${scope}` }])

export const conflict = (message: string, details?: ErrorDetail[]) => new AppError(409, 'CONFLICT', message, details)
