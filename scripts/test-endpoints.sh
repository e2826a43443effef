#!/usr/bin/env bash
# Brings up the three reference endpoints the browser tests talk to, on the
# ports the tests use when no LOYALTY_TEST_* variable was set at build time:
#   127.0.0.1:18787  normal
#   127.0.0.1:18788  slow (1.5 s before every /v1/customer answer)
#   127.0.0.1:18789  fault-controlled (PUT /_faults, GET /_stats)
# each over a fresh SQLite file, in the background, with the ledger's day
# pinned to 2026-11-30 (the day the tests' demo figures are for). They stop by themselves
# after an hour, or at once with `scripts/test-endpoints.sh stop`. Then:
#   wasm-pack test --headless --firefox     (or --chrome)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
dir="$ROOT/target/test-endpoints"
mkdir -p "$dir"

stop() {
  local pid
  for file in "$dir"/*.pid; do
    [ -f "$file" ] || continue
    pid=$(cat "$file")
    # Only our own endpoint processes.
    if grep -q loyalty-endpoint "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$file"
  done
}
stop
[ "${1:-}" = "stop" ] && { echo "test endpoints stopped"; exit 0; }

cargo build -p loyalty-endpoint --quiet
launch() { # launch NAME PORT [extra args...]
  local name=$1 port=$2
  shift 2
  rm -f "$dir/$name.sqlite"*
  "$ROOT/target/debug/loyalty-endpoint" serve --addr "127.0.0.1:$port" --db "$dir/$name.sqlite" \
    --exit-after 3600 --demo --allow-loopback-origins --today 2026-11-30 "$@" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}
launch normal 18787
launch slow 18788 --faults '{"latency_ms": 1500, "path_prefix": "/v1/customer"}'
launch faulty 18789 --fault-control
for port in 18787 18788 18789; do
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/v1/program" && break
    sleep 0.1
  done
  curl -sf -o /dev/null "http://127.0.0.1:$port/v1/program" \
    || { cat "$dir"/*.log >&2; echo "an endpoint did not start on port $port" >&2; exit 1; }
done
echo "test endpoints up on 127.0.0.1:18787 (normal), :18788 (slow), :18789 (faults); they stop within an hour, or: scripts/test-endpoints.sh stop"
