-- AlterTable
ALTER TABLE "contact_requests" ADD COLUMN "closed_at" TIMESTAMPTZ(3),
ADD COLUMN "legal_hold_reason" TEXT,
ADD COLUMN "legal_hold_at" TIMESTAMPTZ(3),
ADD COLUMN "restricted_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "request_events" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "actor" TEXT NOT NULL,

    CONSTRAINT "request_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "purge_tombstones" (
    "request_id" UUID NOT NULL,
    "contact_id" TEXT NOT NULL,
    "received_on" DATE NOT NULL,
    "purged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL,
    "run_id" UUID,

    CONSTRAINT "purge_tombstones_pkey" PRIMARY KEY ("request_id")
);

-- CreateTable
CREATE TABLE "purge_runs" (
    "id" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "dry_run" BOOLEAN NOT NULL,
    "cutoff" TIMESTAMPTZ(3) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "batches" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "notifications" INTEGER NOT NULL DEFAULT 0,
    "jobs_removed" INTEGER NOT NULL DEFAULT 0,
    "mail_files_removed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "purge_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_id" TEXT,
    "subject_hash" CHAR(64),
    "outcome" TEXT NOT NULL,
    "detail" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "scopes" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "request_events_request_id_at_idx" ON "request_events"("request_id", "at");

-- CreateIndex
CREATE INDEX "purge_tombstones_contact_id_received_on_idx" ON "purge_tombstones"("contact_id", "received_on");

-- CreateIndex
CREATE INDEX "purge_runs_started_at_idx" ON "purge_runs"("started_at");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_target_id_idx" ON "audit_log"("target_id");

-- CreateIndex
CREATE INDEX "audit_log_subject_hash_idx" ON "audit_log"("subject_hash");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- AddForeignKey
ALTER TABLE "request_events" ADD CONSTRAINT "request_events_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "contact_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;
