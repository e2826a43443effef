# The API tester of the contract check (scripts/contract-check.sh), pinned:
# Schemathesis from PyPI. Sourced by scripts/setup.sh (which installs it with
# the other tools) and scripts/contract-check.sh (which installs it when it
# runs on a machine without the project's setup).

SCHEMATHESIS_VERSION=4.32.5

# have_schemathesis: the pinned version is importable.
have_schemathesis() {
  python3 -c "import sys, importlib.metadata as m; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" 2>/dev/null
}

# install_schemathesis: installs the pinned version as the project's other
# Python tool, openapi-spec-validator (for the user, or beside the system's
# packages where pip refuses that).
install_schemathesis() {
  python3 -m pip install --quiet --user "schemathesis==$SCHEMATHESIS_VERSION" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages "schemathesis==$SCHEMATHESIS_VERSION"
}

# schemathesis ARGS...: the tester's command line, through the Python that
# has it (its script may not be on PATH after a --user install).
schemathesis() {
  python3 -c 'from schemathesis.cli import schemathesis; schemathesis(prog_name="schemathesis")' "$@"
}
