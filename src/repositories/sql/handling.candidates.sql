SELECT r.id, r.contact_id AS "contactId", r.handler, r.status, r.received_at AS "receivedAt", r.handed_at AS "handedAt",
       r.followed_up_at AS "followedUpAt", r.follow_up_stage AS "followUpStage"
  FROM contact_requests r
 WHERE r.status IN ('received', 'taken') AND r.restricted_at IS NULL AND r.follow_up_stage < 3 AND coalesce(r.followed_up_at, r.handed_at, r.received_at) <= $1
 ORDER BY r.received_at
