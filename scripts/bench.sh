#!/usr/bin/env bash
# The benchmark command: builds the release widget and the reference
# endpoint, serves the demo shop, and prints the figures.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
step "release build"
bash scripts/build.sh >/dev/null
cargo build -p loyalty-endpoint --quiet
bash scripts/size-report.sh
mkdir -p target/bench
# The baseline's pages and element (bench/vanilla/), served beside the build.
bench_pages dist
# The floor any script tag costs the shop's LCP in Lighthouse's model: the
# same shop page with an empty async script where the loader would be.
: >dist/bench/empty.js
sed 's|</head>|<script async src="/bench/empty.js"></script>\n</head>|' dist/examples/shop-none.html >dist/examples/bench-empty-script.html
start_endpoint "$ROOT/target/bench/bench.sqlite" --static dist --demo --fault-control
step "requests per visit"
node bench/visit.mjs "$ENDPOINT_URL"
step "Lighthouse mobile: the demo shop without and with the widget"
node bench/lighthouse.mjs "$ENDPOINT_URL" "${LIGHTHOUSE_RUNS:-3}"
step "the widget against the vanilla-JS baseline: time, main thread, memory, critical path"
node bench/baseline.mjs "$ENDPOINT_URL" "${TIME_RUNS:-15}"
