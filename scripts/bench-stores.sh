#!/usr/bin/env bash
# The recovery write path (check word + outbox row in one transaction) on SQLite,
# on PostgreSQL, and on two instances sharing PostgreSQL, side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10s}
BIN=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
read -r pgdir pgurl < <(scripts/pg.sh start)
trap 'for p in "$work"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; scripts/pg.sh stop "$pgdir"; rm -rf "$work"' EXIT

python3 - "$work/accounts.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write(json.dumps({"login": f"user{i:07d}", "email": f"user{i:07d}@example.com", "email_verified": True}) + "\n")
PY
cat > "$work/recovery.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"identifier":"user%07d@example.com"}', (n * 7919) % 1000)
  return wrk.format("POST", "/api/v1/recovery", {["Content-Type"] = "application/json"}, body)
end
LUA

config() { # name port database-url
  cat > "$work/$1.yaml" <<YAML
server: { host: 127.0.0.1, port: $2, public_url: "http://127.0.0.1:$2", dev_mode: true }
database: { url: "$3", max_connections: 16 }
providers: { directory: providers }
rate_limits: { enabled: false }
recovery: { resend_cooldown_seconds: 0 }
security: { secret_key: "benchmark-secret-key-shared-by-instances" }
mail: { transport: file, file_directory: "$work/$1-mail" }
log: { level: error }
YAML
}
serve() { # name port
  "$BIN/broker" serve --config "$work/$1.yaml" >"$work/$1.log" 2>&1 & echo $! > "$work/$1.pid"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$2/health/ready" >/dev/null && break; sleep 0.1; done
}
measure() { # port -> "rps p99"
  wrk -t1 -c8 -d"$DURATION" --latency -s "$work/recovery.lua" "http://127.0.0.1:$1/api/v1/recovery" \
    | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}'
}

config sqlite 18191 "sqlite://$work/bench.sqlite"
pg=$(scripts/pg.sh createdb "$pgurl" bench)
config pg1 18192 "$pg"
config pg2 18193 "$pg"
"$BIN/broker" account import --config "$work/sqlite.yaml" "$work/accounts.jsonl" >/dev/null
"$BIN/broker" account import --config "$work/pg1.yaml" "$work/accounts.jsonl" >/dev/null

echo
echo "POST /api/v1/recovery (known account: check word + outbox in one transaction), release build, $DURATION, $(nproc) cores"
printf "%-40s %12s %12s\n" "store" "requests/s" "p99"
serve sqlite 18191; read -r rps p99 < <(measure 18191); kill "$(cat "$work/sqlite.pid")"; rm "$work/sqlite.pid"
printf "%-40s %12s %12s\n" "SQLite, one instance" "$rps" "$p99"
serve pg1 18192; read -r rps p99 < <(measure 18192)
printf "%-40s %12s %12s\n" "PostgreSQL, one instance" "$rps" "$p99"
serve pg2 18193
measure 18192 > "$work/a.out" & first=$!
measure 18193 > "$work/b.out" & second=$!
wait "$first" "$second"
read -r ra pa < "$work/a.out"; read -r rb pb < "$work/b.out"
printf "%-40s %12.2f %12s\n" "PostgreSQL, two instances (sum; p99 A/B)" "$(echo "$ra + $rb" | bc -l)" "$pa/$pb"
