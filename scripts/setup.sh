#!/usr/bin/env bash
# Installs every tool the widget needs to build and test, from crates.io, npm
# and Debian's packages only, and skips whatever is already there at the right
# version. Safe to run again; the demo and test commands call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
TRUNK_VERSION=0.21.14
GECKODRIVER_VERSION=0.37.1
APT_PACKAGES=(chromium chromium-driver firefox-esr brotli php-cli postgresql)

say() { printf '[setup] %s\n' "$*"; }
started=$(date +%s)

# `have_version CMD VERSION`: CMD exists and prints VERSION in its --version.
have_version() {
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

cargo_tool() { # cargo_tool BINARY CRATE VERSION [extra cargo install flags]
  local bin=$1 crate=$2 version=$3
  shift 3
  if have_version "$bin" "$version"; then
    say "$crate $version present"
  else
    say "installing $crate $version (a few minutes on 2 cores)"
    cargo install --quiet "$@" "$crate@$version"
  fi
}

# Rust: the wasm target plus fmt and clippy.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

# Browsers, their drivers, brotli: Debian's packages.
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node packages for wasm-opt (binaryen >= 116), e2e, axe-core and Lighthouse.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.setup-stamp 2>/dev/null)" != "$lock_sum" ]; then
  say "installing node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.setup-stamp
else
  say "node packages present"
fi

# Shopify's Admin GraphQL schema (npm @shopify/dev-mcp's data files, not the
# package itself): the Shopify stand-in checks every request against it.
say "Shopify Admin schema in $(bash e2e/standins/shopify-schema.sh)"

# Python: the OpenAPI validator for the contract check.
if python3 -c 'import openapi_spec_validator, openapi_schema_validator' 2>/dev/null; then
  say "openapi-spec-validator present"
else
  say "installing openapi-spec-validator (PyPI)"
  python3 -m pip install --quiet --user "openapi-spec-validator==0.9.0" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "openapi-spec-validator==0.9.0"
fi

# Python: the API tester of the contract check (pinned in scripts/tester.sh).
source scripts/tester.sh
if have_schemathesis; then
  say "schemathesis $SCHEMATHESIS_VERSION present"
else
  say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI)"
  install_schemathesis
fi

# Rust tools from crates.io. wasm-bindgen-cli cannot be installed --locked
# (a pinned dependency is gone from the registry); the others can.
cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION" --locked
cargo_tool geckodriver geckodriver "$GECKODRIVER_VERSION" --locked
# trunk builds the release (Trunk.toml); about 11 minutes on 2 cores, once.
cargo_tool trunk trunk "$TRUNK_VERSION" --locked

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
binaryen_prefix="${XDG_DATA_HOME:-$HOME/.local/share}/binaryen-npm/$binaryen_version"
if "$cargo_bin/wasm-opt" --version 2>/dev/null | grep -qF "version $binaryen_major "; then
  say "wasm-opt $binaryen_major present ($cargo_bin/wasm-opt)"
else
  say "installing binaryen $binaryen_version (npm) as $cargo_bin/wasm-opt"
  npm install --global --prefix "$binaryen_prefix" --no-audit --no-fund --loglevel=error "binaryen@$binaryen_version"
  ln -sfn "$binaryen_prefix/bin/wasm-opt" "$cargo_bin/wasm-opt"
  "$cargo_bin/wasm-opt" --version | grep -qF "version $binaryen_major "
fi

# Trunk also passes --offline to cargo: the crates must be in cargo's cache.
say "cargo fetch"
cargo fetch --quiet

say "done in $(( $(date +%s) - started )) s"
