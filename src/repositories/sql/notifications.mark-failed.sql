WITH failed AS (
  UPDATE notifications
     SET status = 'failed', failed_at = now(), updated_at = now(), last_error = $2,
         recipient = coalesce($3, recipient), route_reason = coalesce($4::route_reason, route_reason)
   WHERE id = $1 AND status IN ('pending', 'queued')
  RETURNING id, request_id, attempts
), webhook AS (
  INSERT INTO webhook_deliveries (id, endpoint_id, event_type, request_id, data)
  SELECT gen_random_uuid(), e.id, 'notification.failed', r.id, json_build_object('requestId', r.id, 'contactId', r.contact_id, 'notificationId', f.id, 'attempts', f.attempts,
                             'receivedAt', to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'retainUntil', to_char(r.retain_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) FROM failed f JOIN contact_requests r ON r.id = f.request_id JOIN webhook_endpoints e ON (e.enabled AND 'notification.failed' = ANY(e.events) AND (e.contact_id IS NULL OR e.contact_id = r.contact_id)) WHERE NOT EXISTS (SELECT 1 FROM contact_requests held_request WHERE held_request.id = r.id AND (held_request.restricted_at IS NOT NULL OR held_request.status = 'quarantined'))
  RETURNING id, request_id
)
SELECT id FROM webhook
