#!/usr/bin/env bash
# The README's commands as a developer types them in a new terminal after
# `bash scripts/setup.sh`: in a fresh `git clone`, in a shell with nothing
# exported but HOME and the system PATH plus cargo's bin directory (`env -i`),
# so that a tool only the project's scripts put on PATH (node_modules/.bin)
# fails here. In that shell:
#   trunk build --release     dist/ must hold the loader, the content-hashed
#                             glue and wasm it names, and no page with an
#                             inline <script>
#   trunk serve               (on a free port) must serve the demo shop, the
#                             loader and the glue it names
#   wasm-pack test --headless --chrome, then --firefox
#                             one browser test of tests/web.rs (Anna's balance
#                             in English) against a reference endpoint; the
#                             whole suites run in scripts/test.sh's own step
#
# The clone is made outside this checkout: cargo reads .cargo/config.toml in
# every directory above the one it runs in, so a clone under target/ would get
# the rustflags twice and rebuild everything. The working tree's tracked files
# are laid over the commit with their modification times, and the clone
# borrows this checkout's target/ and node_modules/ (the same lockfile; setup
# made it) through symlinks: cargo finds every unit fresh, so the step costs
# the tools' own work, not a cold build, and nothing it writes into the shared
# target/ differs from what this checkout would build.
#
# Usage: scripts/check-fresh-shell.sh   (after scripts/setup.sh; scripts/test.sh
# runs it after the release build and the trunk serve check, whose cargo
# builds it reuses)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
started=$(date +%s)

[ -d node_modules ] || { echo "node_modules/ is missing: run scripts/setup.sh first" >&2; exit 1; }
# What a new terminal has: the system PATH and cargo's bin directory (rustup
# adds it in ~/.profile).
new_shell_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin"
clone=$(mktemp -d "${TMPDIR:-/tmp}/loyalty-fresh-shell.XXXXXX")
log="$ROOT/target/test-run/fresh-shell"
mkdir -p "$log"
serve_pid=""
# trunk serve runs in a process group of its own (setsid), so that its cargo
# and rustc go with it.
stop_serve() {
  kill -- "-$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
}
finish() {
  if [ -n "$serve_pid" ]; then stop_serve; fi
  cleanup_all
  rm -rf "$clone"
}
trap finish EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# took: sets $took to the seconds since its previous call.
mark=$started
took() {
  local now
  now=$(date +%s)
  took="$((now - mark)) s"
  mark=$now
}

# in_new_shell 'COMMAND LINE' [NAME=value...]: runs the command line in the
# clone, in a new shell's environment (plus the NAME=value pairs given).
in_new_shell() {
  local command=$1
  shift
  env -i HOME="$HOME" PATH="$new_shell_path" "$@" bash -c "cd \"\$0\" && $command" "$clone"
}

git clone --quiet "$ROOT" "$clone"
# The tracked files as they are here (edited or staged), mtimes kept.
git ls-files -z | while IFS= read -r -d '' file; do
  if [ -e "$file" ]; then printf '%s\0' "$file"; fi
done | tar --null -T - -cf - | tar -C "$clone" -xf -
git ls-files -z --deleted | (cd "$clone" && xargs -0 -r rm -f --)
ln -s "$ROOT/target" "$clone/target"
ln -s "$ROOT/node_modules" "$clone/node_modules"
took
echo "fresh clone of $(git rev-parse --short HEAD) (with the working tree's tracked changes) in $clone ($took)"

# 1. The release, and what it must contain.
echo '$ trunk build --release'
in_new_shell 'trunk build --release' >"$log/build.log" 2>&1 \
  || { grep -v '^ *Compiling ' "$log/build.log" | tail -30 >&2; fail "trunk build --release in a new shell"; }
dist="$clone/dist"
shopt -s nullglob
glues=("$dist"/widget/loyalty-widget-web-*[0-9a-f].js)
wasms=("$dist"/widget/loyalty-widget-web-*_bg.wasm)
shopt -u nullglob
[ ${#glues[@]} -eq 1 ] && [ ${#wasms[@]} -eq 1 ] \
  || fail "dist/widget/ should hold one hashed glue and one wasm: $(ls "$dist/widget")"
glue=$(basename "${glues[0]}")
wasm=$(basename "${wasms[0]}")
# Trunk writes its 64-bit hash in hex without leading zeros: 16 digits
# mostly, fewer now and then (1 build in 16 has 15).
[[ $glue =~ ^loyalty-widget-web-[0-9a-f]{8,16}\.js$ ]] || fail "the glue's name is not content-hashed: $glue"
[ "${wasm%_bg.wasm}.js" = "$glue" ] || fail "the glue and the wasm differ in name: $glue, $wasm"
[ "$(head -c 4 "${wasms[0]}" | od -An -tx1 | tr -d ' ')" = 0061736d ] || fail "$wasm is not WebAssembly"
loader="$dist/widget/loyalty-widget.js"
[ -s "$loader" ] || fail "no loader at dist/widget/loyalty-widget.js"
grep -qF "$glue" "$loader" && grep -qF "$wasm" "$loader" || fail "the loader does not name $glue and $wasm"
! grep -qE 'LOAD_(GLUE|WASM)' "$loader" || fail "the loader still has its placeholders"
pages=$(find "$dist" -name '*.html' | wc -l)
[ "$pages" -gt 1 ] || fail "dist/ has $pages HTML pages"
# An inline script: a <script> tag without src (Trunk's own loader script
# would be one; inject_scripts = false keeps it out).
inline=$(find "$dist" -name '*.html' -exec perl -0ne \
  'while (/<script\b([^>]*)>/gi) { my $a = $1; print "$ARGV\n" unless $a =~ /\bsrc\s*=/i }' {} +)
[ -z "$inline" ] || fail "inline <script> in: $inline"
took
echo "ok: loader, $glue, $wasm ($(wc -c <"${wasms[0]}") bytes), $pages pages without an inline script ($took)"

# 2. The developer's loop: trunk serve builds (debug) and serves.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "\$ trunk serve --port $port"
# (Without the release's dist/: a failed build would leave it served.)
rm -rf "$clone/dist"
setsid env -i HOME="$HOME" PATH="$new_shell_path" bash -c "cd \"\$0\" && exec trunk serve --port $port" "$clone" \
  >"$log/serve.log" 2>&1 &
serve_pid=$!
served=0
# Seconds when scripts/test.sh's trunk serve check has built before it; a
# cold debug build takes minutes.
for _ in $(seq 1 600); do
  curl -sf -o "$log/served-loader.js" "http://127.0.0.1:$port/widget/loyalty-widget.js" && { served=1; break; }
  kill -0 "$serve_pid" 2>/dev/null || break
  grep -q ' ERROR ' "$log/serve.log" && break
  sleep 1
done
[ "$served" = 1 ] || { tail -30 "$log/serve.log" >&2; fail "trunk serve in a new shell did not serve the loader"; }
served_glue=$(grep -oE 'loyalty-widget-web-[0-9a-f]{8,16}\.js' "$log/served-loader.js" | head -1)
[ -n "$served_glue" ] && curl -sf -o /dev/null "http://127.0.0.1:$port/widget/$served_glue" \
  || fail "trunk serve does not serve the glue its loader names (${served_glue:-none})"
curl -sf "http://127.0.0.1:$port/" | grep -q '<loyalty-widget' || fail "trunk serve's demo shop has no <loyalty-widget>"
stop_serve
took
echo "ok: trunk serve served the demo shop, the loader and $served_glue ($took)"

# 3. wasm-pack's browser tests, one test in each browser, against an endpoint
# on a free port (the README's scripts/test-endpoints.sh uses fixed ones).
cargo build -p loyalty-endpoint --quiet
start_endpoint "$log/browser.sqlite" --demo --allow-loopback-origins
trap finish EXIT # start_endpoint sets its own
for browser in chrome firefox; do
  echo "\$ wasm-pack test --headless --$browser . --test web -- customer_sees_points_balance_in_english"
  in_new_shell "wasm-pack test --headless --$browser . --test web -- customer_sees_points_balance_in_english" \
    LOYALTY_TEST_ENDPOINT="$ENDPOINT_URL" >"$log/wasm-pack-$browser.log" 2>&1 \
    || { tail -40 "$log/wasm-pack-$browser.log" >&2; fail "wasm-pack test --headless --$browser in a new shell"; }
  grep -qE 'test result: ok\. 1 passed' "$log/wasm-pack-$browser.log" \
    || { tail -20 "$log/wasm-pack-$browser.log" >&2; fail "wasm-pack test --$browser did not run the one test"; }
  took
  echo "ok: wasm-pack test --headless --$browser: 1 passed ($took)"
done

echo "the README's commands work in a new shell in a fresh clone ($(( $(date +%s) - started )) s)"
