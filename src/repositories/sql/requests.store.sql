WITH input AS (
  SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::boolean[], $15::bpchar[], $16::bpchar[], $17::bpchar[], $18::bpchar[], $19::int[], $20::text[], $21::text[], $22::bpchar[], $23::real[], $24::text[], $25::bpchar[]) WITH ORDINALITY
    AS i(id, notification_id, receipt_id, contact_id, name, email, phone, organisation, message, locale, page_url, captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, retention_days, notice_version, notice_locale, notice_sha256, spam_score, spam_reason_list, campaign_key, n)
), keys AS (SELECT n, captcha_key, fingerprint, idempotency_key FROM input
),
matches AS (
  SELECT k.n, r.id, r.received_at, r.retain_until, r.body_sha256,
         r.captcha_key = k.captcha_key AS same_captcha,
         (r.fingerprint = k.fingerprint AND r.received_at > now() - make_interval(secs => $1)) AS same_fingerprint,
         coalesce(r.idempotency_key = k.idempotency_key, false) AS same_idempotency_key
    FROM keys k JOIN contact_requests r
      ON r.captcha_key = k.captcha_key
      OR (r.fingerprint = k.fingerprint AND r.received_at > now() - make_interval(secs => $1))
      OR r.idempotency_key = k.idempotency_key
), accepted AS (
  SELECT DISTINCT ON (i.fingerprint) i.* FROM input i
   WHERE NOT EXISTS (SELECT 1 FROM matches m WHERE m.n = i.n)
   ORDER BY i.fingerprint, i.n
), campaign AS (
  -- Distinct senders of the text in the window, this one's other addresses aside, found by
  -- stepping from one address to the next in the (campaign_key, email) index: at most
  -- SPAM_CAMPAIGN_SENDERS probes, enough for this sender and the others it takes (case variants
  -- of one address take a probe each and count once: a sender cannot pose as several that way).
  SELECT a.n, a.campaign_key IS NOT NULL
         -- Most texts were never sent before: one probe says so before the count is set up.
         AND EXISTS (SELECT 1 FROM contact_requests c WHERE c.campaign_key = a.campaign_key
                        AND c.received_at > now() - make_interval(secs => $29::int))
         AND 1 + (
           WITH RECURSIVE sender (email, k) AS (
             SELECT ''::text, 0
             UNION ALL
             SELECT (SELECT c.email FROM contact_requests c
                      WHERE c.campaign_key = a.campaign_key AND c.email > s.email
                        AND c.received_at > now() - make_interval(secs => $29::int)
                      ORDER BY c.email LIMIT 1), s.k + 1
               FROM sender s WHERE s.email IS NOT NULL AND s.k < $28::int
           )
           SELECT count(DISTINCT lower(email)) FROM sender WHERE k > 0 AND lower(email) <> lower(a.email)
         ) >= $28::int AS fired
    FROM accepted a
), decided AS (
  SELECT a.*, d.reasons, d.score, d.score >= $26::real AS quarantined
    FROM accepted a JOIN campaign c USING (n),
 LATERAL (SELECT string_to_array(a.spam_reason_list, ',') || CASE WHEN c.fired THEN ARRAY['campaign'] ELSE ARRAY[]::text[] END AS reasons,
                 a.spam_score + CASE WHEN c.fired THEN $27::real ELSE 0 END AS score) d
), request AS (
  INSERT INTO contact_requests (id, contact_id, name, email, phone, organisation, message, locale, page_url,
                                captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, retain_until,
                                status, spam_score, spam_reasons, campaign_key, quarantined_at)
  SELECT id, contact_id, name, email, phone, organisation, message, locale, page_url,
         captcha_provider, captcha_verified, captcha_key, fingerprint, idempotency_key, body_sha256, now() + make_interval(days => retention_days),
         CASE WHEN quarantined THEN 'quarantined' ELSE 'received' END::request_status, score, reasons, campaign_key,
         CASE WHEN quarantined THEN now() END
    FROM decided
   ORDER BY n -- first come, first stored: a later row with a taken key is the one skipped
  ON CONFLICT DO NOTHING
  RETURNING id, received_at, retain_until, status = 'quarantined' AS quarantined, spam_reasons, spam_score
), delivered AS (SELECT * FROM request WHERE NOT quarantined
), consent AS (
  INSERT INTO consent_records (request_id, notice_version, notice_locale, notice_sha256, method, consented_at)
  SELECT r.id, i.notice_version, i.notice_locale, i.notice_sha256, 'checkbox', r.received_at FROM request r JOIN input i USING (id)
), notification AS (
  INSERT INTO notifications (id, request_id) SELECT i.notification_id, r.id FROM delivered r JOIN input i USING (id)
), receipt AS (
  INSERT INTO receipts (id, request_id) SELECT i.receipt_id, r.id FROM delivered r JOIN input i USING (id) WHERE i.receipt_id IS NOT NULL
), webhook AS (
  INSERT INTO webhook_deliveries (id, endpoint_id, event_type, request_id, data)
  SELECT gen_random_uuid(), e.id, 'contact_request.received', r.id, json_build_object('requestId', r.id, 'contactId', i.contact_id, 'receivedAt', to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'retainUntil', to_char(r.retain_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) FROM delivered r JOIN input i USING (id) JOIN webhook_endpoints e ON (e.enabled AND 'contact_request.received' = ANY(e.events) AND (e.contact_id IS NULL OR e.contact_id = i.contact_id)) WHERE true
  RETURNING id, request_id
), decision AS (
  INSERT INTO spam_decisions (id, decision, reasons, score)
  SELECT gen_random_uuid(), 'quarantined', spam_reasons, spam_score FROM request WHERE quarantined
)
SELECT (SELECT coalesce(json_agg(json_build_object('id', q.id, 'retainUntil', q.retain_until, 'quarantined', q.quarantined, 'spamReasons', q.spam_reasons,
          'webhookDeliveryIds', (SELECT coalesce(json_agg(w.id), '[]'::json) FROM webhook w WHERE w.request_id = q.id))), '[]'::json) FROM request q) AS stored,
       (SELECT
coalesce(json_agg(json_build_object('n', n, 'id', id, 'retainUntil', retain_until, 'bodySha256', body_sha256,
  'sameCaptcha', same_captcha, 'sameFingerprint', same_fingerprint, 'sameIdempotencyKey', same_idempotency_key)
  ORDER BY received_at), '[]'::json) FROM matches) AS matches
