# The endpoint benchmarks' shared set-up (sourced by scripts/bench-endpoint.sh
# and scripts/bench-observability.sh after scripts/lib.sh).

export LOYALTY_SECRET="bench-secret-bench-secret-bench-secret!"
export LOYALTY_ADMIN_KEY="bench-admin-key-bench-admin-key-bench!"
export SHOPIFY_API_SECRET="bench-shopify-app-secret"

# need_wrk: wrk from Debian's packages, installed when missing.
need_wrk() {
  command -v wrk >/dev/null && return
  echo "installing wrk (Debian package)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
}

# bodies FILE FIRST COUNT: signed orders/paid bodies, order ids from FIRST.
bodies() { python3 "$ROOT/bench/endpoint/shopify_bodies.py" "$@"; }

# bench_serve LOG BINARY serve-args...: starts an endpoint with the demo
# program on a free port (it stops by itself after 15 minutes); sets
# BENCH_PID and BENCH_BASE.
bench_serve() {
  local log=$1 bin=$2 port_file
  shift 2
  port_file=$(mktemp)
  "$bin" serve --addr 127.0.0.1:0 --demo "$@" \
    --port-file "$port_file" --exit-after 900 >"$log" 2>&1 &
  BENCH_PID=$!
  for _ in $(seq 1 100); do [ -s "$port_file" ] && break; sleep 0.1; done
  [ -s "$port_file" ] || { cat "$log" >&2; rm -f "$port_file"; return 1; }
  BENCH_BASE="http://127.0.0.1:$(cat "$port_file")"
  rm -f "$port_file"
}

# seed_shoppers BASE BINARY TOKENS: 200 shoppers sign up and get a billion
# points each to redeem; their tokens (an hour) go to the file TOKENS.
seed_shoppers() {
  local base=$1 bin=$2 tokens=$3 n
  : >"$tokens"
  for n in $(seq 1 200); do
    curl -sf -X PUT -H "Authorization: Bearer $LOYALTY_ADMIN_KEY" -d '{"first_name":"Bench"}' \
      "$base/admin/v1/customers/bench-$n" >/dev/null
    curl -sf -X POST -H "Authorization: Bearer $LOYALTY_ADMIN_KEY" -H "Idempotency-Key: topup" \
      -d '{"points":1000000000,"reason":"benchmark"}' "$base/admin/v1/customers/bench-$n/adjustments" >/dev/null
    "$bin" token --customer "bench-$n" --ttl 3600 >>"$tokens"
  done
}
