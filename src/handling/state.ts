// The handling of a request: received → taken (by whom) → answered → closed, and "not mine — pass
// it on", which hands it to someone else as received. One pure decision for the links, the admin
// API and the CLI: what an action does to a request as it is, or why it does nothing.
import type { Handler } from './links.js'

/** A request as its handling sees it. */
export interface HandlingState {
  status: 'received' | 'taken' | 'answered' | 'closed' | 'quarantined'
  /** Null while it is with the contact the form addressed. */
  handler: Handler | null
  takenAt: Date | null
  handedAt: Date | null
  answeredAt: Date | null
  closedAt: Date | null
  restricted: boolean
}

/** Who acts: the holder of a link (as its handler), or an admin (who may act for anyone). */
export type Actor = { handler: Handler } | { admin: string }

export type Act =
  | { action: 'take', handler: Handler }
  | { action: 'answer' }
  | { action: 'pass', to: Handler }

/** What an action changes, written with one history entry. */
export interface Change {
  fields: Partial<Pick<HandlingState, 'status' | 'handler' | 'takenAt' | 'handedAt' | 'answeredAt'>> & { followUpStage?: number }
  event: { kind: 'status' | 'handler', value: string }
  /** A notification goes to the new handler. */
  notify?: Handler
  /** This answer is the request's first: the time to a first answer is measured. */
  firstAnswer?: boolean
}

/** Why an action did nothing; a page says what happened instead, and when. */
export type Refusal =
  | { refused: 'taken', by: Handler | null, at: Date | null }
  | { refused: 'passed', to: Handler | null, at: Date | null }
  | { refused: 'answered', at: Date | null }
  | { refused: 'closed', at: Date | null }
  | { refused: 'held' }
  | { refused: 'same_handler' }

/** Acting as this link's holder, or as an admin, on a request taken by someone else is refused. */
const isOther = (state: HandlingState, actor: Actor): boolean =>
  'handler' in actor && state.handler !== null && state.handler !== actor.handler

/** What an action comes to. */
export type Decision = Change | Refusal | { unchanged: true }

/**
 * Why this actor can do nothing of this kind to the request as it is, whatever the details (whom
 * to pass it to): what a link's page says before anyone presses its button. Null when it can.
 */
export function blocked (state: HandlingState, action: Act['action'], actor: Actor): Refusal | null {
  if (state.restricted || state.status === 'quarantined') return { refused: 'held' }
  if (state.status === 'closed') return { refused: 'closed', at: state.closedAt }
  if (state.status === 'answered' && action !== 'answer') return { refused: 'answered', at: state.answeredAt }
  if (isOther(state, actor)) {
    return state.status === 'taken'
      ? { refused: 'taken', by: state.handler, at: state.takenAt }
      : { refused: 'passed', to: state.handler, at: state.handedAt }
  }
  return null
}

export function decide (state: HandlingState, act: Act, actor: Actor, now: Date): Decision {
  const refusal = blocked(state, act.action, actor)
  if (refusal !== null) return refusal
  switch (act.action) {
    case 'take':
      if (state.status === 'taken' && state.handler === act.handler) return { unchanged: true }
      return { fields: { status: 'taken', handler: act.handler, takenAt: now }, event: { kind: 'status', value: 'taken' } }
    case 'answer':
      if (state.status === 'answered') return { unchanged: true }
      return {
        fields: { status: 'answered', answeredAt: state.answeredAt ?? now },
        event: { kind: 'status', value: 'answered' },
        firstAnswer: state.answeredAt === null
      }
    case 'pass':
      if (act.to === state.handler || ('handler' in actor && act.to === actor.handler)) return { refused: 'same_handler' }
      return {
        // Back to received, with the new handler's response time starting now and no reminders yet.
        fields: { status: 'received', handler: act.to, handedAt: now, takenAt: null, followUpStage: 0 },
        event: { kind: 'handler', value: act.to },
        notify: act.to
      }
  }
}

/** The actor string of the history and audit: contact:<id>, inbox:fallback, key:<name> or cli:<user>. */
export const actorName = (actor: Actor): string => 'handler' in actor ? actor.handler : actor.admin
