-- Handling: who took a request, when it was first answered, and the reminders when nobody has
-- (src/handling/). "in_progress" was an admin's word for what a project manager now says from the
-- e-mail: "I'll take it".
ALTER TYPE "request_status" RENAME VALUE 'in_progress' TO 'taken';
ALTER TYPE "request_status" ADD VALUE 'answered' BEFORE 'closed';

-- The working days a contact's requests may wait for an answer before a reminder (HANDLING_RESPONSE_DAYS when null).
ALTER TABLE "contacts" ADD COLUMN "response_days" INTEGER CHECK ("response_days" BETWEEN 1 AND 30);

-- Who has the request now: null while it is with the contact the form addressed (by the routing),
-- "contact:<id>" once passed on to or taken by a contact, "inbox:fallback" once passed to the
-- fallback inbox. When it was handed to them, taken, first answered; how far the reminders went.
ALTER TABLE "contact_requests"
    ADD COLUMN "handler" TEXT CHECK ("handler" ~ '^(contact:[a-z0-9]+(-[a-z0-9]+)*|inbox:fallback)$'),
    ADD COLUMN "handed_at" TIMESTAMPTZ(3),
    ADD COLUMN "taken_at" TIMESTAMPTZ(3),
    ADD COLUMN "answered_at" TIMESTAMPTZ(3),
    ADD COLUMN "follow_up_stage" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "followed_up_at" TIMESTAMPTZ(3);

-- A notification of a request passed on goes to its new handler, not by the addressed contact's routing.
ALTER TABLE "notifications" ADD COLUMN "handler" TEXT CHECK ("handler" ~ '^(contact:[a-z0-9]+(-[a-z0-9]+)*|inbox:fallback)$');

-- One reminder or escalation of one request to one address: the rows of a slot's digests. The
-- digest mail to an address lists its pending rows of that slot; erasure takes a request's rows with it.
CREATE TABLE "follow_ups" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    -- 1: the handler is reminded; 2: the delegate, 3: the fallback inbox, is told (escalation)
    "stage" INTEGER NOT NULL CHECK ("stage" BETWEEN 1 AND 3),
    -- The working day (Europe/Stockholm) of the run that wrote it.
    "slot" DATE NOT NULL,
    "recipient" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'sv',
    -- Whose links the digest carries for it: "contact:<id>" or "inbox:fallback"; null for a copy.
    "handler" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'sent', 'skipped')),
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follow_ups_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "contact_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE UNIQUE INDEX "follow_ups_request_id_stage_recipient_key" ON "follow_ups"("request_id", "stage", "recipient");
CREATE INDEX "follow_ups_status_slot_idx" ON "follow_ups"("status", "slot");
