UPDATE follow_ups f SET status = 'skipped'
  FROM contact_requests r
 WHERE f.status = 'pending' AND r.id = f.request_id AND NOT (r.status IN ('received', 'taken') AND r.restricted_at IS NULL)
