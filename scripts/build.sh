#!/usr/bin/env bash
# The release build: `trunk build --release` (Trunk.toml, index.html and its
# post-build hook scripts/trunk-post-build.sh). Produces, in dist/:
#   widget/loyalty-widget.js        the loader: the stable URL a shop embeds
#   widget/loyalty-widget-web-<hash>.js, ..._bg.wasm
#                                   the widget, fetched by the loader on use
#                                   (content-hashed: cache them forever)
#   npm/                            the npm package for bundler users
#   index.html, shop.css, examples/ the demo shop and the embed examples
# Usage: scripts/build.sh   (setup.sh must have run: trunk, wasm-bindgen,
# binaryen and esbuild come from it)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# Trunk builds offline (Trunk.toml): the crates must be there.
cargo fetch --quiet
trunk --quiet build --release
glue=$(basename dist/widget/loyalty-widget-web-*_bg.wasm _bg.wasm)
echo "built dist/ (widget $glue)"
