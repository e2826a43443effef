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
mkdir -p target/bench dist/bench
# The baseline's pages and element (bench/vanilla/), served beside the
# build: one shop page with nothing, the inline widget, the launcher or the
# vanilla element where the embed goes.
embed() { # embed NAME HTML
  EMBED=$2 perl -pe 's|<!-- embed -->|$ENV{EMBED}|' bench/vanilla/bench-page.html >"dist/examples/bench-$1.html"
}
embed none ''
embed widget '<loyalty-widget endpoint="__DEMO_ENDPOINT__" token="__DEMO_TOKEN__" mode="inline" lang="de"></loyalty-widget><script async src="/widget/loyalty-widget.js"></script>'
embed launcher '<script async src="/widget/loyalty-widget.js" data-endpoint="__DEMO_ENDPOINT__" data-token="__DEMO_TOKEN__" data-lang="de"></script>'
embed vanilla '<vanilla-loyalty endpoint="__DEMO_ENDPOINT__" token="__DEMO_TOKEN__"></vanilla-loyalty><script async src="/bench/vanilla-loyalty.js"></script>'
cp bench/vanilla/vanilla-loyalty.js dist/bench/
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
