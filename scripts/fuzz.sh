#!/usr/bin/env bash
# Fuzzes the core's decoders and URL checks with cargo-fuzz (libFuzzer):
#   scripts/fuzz.sh            # 60 s
#   FUZZ_SECONDS=600 scripts/fuzz.sh
# cargo-fuzz comes from crates.io; its sanitizer flags need nightly features,
# which RUSTC_BOOTSTRAP=1 allows on the stable toolchain. A crash is saved
# under crates/core/fuzz/artifacts/ and fails the run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT/crates/core"
if ! cargo fuzz --version 2>/dev/null | grep -qF "0.13.1"; then
  cargo install --quiet --locked cargo-fuzz@0.13.1
fi
RUSTC_BOOTSTRAP=1 cargo fuzz run decode -- -max_total_time="${FUZZ_SECONDS:-60}" 2>&1 \
  | grep -E '^(Done|==|SUMMARY|.*panicked|.*Test unit written)' || true
test ! -d fuzz/artifacts/decode || test -z "$(ls -A fuzz/artifacts/decode)"
