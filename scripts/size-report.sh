#!/usr/bin/env bash
# Prints the raw, gzip and brotli sizes of the release build in dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
files=(dist/*.wasm dist/*.js)
if [ ${#files[@]} -eq 0 ]; then
  echo "no release build in dist/ (run trunk build --release first)" >&2
  exit 1
fi
printf '\n%-44s %10s %10s %10s\n' "release file" "raw" "gzip -9" "brotli"
total_raw=0 total_gz=0 total_br=0
for file in "${files[@]}"; do
  raw=$(wc -c <"$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  br=$(brotli -q 11 -c "$file" | wc -c)
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
  printf '%-44s %10s %10s %10s\n' "$(basename "$file")" "$raw" "$gz" "$br"
done
printf '%-44s %10s %10s %10s\n' "total (bytes)" "$total_raw" "$total_gz" "$total_br"
