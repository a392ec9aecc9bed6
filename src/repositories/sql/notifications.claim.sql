WITH held AS (
  UPDATE notifications SET status = 'failed', failed_at = now(), updated_at = now(), last_error = (SELECT CASE WHEN held_request.restricted_at IS NOT NULL THEN 'processing restricted (GDPR Art. 18)' ELSE 'quarantined as spam' END
    FROM contact_requests held_request WHERE held_request.id = notifications.request_id)
   WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'queued') AND EXISTS (SELECT 1 FROM contact_requests held_request WHERE held_request.id = notifications.request_id AND (held_request.restricted_at IS NOT NULL OR held_request.status = 'quarantined'))
), claimed AS (
  UPDATE notifications SET attempts = attempts + 1, last_attempt_at = now(), updated_at = now()
   WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'queued') AND NOT EXISTS (SELECT 1 FROM contact_requests held_request WHERE held_request.id = notifications.request_id AND (held_request.restricted_at IS NOT NULL OR held_request.status = 'quarantined'))
  RETURNING id, request_id, attempts, handler
)
SELECT n.id, n.attempts, n.handler,
       json_build_object('id', r.id, 'name', r.name, 'email', r.email, 'phone', r.phone, 'organisation', r.organisation,
                         'message', r.message, 'pageUrl', r.page_url, 'receivedAt', r.received_at, 'retainUntil', r.retain_until,
                         'contactName', addressed.name) AS request,
       json_build_object('id', c.id, 'name', c.name, 'email', c.email, 'locale', c.locale, 'active', c.active,
                         'delegateStandsIn', c.delegate_stands_in,
                         'delegate', (SELECT json_build_object('id', d.id, 'email', d.email, 'locale', d.locale, 'active', d.active)
                                        FROM contacts d WHERE d.id = c.delegate_id)) AS contact
  FROM claimed n
  JOIN contact_requests r ON r.id = n.request_id
  JOIN contacts addressed ON addressed.id = r.contact_id
  -- A request passed on goes to its new handler (by that contact's routing); the fallback inbox's
  -- handler names no contact, and the worker routes it there.
  JOIN contacts c ON c.id = coalesce(substring(n.handler FROM '^contact:(.*)$'), r.contact_id)
