-- CreateEnum
CREATE TYPE "request_status" AS ENUM ('received', 'in_progress', 'closed');

-- CreateEnum
CREATE TYPE "notification_status" AS ENUM ('pending', 'queued', 'sent', 'failed');

-- CreateTable
CREATE TABLE "contacts" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "phone" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'sv',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "delegate_id" TEXT,
    "delegate_stands_in" BOOLEAN NOT NULL DEFAULT false,
    "retention_days" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "privacy_notices" (
    "version" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "privacy_notices_pkey" PRIMARY KEY ("version","locale")
);

-- CreateTable
CREATE TABLE "contact_requests" (
    "id" UUID NOT NULL,
    "contact_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "phone" TEXT,
    "organisation" TEXT,
    "message" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "page_url" TEXT,
    "status" "request_status" NOT NULL DEFAULT 'received',
    "captcha_provider" TEXT NOT NULL,
    "captcha_verified" BOOLEAN NOT NULL,
    "captcha_key" CHAR(64) NOT NULL,
    "fingerprint" CHAR(64) NOT NULL,
    "idempotency_key" CHAR(64),
    "body_sha256" CHAR(64),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retain_until" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "contact_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_records" (
    "request_id" UUID NOT NULL,
    "notice_version" TEXT NOT NULL,
    "notice_locale" TEXT NOT NULL,
    "notice_sha256" CHAR(64) NOT NULL,
    "method" TEXT NOT NULL,
    "consented_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consent_records_pkey" PRIMARY KEY ("request_id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "status" "notification_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queued_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "contact_requests_captcha_key_key" ON "contact_requests"("captcha_key");

-- CreateIndex
CREATE UNIQUE INDEX "contact_requests_idempotency_key_key" ON "contact_requests"("idempotency_key");

-- CreateIndex
CREATE INDEX "contact_requests_fingerprint_received_at_idx" ON "contact_requests"("fingerprint", "received_at");

-- CreateIndex
CREATE INDEX "contact_requests_retain_until_idx" ON "contact_requests"("retain_until");

-- CreateIndex
CREATE INDEX "contact_requests_contact_id_received_at_idx" ON "contact_requests"("contact_id", "received_at");

-- CreateIndex
CREATE INDEX "notifications_status_created_at_idx" ON "notifications"("status", "created_at");

-- CreateIndex
CREATE INDEX "notifications_request_id_idx" ON "notifications"("request_id");

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_delegate_id_fkey" FOREIGN KEY ("delegate_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_requests" ADD CONSTRAINT "contact_requests_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "contact_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_notice_version_notice_locale_fkey" FOREIGN KEY ("notice_version", "notice_locale") REFERENCES "privacy_notices"("version", "locale") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "contact_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A published notice is evidence of what people agreed to (GDPR Art. 7(1)):
-- it may never change. Publish a new version instead.
CREATE FUNCTION "privacy_notices_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'privacy notice % (%) is immutable; publish a new version', OLD.version, OLD.locale;
END;
$$;

CREATE TRIGGER "privacy_notices_no_update" BEFORE UPDATE ON "privacy_notices"
  FOR EACH ROW EXECUTE FUNCTION "privacy_notices_immutable"();
