// Who receives a request addressed to a contact, and why.

export interface RoutableContact {
  id: string
  email: string
  locale: string
  active: boolean
  delegateStandsIn: boolean
  delegate: { id: string, email: string, locale: string, active: boolean } | null
}

export type RouteReason = 'direct' | 'delegate' | 'fallback'

export interface Route {
  reason: RouteReason
  email: string
  locale: string
  /** The contact who receives it, when it is not the fallback inbox. */
  contactId: string | null
}

/**
 * The contact receives their own requests unless they are inactive or their
 * delegate stands in; then the delegate does (one hop, if active). When nobody
 * can, the fallback inbox does; without one, the request cannot be routed (null).
 */
export function routeRequest (contact: RoutableContact, fallbackEmail: string | undefined): Route | null {
  const delegateTakesOver = !contact.active || contact.delegateStandsIn
  if (!delegateTakesOver) {
    return { reason: 'direct', email: contact.email, locale: contact.locale, contactId: contact.id }
  }
  const delegate = contact.delegate
  if (delegate !== null && delegate.active) {
    return { reason: 'delegate', email: delegate.email, locale: delegate.locale, contactId: delegate.id }
  }
  if (contact.active) {
    // The delegate stands in but cannot: the contact is still there to take it.
    return { reason: 'direct', email: contact.email, locale: contact.locale, contactId: contact.id }
  }
  if (fallbackEmail !== undefined) {
    return { reason: 'fallback', email: fallbackEmail, locale: 'sv', contactId: null }
  }
  return null
}
