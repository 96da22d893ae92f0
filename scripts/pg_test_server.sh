#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the center tests and print its SQLAlchemy URL.
#
#   url=$(scripts/pg_test_server.sh start)   # installs PostgreSQL with apt when absent
#   scripts/pg_test_server.sh stop
#
# The cluster lives in a temporary folder, listens on 127.0.0.1:$NPC_CRF_PG_PORT (default
# 54329) and on a socket in that folder, trusts local connections, and holds one database
# "npc_crf_test". Runs as the "postgres" user when started by root (PostgreSQL refuses root).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${NPC_CRF_PG_PORT:-54329}"
BASE="${TMPDIR:-/tmp}/npc-crf-pg-$(id -u)-$PORT"

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_pg() {
  echo "pg_test_server: installing PostgreSQL (apt)" >&2
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

start() {
  local bin
  bin=$(find_bin) || { install_pg; bin=$(find_bin); }
  if [ -f "$BASE/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$BASE/data" status >/dev/null 2>&1; then
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/npc_crf_test"
    return 0
  fi
  rm -rf "$BASE"
  mkdir -p "$BASE"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$BASE"; fi
  as_owner "$bin/initdb" -D "$BASE/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_owner "$bin/pg_ctl" -D "$BASE/data" -l "$BASE/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $BASE -c fsync=off -c full_page_writes=off" start >/dev/null
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U postgres npc_crf_test
  echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/npc_crf_test"
}

stop() {
  local bin
  bin=$(find_bin) || return 0
  if [ -d "$BASE/data" ]; then
    as_owner "$bin/pg_ctl" -D "$BASE/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$BASE"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
