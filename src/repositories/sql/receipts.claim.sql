WITH held AS (
  UPDATE receipts SET status = 'skipped', updated_at = now(), last_error = (SELECT CASE WHEN held_request.restricted_at IS NOT NULL THEN 'processing restricted (GDPR Art. 18)' ELSE 'quarantined as spam' END
    FROM contact_requests held_request WHERE held_request.id = receipts.request_id)
   WHERE id = $1 AND status IN ('pending', 'queued') AND EXISTS (SELECT 1 FROM contact_requests held_request WHERE held_request.id = receipts.request_id AND (held_request.restricted_at IS NOT NULL OR held_request.status = 'quarantined'))
), claimed AS (
  UPDATE receipts SET attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
   WHERE id = $1 AND status IN ('pending', 'queued') AND NOT EXISTS (SELECT 1 FROM contact_requests held_request WHERE held_request.id = receipts.request_id AND (held_request.restricted_at IS NOT NULL OR held_request.status = 'quarantined'))
  RETURNING id, request_id, attempts
)
SELECT c.id, c.attempts, r.id AS "requestId", r.email, r.locale, r.received_at AS "receivedAt", r.retain_until AS "retainUntil",
       k.name AS "contactName", k.title AS "contactTitle", k.response_days AS "responseDays"
  FROM claimed c JOIN contact_requests r ON r.id = c.request_id JOIN contacts k ON k.id = r.contact_id
