#!/usr/bin/env bash
# Requests per second and latency of the reference endpoint (its production
# build, the `server` profile; a baseline REV is built as it was released),
# on SQLite and on PostgreSQL (a throwaway cluster from Debian's packages,
# durable: fsync on), measured with wrk from Debian's packages on 127.0.0.1:
#   GET /v1/customer         a signed-in customer's summary (token check,
#                            customer and ledger read, ETag)
#   POST /v1/redemptions     a redeem, each under its own Idempotency-Key: a
#                            real write (ledger entry, redemption,
#                            idempotency record) in one transaction
#   POST /webhooks/shopify   an orders/paid webhook, each a different order,
#                            signed: a real write (a new customer with the
#                            welcome bonus, the order and its ledger entry)
# each at 20 and 200 connections, 2 threads, 10 s (DURATION to change).
# 200 customers redeem in turn (each given a large balance first, through
# the admin API, so every redeem is applied, not refused). With a REV, the
# endpoint built from that commit (in a git worktree under target/) is
# measured too, in the same run, before this one on each store. This build
# runs twice: logs and metrics off, and logs at info (JSON) with metrics on.
# Usage:
#   scripts/bench-endpoint.sh [REV]      (STORES="sqlite postgres" by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/bench/endpoint/common.sh"
cd "$ROOT"
need_wrk
duration=${DURATION:-10s}
stores=${STORES:-sqlite postgres}
cargo build --profile server -p loyalty-endpoint --quiet
dir="$ROOT/target/bench-endpoint"
mkdir -p "$dir"
# name|binary|extra serve flags: this build with logs and metrics off, and
# with logs at info as JSON and metrics on (their cost).
this="$ROOT/target/server/loyalty-endpoint"
builds=("this|$this|--log off" "this, JSON logs + metrics|$this|--log info --log-format json --metrics-addr 127.0.0.1:0")
if [ -n "${1:-}" ]; then
  build_baseline "$1"
  builds=("$BASELINE_REV|$BASELINE_BIN|" "${builds[@]}")
fi
row() { printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$@"; }
measure() { # measure STORE NAME CONNECTIONS wrk-args...
  local store=$1 name=$2 connections=$3
  shift 3
  local out rps p50 p99 non2xx
  out=$(wrk -t2 -c"$connections" -d"$duration" --latency "$@")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  row "$store" "$name" "$connections" "${rps%.*}" "$p50" "$p99" "${non2xx:-0}"
}

# bench STORE BINARY serve-args...: one endpoint on the store, every route.
bench() {
  local store=$1 bin=$2 pid base anna
  shift 2
  bench_serve "$dir/endpoint-$store.log" "$bin" "$@"
  pid=$BENCH_PID base=$BENCH_BASE
  seed_shoppers "$base" "$bin" "$dir/tokens.txt"
  anna=$("$bin" token --customer cust-anna --ttl 3600)
  for c in 20 200; do
    measure "$store" "GET /v1/customer" "$c" -H "Authorization: Bearer $anna" "$base/v1/customer"
  done
  for c in 20 200; do
    TOKENS="$dir/tokens.txt" measure "$store" "POST /v1/redemptions" "$c" -s bench/endpoint/redeem.lua "$base"
  done
  local first=1
  for c in 20 200; do
    bodies "$dir/webhooks.txt" "$first" 120000
    first=$((first + 120000))
    BODIES="$dir/webhooks.txt" measure "$store" "POST /webhooks/shopify (orders/paid)" "$c" \
      -s bench/endpoint/webhook.lua "$base"
  done
  python3 bench/endpoint/ledger_growth.py "$base" "$LOYALTY_ADMIN_KEY" "$store" "${GROWTH:-10,1000,10000}" >>"$dir/growth.md"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

echo
echo "The reference endpoint, production build (server profile), wrk -t2 -d$duration on 127.0.0.1 (2 cores shared with wrk and the database)"
row "store" "route" "connections" "requests/s" "p50" "p99" "non-2xx answers"
row "---" "---" "---" "---" "---" "---" "---"
: >"$dir/growth.md"
for store in $stores; do
  for build in "${builds[@]}"; do
    IFS='|' read -r name bin flags <<<"$build"
    # The baseline works a balance out of the whole ledger on every write:
    # growing it to 10,000 entries through the API takes minutes, and 1,000
    # already shows the slope.
    GROWTH=10,1000,10000
    [ "$bin" = "$this" ] || GROWTH=10,1000
    # shellcheck disable=SC2206
    extra=($flags)
    case $store in
      sqlite)
        rm -f "$dir"/bench.sqlite*
        bench "sqlite ($name)" "$bin" --db "$dir/bench.sqlite" "${extra[@]}"
        ;;
      postgres)
        start_postgres
        bench "postgres ($name)" "$bin" --database "$POSTGRES_URL" "${extra[@]}"
        stop_postgres
        POSTGRES_DIRS=()
        ;;
    esac
  done
done
echo
echo "The cost of one write as a customer's ledger grows (bench/endpoint/ledger_growth.py: 200 writes one after another)"
echo "| store | write | p50 | p90 |"
echo "| --- | --- | --- | --- |"
cat "$dir/growth.md"
