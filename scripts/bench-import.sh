#!/usr/bin/env bash
# How long switching from another loyalty app takes, and the memory it
# holds: `loyalty-endpoint import` (release build) on generated files of the
# shapes the apps export, on SQLite and on PostgreSQL (a throwaway cluster
# from Debian's packages, fsync on), each into an empty database:
#   balances  Smile.io's `email,points`, one row a member
#             (BALANCE_ROWS, default "10000 100000")
#   history   Rivo's Points Logs, signed rows with dates and order ids, over
#             one member in ten (HISTORY_ROWS, default 1000000)
# For each file: the dry run and the apply, wall time and peak RSS (from
# /usr/bin/time), beside the issue's goals (100,000 balance rows applied in
# under 30 s, 1,000,000 history rows in under 3 minutes on 2 cores). With a
# REV, the importer built from that commit runs the same files in the same
# run, first, as the baseline.
# Usage:
#   scripts/bench-import.sh [REV]      (STORES="sqlite postgres" by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
stores=${STORES:-sqlite postgres}
balance_rows=${BALANCE_ROWS:-10000 100000}
history_rows=${HISTORY_ROWS:-1000000}
cargo build --profile server -p loyalty-endpoint --quiet
target_dir=${CARGO_TARGET_DIR:-$ROOT/target}
dir="$target_dir/bench-import"
mkdir -p "$dir"
builds=("this|$target_dir/server/loyalty-endpoint")
if [ -n "${1:-}" ]; then
  build_baseline "$1"
  builds=("$BASELINE_REV|$BASELINE_BIN" "${builds[@]}")
fi

# The files, made once (the same bytes for every build and store).
python3 - "$dir" "$balance_rows" "$history_rows" <<'PY'
import os, random, sys
folder, balances, histories = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
for n in map(int, balances):
    path = f"{folder}/balances-{n}.csv"
    if os.path.exists(path):
        continue
    rng = random.Random(n)
    with open(path + ".part", "w") as out:
        out.write("email,points\n")
        for i in range(n):
            out.write(f"member{i}@example.com,{rng.randrange(0, 20000)}\n")
    os.replace(path + ".part", path)
for n in map(int, histories):
    path = f"{folder}/history-{n}.csv"
    if os.path.exists(path):
        continue
    rng = random.Random(n)
    members = max(1, n // 10)
    balance = [0] * members
    with open(path + ".part", "w") as out:
        out.write("customer_id,email,points_amount,applied_at,order_id\n")
        for i in range(n):
            m = rng.randrange(members)
            # Earned on orders mostly; now and then spent, never below zero.
            if balance[m] >= 200 and rng.random() < 0.2:
                amount, order = -rng.randrange(100, balance[m] + 1), ""
            else:
                amount, order = rng.randrange(5, 400), str(100000 + i)
            balance[m] += amount
            day = 1 + (i * 700) // n
            date = f"2025-{1 + (day // 28) % 12:02d}-{1 + day % 28:02d} 12:00:00"
            if day >= 336:
                date = f"2026-{1 + ((day - 336) // 28) % 11:02d}-{1 + day % 28:02d} 12:00:00"
            out.write(f"sh-{m},member{m}@example.com,{amount},{date},{order}\n")
    os.replace(path + ".part", path)
PY

results=()
# measure LABEL COMMAND...: wall seconds and peak RSS (MB) of one command;
# "failed" when it does not finish well.
measure() {
  local label=$1
  shift
  if /usr/bin/time -o "$dir/last.time" -f '%e %M' "$@" >"$dir/last.out" 2>"$dir/last.err"; then
    awk -v l="$label" '{ printf "%s|%.1f|%.0f\n", l, $1, $2 / 1024 }' "$dir/last.time"
  else
    echo "$label|failed|-"
    tail -3 "$dir/last.err" >&2
  fi
}

# run STORE NAME BIN: every file, dry run then apply, each into an empty
# database.
run() {
  local store=$1 name=$2 bin=$3 file target n=0
  for file in $(for r in $balance_rows; do echo "balances-$r"; done) $(for r in $history_rows; do echo "history-$r"; done); do
    n=$((n + 1))
    case $store in
      sqlite)
        rm -f "$dir/bench.sqlite" "$dir/bench.sqlite-wal" "$dir/bench.sqlite-shm"
        target=(--db "$dir/bench.sqlite")
        ;;
      postgres)
        "$PG_BIN/psql" "$POSTGRES_URL" -q -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
        target=(--database "${POSTGRES_URL%/*}/bench")
        ;;
    esac
    echo "  $store, $name, $file: dry run" >&2
    local dry apply
    dry=$(measure x "$bin" import "${target[@]}" "$dir/$file.csv")
    echo "  $store, $name, $file: apply" >&2
    apply=$(measure x "$bin" import "${target[@]}" --apply "$dir/$file.csv")
    results+=("$store|$file|$name|${dry#x|}|${apply#x|}")
  done
}

for store in $stores; do
  if [ "$store" = postgres ]; then start_postgres; fi
  for build in "${builds[@]}"; do
    IFS='|' read -r name bin <<<"$build"
    run "$store" "$name" "$bin"
  done
  if [ "$store" = postgres ]; then stop_postgres; fi
done

goal() {
  case $1 in
    balances-100000) echo "apply < 30 s" ;;
    history-1000000) echo "apply < 180 s" ;;
    *) echo "" ;;
  esac
}
printf '\n| store | file | build | dry run s | dry run peak MB | apply s | apply peak MB | goal |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for line in "${results[@]}"; do
  IFS='|' read -r store file name ds dm as am <<<"$line"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$store" "$file" "$name" "$ds" "$dm" "$as" "$am" "$(goal "$file")"
done
