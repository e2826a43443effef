#!/usr/bin/env bash
# Before and after in one run: the release widget built from REV (a commit,
# tag or branch) against the one built from the working tree, beside the
# vanilla-JS baseline (bench/compare.mjs). REV is built in a git worktree
# under target/compare/ with this checkout's target/ and node_modules/, so
# only what differs is compiled again; the worktree is removed at the end.
#
# Usage: scripts/bench-compare.sh REV   (ROUNDS=30, THROTTLED_ROUNDS=12)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
rev=$(git rev-parse --short "${1:?usage: scripts/bench-compare.sh REV}^{commit}")
bash scripts/setup.sh >/dev/null
work="$ROOT/target/compare"
mkdir -p "$work"

step "release build of the working tree"
bash scripts/build.sh >/dev/null
cargo build -p loyalty-endpoint --quiet
rm -rf "$work/after" && cp -r dist "$work/after"

step "release build of $rev"
tree="$work/tree-$rev"
git worktree remove --force "$tree" 2>/dev/null || true
git worktree add --quiet --detach "$tree" "$rev"
ln -s "$ROOT/node_modules" "$tree/node_modules"
(cd "$tree" && CARGO_TARGET_DIR="$ROOT/target" bash scripts/build.sh >/dev/null)
rm -rf "$work/before" && cp -r "$tree/dist" "$work/before"
git worktree remove --force "$tree"

# This checkout's bench pages in both builds.
urls=()
for side in before after; do
  bench_pages "$work/$side"
  rm -f "$work/$side.sqlite"*
  start_endpoint "$work/$side.sqlite" --static "$work/$side" --demo
  urls+=("$ENDPOINT_URL")
done

step "first and repeat views: $rev against the working tree, beside the vanilla baseline"
node bench/compare.mjs "${urls[@]}" "${ROUNDS:-30}" "${THROTTLED_ROUNDS:-12}"
