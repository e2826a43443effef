#!/usr/bin/env bash
# The one test command (README.md, .ci/run): installs what is missing, then
# runs every step below in order. `scripts/test.sh --list` names the steps;
# `scripts/test.sh STEP...` runs only those (or a group: wasm, e2e), each
# building what it needs first (the endpoint; the release build in dist/
# when it is missing or older than its sources).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
started=$(date +%s)
# No incremental caches: a fresh clone (CI) never reuses them, and they
# doubled the disk the test command takes. A developer's own `cargo test`
# keeps them.
export CARGO_INCREMENTAL=0
mkdir -p target/test-run
disk_report() { df -h --output=avail,target "$ROOT" | tail -1 | awk '{print "disk: " $1 " free on " $2}'; du -sh "$ROOT/target" 2>/dev/null | awk '{print "target/: " $1}'; }

# The steps in the order of a full run, each "name|what it checks".
STEPS=(
  "setup|install what is missing (quick when everything is there)"
  "lint|cargo fmt --check, clippy -D warnings on native and wasm32"
  "openapi|both OpenAPI files: valid 3.1, examples and edge cases match their schemas"
  "standins|the platforms' stand-ins check themselves (Shopify's schema, WooCommerce's answers)"
  "native|native tests: core, endpoint on SQLite (rewards' codes made on the stand-ins)"
  "postgres|the endpoint's tests again on a throwaway PostgreSQL"
  "contract|Schemathesis on both OpenAPI files against a fresh demo endpoint"
  "wasm-chrome|wasm-pack test --headless --chrome against real endpoints"
  "wasm-firefox|wasm-pack test --headless --firefox against real endpoints"
  "release|trunk build --release: loader, hashed widget, npm package, demo (dist/)"
  "woo|a real WordPress + WooCommerce: plugin, webhooks, codes at the checkout, the journey, failures"
  "trunk-serve|the developer's loop: trunk serve shows the demo shop with Anna's balance"
  "fresh-shell|the README's commands in a fresh clone and a new shell"
  "a11y|axe-core over every state, keyboard-only use"
  "embed|snippets, npm package, TypeScript types, embedding (Chromium, Firefox), hostile host pages"
  "hostile|XSS payloads, malformed bodies, offline and back (Chromium, Firefox)"
  "once|exactly once: double clicks with lost answers, every redeem outcome, Your rewards"
  "head-start|the first answers asked for beside the wasm, once, and taken over"
  "i18n|every language: packs, plural rules, negotiation, the dashboard per language at 320 px"
  "console|the shop owner's console (#30, Chromium, Firefox): sign-in, wrong key, rate limit, CSRF, expiry, sign-out, the overview's figures against the API, customers, import, embed, program, keyboard, axe at 360 and 1280 px"
  "size|the size report and its budgets"
)
declare -A STEP_GROUPS=(
  [wasm]="wasm-chrome wasm-firefox"
  [e2e]="a11y embed hostile once head-start i18n console"
)

usage() {
  echo "usage: scripts/test.sh [--list | STEP...]   (no STEP: every step, as CI runs it)"
  echo "groups: wasm = wasm-chrome wasm-firefox; e2e = a11y embed hostile once head-start i18n console"
}
list_steps() {
  local entry
  for entry in "${STEPS[@]}"; do printf '  %-13s %s\n' "${entry%%|*}" "${entry#*|}"; done
}

# need_endpoint: the debug endpoint binary (cargo builds it when missing or
# stale; a no-op in a second otherwise).
need_endpoint() { cargo build -p loyalty-endpoint --quiet; }
# need_dist: the release build in dist/, made when missing or older than
# any of its sources.
need_dist() {
  if [ ! -f dist/index.html ] || [ ! -f dist/widget/loyalty-widget.js ] ||
    [ -n "$(find src loader style crates/core/src index.html Trunk.toml Cargo.toml Cargo.lock build.rs scripts/build.sh \
      -newer dist/index.html -type f -print -quit 2>/dev/null)" ]; then
    step "the release build this step needs (dist/ is missing or older than its sources)"
    bash scripts/build.sh
  fi
}

# need_console: the console's release build in dist/admin/ (after need_dist:
# the widget's build replaces dist/ whole), made when missing or older than
# its sources.
need_console() {
  if [ ! -f dist/admin/index.html ] || [ ! -f dist/admin/loyalty-console_bg.wasm ] ||
    [ -n "$(find console crates/core/src Cargo.toml Cargo.lock scripts/build-console.sh \
      -newer dist/admin/index.html -type f -print -quit 2>/dev/null)" ]; then
    step "the console's release build this step needs (dist/admin/ is missing or older than its sources)"
    bash scripts/build-console.sh
  fi
}

run_setup() {
  step "setup"
  bash scripts/setup.sh
}

run_lint() {
  step "cargo fmt --check"
  cargo fmt --all -- --check

  step "clippy (native)"
  cargo clippy --workspace --all-targets --quiet -- -D warnings

  step "clippy (wasm32)"
  cargo clippy -p loyalty-widget --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
  cargo clippy -p loyalty-console --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
}

run_openapi() {
  step "OpenAPI contract: valid 3.1, examples match their schemas"
  python3 scripts/check-openapi.py
}

run_standins() {
  step "the platforms' stand-ins check themselves: Shopify's Admin GraphQL API against Shopify's own schema, WooCommerce's coupons route"
  node e2e/standins/shopify-admin.test.mjs
  node e2e/standins/woo-coupons.test.mjs
}

run_native() {
  step "native tests (core, endpoint on SQLite; rewards' codes made on the stand-ins)"
  cargo test --workspace --quiet
}

run_postgres() {
  step "the endpoint's tests again on PostgreSQL (a throwaway cluster from Debian's packages)"
  PG_FAST=1 start_postgres
  LOYALTY_TEST_POSTGRES="$POSTGRES_URL" cargo test -p loyalty-endpoint --quiet
  stop_postgres
  POSTGRES_DIRS=()
}

run_contract() {
  step "the contract from outside: Schemathesis on both OpenAPI files against a fresh demo endpoint (every check, stateful links, seed 1, 0 failures)"
  cargo build -p loyalty-endpoint --quiet
  mkdir -p target/test-run
  # contract_check: the conformance kit (scripts/contract-check.sh) run on the
  # reference endpoint, as a backend author would run it on theirs. Anna gets
  # points to redeem first (an admin adjustment), so that redemptions are
  # tested beyond "not enough points".
  contract_check() {
    local dir="$ROOT/target/test-run/contract" token
    local secret=contract-check-secret-of-the-test-command key=contract-check-admin-key-of-the-test-command
    rm -rf "$dir"
    mkdir -p "$dir"
    LOYALTY_SECRET=$secret LOYALTY_ADMIN_KEY=$key start_endpoint "$dir/contract.sqlite" --demo
    token=$(LOYALTY_SECRET=$secret "$ROOT/target/debug/loyalty-endpoint" token --customer cust-anna --ttl 3600)
    curl -sf -o /dev/null -X POST "$ENDPOINT_URL/admin/v1/customers/cust-anna/adjustments" \
      -H "Authorization: Bearer $key" -H "Idempotency-Key: contract-check-points" \
      -H "Content-Type: application/json" -d '{"points": 1000000, "reason": "Points to redeem"}'
    CONTRACT_EXAMPLES=${CONTRACT_EXAMPLES:-200} CONTRACT_SEED=${CONTRACT_SEED:-1} CONTRACT_REPORTS="$dir/reports" \
      bash scripts/contract-check.sh "$ENDPOINT_URL" "$token" "$key"
    stop_endpoints
    ENDPOINT_PIDS=()
  }
  contract_check
}

# browser_tests chrome|firefox: fresh endpoints (normal, slow, fault-controlled)
# with fresh SQLite files for each browser, then wasm-pack's browser tests.
browser_tests() {
  local browser=$1 dir="$ROOT/target/test-run/$1"
  mkdir -p "$dir"
  start_endpoint "$dir/browser.sqlite" --demo --allow-loopback-origins
  export LOYALTY_TEST_ENDPOINT="$ENDPOINT_URL"
  start_endpoint "$dir/slow.sqlite" --demo --allow-loopback-origins \
    --faults '{"latency_ms": 1500, "path_prefix": "/v1/customer"}'
  export LOYALTY_TEST_SLOW_ENDPOINT="$ENDPOINT_URL"
  start_endpoint "$dir/faulty.sqlite" --demo --allow-loopback-origins --fault-control
  export LOYALTY_TEST_FAULTY_ENDPOINT="$ENDPOINT_URL"
  echo "$browser: endpoints $LOYALTY_TEST_ENDPOINT, slow $LOYALTY_TEST_SLOW_ENDPOINT, faulty $LOYALTY_TEST_FAULTY_ENDPOINT"
  # One test waits out three 8 s timeouts: the runner's 20 s default for a
  # whole suite is too short.
  WASM_BINDGEN_TEST_TIMEOUT=120 wasm-pack test --headless "--$browser" .
  stop_endpoints
  ENDPOINT_PIDS=()
}

run_wasm_chrome() {
  step "browser tests in Chromium (wasm-pack test --headless --chrome) against the reference endpoint"
  need_endpoint
  browser_tests chrome
}

run_wasm_firefox() {
  step "browser tests in Firefox (wasm-pack test --headless --firefox) against the reference endpoint"
  need_endpoint
  browser_tests firefox
}

run_release() {
  step "release build (trunk build --release: cargo, wasm-bindgen, wasm-opt -Oz): loader, hashed widget, npm package, demo"
  bash scripts/build.sh
}

run_woo() {
  need_endpoint
  need_dist
  step "a real WooCommerce 9.9.5 (../shared/woocommerce): the stand-in answers as it does, the plugin's Apply to cart link, the codes the endpoint makes at its checkout, its own order webhooks"
  woo_started=$(date +%s)
  # The shop comes from ../shared/woocommerce beside this clone. Without it
  # this step did not run, and the test command does not pass.
  export WC_HARNESS_DIR="${WC_HARNESS_DIR:-$(cd "$ROOT/.." && pwd)/shared/woocommerce}"
  if [ ! -x "$WC_HARNESS_DIR/up.sh" ]; then
    echo "NOT RUN: the real WooCommerce step needs the shop at $WC_HARNESS_DIR/up.sh (../shared/woocommerce beside this clone, or WC_HARNESS_DIR); it is not counted as passed" >&2
    return 1
  fi
  bash integrations/wordpress/test-apply.sh
  # One file per area on Node's own test runner, one shop at a time (each
  # file starts its shop and endpoint and purges the shop after); the
  # runner's closing lines count the tests.
  e2e e2e/woo-parity.test.mjs e2e/woo-checkout.test.mjs e2e/woo-loop.test.mjs \
    e2e/woo-journey.test.mjs e2e/woo-failures.test.mjs
  echo "the real WooCommerce step: $(( $(date +%s) - woo_started )) s"
}

run_trunk_serve() {
  need_endpoint
  step "the developer's loop: trunk serve shows the demo shop with Anna's balance (endpoint behind its proxy; both on free ports, beside a running demo or trunk serve)"
  e2e e2e/trunk-serve.test.mjs
}

run_fresh_shell() {
  step "in a new shell, as the README types them: trunk build --release, trunk serve and wasm-pack test --headless --chrome/--firefox in a fresh clone, with only HOME and the system PATH plus ~/.cargo/bin"
  bash scripts/check-fresh-shell.sh
}

# e2e FILE...: browser end-to-end suites on Node's own test runner, one file
# after another; each starts the endpoint it needs (e2e/lib/fixture.mjs) on a
# free port. The closing lines count the tests, passed and failed.
# E2E_BROWSERS=chromium (or firefox) runs one browser.
e2e() {
  node --test --test-concurrency=1 --test-reporter=spec "$@"
}

run_a11y() {
  need_endpoint
  need_dist
  step "accessibility: axe-core over every state (de/en, light/dark), keyboard-only use"
  e2e e2e/a11y.test.mjs
}

run_embed() {
  need_endpoint
  need_dist
  step "embedding end to end (Chromium, Firefox): snippets, npm package and its TypeScript types, launcher, API, SPA, CSP, mistakes, hostile host pages"
  e2e e2e/snippets.test.mjs e2e/npm-package.test.mjs e2e/embed.test.mjs e2e/hostile.test.mjs
}

run_hostile() {
  need_endpoint
  need_dist
  step "hostile data (Chromium, Firefox): XSS payloads in answers and attributes, malformed bodies; offline and back"
  e2e e2e/xss.test.mjs e2e/bad-bodies.test.mjs e2e/recovery.test.mjs
}

run_once() {
  need_endpoint
  need_dist
  step "exactly once in the browser: double clicks with lost answers; every redeem outcome and Your rewards (Chromium, Firefox)"
  e2e e2e/exactly-once.test.mjs e2e/rewards-view.test.mjs
}

run_head_start() {
  need_endpoint
  need_dist
  step "the head start (Chromium, Firefox): the first answers asked for beside the wasm, once, and taken over"
  e2e e2e/head-start.test.mjs
}

run_i18n() {
  need_endpoint
  need_dist
  step "every language (#29): the packs against en.json and Intl's plural categories (node, Chromium, Firefox), the loader's negotiation against the Rust's table; the dashboard per language at 320 px (overflow, overlap, plural forms, axe, RTL for ar/he, screenshots) in both browsers"
  e2e e2e/i18n-packs.test.mjs e2e/i18n.test.mjs
}

run_console() {
  need_endpoint
  need_dist
  need_console
  step "the shop owner's console (#30) end to end (Chromium, Firefox): sessions, CSRF, figures against the API, customers, import, embed, program, keyboard, axe-core at 360 and 1280 px (screenshots in target/console-shots/)"
  e2e e2e/console.test.mjs
}

run_size() {
  need_dist
  need_console
  step "size report and budgets"
  bash scripts/size-report.sh --enforce
}

# What to run: every step, or the ones named (groups expanded, in the order
# given, setup first).
chosen=()
if [ $# -eq 0 ]; then
  for entry in "${STEPS[@]}"; do chosen+=("${entry%%|*}"); done
else
  for arg in "$@"; do
    case "$arg" in
      --list) list_steps; exit 0 ;;
      -h | --help) usage; echo; list_steps; exit 0 ;;
    esac
    if [ -n "${STEP_GROUPS[$arg]:-}" ]; then
      read -r -a members <<<"${STEP_GROUPS[$arg]}"
      chosen+=("${members[@]}")
      continue
    fi
    known=0
    for entry in "${STEPS[@]}"; do [ "${entry%%|*}" = "$arg" ] && known=1; done
    if [ "$known" = 0 ]; then
      { echo "unknown step: $arg"; usage; list_steps; } >&2
      exit 2
    fi
    chosen+=("$arg")
  done
  [ "${chosen[0]}" = setup ] || chosen=(setup "${chosen[@]}")
fi

disk_report
for name in "${chosen[@]}"; do
  "run_${name//-/_}"
done

echo
disk_report
if [ $# -eq 0 ]; then
  echo "all checks passed in $(( $(date +%s) - started )) s"
else
  echo "steps ${chosen[*]} passed in $(( $(date +%s) - started )) s"
fi
