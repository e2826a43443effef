#!/usr/bin/env bash
# The demo command (README.md): builds the demo shop with the widget and
# serves it with the reference endpoint on http://127.0.0.1:8787 (PORT=...
# to change). Stop with Ctrl-C.
#
# It installs only what the demo needs (scripts/setup.sh --demo: no
# browsers, drivers, PHP or PostgreSQL), and builds the endpoint and the
# widget's crates while trunk and wasm-bindgen install.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
started=$(date +%s)
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
mkdir -p target/demo
# The endpoint, then the widget's crates for wasm32, as trunk will ask for
# them (trunk's own build then finds them compiled).
(cargo build -p loyalty-endpoint --profile server --quiet &&
  cargo build -p loyalty-widget-web --release --target wasm32-unknown-unknown --quiet &&
  cargo build -p loyalty-console --release --target wasm32-unknown-unknown --quiet) \
  >target/demo/build.log 2>&1 &
build_pid=$!
bash scripts/setup.sh --demo
step "building the endpoint and the widget's crates (started beside the setup)"
if ! wait "$build_pid"; then
  tail -30 target/demo/build.log >&2
  exit 1
fi
step "building the widget (trunk build --release)"
bash scripts/build.sh
# After the widget: its build replaces the whole of dist/.
step "building the shop owner's console (into dist/admin/)"
bash scripts/build-console.sh
# The console signs in with the admin key: the demo makes one once and
# keeps it beside its database (LOYALTY_ADMIN_KEY, when set, wins).
if [ -z "${LOYALTY_ADMIN_KEY:-}" ]; then
  [ -s target/demo/admin-key ] || (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >target/demo/admin-key)
  LOYALTY_ADMIN_KEY=$(cat target/demo/admin-key)
  export LOYALTY_ADMIN_KEY
fi
port=${PORT:-8787}
echo
echo "built in $(( $(date +%s) - started )) s"
echo "Demo shop with the loyalty widget: http://127.0.0.1:$port/"
echo "(signed in as Anna; the footer switches customer or shows the guest view)"
echo "The shop owner's console: http://127.0.0.1:$port/admin/"
echo "(its admin key is in target/demo/admin-key)"
exec target/server/loyalty-endpoint serve --addr "127.0.0.1:$port" \
  --db target/demo/demo.sqlite --static dist --demo
