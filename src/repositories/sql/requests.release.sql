WITH released AS (
  UPDATE contact_requests SET status = 'received', quarantined_at = NULL WHERE id = $1 AND status = 'quarantined'
  RETURNING id, contact_id, received_at, retain_until
), notification AS (
  INSERT INTO notifications (id, request_id) SELECT $2, r.id FROM released r
   WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.request_id = r.id AND n.status IN ('pending', 'queued', 'sent'))
  RETURNING id
), receipt AS (
  INSERT INTO receipts (id, request_id) SELECT $3, r.id FROM released r WHERE $3::uuid IS NOT NULL
  ON CONFLICT (request_id) DO NOTHING
  RETURNING id
), webhook AS (
  INSERT INTO webhook_deliveries (id, endpoint_id, event_type, request_id, data)
  SELECT gen_random_uuid(), e.id, 'contact_request.received', r.id, json_build_object('requestId', r.id, 'contactId', r.contact_id, 'receivedAt', to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'retainUntil', to_char(r.retain_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) FROM released r JOIN webhook_endpoints e ON (e.enabled AND 'contact_request.received' = ANY(e.events) AND (e.contact_id IS NULL OR e.contact_id = r.contact_id)) WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.request_id = r.id
    AND w.endpoint_id = e.id AND w.event_type = 'contact_request.received' AND w.status IN ('pending', 'queued', 'delivered'))
  RETURNING id, request_id
)
SELECT array(SELECT id::text FROM notification) AS "notificationIds", array(SELECT id::text FROM receipt) AS "receiptIds",
       array(SELECT id::text FROM webhook) AS "webhookDeliveryIds"
