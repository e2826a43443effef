# Shared by the project's scripts: paths, tool PATH, and a reference endpoint
# started in the background that stops by itself.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# binaryen 132 from npm: Debian's wasm-opt 108 breaks the wasm.
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

# start_endpoint DB [extra args...]: starts target/debug/loyalty-endpoint on a
# free loopback port and sets ENDPOINT_URL. It exits by itself after an hour at
# most, and on EXIT of the calling script. Its ledger's day is pinned to
# 2026-11-30, the day the tests' demo figures (pending, expiring) are for.
ENDPOINT_PIDS=()
stop_endpoints() {
  local pid
  for pid in "${ENDPOINT_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
start_endpoint() {
  local db=$1
  shift
  local port_file
  port_file=$(mktemp)
  rm -f "$db" "$db-wal" "$db-shm"
  "$ROOT/target/debug/loyalty-endpoint" serve --addr 127.0.0.1:0 --db "$db" \
    --port-file "$port_file" --exit-after 3600 --today 2026-11-30 "$@" >"$db.log" 2>&1 &
  ENDPOINT_PIDS+=($!)
  trap cleanup_all EXIT
  for _ in $(seq 1 100); do
    [ -s "$port_file" ] && break
    sleep 0.1
  done
  if [ ! -s "$port_file" ]; then
    cat "$db.log" >&2
    echo "the reference endpoint did not start" >&2
    return 1
  fi
  ENDPOINT_URL="http://127.0.0.1:$(cat "$port_file")"
  rm -f "$port_file"
}

# bench_pages DIR: the benchmark's pages in a build DIR (dist/ or another):
# bench/vanilla/bench-page.html as DIR/examples/bench-NAME.html with nothing,
# the inline widget, the launcher or the vanilla-JS element where the embed
# goes, and the vanilla element itself in DIR/bench/.
bench_pages() {
  local dir=$1 name html
  mkdir -p "$dir/bench" "$dir/examples"
  cp "$ROOT/bench/vanilla/vanilla-loyalty.js" "$dir/bench/"
  for name in none widget launcher vanilla; do
    case $name in
      none) html='' ;;
      widget) html='<loyalty-widget endpoint="__DEMO_ENDPOINT__" token="__DEMO_TOKEN__" mode="inline" lang="de"></loyalty-widget><script async src="/widget/loyalty-widget.js"></script>' ;;
      launcher) html='<script async src="/widget/loyalty-widget.js" data-endpoint="__DEMO_ENDPOINT__" data-token="__DEMO_TOKEN__" data-lang="de"></script>' ;;
      vanilla) html='<vanilla-loyalty endpoint="__DEMO_ENDPOINT__" token="__DEMO_TOKEN__"></vanilla-loyalty><script async src="/bench/vanilla-loyalty.js"></script>' ;;
    esac
    EMBED=$html perl -pe 's|<!-- embed -->|$ENV{EMBED}|' "$ROOT/bench/vanilla/bench-page.html" >"$dir/examples/bench-$name.html"
  done
}

# start_postgres: a throwaway PostgreSQL cluster from Debian's packages in
# a fresh folder under /tmp (the server runs as the postgres user when we
# are root, and must reach it), listening on a free 127.0.0.1 port only,
# with trust authentication for the user `loyalty`; sets POSTGRES_URL to its
# `postgres` database. It stops on EXIT of the calling script, and by itself
# after an hour at most. PG_FAST=1 turns off fsync (tests; not benchmarks).
POSTGRES_DIRS=()
POSTGRES_WATCHDOGS=()
stop_postgres() {
  local dir pid
  for dir in "${POSTGRES_DIRS[@]}"; do
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true
    rm -rf "$dir"
  done
  for pid in "${POSTGRES_WATCHDOGS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
cleanup_all() { stop_endpoints; stop_postgres; }
as_postgres() { # runs a PostgreSQL program, as the postgres user when root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
start_postgres() {
  local dir port
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is not installed (Debian package postgresql); run scripts/setup.sh" >&2; return 1; }
  dir=$(mktemp -d /tmp/loyalty-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -U loyalty --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local options="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200"
  [ "${PG_FAST:-0}" = 1 ] && options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  POSTGRES_DIRS+=("$dir")
  trap cleanup_all EXIT
  # Stops by itself within the hour, whatever happens to this script.
  (
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep 3600 &
    sleeper=$!
    wait "$sleeper"
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" stop -m immediate
  ) >/dev/null 2>&1 &
  POSTGRES_WATCHDOGS+=($!)
  POSTGRES_URL="postgres://loyalty@127.0.0.1:$port/postgres"
}

# build_baseline REV: the reference endpoint built (release) from commit REV
# in a throwaway git worktree, into bench-baseline/ under the target
# directory ($CARGO_TARGET_DIR or target/), for a benchmark to measure beside
# this build in the same run; sets BASELINE_REV (its short hash) and
# BASELINE_BIN (the binary).
build_baseline() {
  local target_dir=${CARGO_TARGET_DIR:-$ROOT/target} src
  BASELINE_REV=$(git -C "$ROOT" rev-parse --short "$1")
  src="$target_dir/bench-baseline-src"
  git -C "$ROOT" worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
  git -C "$ROOT" worktree add --detach "$src" "$BASELINE_REV" >/dev/null
  # Its own production build: the `server` profile where it has one, else
  # the release profile it was released with.
  local profile=release
  grep -q '^\[profile.server\]' "$src/Cargo.toml" && profile=server
  (cd "$src" && cargo build --profile "$profile" -p loyalty-endpoint --quiet --target-dir "$target_dir/bench-baseline")
  git -C "$ROOT" worktree remove --force "$src"
  BASELINE_BIN="$target_dir/bench-baseline/$profile/loyalty-endpoint"
}
