WITH step AS (
  SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[]) AS s(id, stage, event)
), advanced AS (
  UPDATE contact_requests r SET follow_up_stage = s.stage, followed_up_at = $4
    FROM step s
   WHERE r.id = s.id AND r.follow_up_stage < s.stage AND r.status IN ('received', 'taken') AND r.restricted_at IS NULL
  RETURNING r.id, s.stage, s.event
), history AS (
  INSERT INTO request_events (id, request_id, at, kind, value, actor)
  SELECT gen_random_uuid(), a.id, $4, 'follow_up', a.event, 'system:follow-up' FROM advanced a
)
INSERT INTO follow_ups (id, request_id, stage, slot, recipient, locale, handler)
SELECT gen_random_uuid(), a.id, a.stage, $5::date, f.recipient, f.locale, f.handler
  FROM unnest($6::uuid[], $7::text[], $8::text[], $9::text[]) AS f(id, recipient, locale, handler)
  JOIN advanced a ON a.id = f.id
ON CONFLICT (request_id, stage, recipient) DO NOTHING
