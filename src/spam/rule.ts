// What the rest of the service needs to know of spam scoring without loading its signals: the
// reason codes, and the rule by which the statement that stores a request quarantines it.
import type { Config } from '../config.js'

export const SPAM_REASONS = ['honeypot', 'fill_time', 'links', 'disposable_email', 'language', 'campaign', 'keyword', 'classifier'] as const
export type SpamReason = typeof SPAM_REASONS[number]

/** A decision's reasons as counted: one with none counts under `none` (the summary's SQL says the same). */
export const reasonsOrNone = (reasons: readonly string[]): readonly string[] => reasons.length === 0 ? ['none'] : reasons

/** How the store statement decides the campaign signal and the quarantine (see src/repositories/requests.ts). */
export interface QuarantineRule {
  threshold: number
  campaignWeight: number
  /** Distinct senders of the same text, this one included, that make a campaign. */
  campaignSenders: number
  campaignWindowSeconds: number
}

/** The rule the store statement applies, from the configuration. */
export const quarantineRule = (config: Pick<Config, 'SPAM_THRESHOLD' | 'SPAM_WEIGHT_CAMPAIGN' | 'SPAM_CAMPAIGN_SENDERS' | 'SPAM_CAMPAIGN_WINDOW_HOURS'>): QuarantineRule => ({
  threshold: config.SPAM_THRESHOLD,
  campaignWeight: config.SPAM_WEIGHT_CAMPAIGN,
  campaignSenders: config.SPAM_CAMPAIGN_SENDERS,
  campaignWindowSeconds: config.SPAM_CAMPAIGN_WINDOW_HOURS * 3600
})
