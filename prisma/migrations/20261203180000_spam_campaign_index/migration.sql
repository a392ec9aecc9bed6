-- The campaign signal counts distinct senders of a text by stepping from one address to the next
-- in this index (a loose index scan: a few probes, however many requests carry the text), where
-- the index by time made it read every request of the text in the window.
DROP INDEX "contact_requests_campaign_key_received_at_idx";
CREATE INDEX "contact_requests_campaign_key_email_idx" ON "contact_requests"("campaign_key", "email");
