#!/usr/bin/env bash
# The conformance kit: runs an independent API tester (Schemathesis, pinned)
# against any backend that claims the loyalty contract, and prints what does
# not conform, with a curl command to reproduce each failure.
#
#   scripts/contract-check.sh URL CUSTOMER_TOKEN [ADMIN_KEY]
#
# URL is the backend's base URL (the contract's paths start with /v1/),
# CUSTOMER_TOKEN a valid customer token for a customer who exists (mint one
# as your shop's server does; the token must outlive the run). With
# ADMIN_KEY, the admin API (openapi/loyalty-admin-v1.json) is checked too:
# only for backends that implement it, such as the reference endpoint. Every
# check runs on every operation (examples, boundary values, random data,
# and stateful sequences along the files' OpenAPI links), with the
# statuses that schemathesis.toml states from the files.
#
# Settings (environment):
#   CONTRACT_EXAMPLES  most generated cases per operation and phase (200)
#   CONTRACT_SEED      the random seed (1); `random` for a new one each run
#   CONTRACT_MAX_TIME  seconds per API: keep generating until spent (unset:
#                      stop after CONTRACT_EXAMPLES)
#   CONTRACT_REPORTS   a folder for JUnit and JSON reports (a temporary one)
#
# The test command runs it against a fresh demo endpoint with the defaults;
# before a release, run it longer with a random seed (README, "The contract"):
#   CONTRACT_SEED=random CONTRACT_MAX_TIME=600 scripts/contract-check.sh URL TOKEN KEY
# Exits 0 when no failure was found, 1 when some were, 2 on a usage error.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/tester.sh"

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
url=${1%/}
customer_token=$2
admin_key=${3:-}
examples=${CONTRACT_EXAMPLES:-200}
seed=${CONTRACT_SEED:-1}
reports=${CONTRACT_REPORTS:-$(mktemp -d /tmp/contract-check.XXXXXX)}
mkdir -p "$reports"

if ! have_schemathesis; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION (PyPI)"
  install_schemathesis
fi

if [ "$seed" = random ]; then
  seed=$(python3 -c 'import secrets; print(secrets.randbelow(2**31))')
fi
limits=(--max-examples "$examples")
if [ -n "${CONTRACT_MAX_TIME:-}" ]; then
  limits+=(--max-time "$CONTRACT_MAX_TIME")
fi

summary=()
failed=0
# check NAME SPEC AUTH: one API, every check; its figures go to the summary.
check() {
  local name=$1 spec=$2 auth=$3 started status=0
  printf '\n==> contract check: the %s API (%s) at %s, seed %s\n' "$name" "$spec" "$url" "$seed"
  started=$(date +%s)
  # The token or key reaches the tester through its environment, never on
  # a command line (where `ps` shows it): a configuration of this run, the
  # project's schemathesis.toml with the header on top.
  {
    echo 'headers = { Authorization = "Bearer ${CONTRACT_AUTHORIZATION}" }'
    cat "$ROOT/schemathesis.toml"
  } >"$reports/$name.toml"
  # Run from the reports folder: the tester keeps its caches in the working
  # directory, and none must carry over from an earlier run.
  # contract_hooks.py teaches the tester to write the import route's
  # files (text/csv, application/x-ndjson).
  (cd "$reports" && CONTRACT_AUTHORIZATION=$auth PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" \
    SCHEMATHESIS_HOOKS=contract_hooks schemathesis --config-file "$reports/$name.toml" \
    run "$ROOT/openapi/$spec" --url "$url" --checks all "${limits[@]}" --seed "$seed" \
    --generation-database none --no-color \
    --report junit,json --report-junit-path "$reports/$name.xml" --report-json-path "$reports/$name.json") \
    || status=$?
  local line
  line=$(python3 - "$reports/$name.json" "$name" "$(($(date +%s) - started))" <<'EOF'
import json, sys
path, name, seconds = sys.argv[1:]
try:
    report = json.load(open(path))
except (OSError, ValueError):
    print(f"{name}: the tester did not finish (see above)")
    sys.exit()
cases = report["test_cases"]
errors = sum(error["count"] for error in report["errors"])
print(f"{name}: {report['operations']['tested']}/{report['operations']['total']} operations, "
      f"{cases['generated']} generated cases, {cases['unique_failures']} unique failures, "
      f"{errors} errors, {seconds} s")
EOF
)
  summary+=("$line")
  if [ "$status" != 0 ]; then failed=1; fi
}

check customer loyalty-v1.json "$customer_token"
if [ -n "$admin_key" ]; then
  check admin loyalty-admin-v1.json "$admin_key"
fi

printf '\n==> contract check summary (seed %s; reports in %s)\n' "$seed" "$reports"
printf '  %s\n' "${summary[@]}"
if [ "$failed" = 0 ]; then
  echo "The backend answers as the OpenAPI files say: no failure found."
  exit 0
fi
cat <<'EOF'

What to fix: each failure above names the operation, the check that failed
and a curl command that reproduces it (`source scripts/tester.sh` and then
`schemathesis explain CODE` tells more about a code). The usual ones:
  ST201 schema-violating request accepted: refuse it (400, in the ErrorBody
        shape), as the schema's constraints say (a malformed `lang`, a `page`
        of 0, a field out of range, an unknown property where it is closed);
  ST202 schema-valid request rejected: accept what the schema allows (an
        integer written 26028.0, any well-formed language tag, `null` for an
        optional field);
  ST103 undocumented status code: answer only the statuses the operation
        lists (each error as an ErrorBody);
  response schema, header or content-type conformance: answer the documented
        shape, with the documented headers (Content-Language, ETag, ...);
  stateful failures (after a chain of calls): a replay with the same
        Idempotency-Key and body must give the first answer, and what was
        created must be readable.
If a failure shows the OpenAPI files are wrong rather than your backend,
please say so in an issue.
EOF
exit 1
