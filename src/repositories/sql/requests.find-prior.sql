WITH keys AS (SELECT 1::bigint AS n, $2::bpchar AS captcha_key, $3::bpchar AS fingerprint, $4::bpchar AS idempotency_key
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
)
SELECT
coalesce(json_agg(json_build_object('n', n, 'id', id, 'retainUntil', retain_until, 'bodySha256', body_sha256,
  'sameCaptcha', same_captcha, 'sameFingerprint', same_fingerprint, 'sameIdempotencyKey', same_idempotency_key)
  ORDER BY received_at), '[]'::json) AS matches FROM matches
