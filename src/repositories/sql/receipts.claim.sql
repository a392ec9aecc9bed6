WITH restricted AS (
  UPDATE receipts SET status = 'skipped', updated_at = now(), last_error = 'processing restricted (GDPR Art. 18)'
   WHERE id = $1 AND status IN ('pending', 'queued') AND EXISTS (SELECT 1 FROM contact_requests restricted_request WHERE restricted_request.id = receipts.request_id AND restricted_request.restricted_at IS NOT NULL)
), claimed AS (
  UPDATE receipts SET attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
   WHERE id = $1 AND status IN ('pending', 'queued') AND NOT EXISTS (SELECT 1 FROM contact_requests restricted_request WHERE restricted_request.id = receipts.request_id AND restricted_request.restricted_at IS NOT NULL)
  RETURNING id, request_id, attempts
)
SELECT c.id, c.attempts, r.id AS "requestId", r.email, r.locale, r.received_at AS "receivedAt", r.retain_until AS "retainUntil",
       k.name AS "contactName", k.title AS "contactTitle"
  FROM claimed c JOIN contact_requests r ON r.id = c.request_id JOIN contacts k ON k.id = r.contact_id
