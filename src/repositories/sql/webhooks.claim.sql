WITH target AS (
  SELECT d.id, e.enabled, EXISTS (SELECT 1 FROM contact_requests held_request WHERE held_request.id = d.request_id AND (held_request.restricted_at IS NOT NULL OR held_request.status = 'quarantined')) AS held, (SELECT CASE WHEN held_request.restricted_at IS NOT NULL THEN 'processing restricted (GDPR Art. 18)' ELSE 'quarantined as spam' END
    FROM contact_requests held_request WHERE held_request.id = d.request_id) AS held_reason
    FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
   WHERE d.id = ANY($1::uuid[]) AND d.status IN ('pending', 'queued')
     FOR UPDATE OF d
), settled AS (
  UPDATE webhook_deliveries d
     SET status = (CASE WHEN t.held THEN 'skipped' ELSE 'failed' END)::webhook_delivery_status,
         failed_at = CASE WHEN t.held THEN NULL ELSE now() END,
         last_error = CASE WHEN t.held THEN t.held_reason ELSE 'endpoint disabled' END,
         updated_at = now()
    FROM target t WHERE d.id = t.id AND (t.held OR NOT t.enabled)
), claimed AS (
  UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(), updated_at = now()
    FROM target t WHERE d.id = t.id AND t.enabled AND NOT t.held
  RETURNING d.id, d.endpoint_id, d.event_type, d.request_id, d.data, d.attempts, d.created_at
)
SELECT c.id, c.event_type AS "eventType", c.data, c.attempts, c.created_at AS "createdAt",
       e.id AS "endpointId", e.url, e.secret_sealed AS "secretSealed",
       CASE WHEN e.previous_secret_until > now() THEN e.previous_secret_sealed END AS "previousSecretSealed",
       CASE WHEN e.payload_mode = 'full' AND r.id IS NOT NULL
            THEN json_build_object('name', r.name, 'email', r.email, 'phone', r.phone, 'organisation', r.organisation,
                                   'message', r.message, 'locale', r.locale, 'pageUrl', r.page_url) END AS submission
  FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id LEFT JOIN contact_requests r ON r.id = c.request_id
