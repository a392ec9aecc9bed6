-- Spam: a quarantine instead of a silent drop, the reasons of every decision, and a classifier
-- that learns from this installation's decisions only (src/spam/).

-- A request held as spam: stored, never delivered until an admin releases it.
ALTER TYPE "request_status" ADD VALUE 'quarantined';

-- The score and reason codes the intake gave it; when it went into quarantine; the keyed
-- fingerprint of its text that finds a campaign (the same text from several addresses).
ALTER TABLE "contact_requests"
    ADD COLUMN "spam_score" REAL,
    ADD COLUMN "spam_reasons" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    ADD COLUMN "campaign_key" CHAR(64),
    ADD COLUMN "quarantined_at" TIMESTAMPTZ(3);

CREATE INDEX "contact_requests_campaign_key_received_at_idx" ON "contact_requests"("campaign_key", "received_at");
CREATE INDEX "contact_requests_quarantined_at_idx" ON "contact_requests"("quarantined_at");

-- What an admin decided about a request (release = ham, mark as spam = spam), with the keyed
-- hashes of its tokens, so the decision can be taken back out of the counts when the request
-- is relabelled, erased or purged.
CREATE TABLE "spam_training" (
    "request_id" UUID NOT NULL,
    "label" TEXT NOT NULL CHECK ("label" IN ('spam', 'ham')),
    "tokens" TEXT[] NOT NULL,
    "trained_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "spam_training_pkey" PRIMARY KEY ("request_id")
);
ALTER TABLE "spam_training" ADD CONSTRAINT "spam_training_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "contact_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The classifier's model: per keyed token hash, how many spam and ham examples held it.
CREATE TABLE "spam_token_counts" (
    "token" TEXT NOT NULL,
    "spam" INTEGER NOT NULL DEFAULT 0,
    "ham" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "spam_token_counts_pkey" PRIMARY KEY ("token")
);

-- Every spam decision, anonymous (no request id, no text): the 30-day summary and its reasons.
CREATE TABLE "spam_decisions" (
    "id" UUID NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decision" TEXT NOT NULL CHECK ("decision" IN ('quarantined', 'released', 'marked_spam')),
    "reasons" TEXT[] NOT NULL,
    "score" REAL,

    CONSTRAINT "spam_decisions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "spam_decisions_decided_at_idx" ON "spam_decisions"("decided_at");

-- The purge log: removed quarantined requests, counted by reason.
ALTER TABLE "purge_runs" ADD COLUMN "quarantined_by_reason" JSONB;
