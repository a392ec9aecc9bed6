INSERT INTO webhook_deliveries (id, endpoint_id, event_type, request_id, data)
    SELECT gen_random_uuid(), e.id, 'contact_request.erased', NULL, json_build_object('requestId', r.id, 'contactId', r.contact_id, 'reason', $2::text, 'erasedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) FROM contact_requests r JOIN webhook_endpoints e ON ((e.enabled AND 'contact_request.erased' = ANY(e.events) AND (e.contact_id IS NULL OR e.contact_id = r.contact_id)) OR (e.payload_mode = 'full' AND EXISTS (
    SELECT 1 FROM webhook_deliveries w WHERE w.request_id = r.id AND w.endpoint_id = e.id AND w.attempts > 0))) WHERE r.id = ANY($1::uuid[])
    RETURNING id, request_id
