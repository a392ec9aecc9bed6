-- CreateEnum
CREATE TYPE "route_reason" AS ENUM ('direct', 'delegate', 'fallback');

-- AlterTable
ALTER TABLE "notifications" ADD COLUMN "recipient" TEXT,
ADD COLUMN "route_reason" "route_reason",
ADD COLUMN "smtp_response" TEXT,
ADD COLUMN "message_id" TEXT,
ADD COLUMN "last_attempt_at" TIMESTAMPTZ(3),
ADD COLUMN "sent_at" TIMESTAMPTZ(3),
ADD COLUMN "failed_at" TIMESTAMPTZ(3);
