#!/usr/bin/env bash
# The reference endpoint's throughput, builds and settings side by side in
# interleaved rounds, so that what the machine does meanwhile falls on all
# of them alike (unlike scripts/bench-endpoint.sh, which measures one after
# the other). Every variant is an endpoint of its own, started at once and
# seeded alike (200 shoppers with a billion points each); each round runs
# every row (GET /v1/customer, POST /v1/redemptions, POST /webhooks/shopify
# at each connection count) against every variant, the order rotated each
# round. Prints, per row, each variant's median requests/s, its ratio to
# the first variant's median, the median of the rounds' own ratios and
# their range.
#
#   scripts/bench-interleaved.sh [ROUNDS]
#       logs and metrics (issue #38): the production build (`server`
#       profile) with `--log off` against logs at info as JSON lines plus
#       the Prometheus metrics on, on SQLite
#   scripts/bench-interleaved.sh --binary PATH [ROUNDS]
#       another build of the endpoint (PATH, e.g. a copy of an earlier
#       `server` build) against this one, both on SQLite with logs and
#       metrics off: the same profile on both sides
#   scripts/bench-interleaved.sh --baseline REV [ROUNDS]
#       the store (issue #27): REV's own release build on SQLite, this build
#       on SQLite and on PostgreSQL (durable), logs and metrics off; then the
#       cost of one write on PostgreSQL as a customer's ledger grows to
#       10,000 entries (bench/endpoint/ledger_growth.py)
#
# ROUNDS defaults to 7; DURATION=3s, CONNECTIONS="20 200" and
# ROUTES="customer redemptions webhooks" (the rows measured) change a run:
# fewer rows, more rounds for a tighter median within the endpoints'
# 15 minutes. Each row also gives the endpoint's CPU time per request.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/bench/endpoint/common.sh"
cd "$ROOT"
baseline= other=
if [ "${1:-}" = --baseline ]; then
  baseline=$2
  shift 2
elif [ "${1:-}" = --binary ]; then
  other=$(realpath "$2")
  shift 2
fi
rounds=${1:-7}
duration=${DURATION:-3s}
connections=${CONNECTIONS:-20 200}
routes=" ${ROUTES:-customer redemptions webhooks} "
need_wrk
cargo build --profile server -p loyalty-endpoint --quiet
this="$ROOT/target/server/loyalty-endpoint"
dir="$ROOT/target/bench-interleaved"
rm -rf "$dir"
mkdir -p "$dir"
# name|binary|store|serve flags
if [ -n "$baseline" ]; then
  build_baseline "$baseline"
  variants=(
    "$BASELINE_REV, SQLite|$BASELINE_BIN|sqlite|"
    "this, SQLite|$this|sqlite|--log off"
    "this, PostgreSQL|$this|postgres|--log off"
  )
  title="this build against $BASELINE_REV, and on PostgreSQL"
elif [ -n "$other" ]; then
  variants=(
    "$(basename "$other"), SQLite|$other|sqlite|--log off"
    "this, SQLite|$this|sqlite|--log off"
  )
  title="this build against $other, logs and metrics off"
else
  variants=(
    "logs and metrics off|$this|sqlite|--log off"
    "JSON logs at info, metrics on|$this|sqlite|--log info --log-format json --metrics-addr 127.0.0.1:0"
  )
  title="logs (info, JSON) and metrics on against both off"
fi
results="$dir/results.tsv"
: >"$results"
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  cleanup_all
}
trap stop_all EXIT

# cpu_ticks PID: the process's user and system CPU time so far, in clock
# ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# rps PID CONNECTIONS wrk-args...: requests per second of one wrk run
# against the endpoint PID, a tab, and the endpoint's CPU time per request
# in microseconds (steadier than the throughput on a shared host); a run
# with any answer but 2xx fails the benchmark.
rps() {
  local out pid=$1 before after
  before=$(cpu_ticks "$pid")
  out=$(wrk -t2 -c"$2" -d"$duration" "${@:3}")
  after=$(cpu_ticks "$pid")
  if grep -q "Non-2xx" <<<"$out"; then
    echo "non-2xx answers in a run: $out" >&2
    return 1
  fi
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {requests = $1}
    /Requests\/sec/ {rps = $2}
    END {printf "%s\t%.1f\n", rps, (requests > 0 ? ticks * 1e6 / hz / requests : 0)}' <<<"$out"
}

bases=() bins=() growth_base=
for n in "${!variants[@]}"; do
  IFS='|' read -r name bin store flags <<<"${variants[$n]}"
  # shellcheck disable=SC2206
  extra=($flags)
  case $store in
    sqlite) db=(--db "$dir/variant-$n.sqlite") ;;
    postgres)
      start_postgres
      trap stop_all EXIT
      db=(--database "$POSTGRES_URL")
      ;;
  esac
  bench_serve "$dir/endpoint-$n.log" "$bin" "${db[@]}" "${extra[@]}"
  pids+=("$BENCH_PID")
  bases+=("$BENCH_BASE")
  bins+=("$bin")
  seed_shoppers "$BENCH_BASE" "$bin" "$dir/tokens-$n.txt"
  [ "$store" = postgres ] && growth_base=$BENCH_BASE
done
anna=$("$this" token --customer cust-anna --ttl 3600)
first=1
count=${#variants[@]}
for round in $(seq 1 "$rounds"); do
  for c in $connections; do
    # Orders new to every endpoint (each has its own database).
    if [[ $routes == *" webhooks "* ]]; then
      bodies "$dir/webhooks.txt" "$first" 40000
      first=$((first + 40000))
    fi
    for k in $(seq 0 $((count - 1))); do
      n=$(((k + round) % count))
      base=${bases[$n]} pid=${pids[$n]}
      if [[ $routes == *" customer "* ]]; then
        printf '%s\t%s\t%s\t%s\t%s\n' "GET /v1/customer" "$c" "$round" "$n" \
          "$(rps "$pid" "$c" -H "Authorization: Bearer $anna" "$base/v1/customer")" >>"$results"
      fi
      if [[ $routes == *" redemptions "* ]]; then
        printf '%s\t%s\t%s\t%s\t%s\n' "POST /v1/redemptions" "$c" "$round" "$n" \
          "$(TOKENS="$dir/tokens-$n.txt" rps "$pid" "$c" -s bench/endpoint/redeem.lua "$base")" >>"$results"
      fi
      if [[ $routes == *" webhooks "* ]]; then
        printf '%s\t%s\t%s\t%s\t%s\n' "POST /webhooks/shopify" "$c" "$round" "$n" \
          "$(BODIES="$dir/webhooks.txt" rps "$pid" "$c" -s bench/endpoint/webhook.lua "$base")" >>"$results"
      fi
    done
  done
  echo "round $round of $rounds done" >&2
done
# The logging endpoint did log (the figures are not of a silent one).
for n in "${!variants[@]}"; do
  case ${variants[$n]} in
    *--log-format\ json*)
      [ "$(grep -c '"level":"INFO"' "$dir/endpoint-$n.log" || true)" -gt 0 ] \
        || { echo "variant $n wrote no info lines to $dir/endpoint-$n.log" >&2; exit 1; }
      ;;
  esac
done
if [ -n "$growth_base" ]; then
  python3 bench/endpoint/ledger_growth.py "$growth_base" "$LOYALTY_ADMIN_KEY" "postgres (this)" 10,1000,10000 >"$dir/growth.md"
fi

echo
echo "The reference endpoint, $title: $rounds interleaved rounds of wrk -t2 -d$duration per row and variant, 127.0.0.1, 2 cores shared with wrk and the databases"
names=()
for v in "${variants[@]}"; do names+=("${v%%|*}"); done
python3 - "$results" "${names[@]}" <<'PY'
import statistics, sys
from collections import defaultdict
path, names = sys.argv[1], sys.argv[2:]
# (route, connections) -> round -> variant -> (req/s, CPU us per request)
runs = defaultdict(lambda: defaultdict(dict))
for line in open(path):
    route, c, rnd, n, rps, cpu = line.rstrip("\n").split("\t")
    runs[(route, int(c))][int(rnd)][int(n)] = (float(rps), float(cpu))

def table(what, unit, pick):
    head = ["route", "connections"] + [f"{name}, median {unit}" for name in names]
    for name in names[1:]:
        head += [f"{name} / {names[0]}", "median of rounds (range)"]
    print(f"\n{what}")
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for (route, c), rounds in runs.items():
        medians = [statistics.median(pick(r[n]) for r in rounds.values()) for n in range(len(names))]
        cells = [route, str(c)] + [f"{m:,.0f}" for m in medians]
        for n in range(1, len(names)):
            ratios = sorted(pick(r[n]) / pick(r[0]) for r in rounds.values() if pick(r[0]) > 0)
            cells += [f"{medians[n] / medians[0]:.3f}" if medians[0] > 0 else "-",
                      f"{statistics.median(ratios):.3f} ({ratios[0]:.2f}-{ratios[-1]:.2f})" if ratios else "-"]
        print("| " + " | ".join(cells) + " |")

table("Throughput (higher is better)", "req/s", lambda v: v[0])
table("The endpoint's CPU time per request, user and system (lower is better)", "us", lambda v: v[1])
PY
if [ -s "$dir/growth.md" ]; then
  echo
  echo "The cost of one write as a customer's ledger grows (bench/endpoint/ledger_growth.py: 200 writes one after another)"
  echo "| store | write | p50 | p90 |"
  echo "| --- | --- | --- | --- |"
  cat "$dir/growth.md"
fi
