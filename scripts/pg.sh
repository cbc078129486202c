#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: Debian's server binaries,
# a temporary directory, a free port, trust authentication on loopback only.
#   scripts/pg.sh start            -> prints "DIR URL"
#   scripts/pg.sh createdb URL NAME -> prints the new database's URL
#   scripts/pg.sh stop DIR
#   scripts/pg.sh pause DIR | resume DIR  -> the server stops / starts again on its port (outage tests)
# Tests run without fsync; PG_DURABLE=1 (the benchmark) keeps PostgreSQL's durable defaults.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
as_postgres() { if [[ $(id -un) == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi; }

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/broker-pg.XXXXXX)
    chown postgres:postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_postgres "$PGBIN/initdb" -D "$dir/data" -U broker --auth=trust -E UTF8 --locale=C >/dev/null
    echo "$port" > "$dir/port"
    if [[ ${PG_DURABLE:-0} == 1 ]]; then echo "" > "$dir/options"; else echo "-c fsync=off -c synchronous_commit=off" > "$dir/options"; fi
    as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $(cat "$dir/options") -c max_connections=200" start >/dev/null
    "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U broker broker_test
    echo "$dir postgres://broker@127.0.0.1:$port/broker_test"
    ;;
  createdb)
    url=$2; name=$3
    hostport=${url#postgres://broker@}; hostport=${hostport%%/*}
    "$PGBIN/createdb" -h "${hostport%%:*}" -p "${hostport##*:}" -U broker "$name"
    echo "postgres://broker@$hostport/$name"
    ;;
  pause)
    # fast, not immediate: with fsync off an immediate stop would lose what was written.
    as_postgres "$PGBIN/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
    ;;
  resume)
    dir=$2; port=$(cat "$dir/port")
    as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $(cat "$dir/options") -c max_connections=200" start >/dev/null
    ;;
  stop)
    as_postgres "$PGBIN/pg_ctl" -D "$2/data" -m immediate stop >/dev/null || true
    rm -rf "$2"
    ;;
  *)
    echo "usage: $0 start | createdb URL NAME | stop DIR | pause DIR | resume DIR" >&2
    exit 64
    ;;
esac
