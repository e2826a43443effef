#!/usr/bin/env bash
# The release build. Produces, in dist/:
#   widget/loyalty-widget.js        the loader: the stable URL a shop embeds
#   widget/lw-<hash>.js, .wasm      the widget, fetched by the loader on use
#                                   (content-hashed: cache them forever)
#   npm/                            the npm package for bundler users
#   index.html, shop.css, examples/ the demo shop and the embed examples
# Usage: scripts/build.sh   (setup.sh must have run: wasm-pack, wasm-bindgen,
# binaryen and esbuild come from it)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

pkg="$ROOT/target/wasm-pkg"
bash scripts/build-wasm.sh "$pkg"

rm -rf dist
mkdir -p dist/widget dist/npm dist/examples

# The widget, under names that change whenever its content does.
hash=$(cat "$pkg/loyalty-widget-wasm_bg.wasm" "$pkg/loyalty-widget-wasm.js" | sha256sum | cut -c1-12)
cp "$pkg/loyalty-widget-wasm_bg.wasm" "dist/widget/lw-$hash.wasm"
esbuild "$pkg/loyalty-widget-wasm.js" --minify --format=esm --log-level=warning \
  --outfile="dist/widget/lw-$hash.js"

# The loader, told the hashed names, minified.
sed -e "s|'LOAD_GLUE'|'lw-$hash.js'|" -e "s|'LOAD_WASM'|'lw-$hash.wasm'|" loader/loyalty-widget.js \
  | esbuild --minify --format=iife --target=es2022 --log-level=warning > dist/widget/loyalty-widget.js
cp loader/loyalty-widget.d.ts dist/widget/

# The npm package: the same loader as an ES module that imports the glue
# next to it (bundlers resolve the .wasm through import.meta.url).
cp "$pkg/loyalty-widget-wasm.js" "$pkg/loyalty-widget-wasm_bg.wasm" dist/npm/
sed -e "s|import(base + 'LOAD_GLUE')|import('./loyalty-widget-wasm.js')|" \
  -e "s|{ module_or_path: base + 'LOAD_WASM' }||" loader/loyalty-widget.js > dist/npm/index.js
grep -qE "LOAD_(GLUE|WASM)" dist/npm/index.js && { echo "npm loader still has placeholders" >&2; exit 1; }
cp loader/loyalty-widget.d.ts dist/npm/index.d.ts
cp loader/package.json loader/README.md dist/npm/

# The demo shop and the embed examples (the README's snippets, as pages).
cp demo/index.html demo/shop.css dist/
cp examples/*.html dist/examples/
# The demo shop without the widget, and with a launcher instead of the inline
# widget: the Lighthouse comparison (bench/lighthouse.mjs) loads all three.
sed '/widget:start/,/widget:end/d' demo/index.html > dist/examples/shop-none.html
sed -e '/widget:start/,/widget:end/d' -e 's|</body>|  <script async src="/widget/loyalty-widget.js" data-endpoint="__DEMO_ENDPOINT__" data-token="__DEMO_TOKEN__"></script>\n</body>|' \
  demo/index.html > dist/examples/shop-launcher.html
mkdir -p dist/examples/assets
cp examples/assets/guard.js examples/assets/aggressive.css dist/examples/assets/
# Hostile host pages (e2e/hostile.mjs): a plain page, a real Bootstrap and
# Tailwind's preflight from npm, and examples/assets/aggressive.css.
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/tailwindcss/preflight.css dist/examples/assets/
rm dist/examples/hostile.html
for host in baseline:none bootstrap:bootstrap.min.css tailwind:preflight.css unset:aggressive.css; do
  kind=${host%%:*} sheet=${host#*:}
  link=""
  [ "$sheet" = none ] || link="<link rel=\"stylesheet\" href=\"/examples/assets/$sheet\">"
  sed -e "s|KIND|$kind|g" -e "s|<!-- stylesheet:.*-->|$link|" examples/hostile.html > "dist/examples/hostile-$kind.html"
done
# The React example uses the npm package as a bundler user would.
esbuild examples/react-app.jsx --bundle --splitting --format=esm --minify \
  --jsx=automatic --alias:loyalty-widget=./dist/npm/index.js --log-level=warning \
  --define:process.env.NODE_ENV='"production"' --outdir=dist/examples/assets
cp dist/npm/loyalty-widget-wasm_bg.wasm dist/examples/assets/
echo "built dist/ (widget lw-$hash)"
