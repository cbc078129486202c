#!/usr/bin/env bash
# Bulk import benchmark: 1,000,000 generated accounts (one shared bcrypt hash)
# into a fresh SQLite database, with accounts/s and peak RSS; then the recovery
# request path on that database beside a 1,000-account one (requests/s, p99).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${BENCH_IMPORT_COUNT:-1000000}
DURATION=${BENCH_DURATION:-10s}
BIN=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'for p in "$work"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$work"' EXIT

generate() { # count file
  python3 - "$1" "$2" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
h = "$2b$10$n7fsh1WHge9zQ4S8RvR3a.0S1Z1qF2v4Tn0p8t5qC5i0iP0xQe6a2"
with open(path, "w") as f:
    for i in range(n):
        f.write(json.dumps({"login": f"user{i:07d}", "email": f"user{i:07d}@example.com", "email_verified": True,
                            "locale": "pt-BR", "password_hash": h}) + "\n")
PY
}

config() { # name port
  cat > "$work/$1.yaml" <<YAML
server: { host: 127.0.0.1, port: $2, public_url: "http://127.0.0.1:$2", dev_mode: true }
database: { url: "sqlite://$work/$1.sqlite" }
providers: { directory: providers }
rate_limits: { enabled: false }
recovery: { resend_cooldown_seconds: 0 }
mail: { transport: file, file_directory: "$work/$1-mail" }
log: { level: error }
YAML
}

generate "$COUNT" "$work/big.jsonl"
generate 1000 "$work/small.jsonl"
config big 18181
config small 18182
out=$( { /usr/bin/time -f "TIME %e %M" "$BIN/broker" account import --config "$work/big.yaml" "$work/big.jsonl" >"$work/import.out"; } 2>&1 | grep '^TIME' )
seconds=$(awk '{print $2}' <<<"$out"); rss_kb=$(awk '{print $3}' <<<"$out")
"$BIN/broker" account import --config "$work/small.yaml" "$work/small.jsonl" >/dev/null
echo
echo "import of $COUNT accounts (release build, SQLite, one shared bcrypt hash)"
printf "%-28s %s\n" "last line" "$(tail -1 "$work/import.out")"
printf "%-28s %.0f accounts/s (%.1f s)\n" "throughput" "$(echo "$COUNT / $seconds" | bc -l)" "$seconds"
printf "%-28s %.1f MB\n" "peak RSS" "$(echo "$rss_kb / 1024" | bc -l)"

cat > "$work/recovery.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"identifier":"user%07d@example.com"}', (n * 7919) % 1000)
  return wrk.format("POST", "/api/v1/recovery", {["Content-Type"] = "application/json"}, body)
end
LUA
echo
printf "%-36s %12s %12s\n" "POST /api/v1/recovery (known)" "requests/s" "p99"
for db in small big; do
  port=$([ $db = big ] && echo 18181 || echo 18182)
  "$BIN/broker" serve --config "$work/$db.yaml" >"$work/$db.log" 2>&1 & echo $! > "$work/$db.pid"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
  res=$(wrk -t2 -c16 -d"$DURATION" --latency -s "$work/recovery.lua" "http://127.0.0.1:$port/api/v1/recovery")
  printf "%-36s %12s %12s\n" "$([ $db = big ] && echo "$COUNT accounts" || echo "1000 accounts")" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$res")" "$(awk '$1=="99%" {print $2}' <<<"$res")"
  kill "$(cat "$work/$db.pid")"; rm "$work/$db.pid"
done
