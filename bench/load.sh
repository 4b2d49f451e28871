#!/usr/bin/env bash
# Load test: the site under gunicorn with production settings (DEBUG off), driven by wrk,
# on SQLite and on PostgreSQL. Prints requests per second and p50/p99 latency for a plain
# response from the same server (the ceiling), the home page, a guide page, a search
# (cached, and with a new query every time) and a signed-in example list, then checks
# the targets: guide page >= half the ceiling's requests/s with p99 < 50 ms and no errors,
# search p99 < 100 ms, the same query or a new one on every request.
#
#   bench/load.sh                 # both databases (PostgreSQL: a throwaway cluster)
#   bench/load.sh sqlite          # one of them
#   DURATION=20s CONNECTIONS=40 WORKERS=4 bench/load.sh postgres
#
# Needs wrk (Debian: apt-get install wrk) and, for PostgreSQL, the Debian postgresql
# binaries (as tests/with_postgres.sh). Not part of `make test`: the figures depend on
# the machine. Exit status 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found: apt-get install wrk" >&2
  exit 2
fi

which_db=${1:-both}
if [ "$which_db" = "both" ]; then
  status=0
  "$0" sqlite || status=1
  echo
  "$0" postgres || status=1
  exit $status
fi
if [ "$which_db" = "postgres" ] && [ -z "${DATABASE_URL:-}" ]; then
  # A throwaway cluster, removed afterwards; it runs this script again inside.
  exec env PYTHON="$PYTHON" tests/with_postgres.sh "$0" postgres-inside
fi

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$which_db" = "sqlite" ]; then
  export DATABASE_URL="sqlite:///$WORK/bench.sqlite3"
  label="SQLite"
else
  label="PostgreSQL"
fi
export DEBUG=false HTTPS=false ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=ERROR
export SECRET_KEY="bench-only-secret-key-$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz"
export ILG_NEW_USER_PASSWORD="bench-password-$(date +%s)-x7"
unset DJANGO_ALLOW_ASYNC_UNSAFE

echo "== $label: preparing the database =="
"$PYTHON" manage.py migrate --noinput >/dev/null
"$PYTHON" manage.py load_guides >/dev/null
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
"$PYTHON" manage.py create_user bench_facilitator --role facilitator --email bench@nhs.example >/dev/null
# Forty published examples, so the lists have something to show.
"$PYTHON" manage.py shell -c "
from django.contrib.auth.models import User
from django.utils import timezone
from guides.examples.models import LocalExample
from guides.library.models import Guide
author = User.objects.get(username='bench_facilitator')
guides = list(Guide.objects.all())
for i in range(40):
    LocalExample.objects.create(author=author, guide=guides[i % len(guides)], status='published',
        published_at=timezone.now(), title=f'Shorter waits on ward {i}',
        problem='Patients waited too long for discharge letters.',
        what_was_done='We ran PDSA cycles on the discharge process and mapped it.',
        results='The median wait fell on the run chart.')
" >/dev/null

PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$PYTHON" -m gunicorn ilg.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --forwarded-allow-ips "" --log-level warning >"$WORK/gunicorn.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "$BASE/healthz" >/dev/null || { cat "$WORK/gunicorn.log"; exit 1; }

# Sign in as a browser would, to get a session cookie for the signed-in page.
JAR="$WORK/cookies"
curl -fs -c "$JAR" "$BASE/accounts/login/" >/dev/null
CSRF=$(awk '$6 == "csrftoken" {print $7}' "$JAR")
curl -fs -b "$JAR" -c "$JAR" -o /dev/null -H "Referer: $BASE/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$CSRF" --data-urlencode "username=bench_facilitator" \
  --data-urlencode "password=$ILG_NEW_USER_PASSWORD" "$BASE/accounts/login/"
SESSION=$(awk '$6 == "sessionid" {print $7}' "$JAR")
[ -n "$SESSION" ] || { echo "Could not sign in" >&2; exit 1; }
curl -fs -H "Cookie: sessionid=$SESSION" "$BASE/examples/mine/" | grep -q "Sign out" \
  || {
    echo "The session cookie does not sign in" >&2
    curl -s -o /dev/null -w "GET /examples/mine/: %{http_code} %{redirect_url}\n" \
      -H "Cookie: sessionid=$SESSION" "$BASE/examples/mine/" >&2
    tail -20 "$WORK/gunicorn.log" >&2
    exit 1
  }

# A different search every time, so that none is answered from the page cache.
cat >"$WORK/search.lua" <<'LUA'
local words = {"pdsa", "run chart", "capacity", "demand", "process map", "running a pilot",
  "queues", "variation", "spread", "sustainability", "patients", "carers", "bottleneck",
  "collaborative", "culture", "teams", "measures", "baseline", "median", "control chart",
  "contrl chrt", "waiting list", "flow", "discharge", "roles", "meeting", "stakeholders"}
math.randomseed(os.time())
request = function()
  local q = words[math.random(#words)]:gsub(" ", "+")
  return wrk.format("GET", "/search/?q=" .. q .. "&n=" .. math.random(1, 1000000000))
end
LUA

RESULTS="$WORK/results"
: >"$RESULTS"
to_ms() {  # wrk prints 812.00us, 4.21ms, 1.02s
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else printf "%s", v }'
}
run() {  # name, path, extra wrk arguments... (CONN=n for other than $CONNECTIONS)
  local name=$1 path=$2 conns=${CONN:-$CONNECTIONS}
  shift 2
  wrk -t"$THREADS" -c"$conns" -d2s "$@" "$BASE$path" >/dev/null  # warm up
  local out
  out=$(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency "$@" "$BASE$path")
  local rps p50 p99 errors non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
  errors=$(( ${errors:-0} + ${non2xx:-0} ))
  printf "%s\t%s\t%s\t%s\t%s\n" "$name" "$rps" "$p50" "$p99" "$errors" >>"$RESULTS"
}

echo "== $label: $DURATION per row, $CONNECTIONS connections, $WORKERS gunicorn workers =="
run "plain response (ceiling)" "/healthz/live"
run "home page" "/"
run "guide page" "/guides/measurement-for-improvement/"
run "search (same query)" "/search/?q=running+a+pilot"
run "search (new query each time)" "/search/" -s "$WORK/search.lua"
# One connection per worker: the time a search takes, without waiting in the queue.
CONN=$WORKERS run "search (new query, no queue)" "/search/" -s "$WORK/search.lua"
run "signed-in example list" "/examples/mine/" -H "Cookie: sessionid=$SESSION"
run "signed-in guide page" "/guides/measurement-for-improvement/" -H "Cookie: sessionid=$SESSION"
# The tool and glossary pages come from the same kind of shell (guides/core/personal.py).
run "signed-in tool page" "/tools/run-charts/" -H "Cookie: sessionid=$SESSION"
run "signed-in glossary term" "/glossary/pdsa/" -H "Cookie: sessionid=$SESSION"

printf "\n%-32s %10s %9s %9s %7s\n" "$label" "req/s" "p50 ms" "p99 ms" "errors"
while IFS=$'\t' read -r name rps p50 p99 errors; do
  printf "%-32s %10s %9s %9s %7s\n" "$name" "$rps" "$p50" "$p99" "$errors"
done <"$RESULTS"

# The targets.
field() { awk -F'\t' -v n="$1" -v f="$2" '$1 == n {print $f}' "$RESULTS"; }
ceiling=$(field "plain response (ceiling)" 2)
guide_rps=$(field "guide page" 2); guide_p99=$(field "guide page" 4)
guide_errors=$(field "guide page" 5); search_p99=$(field "search (same query)" 4)
new_search_p99=$(field "search (new query each time)" 4)
failed=0
check() {  # description, awk condition
  if awk "BEGIN {exit !($2)}"; then echo "  met:    $1"; else echo "  MISSED: $1"; failed=1; fi
}
echo
check "guide page >= half the ceiling ($guide_rps vs $ceiling req/s)" "$guide_rps >= $ceiling / 2"
check "guide page p99 < 50 ms ($guide_p99 ms)" "$guide_p99 < 50"
check "guide page without errors ($guide_errors)" "$guide_errors == 0"
check "search p99 < 100 ms ($search_p99 ms)" "$search_p99 < 100"
# Signed in (issue 19): a facilitator's guide page at a quarter of the ceiling, and every
# page type, signed in or out, with p99 under 50 ms.
signed_rps=$(field "signed-in guide page" 2)
check "signed-in guide page >= a quarter of the ceiling ($signed_rps vs $ceiling req/s)" \
  "$signed_rps >= $ceiling / 4"
for name in "home page" "signed-in example list" "signed-in guide page" "signed-in tool page" \
  "signed-in glossary term"; do
  check "$name p99 < 50 ms ($(field "$name" 4) ms)" "$(field "$name" 4) < 50"
done
check "search, new query each time, p99 < 100 ms ($new_search_p99 ms)" "$new_search_p99 < 100"
for name in "plain response (ceiling)" "home page" "search (same query)" \
  "search (new query each time)" "search (new query, no queue)" "signed-in example list" \
  "signed-in guide page" "signed-in tool page" "signed-in glossary term"; do
  check "$name without errors" "$(field "$name" 5) == 0"
done
exit $failed
