#!/usr/bin/env bash
# The shipped WebAssembly and its glue, as the release has them, into OUT_DIR
# (default target/wasm-pkg): loyalty-widget-wasm_bg.wasm and
# loyalty-widget-wasm.js. scripts/build.sh and bench/screen-sizes.py use it.
# Usage: scripts/build-wasm.sh [OUT_DIR]   (setup.sh must have run)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

pkg=${1:-"$ROOT/target/wasm-pkg"}
rm -rf "$pkg"
# wasm-pack runs cargo (release profile on stable Rust: opt-level z, LTO, one
# codegen unit, panic=abort) and wasm-bindgen (the CLI pinned in setup.sh);
# wasm-opt runs below, with the flags wasm-pack would not pass.
wasm-pack --quiet build web --release --target web --mode no-install --no-opt \
  --out-dir "$pkg" --out-name loyalty-widget-wasm --no-pack

# wasm-opt -Oz (binaryen 132 from npm; Debian's breaks the wasm) with the
# features Rust 1.95 emits spelled out. Two facts of the linked module let it
# fold more address arithmetic: nothing lives in the lowest 1 KiB (wasm-ld
# puts the stack first, growing down to 0, or starts data at 1 KiB), and the
# memory is the module's own, not imported, so it starts zero-filled.
wasm-opt -Oz --low-memory-unused --zero-filled-memory --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$pkg/loyalty-widget-wasm_bg.wasm" -o "$pkg/loyalty-widget-wasm_bg.wasm"
