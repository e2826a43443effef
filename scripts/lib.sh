# Shared by the project's scripts: paths, tool PATH, and a reference endpoint
# started in the background that stops by itself.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# binaryen 132 from npm: Debian's wasm-opt 108 breaks the wasm.
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

# start_endpoint DB [extra args...]: starts target/debug/loyalty-endpoint on a
# free loopback port and sets ENDPOINT_URL. It exits by itself after an hour at
# most, and on EXIT of the calling script. Its ledger's day is pinned to
# 2026-11-30, the day the tests' demo figures (pending, expiring) are for.
ENDPOINT_PIDS=()
stop_endpoints() {
  local pid
  for pid in "${ENDPOINT_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
start_endpoint() {
  local db=$1
  shift
  local port_file
  port_file=$(mktemp)
  rm -f "$db" "$db-wal" "$db-shm"
  "$ROOT/target/debug/loyalty-endpoint" serve --addr 127.0.0.1:0 --db "$db" \
    --port-file "$port_file" --exit-after 3600 --today 2026-11-30 "$@" >"$db.log" 2>&1 &
  ENDPOINT_PIDS+=($!)
  trap stop_endpoints EXIT
  for _ in $(seq 1 100); do
    [ -s "$port_file" ] && break
    sleep 0.1
  done
  if [ ! -s "$port_file" ]; then
    cat "$db.log" >&2
    echo "the reference endpoint did not start" >&2
    return 1
  fi
  ENDPOINT_URL="http://127.0.0.1:$(cat "$port_file")"
  rm -f "$port_file"
}
