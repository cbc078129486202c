#!/usr/bin/env bash
# Benchmarks a release build of the broker on loopback with wrk, side by side with a bare
# Hummingbird 2 app (Benchmarks/BareHummingbird) built and run in the same sitting, and
# prints one table: each scenario's requests/s, p50, p99, the broker's RSS after it, and
# its ratio to the yardstick it is held against, with the target beside it.
# Throttles are off so the figures measure the work, not the 429 path.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_PORT:-18080}
BARE_PORT=${BENCH_BARE_PORT:-18090}

swift build -c release --product broker >&2
swift build -c release --product broker-hash-cost >&2
swift build -c release --product bench-bare-hummingbird >&2
BIN=$(swift build -c release --show-bin-path)

work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/broker.yaml" <<YAML
server: { host: 127.0.0.1, port: $PORT, public_url: "http://127.0.0.1:$PORT", dev_mode: true }
database: { url: "sqlite://$work/broker.sqlite" }
admin: { tokens: [bench-admin-token-0123456789] }
providers: { directory: providers }
# Rate limits on, as a production broker runs (every request pays for its counts), set too
# high to refuse; no resend cooldown, since every request asks for the same identifier.
rate_limits: { enabled: true, login_per_account: 1000000000, login_per_address: 1000000000, send_per_identifier: 1000000000, send_per_address: 1000000000 }
recovery: { resend_cooldown_seconds: 0 }
mail: { transport: file, file_directory: "$work/mail" }
sms: { transport: file, file_directory: "$work/sms" }
log: { level: error }
apps:
  - { client_id: shop, client_secret: bench-shop-secret-0123456789, redirect_uris: ["http://127.0.0.1:1/cb"] }
YAML
# 1,000 accounts, as the targets were set with.
python3 - "$work/accounts.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write(json.dumps({"login": f"user{i}", "email": f"user{i}@example.com", "email_verified": True}) + "\n")
PY
"$BIN/broker" account import --config "$work/broker.yaml" "$work/accounts.jsonl" >/dev/null 2>&1
echo "bench-password-1" | "$BIN/broker" account create --config "$work/broker.yaml" --login bench --email bench@example.com --password-stdin >/dev/null

"$BIN/bench-bare-hummingbird" "$BARE_PORT" > "$work/bare.log" 2>&1 &
echo $! > "$work/bare.pid"

if curl -fs "http://127.0.0.1:$PORT/health/live" >/dev/null 2>&1; then
  echo "something already answers on port $PORT: stop it or set BENCH_PORT" >&2
  exit 1
fi
started=$(date +%s%N)
"$BIN/broker" serve --config "$work/broker.yaml" > "$work/serve.log" 2>&1 &
echo $! > "$work/broker.pid"
until curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; do sleep 0.005; done
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
for _ in $(seq 200); do curl -fs "http://127.0.0.1:$BARE_PORT/get" >/dev/null 2>&1 && break; sleep 0.05; done

token=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'content-type: application/json' \
  -d '{"login":"bench","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["session"]["token"])')

cat > "$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"login":"bench","password":"bench-password-1"}'
LUA
# Recovery requests spread over the 1,000 accounts (known) or over 1,000 addresses no account
# has (unknown), as a login page's users would send them; one-account.lua asks for one account
# only, which on PostgreSQL waits on that account's row lock (sends to one account are serialized,
# so that only the newest link stays open).
for who in user nobody; do
  cat > "$work/recovery-$who.lua" <<LUA
request = function()
  local body = string.format('{"identifier":"$who%d@example.com"}', math.random(0, 999))
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
LUA
done
# One request at a time, 5 ms apart: what someone probing for accounts sees, request by request
# (back to back, a known request would also meet the delivery of the one before it).
for who in user nobody; do
  sed 's/^end$/end\ndelay = function() return 5 end/' "$work/recovery-$who.lua" > "$work/probe-$who.lua"
done
cat > "$work/one-account.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"identifier":"bench@example.com"}'
LUA
cp "$work/one-account.lua" "$work/bare.lua"
# An app's code flow: each connection asks /oauth2/authorize for a code (the signed-in bench
# session's cookie), then trades it at /oauth2/token (RS256 id_token and all). Codes are single
# use, so they are taken from the authorize answers as they come; done() reports the exchanges.
cat > "$work/token.lua" <<LUA
codes, exchanged = {}, 0  -- globals: done() reads exchanged with thread:get
local authorize = wrk.format("GET", "/oauth2/authorize?response_type=code&client_id=shop&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&scope=openid&state=s",
  {["Cookie"] = "broker_session=TOKEN"})
local basic = "Basic $(printf 'shop:bench-shop-secret-0123456789' | base64 -w0)"
request = function()
  local code = table.remove(codes)
  if code then
    return wrk.format("POST", "/oauth2/token", {["Content-Type"] = "application/x-www-form-urlencoded", ["Authorization"] = basic},
      "grant_type=authorization_code&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&code=" .. code)
  end
  return authorize
end
response = function(status, headers, body)
  local code = headers["Location"] and headers["Location"]:match("code=([%w_-]+)")
  if code then table.insert(codes, code) elseif status == 200 then exchanged = exchanged + 1 end
end
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("exchanged") end
  io.write(string.format("exchanged_per_second=%.0f\n", total / (summary.duration / 1e6)))
end
LUA

RSS_PID=$work/broker.pid  # the process a row measures (RSS, CPU and bytes written)
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$(cat "$RSS_PID")/status"; }
# CPU time (user + system, in clock ticks) and bytes written (write calls, page cache or not)
# of the measured process, per request: the bytes hold within a few percent from run to run,
# which makes them the figure to compare when this machine's speed drifts.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$RSS_PID")/stat"; }
written_bytes() { awk '/^wchar/ {print $2}' "/proc/$(cat "$RSS_PID")/io"; }
TICK=$(getconf CLK_TCK)
to_ms() { # wrk latency ("512.00us", "1.20ms", "2.00s") in ms
  awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'
}
declare -A RPS P50 P99 RSS CPU WRITTEN
run() { # key, connections, wrk args...
  local key=$1 conns=$2; shift 2
  local out
  sync  # the previous scenario's dirty pages are written back before this one, not during it
  local ticks0 bytes0
  ticks0=$(cpu_ticks); bytes0=$(written_bytes)
  out=$(wrk -t"$(( conns < THREADS ? conns : THREADS ))" -c"$conns" -d"$DURATION" --latency "$@")
  local requests
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  CPU[$key]=$(awk -v t=$(( $(cpu_ticks) - ticks0 )) -v n="$requests" -v hz="$TICK" 'BEGIN { if (n > 0) printf "%.0f", 1e6 * t / hz / n; else print "-" }')
  WRITTEN[$key]=$(awk -v b=$(( $(written_bytes) - bytes0 )) -v n="$requests" 'BEGIN { if (n > 0) printf "%.1f", b / 1024 / n; else print "-" }')
  LAST_OUT=$out
  RPS[$key]=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  P50[$key]=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  P99[$key]=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  RSS[$key]=$(rss_mb)
  local errors
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  if [[ -n $errors ]]; then echo "warning: $key answered $errors non-2xx responses" >&2; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100*a/b; else print "-" }'; }

B=http://127.0.0.1:$PORT
RSS_PID=$work/bare.pid run bare_post "$CONNECTIONS" -s "$work/bare.lua" "http://127.0.0.1:$BARE_PORT/json"
RSS_PID=$work/bare.pid run bare_get "$CONNECTIONS" "http://127.0.0.1:$BARE_PORT/get"
# Reads before writes: the recovery loads leave the delivery worker and the kernel's
# writeback busy for a while, which a read scenario after them would measure instead.
run session "$CONNECTIONS" -H "Authorization: Bearer $token" "$B/api/v1/session"
run live "$CONNECTIONS" "$B/health/live"
# One connection, one request at a time: what a person probing for accounts sees.
run recovery_unknown_1 1 -s "$work/probe-nobody.lua" "$B/api/v1/recovery"
run recovery_known_1 1 -s "$work/probe-user.lua" "$B/api/v1/recovery"
# Unknown before known, for the same reason: the known load leaves messages to deliver.
run recovery_unknown "$CONNECTIONS" -s "$work/recovery-nobody.lua" "$B/api/v1/recovery"
run recovery_known "$CONNECTIONS" -s "$work/recovery-user.lua" "$B/api/v1/recovery"
run recovery_one "$CONNECTIONS" -s "$work/one-account.lua" "$B/api/v1/recovery"
run recovery_256 256 -s "$work/recovery-user.lua" "$B/api/v1/recovery"
sleep 3
backlog=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM outbox WHERE state <> 'sent'\").fetchone()[0])" "$work/broker.sqlite")
# Every message out once: as many mail files as outbox rows (a file is named by its message's
# id, so a message sent twice would still be one file; the kill -9 and two-instance tests
# count repeats).
messages=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM outbox WHERE channel = 'email'\").fetchone()[0])" "$work/broker.sqlite")
mail_files=$(find "$work/mail" -name '*.json' | wc -l)
# The Argon2 ceiling is measured right before the sign-in load: this machine's speed drifts.
hash_out=$("$BIN/broker-hash-cost" 10)
ceiling=$(awk -F= '/^ceiling_per_second=/ {print $2}' <<<"$hash_out")
run login "$CONNECTIONS" -s "$work/login.lua" "$B/api/v1/login"
sed -i "s/TOKEN/$token/" "$work/token.lua"
run token "$CONNECTIONS" -s "$work/token.lua" "$B/oauth2/token"
exchanged=$(awk -F= '/^exchanged_per_second=/ {print $2}' <<<"$LAST_OUT")

# The same recovery and session loads on one PostgreSQL (durable defaults: fsync and synchronous
# commit on), with one instance and then two sharing it; BENCH_POSTGRES=0 skips this part.
PG_ROWS=()
if [[ ${BENCH_POSTGRES:-1} == 1 ]] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  read -r pgdir pgurl < <(PG_DURABLE=1 scripts/pg.sh start)
  trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; scripts/pg.sh stop "$pgdir"; rm -rf "$work"' EXIT
  kill "$(cat "$work/broker.pid")" && rm "$work/broker.pid"
  for i in 1 2; do
    mkdir -p "$work/pg$i"
    sed -e "s|port: $PORT|port: $((PORT + i))|" -e "s|sqlite://$work/broker.sqlite|$pgurl|" -e "s|$work/mail|$work/pg$i/mail|" \
      -e "s|$work/sms|$work/pg$i/sms|" "$work/broker.yaml" > "$work/pg$i/broker.yaml"
  done
  "$BIN/broker" migrate --config "$work/pg1/broker.yaml" >/dev/null
  "$BIN/broker" account import --config "$work/pg1/broker.yaml" "$work/accounts.jsonl" >/dev/null 2>&1
  echo "bench-password-1" | "$BIN/broker" account create --config "$work/pg1/broker.yaml" --login bench --email bench@example.com --password-stdin >/dev/null
  start_pg() { # instance number
    "$BIN/broker" serve --config "$work/pg$1/broker.yaml" > "$work/pg$1/serve.log" 2>&1 &
    echo $! > "$work/pg$1.pid"
    until curl -fs "http://127.0.0.1:$((PORT + $1))/health/ready" >/dev/null 2>&1; do sleep 0.01; done
  }
  start_pg 1
  RSS_PID=$work/pg1.pid
  P1=http://127.0.0.1:$((PORT + 1))
  pg_token=$(curl -fs -X POST "$P1/api/v1/login" -H 'content-type: application/json' \
    -d '{"login":"bench","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["session"]["token"])')
  run pg_session "$CONNECTIONS" -H "Authorization: Bearer $pg_token" "$P1/api/v1/session"
  run pg_recovery "$CONNECTIONS" -s "$work/recovery-user.lua" "$P1/api/v1/recovery"
  run pg_recovery_one "$CONNECTIONS" -s "$work/one-account.lua" "$P1/api/v1/recovery"
  start_pg 2
  # Two wrk processes at once, half the connections each; req/s add up, p99 is the worse one.
  both() { # key, wrk args after the URL's place...
    local key=$1; shift
    sync
    wrk -t1 -c$((CONNECTIONS / 2)) -d"$DURATION" --latency "$@" "$P1${PG_PATH}" > "$work/w1.out" &
    local first=$!
    wrk -t1 -c$((CONNECTIONS / 2)) -d"$DURATION" --latency "$@" "http://127.0.0.1:$((PORT + 2))${PG_PATH}" > "$work/w2.out"
    wait "$first"
    RPS[$key]=$(cat "$work/w1.out" "$work/w2.out" | awk '/Requests\/sec/ {s += $2} END {printf "%.0f", s}')
    P50[$key]=$(to_ms "$(awk '$1=="50%" {print $2}' "$work/w1.out")")
    P99[$key]=$(for f in "$work/w1.out" "$work/w2.out"; do to_ms "$(awk '$1=="99%" {print $2}' "$f")"; echo; done | sort -g | tail -1)
    RSS[$key]=$(rss_mb)
  }
  PG_PATH=/api/v1/session both pg2_session -H "Authorization: Bearer $pg_token"
  PG_PATH=/api/v1/recovery both pg2_recovery -s "$work/recovery-user.lua"
  sleep 3
  pg_backlog=$(psql "$pgurl" -Atc "SELECT count(*) FROM outbox WHERE state <> 'sent'" 2>/dev/null || echo "?")
  PG_ROWS=(pg_recovery pg_recovery_one pg_session pg2_recovery pg2_session)
fi

echo
echo "broker benchmark: release build, SQLite, 1,000 accounts, $CONNECTIONS connections (256 where named), $THREADS wrk threads, $DURATION each, $(nproc) cores"
printf "%-36s %10s %9s %9s %7s %8s %8s %10s   %s\n" "scenario" "req/s" "p50 ms" "p99 ms" "RSS MB" "CPU us" "kB wr" "ratio" "target"
row() { printf "%-36s %10s %9s %9s %7s %8s %8s %10s   %s\n" "$1" "${RPS[$2]}" "${P50[$2]}" "${P99[$2]}" "${RSS[$2]:--}" "${CPU[$2]:--}" "${WRITTEN[$2]:--}" "$3" "$4"; }
row "bare Hummingbird POST /json" bare_post "100%" "(yardstick)"
row "bare Hummingbird GET /get" bare_get "100%" "(yardstick)"
row "POST /api/v1/recovery, known" recovery_known "$(ratio "${RPS[recovery_known]}" "${RPS[bare_post]}") of bare POST" ">= 40%"
row "POST /api/v1/recovery, unknown" recovery_unknown "$(ratio "${RPS[recovery_unknown]}" "${RPS[recovery_known]}") of known" "90%..110%"
row "POST /api/v1/recovery, one account" recovery_one "$(ratio "${RPS[recovery_one]}" "${RPS[recovery_known]}") of known" "-"
row "POST /api/v1/recovery, known, probe" recovery_known_1 "p50 ${P50[recovery_known_1]} ms" "-"
row "POST /api/v1/recovery, unknown, probe" recovery_unknown_1 "$(ratio "${P50[recovery_unknown_1]}" "${P50[recovery_known_1]}") of known p50" "90%..110%"
row "POST /api/v1/recovery, 256 conns" recovery_256 "p99 ${P99[recovery_256]} ms" "p99 < 20 ms"
row "GET /api/v1/session (bearer)" session "$(ratio "${RPS[session]}" "${RPS[bare_get]}") of bare GET" ">= 60%"
row "POST /api/v1/login" login "$(ratio "${RPS[login]}" "$ceiling") of Argon2" ">= 90% of ${ceiling}/s"
row "GET /oauth2/authorize + POST /oauth2/token" token "${exchanged} exchanges/s" "-"
row "GET /health/live" live "$(ratio "${RPS[live]}" "${RPS[bare_get]}") of bare GET" "-"
echo
echo "CPU us: the measured process's CPU time per request; kB wr: what it wrote per request (WAL, database, mail files)"
echo "start to ready: ${ready_ms} ms (target <= 150 ms); outbox backlog 3 s after the recovery load: $backlog (target 0)"
echo "messages: $messages email rows in the outbox, $mail_files files written by the file transport (target: equal)"
echo "RSS under recovery load: ${RSS[recovery_256]} MB (target <= 64 MB); under login load: ${RSS[login]} MB (target <= 64 MB + cores x 19 MiB)"
echo "$hash_out" | grep -v '^ceiling_per_second='
if [[ ${#PG_ROWS[@]} -gt 0 ]]; then
  echo
  echo "PostgreSQL 15 on this machine (fsync and synchronous_commit on), same accounts and loads"
  printf "%-36s %10s %9s %9s %7s %8s %8s %10s   %s\n" "scenario" "req/s" "p50 ms" "p99 ms" "RSS MB" "CPU us" "kB wr" "ratio" "against"
  row "POST /api/v1/recovery, 1 instance" pg_recovery "$(ratio "${RPS[pg_recovery]}" "${RPS[recovery_known]}")" "SQLite's known recovery"
  row "POST /api/v1/recovery, one account" pg_recovery_one "$(ratio "${RPS[pg_recovery_one]}" "${RPS[pg_recovery]}")" "1 instance, 1,000 accounts"
  row "GET /api/v1/session, 1 instance" pg_session "$(ratio "${RPS[pg_session]}" "${RPS[bare_get]}")" "bare GET"
  row "POST /api/v1/recovery, 2 instances" pg2_recovery "$(ratio "${RPS[pg2_recovery]}" "${RPS[pg_recovery]}")" "1 instance"
  row "GET /api/v1/session, 2 instances" pg2_session "$(ratio "${RPS[pg2_session]}" "${RPS[pg_session]}")" "1 instance"
  echo "outbox backlog 3 s after the PostgreSQL recovery loads: $pg_backlog (target 0); RSS is the first instance's"
fi
