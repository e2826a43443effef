#!/usr/bin/env bash
# Installs what the project needs, from crates.io, npm, PyPI and Debian's
# packages only, and skips whatever is already there at the right version.
# Safe to run again.
#
#   scripts/setup.sh           everything the test command needs (browsers,
#                              drivers, wasm-pack, PHP, PostgreSQL, the
#                              contract tester, ...)
#   scripts/setup.sh --demo    only what the demo command needs: the wasm
#                              target, trunk, wasm-bindgen, binaryen, brotli
#                              and the node packages of the release build
#
# The slow parts run side by side: the cargo tools build (two at a time)
# while Debian's packages, the node packages, the Python tools and the crates
# download. Each background part writes its log to target/setup/; a failed
# part prints the end of its log and setup fails.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=full
case "${1:-}" in
  "") ;;
  --demo) profile=demo ;;
  *) echo "usage: scripts/setup.sh [--demo]" >&2; exit 2 ;;
esac

WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
TRUNK_VERSION=0.21.14
GECKODRIVER_VERSION=0.37.1
if [ "$profile" = demo ]; then
  # brotli: the release build writes precompressed copies of the widget.
  APT_PACKAGES=(brotli)
else
  APT_PACKAGES=(chromium chromium-driver firefox-esr brotli php-cli postgresql)
fi

say() { printf '[setup] %s\n' "$*"; }
started=$(date +%s)
logs=target/setup
mkdir -p "$logs"

# `have_version CMD VERSION`: CMD exists and prints VERSION in its --version.
have_version() {
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

# Background parts: `part NAME FUNCTION` starts FUNCTION with its output in
# target/setup/NAME.log; `finish_parts` waits for every one of them.
declare -A PART_PIDS=()
part() {
  local name=$1
  shift
  ("$@") >"$logs/$name.log" 2>&1 &
  PART_PIDS[$name]=$!
}
finish_parts() {
  local name failed=0
  for name in "${!PART_PIDS[@]}"; do
    if wait "${PART_PIDS[$name]}"; then
      say "$name: $(tail -1 "$logs/$name.log")"
    else
      say "$name FAILED (target/setup/$name.log):"
      tail -30 "$logs/$name.log" >&2
      failed=1
    fi
  done
  PART_PIDS=()
  return "$failed"
}

cargo_tool() { # cargo_tool BINARY CRATE VERSION [extra cargo install flags]
  local bin=$1 crate=$2 version=$3
  shift 3
  if have_version "$bin" "$version"; then
    echo "$crate $version present"
  else
    local t0
    t0=$(date +%s)
    echo "installing $crate $version"
    cargo install --quiet "$@" "$crate@$version"
    echo "$crate $version installed in $(( $(date +%s) - t0 )) s"
  fi
}

# Rust: the wasm target (plus fmt and clippy for the tests). Seconds.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if [ "$profile" = full ]; then
  for component in rustfmt clippy; do
    rustup component list --installed | grep -q "^$component" || rustup component add "$component"
  done
fi

# Debian's packages: browsers, drivers, brotli, PHP, PostgreSQL.
apt_part() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "Debian packages present"
    return 0
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "Debian packages installed: ${missing[*]}"
}

# wasm-opt for trunk in any shell. Trunk.toml pins binaryen (`wasm_opt =
# "version_N"`) and builds offline; trunk 0.21 then takes only the wasm-opt
# found on PATH, and only if its `--version` says version N (offline, it never
# looks in its own download cache). npm's binaryen lands in node_modules/.bin,
# which only the project's scripts put on PATH; so the lockfile's binaryen is
# also installed under a prefix of its own and its wasm-opt linked into
# cargo's bin directory, beside trunk, wasm-bindgen and wasm-pack: on the PATH
# of every shell that finds trunk. Debian's binaryen (108) breaks the wasm.
binaryen_version=$(node -p "require('./package-lock.json').packages['node_modules/binaryen'].version")
binaryen_major=${binaryen_version%%.*}
if ! grep -qE "^wasm_opt = \"version_${binaryen_major}\"" Trunk.toml; then
  echo "Trunk.toml's [tools] wasm_opt must be \"version_${binaryen_major}\" (package-lock.json has binaryen $binaryen_version)" >&2
  exit 1
fi
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"

# Node packages (esbuild, binaryen, the example's libraries; axe-core,
# puppeteer-core and Lighthouse for the tests), then the linked wasm-opt, then
# (tests only) Shopify's Admin GraphQL schema from npm @shopify/dev-mcp's data
# files, against which the Shopify stand-in checks every request.
npm_part() {
  local lock_sum
  lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat node_modules/.setup-stamp 2>/dev/null)" != "$lock_sum" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_sum" >node_modules/.setup-stamp
  fi
  local prefix="${XDG_DATA_HOME:-$HOME/.local/share}/binaryen-npm/$binaryen_version"
  if ! "$cargo_bin/wasm-opt" --version 2>/dev/null | grep -qF "version $binaryen_major "; then
    npm install --global --prefix "$prefix" --no-audit --no-fund --loglevel=error "binaryen@$binaryen_version"
    mkdir -p "$cargo_bin"
    ln -sfn "$prefix/bin/wasm-opt" "$cargo_bin/wasm-opt"
    "$cargo_bin/wasm-opt" --version | grep -qF "version $binaryen_major "
  fi
  if [ "$profile" = full ]; then
    echo "Shopify Admin schema in $(bash e2e/standins/shopify-schema.sh)"
  fi
  echo "node packages and wasm-opt $binaryen_major present"
}

# Python (tests only): the OpenAPI validator and the contract check's API
# tester (pinned in scripts/tester.sh).
python_part() {
  if ! python3 -c 'import openapi_spec_validator, openapi_schema_validator' 2>/dev/null; then
    python3 -m pip install --quiet --user "openapi-spec-validator==0.9.0" 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages "openapi-spec-validator==0.9.0"
  fi
  source scripts/tester.sh
  have_schemathesis || install_schemathesis
  echo "openapi-spec-validator and schemathesis $SCHEMATHESIS_VERSION present"
}

# The project's crates: trunk builds offline, so they must be in cargo's cache.
fetch_part() {
  cargo fetch --quiet
  echo "crates fetched"
}

# The cargo tools, in two lanes that build side by side (each part of a
# build that runs on one core leaves the other to the second lane). trunk is
# the longest (about 11 minutes on 2 cores alone). wasm-bindgen-cli cannot
# be installed --locked (a pinned dependency is gone from the registry); the
# others can.
trunk_lane() {
  cargo_tool trunk trunk "$TRUNK_VERSION" --locked
}
tools_lane() {
  cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
  if [ "$profile" = full ]; then
    cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION" --locked
    cargo_tool geckodriver geckodriver "$GECKODRIVER_VERSION" --locked
  fi
  echo "cargo tools present"
}

say "installing what is missing ($profile), side by side; logs in $logs/"
part debian apt_part
part node npm_part
[ "$profile" = full ] && part python python_part
part crates fetch_part
part trunk trunk_lane
part tools tools_lane
finish_parts
say "done in $(( $(date +%s) - started )) s"
