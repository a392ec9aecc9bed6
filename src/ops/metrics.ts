// What the service counts and measures, in Prometheus terms: one registry per process, shared by
// the API and the workers of that process, exposed by the operations listener (src/ops/listener.ts).
//
// Labels take values from closed sets only (outcomes, error codes, provider and queue names,
// route templates): never an address, an e-mail, an id or anything a client can vary.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { reasonsOrNone } from '../spam/rule.js'

/** Every application metric's name starts with this; Node's default metrics keep their standard names. */
export const METRIC_PREFIX = 'contact_intake_'

/**
 * How a submission ended, as counted: accepted, quarantined as spam, a repeat (of which kind),
 * refused (4xx) or failed (5xx) with its error code.
 */
export type SubmissionOutcome =
  | { outcome: 'accepted' | 'quarantined' }
  | { outcome: 'repeat', reason: RepeatKind }
  | { outcome: 'refused' | 'error', reason: string }

/** Why a submission is the repeat of an earlier one: its Idempotency-Key, its CAPTCHA solution, or its message. */
export type RepeatKind = 'idempotency_key' | 'captcha' | 'message'

/** Seconds, from a fast cache hit to the slowest answer a client waits for. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** SMTP and CAPTCHA round trips: milliseconds on a LAN to the configured time-outs. */
const REMOTE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

// eslint-disable-next-line max-lines-per-function -- the catalogue: one entry per metric
export function createMetrics ({ defaultMetrics = true }: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry()
  // Process and event-loop metrics (CPU, memory, handles, GC, event-loop lag), under their usual names.
  if (defaultMetrics) collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const name = (suffix: string): string => `${METRIC_PREFIX}${suffix}`

  return {
    registry,

    http: {
      duration: new Histogram({
        name: name('http_request_duration_seconds'),
        help: 'Time to answer an HTTP request, by method, route template and status code',
        labelNames: ['method', 'route', 'status_code'] as const,
        buckets: LATENCY_BUCKETS,
        registers
      })
    },

    submissions: new Counter({
      name: name('submissions_total'),
      help: 'Contact-form submissions by outcome (accepted, quarantined, repeat, refused, error) and reason (the repeat\'s kind or the answer\'s error code)',
      labelNames: ['outcome', 'reason'] as const,
      registers
    }),

    captcha: {
      verifications: new Counter({
        name: name('captcha_verifications_total'),
        help: 'CAPTCHA verifications by provider and result (passed, failed, unreachable)',
        labelNames: ['provider', 'result'] as const,
        registers
      }),
      duration: new Histogram({
        name: name('captcha_verification_duration_seconds'),
        help: 'Time to verify a CAPTCHA solution, by provider (a third party\'s round trip included)',
        labelNames: ['provider'] as const,
        buckets: REMOTE_BUCKETS,
        registers
      }),
      failOpen: new Counter({
        name: name('captcha_fail_open_total'),
        help: 'Submissions accepted unverified because their CAPTCHA provider was unreachable and may fail open',
        labelNames: ['provider'] as const,
        registers
      })
    },

    notifications: {
      sent: new Counter({ name: name('notifications_sent_total'), help: 'Notification e-mails accepted by the SMTP server (or written to the mail drop)', registers }),
      retried: new Counter({ name: name('notifications_retried_total'), help: 'Failed notification attempts that will be retried', registers }),
      failed: new Counter({
        name: name('notifications_failed_total'),
        help: 'Notifications failed for good, by reason (permanent: the server refused; exhausted: out of attempts; no_recipient)',
        labelNames: ['reason'] as const,
        registers
      }),
      duration: new Histogram({
        name: name('notification_delivery_duration_seconds'),
        help: 'Time of one attempt to hand a notification to the SMTP server, by result (sent, error)',
        labelNames: ['result'] as const,
        buckets: REMOTE_BUCKETS,
        registers
      }),
      attempts: new Histogram({
        name: name('notification_attempts'),
        help: 'Attempts a delivered notification took',
        buckets: [1, 2, 3, 4, 5, 6, 8, 10, 15],
        registers
      })
    },

    purge: {
      runs: new Counter({
        name: name('purge_runs_total'),
        help: 'Retention purges run by this process, by trigger (schedule, api, cli) and result (success, failure, dry_run)',
        labelNames: ['trigger', 'result'] as const,
        registers
      }),
      requests: new Counter({ name: name('purged_requests_total'), help: 'Contact requests deleted by retention purges in this process', registers })
    },

    subjects: {
      exports: new Counter({ name: name('subject_exports_total'), help: 'Data-subject access exports answered', registers }),
      erasures: new Counter({
        name: name('erasures_total'),
        help: 'Erasures carried out, by source (subject: an admin\'s erasure of an address; withdrawal: a person withdrawing one request)',
        labelNames: ['source'] as const,
        registers
      })
    },

    spam: {
      decisions: new Counter({
        name: name('spam_decisions_total'),
        help: 'Spam decisions by decision (delivered and quarantined at intake; released and marked_spam by admins) and reason code, once per reason that fired (none when none did)',
        labelNames: ['decision', 'reason'] as const,
        registers
      }),
      releases: new Counter({
        name: name('spam_releases_total'),
        help: 'Quarantined requests an admin released through the API: the filter\'s false positives (the CLI\'s are in the audit log)',
        registers
      })
    },

    // No label names a person: response times per named employee would be workplace monitoring.
    handling: {
      firstAnswer: new Histogram({
        name: name('first_answer_seconds'),
        help: 'Time from a request\'s arrival to its first answer (marked from the e-mail, the API or the CLI), in calendar time',
        buckets: [3600, 4 * 3600, 8 * 3600, 86_400, 2 * 86_400, 3 * 86_400, 5 * 86_400, 10 * 86_400, 20 * 86_400],
        registers
      }),
      actions: new Counter({
        name: name('handling_actions_total'),
        help: 'Handling actions that changed a request, by action (take, answer, pass) and source (link: from the e-mail; admin: the API or the CLI)',
        labelNames: ['action', 'source'] as const,
        registers
      }),
      followUps: new Counter({
        name: name('follow_ups_total'),
        help: 'Reminders (stage reminded) and escalations (delegate, fallback) written by the follow-up runs, one per request and step',
        labelNames: ['stage'] as const,
        registers
      }),
      digests: new Counter({
        name: name('follow_up_digests_total'),
        help: 'Digest e-mails of the follow-up runs, by result (sent, failed)',
        labelNames: ['result'] as const,
        registers
      })
    },

    webhooks: {
      autoDisabled: new Counter({
        name: name('webhook_endpoints_disabled_total'),
        help: 'Webhook endpoints the worker disabled, by reason (gone: the receiver answered 410; failing: every attempt failed for WEBHOOK_DISABLE_AFTER_HOURS)',
        labelNames: ['reason'] as const,
        registers
      })
    }
  }
}
export type Metrics = ReturnType<typeof createMetrics>

export type SpamDecision = 'delivered' | 'quarantined' | 'released' | 'marked_spam'

/** Counts one spam decision under each of its reasons. */
export function countSpamDecision (metrics: Metrics, decision: SpamDecision, reasons: readonly string[]): void {
  for (const reason of reasonsOrNone(reasons)) metrics.spam.decisions.inc({ decision, reason })
}

/** Counts one submission's outcome. */
export function countSubmission (metrics: Metrics, result: SubmissionOutcome): void {
  metrics.submissions.inc({ outcome: result.outcome, reason: 'reason' in result ? result.reason : 'none' })
}
