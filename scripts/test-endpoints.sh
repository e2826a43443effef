#!/usr/bin/env bash
# Brings up the three reference endpoints the browser tests (tests/*.rs)
# talk to, each on a port the system hands out (so beside a running demo,
# `trunk serve` or another developer's endpoints):
#   normal                 LOYALTY_TEST_ENDPOINT
#   slow (1.5 s before every /v1/customer answer)
#                          LOYALTY_TEST_SLOW_ENDPOINT
#   fault-controlled (PUT /_faults, GET /_stats)
#                          LOYALTY_TEST_FAULTY_ENDPOINT
# each over a fresh SQLite file, in the background, with the ledger's day
# pinned to 2026-11-30 (the day the tests' demo figures are for). It prints
# the variables to export (the tests read them at build time); the messages
# go to standard error. They stop by themselves after an hour, or at once
# with `scripts/test-endpoints.sh stop`. Then:
#   eval "$(scripts/test-endpoints.sh)"
#   wasm-pack test --headless --firefox     (or --chrome)
# (The same lines are kept in target/test-endpoints/env, to source in
# another shell.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
dir="$ROOT/target/test-endpoints"
mkdir -p "$dir"

stop() {
  local pid file
  for file in "$dir"/*.pid; do
    [ -f "$file" ] || continue
    pid=$(cat "$file")
    # Only our own endpoint processes.
    if grep -q loyalty-endpoint "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$file"
  done
  rm -f "$dir/env"
}
stop
[ "${1:-}" = "stop" ] && { echo "test endpoints stopped" >&2; exit 0; }

cargo build -p loyalty-endpoint --quiet >&2
launch() { # launch NAME [extra args...]: sets URL (lib.sh's start_endpoint, kept after this script ends)
  local name=$1
  shift
  start_endpoint "$dir/$name.sqlite" --demo --allow-loopback-origins "$@" || { stop; exit 1; }
  echo "${ENDPOINT_PIDS[-1]}" >"$dir/$name.pid"
  URL=$ENDPOINT_URL
}
launch normal
normal=$URL
launch slow --faults '{"latency_ms": 1500, "path_prefix": "/v1/customer"}'
slow=$URL
launch faulty --fault-control
faulty=$URL
# They outlive this script (start_endpoint stops them on its exit otherwise).
trap - EXIT
cat >"$dir/env" <<VARS
export LOYALTY_TEST_ENDPOINT=$normal
export LOYALTY_TEST_SLOW_ENDPOINT=$slow
export LOYALTY_TEST_FAULTY_ENDPOINT=$faulty
VARS
cat "$dir/env"
echo "test endpoints up: $normal (normal), $slow (slow), $faulty (faults); export the lines above (eval \"\$(scripts/test-endpoints.sh)\", or source $dir/env); they stop within an hour, or: scripts/test-endpoints.sh stop" >&2
