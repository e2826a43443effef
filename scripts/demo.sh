#!/usr/bin/env bash
# The demo command (README.md): builds the demo shop with the widget and
# serves it with the reference endpoint on http://127.0.0.1:8787 (PORT=...
# to change). Stop with Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
step "building the widget (release)"
bash scripts/build.sh
cargo build -p loyalty-endpoint --release --quiet
port=${PORT:-8787}
mkdir -p target/demo
echo
echo "Demo shop with the loyalty widget: http://127.0.0.1:$port/"
echo "(signed in as Anna; the footer switches customer or shows the guest view)"
exec target/release/loyalty-endpoint serve --addr "127.0.0.1:$port" \
  --db target/demo/demo.sqlite --static dist --demo
