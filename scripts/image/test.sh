#!/usr/bin/env bash
# npm run test:image — builds the Dockerfile's two targets with podman and checks them as an operator
# would: migrate, API ready, a real submission delivered by the worker container into a mounted mail
# drop, non-root processes, truthful health checks, and a clean `podman stop` within
# SHUTDOWN_TIMEOUT_MS. Runs against this machine's PostgreSQL and Redis on host networking, in a
# database and queue prefix of its own. Needs root, podman, runc and debootstrap (README: "The image").
# Prints one "ok"/"not ok" line a check, then "image: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/image/podman-env.sh

API_IMAGE=localhost/contact-intake:test
WORKER_IMAGE=localhost/contact-intake-worker:test
SHUTDOWN_TIMEOUT_MS=10000
run_id="img$$"
passed=0
failed=0

ok () { passed=$((passed + 1)); echo "ok - $1"; }
not_ok () { failed=$((failed + 1)); echo "not ok - $1"; }
check () { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
finish () { echo "image: ${passed} passed, ${failed} failed"; [ "$failed" -eq 0 ]; exit $?; }

for tool in podman runc debootstrap psql; do
  command -v "$tool" >/dev/null || { not_ok "$tool is installed (apt-get install podman runc debootstrap)"; finish; }
done

# Without systemd, podman reports at every container start and stop that it cannot schedule health
# checks (harmless: this script runs them itself). Those lines only are dropped.
podman () { command podman "$@" 2> >(grep -v 'unable to get systemd connection\|Removing timer for container' >&2); }

free_port () { node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })"; }

# --- build --------------------------------------------------------------------------------------
bash scripts/image/base.sh || { not_ok "the stand-in base image builds"; finish; }
# This machine's TLS is intercepted by a local authority: npm ci inside the build needs the host's CA
# bundle and npm configuration, mounted for the build only, never copied into the image.
build_mounts=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro -v "$(npm config get globalconfig)":/usr/local/etc/npmrc:ro)
build () { podman build --format docker --pull=never --network=host "${build_mounts[@]}" "$@" . >"$work/build.log" 2>&1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
started=$(date +%s)
if build -t "$API_IMAGE" --target api && build -t "$WORKER_IMAGE" --target worker; then
  ok "the image builds (API and worker targets) in $(( $(date +%s) - started )) s"
else
  tail -n 30 "$work/build.log"; not_ok "the image builds"; finish
fi
# Every script deploy/compose.yaml runs (commands and health checks) is in the image its service builds.
compose_scripts=$(node --input-type=module -e "
  import { readFileSync } from 'node:fs'
  import { parse } from 'yaml'
  const { services } = parse(readFileSync('deploy/compose.yaml', 'utf8'), { merge: true })
  for (const s of Object.values(services).filter((s) => s.build)) {
    for (const c of [s.command, s.healthcheck?.test?.slice(1)].filter(Boolean)) console.log(s.build.target + ' ' + c[1])
  }")
while read -r target script; do
  image=$API_IMAGE; [ "$target" = worker ] && image=$WORKER_IMAGE
  check "compose's ${script} is in the ${target} image" podman run --rm --entrypoint test "$image" -f "$script"
done <<<"$compose_scripts"

size=$(podman image inspect --format '{{.Size}}' "$API_IMAGE")
echo "# image size: $((size / 1000000)) MB (base $(( $(podman image inspect --format '{{.Size}}' docker.io/library/node:20-bookworm-slim) / 1000000 )) MB)"

# --- run ----------------------------------------------------------------------------------------
database="contact_intake_${run_id}"
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${database}" >/dev/null
mail_drop="$work/mail"
mkdir -m 0777 "$mail_drop"
api_port=$(free_port); api_ops=$(free_port); worker_ops=$(free_port)
common=(--network=host -e DATABASE_URL="postgresql://postgres@127.0.0.1:5432/${database}" -e REDIS_URL=redis://127.0.0.1:6379
  -e QUEUE_PREFIX="${run_id}" -e PSEUDONYM_KEY="image-test-pseudonym-key-0123456789" -e ALTCHA_HMAC_KEY="image-test-altcha-key-0123456789"
  -e ALTCHA_COST=1000 -e SHUTDOWN_TIMEOUT_MS="${SHUTDOWN_TIMEOUT_MS}" -e LOG_LEVEL=info)
cleanup () {
  podman rm -f -t 0 "api-${run_id}" "worker-${run_id}" "mute-${run_id}" >/dev/null 2>&1
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${database} WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

check "the one-shot migration applies every migration" \
  podman run --rm "${common[@]}" "$API_IMAGE" node dist/src/cli/index.js db migrate

podman run -d --name "api-${run_id}" "${common[@]}" -e PORT="$api_port" -e METRICS_PORT="$api_ops" -e METRICS_HOST=0.0.0.0 "$API_IMAGE" >/dev/null
podman run -d --name "worker-${run_id}" "${common[@]}" -e METRICS_PORT="$worker_ops" -e METRICS_HOST=0.0.0.0 \
  -v "$mail_drop:/app/var/mail" "$WORKER_IMAGE" >/dev/null

healthy () { podman healthcheck run "$1" >/dev/null 2>&1; }
eventually () { local i; for i in $(seq 1 60); do "$@" && return 0; sleep 0.5; done; return 1; }
check "the API container's health check turns healthy (PostgreSQL and Redis up)" eventually healthy "api-${run_id}"
check "the worker container's health check turns healthy (its own probe: SMTP, queues)" eventually healthy "worker-${run_id}"
check "the API answers /health/ready on its public port" \
  eventually curl -fsS -o /dev/null "http://127.0.0.1:${api_port}/health/ready"

request_id=$(node scripts/image/submit.mjs "http://127.0.0.1:${api_port}" "Image check ${run_id}: a real submission through the containers.")
check "a real submission is accepted by the API container" test -n "$request_id"
delivered () { grep -lqs "Image check ${run_id}" "$mail_drop"/*.eml; }
check "the worker container delivers it into the mounted mail drop" eventually delivered
check "the delivered e-mail goes to the contact's inbox" grep -qs "^To: .*lotta" "$mail_drop"/*.eml

scrape=$(curl -fsS "http://127.0.0.1:${worker_ops}/metrics")
check "the worker's /metrics counts the notification it sent" grep -q '^contact_intake_notifications_sent_total 1$' <<<"$scrape"

for name in api worker; do
  check "the ${name} runs as a non-root user" test "$(podman exec "${name}-${run_id}" id -u)" != 0
done

# A worker whose SMTP server never answers reports unhealthy; the worker's probe refuses an API's answer.
podman run -d --name "mute-${run_id}" "${common[@]}" -e METRICS_PORT="$(free_port)" -e SMTP_URL=smtp://127.0.0.1:1 "$WORKER_IMAGE" >/dev/null
smtp_down () { local said; said=$(podman exec "mute-${run_id}" node dist/src/ops/probe.js worker 2>/dev/null); grep -q '"smtp":"down"' <<<"$said"; }
check "a running worker whose SMTP server does not answer says so in its probe" eventually smtp_down
check "… and its health check reports unhealthy" bash -c "! podman healthcheck run mute-${run_id} >/dev/null 2>&1"
check "the worker's probe does not take the API's answer for its own (same host network)" \
  bash -c "! podman run --rm --network=host -e METRICS_PORT=${api_ops} ${WORKER_IMAGE} node dist/src/ops/probe.js worker"

# --- stop ---------------------------------------------------------------------------------------
for name in api worker; do
  begin=$(date +%s%N)
  podman stop -t $((SHUTDOWN_TIMEOUT_MS / 1000 + 5)) "${name}-${run_id}" >/dev/null
  took_ms=$(( ($(date +%s%N) - begin) / 1000000 ))
  code=$(podman inspect --format '{{.State.ExitCode}}' "${name}-${run_id}")
  check "podman stop ends the ${name} cleanly (exit ${code}) in ${took_ms} ms, within SHUTDOWN_TIMEOUT_MS" \
    test "$code" = 0 -a "$took_ms" -lt "$SHUTDOWN_TIMEOUT_MS"
  check "the ${name} logged its graceful shutdown" bash -c "podman logs ${name}-${run_id} 2>&1 | grep -q 'shutting down'"
done

finish
