// The learned signal: naive Bayes over the keyed token hashes of messages an admin decided about
// (release = ham, mark as spam = spam), and nothing else.
//
// Written here rather than taken from a package: the model must live in PostgreSQL as counts that
// a decision adds to and an erasure subtracts from in the same transaction (src/repositories/spam.ts),
// keyed by hashes rather than words. The packages (bayes, classificator, natural's
// BayesClassifier) keep an in-memory model of raw words with no way to unlearn an example.
// What is left is the arithmetic of Graham's "A plan for spam" in its Bayesian form, a few lines.

/** Counts of examples: how many of each label, and of those, how many held each token. */
export interface SpamModel {
  spamExamples: number
  hamExamples: number
  /** Token hash → [spam examples holding it, ham examples holding it]. */
  tokens: ReadonlyMap<string, readonly [spam: number, ham: number]>
}

export const EMPTY_MODEL: SpamModel = { spamExamples: 0, hamExamples: 0, tokens: new Map() }

/** Whether the model has seen `minExamples` of each label: until then it says nothing. */
export const hasLearned = (model: SpamModel, minExamples: number): boolean =>
  model.spamExamples >= minExamples && model.hamExamples >= minExamples

/**
 * The probability that a message holding `tokens` is spam, or null while the model has seen fewer
 * than `minExamples` of either label (it says nothing rather than guess).
 *
 * Bernoulli naive Bayes over the tokens present, with Laplace smoothing; tokens the model never saw
 * say nothing either way. The classes' prior is left out: the quarantine's share of spam is what the
 * other signals decide, and an institute that has marked more spam than it has released must not
 * learn to suspect everyone.
 */
export function spamProbability (model: SpamModel, tokens: readonly string[], minExamples: number): number | null {
  const { spamExamples: spam, hamExamples: ham } = model
  if (!hasLearned(model, minExamples)) return null
  let logOdds = 0
  for (const token of tokens) {
    const counts = model.tokens.get(token)
    if (counts === undefined) continue
    logOdds += Math.log((counts[0] + 1) / (spam + 2)) - Math.log((counts[1] + 1) / (ham + 2))
  }
  return 1 / (1 + Math.exp(-logOdds))
}
