#!/usr/bin/env bash
# What logs and metrics cost (issue #38's goal: within 5% of both off): the
# endpoint's production build (the `server` profile) runs twice side by
# side on the same store, one with logs and metrics off (`--log off`), one
# with logs at info as JSON lines into a file and the Prometheus metrics on
# (`--log info --log-format json --metrics-addr`). The routes of
# scripts/bench-endpoint.sh (GET /v1/customer, POST /v1/redemptions, POST
# /webhooks/shopify) are measured with wrk in short runs, interleaved: each
# round runs every row against both endpoints, the order swapped every
# round, so that what the machine does meanwhile falls on both alike.
# Prints, per row, the median requests/s of each and their ratio, the
# median of the rounds' own ratios and their range.
#
#   scripts/bench-observability.sh [ROUNDS]    (default 7)
#   DURATION=3s CONNECTIONS="20 200" STORES="sqlite postgres" to change
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/bench/endpoint/common.sh"
cd "$ROOT"
need_wrk
rounds=${1:-7}
duration=${DURATION:-3s}
connections=${CONNECTIONS:-20 200}
stores=${STORES:-sqlite}
cargo build --profile server -p loyalty-endpoint --quiet
bin="$ROOT/target/server/loyalty-endpoint"
dir="$ROOT/target/bench-observability"
rm -rf "$dir"
mkdir -p "$dir"
results="$dir/results.tsv"
: >"$results"
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  cleanup_all
}
trap stop_all EXIT

# rps CONNECTIONS wrk-args...: requests per second of one wrk run (2xx only:
# a run with any other answer fails the benchmark).
rps() {
  local out
  out=$(wrk -t2 -c"$1" -d"$duration" "${@:2}")
  if grep -q "Non-2xx" <<<"$out"; then
    echo "non-2xx answers in a run: $out" >&2
    return 1
  fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}

for store in $stores; do
  declare -A base=() tokens=()
  for mode in off on; do
    case $mode in
      off) flags=(--log off) ;;
      on) flags=(--log info --log-format json --metrics-addr 127.0.0.1:0) ;;
    esac
    case $store in
      sqlite) db=(--db "$dir/$store-$mode.sqlite") ;;
      postgres)
        start_postgres
        db=(--database "$POSTGRES_URL")
        ;;
    esac
    bench_serve "$dir/endpoint-$store-$mode.log" "$bin" "${db[@]}" "${flags[@]}"
    pids+=("$BENCH_PID")
    base[$mode]=$BENCH_BASE
    tokens[$mode]="$dir/tokens-$store-$mode.txt"
    seed_shoppers "$BENCH_BASE" "$bin" "${tokens[$mode]}"
  done
  anna=$("$bin" token --customer cust-anna --ttl 3600)
  first=1
  for round in $(seq 1 "$rounds"); do
    order=(off on)
    [ $((round % 2)) -eq 0 ] && order=(on off)
    for c in $connections; do
      # Orders new to both endpoints (each has its own database).
      bodies "$dir/webhooks.txt" "$first" 40000
      first=$((first + 40000))
      for mode in "${order[@]}"; do
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$store" "GET /v1/customer" "$c" "$round" "$mode" \
          "$(rps "$c" -H "Authorization: Bearer $anna" "${base[$mode]}/v1/customer")" >>"$results"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$store" "POST /v1/redemptions" "$c" "$round" "$mode" \
          "$(TOKENS="${tokens[$mode]}" rps "$c" -s bench/endpoint/redeem.lua "${base[$mode]}")" >>"$results"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$store" "POST /webhooks/shopify" "$c" "$round" "$mode" \
          "$(BODIES="$dir/webhooks.txt" rps "$c" -s bench/endpoint/webhook.lua "${base[$mode]}")" >>"$results"
      done
    done
    echo "round $round of $rounds done ($store)" >&2
  done
  # The endpoint that logs did log, and its metrics counted.
  on_log="$dir/endpoint-$store-on.log"
  [ "$(grep -c '"level":"INFO"' "$on_log" || true)" -gt 0 ] \
    || { echo "the logging endpoint wrote no info lines to $on_log" >&2; exit 1; }
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  pids=()
  stop_postgres
  POSTGRES_DIRS=()
  unset base tokens
done

echo
echo "Logs (info, JSON) and metrics on against both off: production build, $rounds interleaved rounds of wrk -t2 -d$duration per row, 127.0.0.1, 2 cores shared with wrk and the database"
python3 - "$results" <<'PY'
import statistics, sys
from collections import defaultdict
runs = defaultdict(dict)
for line in open(sys.argv[1]):
    store, route, c, rnd, mode, rps = line.rstrip("\n").split("\t")
    runs[(store, route, int(c))].setdefault(int(rnd), {})[mode] = float(rps)
print("| store | route | connections | off, median req/s | on, median req/s | on / off (medians) | on / off, median of rounds | rounds' range |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for (store, route, c), rounds in runs.items():
    off = [r["off"] for r in rounds.values()]
    on = [r["on"] for r in rounds.values()]
    ratios = sorted(r["on"] / r["off"] for r in rounds.values())
    print(f"| {store} | {route} | {c} | {statistics.median(off):,.0f} | {statistics.median(on):,.0f} | "
          f"{statistics.median(on) / statistics.median(off):.3f} | {statistics.median(ratios):.3f} | "
          f"{ratios[0]:.2f}-{ratios[-1]:.2f} |")
PY
