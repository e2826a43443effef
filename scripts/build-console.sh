#!/usr/bin/env bash
# The shop owner's console (console/, issue #30): trunk build --release into
# dist/admin/, which the endpoint serves under /admin/ (--console-dir, the
# default when dist/admin exists). Uses the tools scripts/setup.sh installs
# (trunk, wasm-bindgen 0.2.130, wasm-opt from binaryen 132), offline.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT/console"
trunk build --release
echo "the console: $(du -sh "$ROOT/dist/admin" | cut -f1) in dist/admin/"
