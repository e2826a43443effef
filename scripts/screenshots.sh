#!/usr/bin/env bash
# Screenshots of every screen (phone and desktop, light and dark) into
# docs/screenshots/, from the release build in the demo shop.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
bash scripts/build.sh >/dev/null
cargo build -p loyalty-endpoint --quiet
mkdir -p target/screenshots
start_endpoint "$ROOT/target/screenshots/shots.sqlite" --demo --static dist
node e2e/screenshots.mjs "$ENDPOINT_URL" docs/screenshots
