#!/usr/bin/env bash
# Run a command (the test suite) against PostgreSQL.
# - TEST_DATABASE_URL set: use that server.
# - Otherwise start a throwaway cluster on 127.0.0.1 from the Debian binaries, and remove
#   it afterwards.
# - No PostgreSQL at all: print "PostgreSQL not found: skipped" and succeed, except
#   with CI=true, where that is a failure.
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  DATABASE_URL="$TEST_DATABASE_URL" exec "$@"
fi

PGBIN=""
for dir in /usr/lib/postgresql/*/bin; do
  [ -x "$dir/initdb" ] && PGBIN="$dir"
done
if [ -z "$PGBIN" ] && command -v pg_config >/dev/null 2>&1; then
  dir=$(pg_config --bindir)
  [ -x "$dir/initdb" ] && PGBIN="$dir"
fi
if [ -z "$PGBIN" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL not found: CI=true, so this is a failure." >&2
    exit 1
  fi
  echo "PostgreSQL not found: skipped"
  exit 0
fi

PGPORT=${PGPORT:-$(${PYTHON:-python3} -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PGDATA=$(mktemp -d)
if [ "$(id -u)" = "0" ]; then
  chown postgres:postgres "$PGDATA"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA"
}
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 30 \
  -o "-k $PGDATA -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres ilg
echo "Throwaway PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/ilg" "$@"
