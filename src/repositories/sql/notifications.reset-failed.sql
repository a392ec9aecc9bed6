UPDATE notifications SET status = 'pending', attempts = 0, last_error = NULL, failed_at = NULL, updated_at = now()
 WHERE id = $1 AND status = 'failed' AND NOT EXISTS (SELECT 1 FROM contact_requests held_request WHERE held_request.id = notifications.request_id AND (held_request.restricted_at IS NOT NULL OR held_request.status = 'quarantined'))
