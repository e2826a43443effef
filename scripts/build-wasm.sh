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
# wasm-pack runs cargo (release profile: opt-level z, LTO) and wasm-bindgen
# (the CLI pinned in setup.sh); wasm-opt runs below, after the trim.
#
# The standard library is rebuilt with the widget (rust-src, setup.sh): at
# opt-level z like the rest, with panics as a bare trap instead of a
# formatted message nobody sees (wasm32 has no stderr), and with its
# `optimize_for_size` choices of algorithms. That is 13.3 KB brotli less
# WebAssembly. Both are unstable cargo and rustc options, which
# RUSTC_BOOTSTRAP opens on the stable toolchain for this one build.
# LLVM's inline threshold at 0 (opt-level z uses 5) is another 0.6 KB;
# measured: -25 made the file 4 KB larger. Merged functions are off (0.8 KB
# more) so that every function in the table is exactly one Rust function:
# trim-bindings.py empties the stream functions by name, and a merged one
# could also serve other code.
release_flags=(-Zunstable-options -Cpanic=immediate-abort
  -Cllvm-args=-inline-threshold=0 -Zmerge-functions=disabled)
RUSTC_BOOTSTRAP=1 CARGO_ENCODED_RUSTFLAGS=$(IFS=$'\x1f'; echo "${release_flags[*]}") \
  wasm-pack --quiet build web --release --target web --mode no-install --no-opt \
  --out-dir "$pkg" --out-name loyalty-widget-wasm --no-pack \
  -- -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size

# Unused stream bindings and the code behind them out, short import and
# export names, in the wasm and its glue (about 7 KB brotli); then wasm-opt
# -Oz (binaryen 132 from npm; Debian's breaks the wasm) with the features
# Rust 1.95 emits spelled out. Two facts of the linked module let it fold
# more address arithmetic (0.4 KB): nothing lives in the lowest 1 KiB (the
# stack grows down from 1 MiB to it; without the stack first, wasm-ld starts
# data at 1 KiB), and the memory is the module's own, not imported, so it
# starts zero-filled.
python3 scripts/trim-bindings.py "$pkg/loyalty-widget-wasm_bg.wasm" "$pkg/loyalty-widget-wasm.js"
wasm-opt -Oz --low-memory-unused --zero-filled-memory --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$pkg/loyalty-widget-wasm_bg.wasm" -o "$pkg/loyalty-widget-wasm_bg.wasm"
# wasm-opt dropped the imports only the emptied stream code used; their
# functions leave the glue too (0.15 KB).
python3 scripts/trim-bindings.py --prune "$pkg/loyalty-widget-wasm_bg.wasm" "$pkg/loyalty-widget-wasm.js"
