#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml). Trunk has built the widget into
# $TRUNK_STAGING_DIR/widget/ (loyalty-widget-web-<hash>.js and
# ..._bg.wasm) and copied the loader and the shop's stylesheet; this adds
# what Trunk has no step for:
#   widget/loyalty-widget.js        the loader, told the hashed names, minified
#   widget/i18n/<hash>/<lang>.json  the language packs (src/i18n/), built to
#                                   be read by position, under one content
#                                   hash; English is built in
#   npm/                            the npm package for bundler users
#   examples/                       the embed examples (the README's snippets)
#   *.br, *.gz                      the widget's files compressed ahead, as a
#                                   CDN serves them (release builds)
# and takes Trunk's own `data-trunk` links out of the demo page. In a
# development build (`trunk serve`) the demo page asks the reference endpoint
# behind Trunk's proxy, with the demo customer's token from the token URL.
set -euo pipefail
cd "$TRUNK_SOURCE_DIR"
export PATH="$TRUNK_SOURCE_DIR/node_modules/.bin:$PATH"
stage=$TRUNK_STAGING_DIR
shopt -s nullglob

glues=("$stage"/widget/loyalty-widget-web-*.js)
wasms=("$stage"/widget/loyalty-widget-web-*_bg.wasm)
if [ ${#glues[@]} -ne 1 ] || [ ${#wasms[@]} -ne 1 ]; then
  echo "post-build: expected one glue and one wasm in $stage/widget" >&2
  exit 1
fi
glue=$(basename "${glues[0]}")
wasm=$(basename "${wasms[0]}")
release=false
[ "${TRUNK_PROFILE:-debug}" = release ] && release=true

# The glue, minified (Trunk 0.21 copies it as wasm-bindgen wrote it).
if $release; then
  esbuild "${glues[0]}" --minify --format=esm --log-level=warning --allow-overwrite --outfile="${glues[0]}"
fi

# The language packs, read by position and named by one hash of them all
# (i18n/<hash>/<lang>.json, scripts/pack-texts.mjs): the loader carries the
# hash alone. English is built into the wasm: no pack is fetched for it.
mkdir -p "$stage/widget/i18n"
packs=$(node scripts/pack-texts.mjs src/i18n "$stage/widget/i18n")

# The loader every shop page loads, told the hashed names, with
# loader/negotiate.js bundled in.
minify=()
$release && minify=(--minify)
sed -e "s|'LOAD_GLUE'|'$glue'|" -e "s|'LOAD_WASM'|'$wasm'|" -e "s|'LOAD_PACKS'|'$packs'|" loader/loyalty-widget.js \
  | (cd loader && esbuild "${minify[@]}" --bundle --format=iife --target=es2022 --log-level=warning) >"$stage/widget/loyalty-widget.js"
if grep -qE "LOAD_(GLUE|WASM|PACKS)" "$stage/widget/loyalty-widget.js"; then
  echo "post-build: the loader still has placeholders" >&2
  exit 1
fi

# The demo page: Trunk's build links out (they only steer the build).
perl -0pi -e 's/<link[^>]*\bdata-trunk\b[^>]*>\s*//g' "$stage/index.html"
if ! $release; then
  # trunk serve: the endpoint is the dev server's own origin (its proxy
  # forwards /v1/ and /_demo/), and the token comes from the token URL.
  # Trunk.toml's port, or TRUNK_SERVE_PORT (which trunk serve also reads):
  # the test serves on a free port (e2e/trunk-serve.test.mjs).
  origin="http://127.0.0.1:${TRUNK_SERVE_PORT:-8080}"
  perl -0pi -e "s|__DEMO_ENDPOINT__|$origin|; s|token=\"?__DEMO_TOKEN__\"?|token-url=\"/_demo/token?customer=cust-anna\"|; s|__DEMO_LANG__|de|; s|__DEMO_THEME__|auto|" "$stage/index.html"
fi

# The npm package: the same loader as an ES module that imports the glue
# next to it; bundlers resolve the .wasm through import.meta.url.
mkdir -p "$stage/npm"
cp "${glues[0]}" "$stage/npm/loyalty-widget-wasm.js"
cp "${wasms[0]}" "$stage/npm/loyalty-widget-wasm_bg.wasm"
sed -e "s|import(base + 'LOAD_GLUE')|import('./loyalty-widget-wasm.js')|" \
  -e "s|base + 'LOAD_WASM'|new URL('./loyalty-widget-wasm_bg.wasm', import.meta.url)|" \
  -e "s|'LOAD_PACKS'|'$packs'|" \
  -e 's|`${base}i18n/${PACKS}/${lang}.json`|new URL(`./i18n/${PACKS}/${lang}.json`, import.meta.url).href|' \
  loader/loyalty-widget.js >"$stage/npm/index.js"
cp loader/negotiate.js "$stage/npm/"
cp -r "$stage/widget/i18n" "$stage/npm/"
if grep -qE "LOAD_(GLUE|WASM|PACKS)" "$stage/npm/index.js"; then
  echo "post-build: the npm loader still has placeholders" >&2
  exit 1
fi
cp loader/loyalty-widget.d.ts "$stage/npm/index.d.ts"
cp loader/package.json loader/README.md "$stage/npm/"

# The embed examples (the README's snippets, as pages).
mkdir -p "$stage/examples/assets"
cp examples/*.html "$stage/examples/"
# The demo shop without the widget, and with a launcher instead of the inline
# widget: the Lighthouse comparison (bench/lighthouse.mjs) loads all three.
demo_source=$(perl -0pe 's/<link[^>]*\bdata-trunk\b[^>]*>\s*//g' index.html)
sed '/widget:start/,/widget:end/d' <<<"$demo_source" >"$stage/examples/shop-none.html"
sed -e '/widget:start/,/widget:end/d' -e 's|</body>|  <script async src="/widget/loyalty-widget.js" data-endpoint="__DEMO_ENDPOINT__" data-token="__DEMO_TOKEN__"></script>\n</body>|' \
  <<<"$demo_source" >"$stage/examples/shop-launcher.html"
cp examples/assets/guard.js examples/assets/aggressive.css examples/assets/taken-tag.js examples/assets/hostile-layout.css examples/assets/zoom.css "$stage/examples/assets/"
# Hostile host pages (e2e/hostile.test.mjs): a plain page, a real Bootstrap and
# Tailwind's preflight from npm, and examples/assets/aggressive.css.
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/tailwindcss/preflight.css "$stage/examples/assets/"
rm "$stage/examples/hostile.html"
for host in baseline:none bootstrap:bootstrap.min.css tailwind:preflight.css unset:aggressive.css; do
  kind=${host%%:*} sheet=${host#*:}
  link=""
  [ "$sheet" = none ] || link="<link rel=\"stylesheet\" href=\"/examples/assets/$sheet\">"
  sed -e "s|KIND|$kind|g" -e "s|<!-- stylesheet:.*-->|$link|" examples/hostile.html >"$stage/examples/hostile-$kind.html"
done
# The React example uses the npm package as a bundler user would.
esbuild examples/react-app.jsx --bundle --splitting --format=esm --minify \
  --jsx=automatic --alias:loyalty-widget="$stage/npm/index.js" --log-level=warning \
  --define:process.env.NODE_ENV='"production"' --outdir="$stage/examples/assets"
cp "$stage/npm/loyalty-widget-wasm_bg.wasm" "$stage/examples/assets/"
cp -r "$stage/npm/i18n" "$stage/examples/assets/"
# Brotli and gzip beside the widget's files, for servers that send them
# precompressed (the reference endpoint's --static does; so can any CDN).
if $release; then
  for file in "$stage"/widget/*.js "$stage"/widget/*.wasm "$stage"/widget/i18n/*/*.json "$stage"/shop.css; do
    brotli -q 11 -f -k "$file"
    gzip -9 -f -k "$file"
  done
fi
echo "post-build: loader, npm package and examples for $glue"
