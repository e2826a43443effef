#!/usr/bin/env bash
# Requests per second and latency of the reference endpoint (release build,
# SQLite), measured with wrk from Debian's packages on 127.0.0.1:
#   GET /v1/customer       a signed-in customer's summary (token check,
#                          reads, ETag)
#   POST /v1/redemptions   a redeem, each under its own Idempotency-Key:
#                          a real write (balance, redemption, history,
#                          idempotency record) in one transaction
# each at 20 and 200 connections, 2 threads, 10 s (DURATION to change).
# The customer redeeming is given a large balance first, so every redeem
# is applied, not refused. Usage: scripts/bench-endpoint.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
command -v wrk >/dev/null || {
  echo "installing wrk (Debian package)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
}
duration=${DURATION:-10s}
cargo build --release -p loyalty-endpoint --quiet
dir="$ROOT/target/bench-endpoint"
mkdir -p "$dir"
rm -f "$dir"/bench.sqlite*
port_file=$(mktemp)
LOYALTY_SECRET="bench-secret-bench-secret-bench-secret!" \
  "$ROOT/target/release/loyalty-endpoint" serve --addr 127.0.0.1:0 --db "$dir/bench.sqlite" \
  --port-file "$port_file" --exit-after 900 >"$dir/endpoint.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$port_file" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$port_file")"
token() {
  LOYALTY_SECRET="bench-secret-bench-secret-bench-secret!" \
    "$ROOT/target/release/loyalty-endpoint" token --customer "$1" --ttl 3600
}
# Dora redeems: enough points for every request of the run.
python3 - "$dir/bench.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE customers SET approved = 1000000000000, state = 'member' WHERE id = 'cust-dora'")
db.commit()
PY

row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
measure() { # measure NAME CONNECTIONS wrk-args...
  local name=$1 connections=$2
  shift 2
  local out
  out=$(wrk -t2 -c"$connections" -d"$duration" --latency "$@")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  row "$name" "$connections" "${rps%.*}" "$p50" "$p99" "${non2xx:-0}"
}

echo
echo "The reference endpoint, release build, SQLite, wrk -t2 -d$duration on 127.0.0.1 (2 cores shared with wrk)"
row "route" "connections" "requests/s" "p50" "p99" "non-2xx answers"
row "---" "---" "---" "---" "---" "---"
anna=$(token cust-anna)
for c in 20 200; do
  measure "GET /v1/customer" "$c" -H "Authorization: Bearer $anna" "$base/v1/customer"
done
for c in 20 200; do
  TOKEN=$(token cust-dora) measure "POST /v1/redemptions" "$c" -s bench/endpoint/redeem.lua "$base"
done
redemptions=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM redemptions').fetchone()[0])" "$dir/bench.sqlite")
echo
echo "redemptions applied in all: $redemptions"
