#!/usr/bin/env bash
# Benchmarks a release build of the broker on loopback with wrk and prints a table:
# requests/s and p99 latency per endpoint, with the cost of one Argon2id hash beside them.
# Throttles are off so the figures measure the work, not the 429 path.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_PORT:-18080}

swift build -c release --product broker >&2
swift build -c release --product broker-hash-cost >&2
BIN=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/broker.yaml" <<YAML
server: { host: 127.0.0.1, port: $PORT, public_url: "http://127.0.0.1:$PORT", dev_mode: true }
database: { url: "sqlite://$work/broker.sqlite" }
admin: { tokens: [bench-admin-token-0123456789] }
providers: { directory: providers }
rate_limits: { enabled: false }
recovery: { resend_cooldown_seconds: 0 }
mail: { transport: file, file_directory: "$work/mail" }
sms: { transport: file, file_directory: "$work/sms" }
log: { level: error }
YAML
echo "bench-password-1" | "$BIN/broker" account create --config "$work/broker.yaml" --login bench --email bench@example.com --password-stdin >/dev/null
"$BIN/broker" serve --config "$work/broker.yaml" > "$work/serve.log" 2>&1 &
echo $! > "$work/pid"
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done

token=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'content-type: application/json' \
  -d '{"login":"bench","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["session"]["token"])')

cat > "$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"login":"bench","password":"bench-password-1"}'
LUA

for who in bench@example.com nobody@example.com; do
  cat > "$work/recovery-$who.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"identifier":"$who"}'
LUA
done

run() { # name, wrk args...
  local name=$1; shift
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf "%-34s %12s %12s %10s\n" "$name" "$rps" "$p99" "${errors:-0}"
}

echo
echo "broker benchmark: release build, SQLite, $CONNECTIONS connections, $THREADS wrk threads, $DURATION each, $(nproc) cores"
printf "%-34s %12s %12s %10s\n" "endpoint" "requests/s" "p99" "non-2xx"
run "POST /api/v1/login" -s "$work/login.lua" "http://127.0.0.1:$PORT/api/v1/login"
run "GET /api/v1/session" -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/session"
run "GET /health/live" "http://127.0.0.1:$PORT/health/live"
run "POST /api/v1/recovery (known)" -s "$work/recovery-bench@example.com.lua" "http://127.0.0.1:$PORT/api/v1/recovery"
run "POST /api/v1/recovery (unknown)" -s "$work/recovery-nobody@example.com.lua" "http://127.0.0.1:$PORT/api/v1/recovery"
echo
"$BIN/broker-hash-cost" 20
