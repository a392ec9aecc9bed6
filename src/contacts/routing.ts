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
  return routeTo(null, fallbackEmail)
}

/** Who receives what is sent to a contact (by its routing), or to the fallback inbox (null). */
export function routeTo (contact: RoutableContact | null, fallbackEmail: string | undefined): Route | null {
  if (contact !== null) return routeRequest(contact, fallbackEmail)
  return fallbackEmail === undefined ? null : { reason: 'fallback', email: fallbackEmail, locale: 'sv', contactId: null }
}

/** A contact as routing and retention see it. */
export interface DirectoryContact extends RoutableContact {
  /** Overrides the default retention of this contact's requests. */
  retentionDays: number | null
  /** Overrides the default response time (working days) of this contact's requests. */
  responseDays: number | null
}

export interface ContactRouterOptions {
  /** Reads the whole directory; called at most once per `cacheMs`. */
  load: () => Promise<DirectoryContact[]>
  fallbackEmail: string | undefined
  /** Retention of a request whose contact has no override. */
  retentionDays: number
  /**
   * How long a read of the directory is used. A change made through this process's admin API
   * applies at once (forget()); one made elsewhere reaches this process within this time.
   */
  cacheMs: number
}

/** Where the intake decides whether a contact can take a request, and for how long it is kept. */
export function createContactRouter ({ load, fallbackEmail, retentionDays, cacheMs }: ContactRouterOptions) {
  let cached: { byId: Map<string, DirectoryContact>, until: number } | null = null
  let loading: Promise<Map<string, DirectoryContact>> | null = null

  async function directory (): Promise<Map<string, DirectoryContact>> {
    if (cached !== null && cached.until > Date.now()) return cached.byId
    // Concurrent callers share one read.
    loading ??= load().then((contacts) => {
      const byId = new Map(contacts.map((c) => [c.id, c]))
      cached = { byId, until: Date.now() + cacheMs }
      return byId
    }).finally(() => { loading = null })
    return await loading
  }

  return {
    /** Who would receive a request to this contact now, and how many days it is kept; null when nobody can take it. */
    async find (contactId: string): Promise<{ route: Route, retentionDays: number } | null> {
      const contact = (await directory()).get(contactId)
      const route = contact === undefined ? null : routeRequest(contact, fallbackEmail)
      return route === null || contact === undefined ? null : { route, retentionDays: contact.retentionDays ?? retentionDays }
    },

    /** Drops the cached directory: the next look-up reads it again. */
    forget (): void {
      cached = null
    }
  }
}
export type ContactRouter = ReturnType<typeof createContactRouter>
