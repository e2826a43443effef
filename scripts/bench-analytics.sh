#!/usr/bin/env bash
# The console's figures at a large shop's size: GET /admin/v1/analytics
# (the default 30 days, and a whole year) on a generated shop of 100,000
# customers and about a million ledger entries over three years, on SQLite
# and, when PostgreSQL is installed, on a throwaway PostgreSQL cluster.
# Prints the warm answer time: the median, min and max of N requests after
# two warm-up ones.
#
#   scripts/bench-analytics.sh [--release] [--requests N] [--customers N] [--entries N] [--sqlite-only]
#                              [--baseline BINARY]
#
# Periods: the default 30 days, 90 days and a whole year, all ending on
# the generated shop's day. --baseline BINARY measures another build of
# the endpoint first (an older one, on SQLite only), on its own copy of
# the generated shop made before this build's migrations touch it, so
# that the two builds' figures come from one run.
#
# The generated SQLite shop is kept under target/bench-analytics/ and
# reused (generated again when its size or the seed changes). --release
# measures the production build (the `server` profile); the debug build by
# default.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

profile=debug sqlite_only=0 requests=20 baseline= customers=100000 entries=1000000 years=3 seed=1
while [ $# -gt 0 ]; do
  case $1 in
    --release) profile=release ;;
    --sqlite-only) sqlite_only=1 ;;
    --baseline) baseline=$(realpath "$2"); shift ;;
    --requests) requests=$2; shift ;;
    --customers) customers=$2; shift ;;
    --entries) entries=$2; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
# --release: the endpoint's production build (the `server` profile).
[ "$profile" = release ] && profile=server
bin="$target_dir/$profile/loyalty-endpoint"
if [ "$profile" = server ]; then
  cargo build --profile server -p loyalty-endpoint --quiet
else
  cargo build -p loyalty-endpoint --quiet
fi
today=2026-12-07
dir="$target_dir/bench-analytics"
mkdir -p "$dir"
name="shop-$customers-$entries-$years-$seed"
export LOYALTY_SECRET=bench-analytics-secret-of-32-bytes-at-least
export LOYALTY_ADMIN_KEY=bench-analytics-admin-key-of-32-bytes-at-least

generate() { # generate ARGS...: a shop into the database ARGS name
  "$bin" generate --customers "$customers" --entries "$entries" --years "$years" \
    --seed "$seed" --today "$today" "$@"
}

# measure LABEL DATABASE-ARGS...: starts the endpoint ($bin) on the
# database and prints the answer times.
measure() {
  local label=$1 port_file pid url bin=${measured_bin:-$bin}
  shift
  port_file=$(mktemp)
  "$bin" serve --addr 127.0.0.1:0 --port-file "$port_file" --exit-after 900 \
    --today "$today" "$@" >"$dir/$label.log" 2>&1 &
  pid=$!
  ENDPOINT_PIDS+=("$pid")
  trap cleanup_all EXIT
  for _ in $(seq 1 300); do [ -s "$port_file" ] && break; sleep 0.1; done
  [ -s "$port_file" ] || { cat "$dir/$label.log" >&2; echo "the endpoint did not start" >&2; exit 1; }
  url="http://127.0.0.1:$(cat "$port_file")"
  rm -f "$port_file"
  # The hourly sweep (every customer settled) starts with the endpoint and
  # takes seconds on this shop: measure after it, not beside it (a build
  # that does not say when it is done gets a minute).
  for _ in $(seq 1 600); do grep -q "the hourly sweep finished" "$dir/$label.log" && break; sleep 0.1; done
  for query in "" "?from=2026-09-09&to=2026-12-07" "?from=2025-12-08&to=2026-12-07"; do
    python3 - "$url/admin/v1/analytics$query" "$requests" "$label" <<'PY'
import json, os, statistics, sys, time, urllib.error, urllib.request
url, n, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ask = urllib.request.Request(url, headers={"Authorization": "Bearer " + os.environ["LOYALTY_ADMIN_KEY"]})
def once():
    started = time.perf_counter()
    with urllib.request.urlopen(ask, timeout=120) as reply:
        body = json.load(reply)
    return (time.perf_counter() - started) * 1000, body
try:
    for _ in range(2):
        _, body = once()
    times = sorted(once()[0] for _ in range(n))
except urllib.error.HTTPError as err:
    print(f"{label:<10} {url.split('?')[-1] if '?' in url else 'last 30 days':<34} HTTP {err.code} (the endpoint's 10 s limit)")
    sys.exit(0)
period = f"{body['from']}..{body['to']} ({body['days']} days)"
print(f"{label:<10} {period:<34} median {statistics.median(times):7.1f} ms  min {times[0]:7.1f}  max {times[-1]:7.1f}"
      f"  ({n} requests; {body['current']['orders']['all']} orders, {body['current']['members']} members)")
PY
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

step "generated shop: $customers customers, about $entries ledger entries, $years years (seed $seed); $profile build"
sqlite="$dir/$name.sqlite"
if [ ! -s "$sqlite" ]; then
  rm -f "$sqlite" "$sqlite-wal" "$sqlite-shm"
  generate --db "$sqlite"
fi
if [ -n "$baseline" ]; then
  # The baseline's own copy, taken while the shop has only its migrations.
  [ -s "$sqlite.baseline" ] || cp "$sqlite" "$sqlite.baseline"
  measured_bin=$baseline measure baseline --db "$sqlite.baseline"
fi
measure sqlite --db "$sqlite"

if [ "$sqlite_only" = 1 ]; then
  :
elif ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  # Generating on PostgreSQL takes minutes (the sums' triggers run per row).
  start_postgres
  generate --database "$POSTGRES_URL"
  measure postgresql --database "$POSTGRES_URL"
else
  echo "PostgreSQL is not installed: SQLite only"
fi
