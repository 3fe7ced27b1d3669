#!/usr/bin/env bash
# Parley: run the whole test suite.
#
#   scripts/test.sh            install missing packages, start private test services,
#                              build once, run every test project, print a summary
#   scripts/test.sh --stop     stop the private PostgreSQL and Redis (state is kept)
#   scripts/test.sh --help     show this help
#
# Meant for a fresh Debian 12 machine with the .NET 10 SDK, run as root or as a
# user with sudo (sudo is only used for apt-get, and only when something is missing).
# Safe to run repeatedly: installed packages are reused, and the services started
# by a previous run are reused (same ports) instead of being started again.
#
# Services are PRIVATE to this script (the system PostgreSQL/Redis are not touched):
#   PostgreSQL  cluster in $PARLEY_TEST_STATE/postgres, 127.0.0.1, first free port >= 55432,
#               trust auth, superuser "postgres", unix socket in $PARLEY_TEST_STATE/postgres
#   Redis       127.0.0.1, first free port >= 56379, no persistence, files in $PARLEY_TEST_STATE/redis
# They are left running after the tests so the next run starts fast. To stop them:
#   scripts/test.sh --stop
# (or by hand: pg_ctl -D "$PARLEY_TEST_STATE/postgres/data" stop, run as the cluster
#  owner, i.e. `runuser -u postgres --` when root, and
#  kill "$(cat "$PARLEY_TEST_STATE/redis/redis.pid")").
# To throw all service state away: scripts/test.sh --stop && rm -rf "$PARLEY_TEST_STATE".
#
# Environment:
#   PARLEY_TEST_STATE          service state directory (default /tmp/parley-test-services)
#   PARLEY_TEST_RESULTS        directory for the .trx files and the browser tests'
#                              JSON report (default <repo>/TestResults)
#   PARLEY_TEST_TIMEOUT        time limit per test run, timeout(1) syntax (default 20m)
#   PARLEY_CHROMIUM            the browser for the E2E tests (default /usr/bin/chromium,
#                              installed with apt-get when missing)
#   PARLEY_BUILD_TIMEOUT       time limit for the build (default 30m)
#   PARLEY_TEST_SERVICES_ONLY  =1: stop after starting the services and print `export ...`
#                              lines on stdout (all other output goes to stderr), e.g.
#                                eval "$(PARLEY_TEST_SERVICES_ONLY=1 scripts/test.sh)"
#   CI                         when set (CI=true), MSBuild node reuse is disabled and the
#                              dotnet build servers are shut down at the end
# Exported to the tests:
#   PARLEY_TEST_POSTGRES  Host=127.0.0.1;Port=<port>;Username=postgres;Database=postgres
#   PARLEY_TEST_REDIS     127.0.0.1:<port>
#   PARLEY_TEST_DATABASE  per run, see TEST_RUNS below
#
# Output: one line per test run, then as the very last line "N passed, N failed"
# (", N skipped" appended when tests were skipped).
# Exit codes:
#   0  every run passed, and at least one test was executed
#   1  a test run failed, timed out, produced no TRX file, or no test was executed at all
#   2  bad command-line usage
#   3  environment/service setup failed (packages, PostgreSQL, Redis, missing dotnet)
#   4  the build failed (no tests are run, no summary line is printed)
set -euo pipefail

# ---------------------------------------------------------------------------
# Test runs: "label|project|extra env" (extra env = space-separated KEY=VALUE
# words, values must not contain spaces or '|'). The label names the TRX file.
# The project "web" is the web client's browser tests: Playwright in Debian's
# Chromium against the Release server on a fresh SQLite data directory
# (web/e2e, docs/web-client.md); its counts come from Playwright's JSON report.
# ---------------------------------------------------------------------------
TEST_RUNS=(
  "unit|tests/Parley.Server.Tests|"
  "integration-sqlite|tests/Parley.IntegrationTests|PARLEY_TEST_DATABASE=sqlite"
  "integration-postgres|tests/Parley.IntegrationTests|PARLEY_TEST_DATABASE=postgres"
  "e2e|web|"
)

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
SOLUTION=Parley.slnx

STATE_DIR=${PARLEY_TEST_STATE:-/tmp/parley-test-services}
RESULTS_DIR=${PARLEY_TEST_RESULTS:-$REPO_ROOT/TestResults}
TEST_TIMEOUT=${PARLEY_TEST_TIMEOUT:-20m}
BUILD_TIMEOUT=${PARLEY_BUILD_TIMEOUT:-30m}
SERVICE_START_TIMEOUT=30 # seconds

PG_PORT_BASE=55432
REDIS_PORT_BASE=56379
PORT_SCAN_RANGE=100

# Exit codes (see header).
EXIT_TESTS_FAILED=1
EXIT_USAGE=2
EXIT_SETUP=3
EXIT_BUILD=4

# Set by set_paths / the start functions.
PG_DIR='' PG_DATA='' PG_LOG='' PG_PORT_FILE='' PG_BIN='' PG_PORT=''
REDIS_DIR='' REDIS_PIDFILE='' REDIS_LOG='' REDIS_PORT_FILE='' REDIS_PORT=''
TIMEOUT_OPTS=()
APT_UPDATED=0

log() { printf '[test.sh] %s\n' "$*" >&2; }
fail() {
  log "ERROR: $1"
  exit "${2:-$EXIT_SETUP}"
}

is_root() { [[ $EUID -eq 0 ]]; }

# Run a command as root (sudo only when we are not root already).
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    if [[ -t 0 ]]; then sudo -- "$@"; else sudo -n -- "$@"; fi
  else
    fail "need root for: $* (run as root or install sudo)"
  fi
}

# Run a command as the owner of the private PostgreSQL cluster: the 'postgres'
# OS user when we are root (initdb/pg_ctl refuse to run as root), else ourselves.
# Runs from / so an unreadable current directory does not bother postgres.
as_pg() {
  if is_root; then
    if command -v runuser >/dev/null 2>&1; then
      (cd / && runuser -u postgres -- "$@")
    else
      (cd / && sudo -u postgres -- "$@")
    fi
  else
    (cd / && "$@")
  fi
}

pg_owner() { if is_root; then echo postgres; else id -un; fi; }

set_paths() {
  mkdir -p -- "$STATE_DIR" || fail "cannot create state directory $STATE_DIR (set PARLEY_TEST_STATE)"
  STATE_DIR=$(cd -- "$STATE_DIR" && pwd)
  [[ -w $STATE_DIR ]] || fail "state directory $STATE_DIR is not writable by $(id -un) (set PARLEY_TEST_STATE)"
  PG_DIR=$STATE_DIR/postgres
  PG_DATA=$PG_DIR/data
  PG_LOG=$PG_DIR/postgres.log
  PG_PORT_FILE=$STATE_DIR/postgres.port
  REDIS_DIR=$STATE_DIR/redis
  REDIS_PIDFILE=$REDIS_DIR/redis.pid
  REDIS_LOG=$REDIS_DIR/redis.log
  REDIS_PORT_FILE=$STATE_DIR/redis.port
}

# ---------------------------------------------------------------------------
# a. packages
# ---------------------------------------------------------------------------
apt_install() {
  (($# > 0)) || return 0
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; install manually: $*"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || fail "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 ||
    fail "apt-get install $* failed"
}

install_packages() {
  local missing=()
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  if ((${#missing[@]} > 0)); then
    apt_install "${missing[@]}"
  else
    log "packages present: postgresql, redis-server, redis-tools"
  fi
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || fail "PostgreSQL server binaries still missing after install"
  command -v redis-server >/dev/null 2>&1 || fail "redis-server still missing after install"
  command -v redis-cli >/dev/null 2>&1 || fail "redis-cli still missing after install"
}

# Browser (E2E) test prerequisites: Debian's Chromium (Playwright drives it; no
# browser download), and Node.js 20.19+ with npm, which the server's build also
# needs for the web client (`npm ci` and `npm run build` run inside `dotnet build`,
# see src/Parley.Server/Parley.Server.csproj).
CHROMIUM=${PARLEY_CHROMIUM:-/usr/bin/chromium}
prepare_browser_tests() {
  if [[ -x $CHROMIUM ]]; then
    log "package present: chromium ($CHROMIUM)"
  else
    apt_install chromium
    [[ -x $CHROMIUM ]] || fail "chromium still missing after install ($CHROMIUM)"
  fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    fail "node and npm are needed to build the web client and run its browser tests (Node.js 20.19 or newer)"
  fi
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    fail "Node.js $(node --version) is too old for the web client: 20.19 or newer is needed"
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PARLEY_CHROMIUM=$CHROMIUM
}

# playwright_counters FILE -> "total executed passed failed skipped" from
# Playwright's JSON report (stats: expected, unexpected, flaky, skipped).
playwright_counters() {
  [[ -f $1 ]] || return 1
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats;
    if (!s) process.exit(1);
    const passed = s.expected + s.flaky, failed = s.unexpected, skipped = s.skipped;
    console.log(`${passed + failed + skipped} ${passed + failed} ${passed} ${failed} ${skipped}`);
  ' "$1" 2>/dev/null
}

# ---------------------------------------------------------------------------
# helpers: ports, processes
# ---------------------------------------------------------------------------
port_in_use() {
  local port=$1
  # Something accepts connections on it (covers 127.0.0.1, 0.0.0.0 and dual-stack [::]).
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  if timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null; then
    return 0
  fi
  # Bound/listening but not accepting (or bound to another local address).
  if command -v ss >/dev/null 2>&1 && [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]]; then
    return 0
  fi
  return 1
}

# Prints the first free port >= $1 that is not in the remaining arguments.
find_free_port() {
  local base=$1 port skip
  shift
  for ((port = base; port < base + PORT_SCAN_RANGE; port++)); do
    for skip in "$@"; do [[ $port == "$skip" ]] && continue 2; done
    port_in_use "$port" || {
      echo "$port"
      return 0
    }
  done
  return 1
}

# True if $1 is a live (not zombie) process whose executable name is $2.
# A killed daemon can linger as a zombie until init reaps it, and kill -0 (and
# thus pg_ctl status) still succeeds on zombies.
pid_is() {
  local pid=$1 name=$2 comm stat state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$name"* ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) }
  state=${state%% *}
  [[ $state != Z && $state != X ]]
}

# ---------------------------------------------------------------------------
# b. PostgreSQL (private cluster)
# ---------------------------------------------------------------------------
# Chooses the binaries matching an existing cluster, else the newest installed.
select_pg_bin() {
  local version
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    version=$(<"$PG_DATA/PG_VERSION")
    if [[ -x /usr/lib/postgresql/$version/bin/pg_ctl ]]; then
      PG_BIN=/usr/lib/postgresql/$version/bin
      return 0
    fi
  fi
  PG_BIN=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1)
  PG_BIN=${PG_BIN%/initdb}
}

pg_postmaster_pid() { [[ -f $PG_DATA/postmaster.pid ]] && head -n 1 "$PG_DATA/postmaster.pid"; }

pg_running() {
  local pid
  pid=$(pg_postmaster_pid) || return 1
  pid_is "$pid" postgres || return 1
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_ready() {
  as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -t 2 >/dev/null 2>&1
}

wait_pg_ready() {
  local port=$1 deadline=$((SECONDS + SERVICE_START_TIMEOUT))
  until pg_ready "$port"; do
    if ((SECONDS >= deadline)); then
      log "PostgreSQL log ($PG_LOG), last lines:"
      tail -n 30 "$PG_LOG" >&2 2>/dev/null || true
      fail "PostgreSQL on 127.0.0.1:$port did not become ready within ${SERVICE_START_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

# Writes a file as the cluster owner (content on stdin).
pg_write_file() { as_pg tee "$1" >/dev/null; }

pg_init_cluster() {
  local locale_opts=(--no-locale)
  if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
    locale_opts=(--locale=C.UTF-8)
  fi
  log "initdb $PG_DATA ($PG_BIN)"
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 "${locale_opts[@]}" >>"$STATE_DIR/initdb.log" 2>&1 || {
    tail -n 30 "$STATE_DIR/initdb.log" >&2
    fail "initdb failed (log: $STATE_DIR/initdb.log)"
  }
  printf "\n# Settings for the Parley test cluster, rewritten by scripts/test.sh on every start.\ninclude_if_exists = 'parley.conf'\n" |
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

pg_write_config() {
  local port=$1
  pg_write_file "$PG_DATA/parley.conf" <<EOF
# Written by scripts/test.sh -- private PostgreSQL for the Parley test suite.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_DIR'
max_connections = 300
shared_buffers = 128MB
synchronous_commit = off
EOF
  pg_write_file "$PG_DATA/pg_hba.conf" <<EOF
# Written by scripts/test.sh -- private test cluster: trust, unix socket and loopback only.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
}

start_postgres() {
  local owner pid port attempt tried=()
  owner=$(pg_owner)
  if is_root && ! getent passwd postgres >/dev/null; then
    fail "OS user 'postgres' does not exist (is the postgresql package installed?)"
  fi
  if [[ ! -d $PG_DIR ]]; then
    mkdir -p -- "$PG_DIR"
  fi
  if is_root; then
    chmod 755 "$STATE_DIR" # postgres must be able to traverse it
    chown postgres:postgres "$PG_DIR"
  fi
  [[ $(stat -c %U "$PG_DIR") == "$owner" ]] ||
    fail "$PG_DIR belongs to $(stat -c %U "$PG_DIR"), not $owner; use another PARLEY_TEST_STATE or run as the same user as before"
  chmod 700 "$PG_DIR"
  as_pg test -w "$PG_DIR" || fail "$owner cannot write to $PG_DIR (is a parent directory of $STATE_DIR private?)"

  select_pg_bin

  # Reuse a cluster that is still running from a previous run.
  if pg_running; then
    port=$(sed -n 4p "$PG_DATA/postmaster.pid")
    [[ $port =~ ^[0-9]+$ ]] || port=$(cat "$PG_PORT_FILE" 2>/dev/null || true)
    log "PostgreSQL already running (pid $(pg_postmaster_pid), port $port), reusing it"
    wait_pg_ready "$port"
    PG_PORT=$port
    echo "$PG_PORT" >"$PG_PORT_FILE"
    return 0
  fi

  # A postmaster.pid whose PID now belongs to a zombie (a killed postmaster that
  # init has not reaped yet) or to another program (PID reuse, e.g. after a
  # reboot) makes postgres refuse to start; the socket lock files likewise.
  # A PID that is simply gone is handled by postgres itself (more safely).
  pid=$(pg_postmaster_pid || true)
  if [[ -n $pid && -d /proc/$pid ]] && ! pid_is "$pid" postgres; then
    log "removing stale $PG_DATA/postmaster.pid (pid $pid is not a running postgres)"
    rm -f -- "$PG_DATA/postmaster.pid" "$PG_DIR"/.s.PGSQL.*.lock
  fi

  # (Re)create the cluster if missing, half-initialised, or made by a PostgreSQL
  # version whose binaries are gone. It only ever holds throwaway test data.
  if [[ -f $PG_DATA/PG_VERSION && ! -x /usr/lib/postgresql/$(<"$PG_DATA/PG_VERSION")/bin/pg_ctl ]]; then
    log "cluster in $PG_DATA is PostgreSQL $(<"$PG_DATA/PG_VERSION"), whose binaries are gone; recreating it"
    rm -rf -- "$PG_DATA"
  elif [[ -e $PG_DATA && ! -f $PG_DATA/PG_VERSION ]]; then
    log "$PG_DATA is not a complete cluster; recreating it"
    rm -rf -- "$PG_DATA"
  fi
  select_pg_bin
  [[ -f $PG_DATA/PG_VERSION ]] || pg_init_cluster

  for attempt in 1 2 3; do
    port=$(find_free_port "$PG_PORT_BASE" "${tried[@]}") ||
      fail "no free port in $PG_PORT_BASE..$((PG_PORT_BASE + PORT_SCAN_RANGE - 1)) for PostgreSQL"
    tried+=("$port")
    pg_write_config "$port"
    log "starting PostgreSQL $(basename "$(dirname "$PG_BIN")") on 127.0.0.1:$port (data $PG_DATA, log $PG_LOG)"
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$SERVICE_START_TIMEOUT" start >&2; then
      wait_pg_ready "$port"
      PG_PORT=$port
      echo "$PG_PORT" >"$PG_PORT_FILE"
      return 0
    fi
    # Lost a race for the port? Then try the next one, else give up.
    if tail -n 20 "$PG_LOG" 2>/dev/null | grep -q 'could not bind\|Address already in use'; then
      log "port $port was taken meanwhile (attempt $attempt), trying another one"
      continue
    fi
    break
  done
  log "PostgreSQL log ($PG_LOG), last lines:"
  tail -n 30 "$PG_LOG" >&2 2>/dev/null || true
  fail "could not start PostgreSQL"
}

stop_postgres() {
  local pid
  [[ -f $PG_DATA/PG_VERSION ]] || {
    log "PostgreSQL: no cluster in $PG_DATA"
    return 0
  }
  select_pg_bin
  pid=$(pg_postmaster_pid || true)
  if [[ -z $pid ]] || ! pid_is "$pid" postgres; then
    log "PostgreSQL: not running"
    return 0
  fi
  log "stopping PostgreSQL (pid $pid)"
  if [[ -x $PG_BIN/pg_ctl ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >&2 || fail "pg_ctl stop failed"
  else
    kill -INT "$pid" # "fast" shutdown
  fi
}

# ---------------------------------------------------------------------------
# c. Redis (private instance)
# ---------------------------------------------------------------------------
redis_ping() { [[ $(timeout 5 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }

redis_pid() { [[ -f $REDIS_PIDFILE ]] && head -n 1 "$REDIS_PIDFILE"; }

redis_running() {
  local pid port
  pid=$(redis_pid) || return 1
  pid_is "$pid" redis-server || return 1
  port=$(cat "$REDIS_PORT_FILE" 2>/dev/null) || return 1
  redis_ping "$port"
}

start_redis() {
  local pid port attempt deadline tried=()
  mkdir -p -- "$REDIS_DIR"

  if redis_running; then
    REDIS_PORT=$(<"$REDIS_PORT_FILE")
    log "Redis already running (pid $(redis_pid), port $REDIS_PORT), reusing it"
    return 0
  fi
  pid=$(redis_pid || true)
  if [[ -n $pid ]] && pid_is "$pid" redis-server; then
    # Ours, but not answering on the recorded port: restart it.
    log "Redis (pid $pid) is not answering; restarting it"
    stop_redis
  fi
  rm -f -- "$REDIS_PIDFILE"

  for attempt in 1 2 3; do
    port=$(find_free_port "$REDIS_PORT_BASE" "${tried[@]}") ||
      fail "no free port in $REDIS_PORT_BASE..$((REDIS_PORT_BASE + PORT_SCAN_RANGE - 1)) for Redis"
    tried+=("$port")
    log "starting Redis on 127.0.0.1:$port (dir $REDIS_DIR, log $REDIS_LOG)"
    : >"$REDIS_LOG"
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --daemonize yes --pidfile "$REDIS_PIDFILE" --dir "$REDIS_DIR" --logfile "$REDIS_LOG" >&2 ||
      fail "redis-server failed to start (log: $REDIS_LOG)"
    deadline=$((SECONDS + SERVICE_START_TIMEOUT))
    until redis_ping "$port"; do
      if grep -q 'Address already in use\|Could not create server TCP' "$REDIS_LOG" 2>/dev/null; then
        break
      fi
      ((SECONDS < deadline)) || break
      sleep 0.3
    done
    if redis_ping "$port"; then
      REDIS_PORT=$port
      echo "$REDIS_PORT" >"$REDIS_PORT_FILE"
      return 0
    fi
    if grep -q 'Address already in use' "$REDIS_LOG" 2>/dev/null; then
      log "port $port was taken meanwhile (attempt $attempt), trying another one"
      continue
    fi
    break
  done
  log "Redis log ($REDIS_LOG), last lines:"
  tail -n 30 "$REDIS_LOG" >&2 2>/dev/null || true
  fail "Redis did not answer PING within ${SERVICE_START_TIMEOUT}s"
}

stop_redis() {
  local pid deadline
  pid=$(redis_pid || true)
  if [[ -z $pid ]] || ! pid_is "$pid" redis-server; then
    log "Redis: not running"
    rm -f -- "$REDIS_PIDFILE"
    return 0
  fi
  log "stopping Redis (pid $pid)"
  kill -TERM "$pid" || fail "cannot signal Redis pid $pid (started by another user?)"
  deadline=$((SECONDS + 30))
  while pid_is "$pid" redis-server; do
    if ((SECONDS >= deadline)); then
      log "Redis did not exit within 30s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f -- "$REDIS_PIDFILE"
}

# ---------------------------------------------------------------------------
# g. TRX parsing
# ---------------------------------------------------------------------------
# trx_attr COUNTERS_ELEMENT NAME -> the attribute's number (0 if absent)
trx_attr() {
  local value
  value=$(sed -n "s/.*[[:space:]]$2[[:space:]]*=[[:space:]]*[\"']\([0-9][0-9]*\)[\"'].*/\1/p" <<<"$1")
  echo "${value:-0}"
}

# trx_counters FILE -> "total executed passed failed skipped", or returns 1 if the
# file has no <Counters .../> element. Pure bash + tr/grep/sed (no XML tools needed).
# VSTest's TRX logger writes executed = passed + failed and leaves notExecuted at 0,
# so skipped = total - executed; notExecuted is honoured too in case a writer sets it.
# error/timeout/aborted count as failed.
trx_counters() {
  local file=$1 counters total executed passed failed skipped not_executed
  [[ -f $file ]] || return 1
  # One tag per line, wherever the writer put its line breaks.
  counters=$(tr '\r\n>' '  \n' <"$file" | grep -m 1 '<Counters[[:space:]]') || true
  [[ -n $counters ]] || return 1
  counters=" ${counters#*<Counters} "
  [[ $counters =~ [[:space:]]total[[:space:]]*= ]] || return 1
  total=$(trx_attr "$counters" total)
  executed=$(trx_attr "$counters" executed)
  passed=$(trx_attr "$counters" passed)
  failed=$(($(trx_attr "$counters" failed) + $(trx_attr "$counters" error) + $(trx_attr "$counters" timeout) + $(trx_attr "$counters" aborted)))
  not_executed=$(trx_attr "$counters" notExecuted)
  skipped=$((total - executed))
  ((skipped >= not_executed)) || skipped=$not_executed
  ((skipped >= 0)) || skipped=0
  echo "$total $executed $passed $failed $skipped"
}

# ---------------------------------------------------------------------------
# e./f. build and test
# ---------------------------------------------------------------------------
# timeout(1) puts the command in its own process group so that a timeout also
# kills test hosts; interactively that would swallow Ctrl-C, hence --foreground.
timeout_opts() {
  TIMEOUT_OPTS=(--kill-after=60s)
  if [[ -t 0 ]]; then TIMEOUT_OPTS+=(--foreground); fi
}

build_solution() {
  local args=(build "$SOLUTION" -c Release)
  [[ -n ${CI:-} ]] && args+=(-nodeReuse:false)
  log "dotnet ${args[*]}"
  local rc=0
  timeout "${TIMEOUT_OPTS[@]}" "$BUILD_TIMEOUT" dotnet "${args[@]}" || rc=$?
  if ((rc != 0)); then
    ((rc == 124)) && log "build timed out after $BUILD_TIMEOUT"
    shutdown_build_servers
    fail "BUILD FAILED (exit code $rc)" "$EXIT_BUILD"
  fi
}

shutdown_build_servers() {
  # In CI, do not leave MSBuild/Roslyn server processes behind.
  if [[ -n ${CI:-} ]]; then
    dotnet build-server shutdown >/dev/null 2>&1 || true
  fi
}

run_tests() {
  local line label project extra extra_env rc trx counts status note
  local total executed passed failed skipped
  # shellcheck disable=SC2034 # total is read but only executed/passed/failed/skipped are summed
  local sum_passed=0 sum_failed=0 sum_skipped=0 sum_executed=0
  local bad_runs=0 report=()

  mkdir -p -- "$RESULTS_DIR"
  for line in "${TEST_RUNS[@]}"; do
    IFS='|' read -r label project extra <<<"$line"
    read -r -a extra_env <<<"$extra"
    trx=$RESULTS_DIR/$label.trx
    [[ $project != web ]] || trx=$RESULTS_DIR/$label.json
    rm -f -- "$trx"
    rc=0
    if [[ $project == web ]]; then
      log "=== [$label] ${extra:+$extra }npx playwright test (in web/)"
      (cd -- "$REPO_ROOT/web" && env "${extra_env[@]}" CI=1 PARLEY_E2E_JSON="$trx" \
        timeout "${TIMEOUT_OPTS[@]}" "$TEST_TIMEOUT" npx --no-install playwright test) || rc=$?
    else
      log "=== [$label] ${extra:+$extra }dotnet test $project"
      env "${extra_env[@]}" timeout "${TIMEOUT_OPTS[@]}" "$TEST_TIMEOUT" \
        dotnet test "$project" -c Release --no-build \
        --logger "trx;LogFileName=$label.trx" --results-directory "$RESULTS_DIR" || rc=$?
    fi

    total=0 executed=0 passed=0 failed=0 skipped=0 note=
    if ((rc == 124 || rc == 137)); then
      status=TIMEOUT note="killed after $TEST_TIMEOUT"
    elif ((rc != 0)); then
      status=FAILED
    else
      status=ok
    fi
    if [[ $project == web ]]; then counts=$(playwright_counters "$trx") || counts=''; else counts=$(trx_counters "$trx") || counts=''; fi
    if [[ -n $counts ]]; then
      read -r total executed passed failed skipped <<<"$counts"
      ((failed == 0)) || [[ $status != ok ]] || status=FAILED
    else
      [[ $status != ok ]] || status=FAILED
      note="${note:+$note; }no result file with test counters ($trx)"
    fi
    if [[ $status == ok ]] && ((executed == 0)); then
      note="no tests executed"
    fi
    [[ $status == ok ]] || bad_runs=$((bad_runs + 1))
    sum_passed=$((sum_passed + passed))
    sum_failed=$((sum_failed + failed))
    sum_skipped=$((sum_skipped + skipped))
    sum_executed=$((sum_executed + executed))
    report+=("$(printf '%-24s %-7s %5d passed, %4d failed, %4d skipped  (%s, exit %d)%s' \
      "[$label]" "$status" "$passed" "$failed" "$skipped" "$project${extra:+ $extra}" "$rc" "${note:+ -- $note}")")
    log "=== ${report[-1]}"
  done

  shutdown_build_servers

  echo
  echo "Test runs (TRX and JSON files in $RESULTS_DIR):"
  printf '  %s\n' "${report[@]}"
  local exit_code=0
  if ((bad_runs > 0)); then
    echo "$bad_runs of ${#TEST_RUNS[@]} test runs failed"
    exit_code=$EXIT_TESTS_FAILED
  fi
  if ((sum_executed == 0)); then
    echo "no tests were executed"
    exit_code=$EXIT_TESTS_FAILED
  fi
  local summary="$sum_passed passed, $sum_failed failed"
  ((sum_skipped == 0)) || summary+=", $sum_skipped skipped"
  echo "$summary"
  return "$exit_code"
}

usage() {
  sed -n '2,/^set -euo pipefail/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
  case ${1:-} in
    "") ;;
    --stop)
      if [[ ! -d $STATE_DIR ]]; then
        log "nothing to stop: $STATE_DIR does not exist"
        return 0
      fi
      set_paths
      stop_postgres
      stop_redis
      return 0
      ;;
    -h | --help)
      usage
      return 0
      ;;
    *)
      log "unknown argument: $1 (usage: $0 [--stop|--help])"
      exit "$EXIT_USAGE"
      ;;
  esac

  export DOTNET_CLI_TELEMETRY_OPTOUT=${DOTNET_CLI_TELEMETRY_OPTOUT:-1}
  export DOTNET_NOLOGO=${DOTNET_NOLOGO:-1}
  [[ -z ${CI:-} ]] || export MSBUILDDISABLENODEREUSE=1

  set_paths
  install_packages        # a.
  start_postgres          # b.
  start_redis             # c.

  # d.
  export PARLEY_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  export PARLEY_TEST_REDIS="127.0.0.1:$REDIS_PORT"
  log "PARLEY_TEST_POSTGRES=$PARLEY_TEST_POSTGRES"
  log "PARLEY_TEST_REDIS=$PARLEY_TEST_REDIS"

  if [[ ${PARLEY_TEST_SERVICES_ONLY:-} == 1 ]]; then
    log "services are up (PARLEY_TEST_SERVICES_ONLY=1, not building/testing)"
    log "  psql -h 127.0.0.1 -p $PG_PORT -U postgres      redis-cli -p $REDIS_PORT"
    log "  stop them with: $0 --stop"
    printf "export PARLEY_TEST_POSTGRES='%s'\n" "$PARLEY_TEST_POSTGRES"
    printf "export PARLEY_TEST_REDIS='%s'\n" "$PARLEY_TEST_REDIS"
    return 0
  fi

  prepare_browser_tests

  command -v dotnet >/dev/null 2>&1 || fail "dotnet not found (install the .NET 10 SDK)"
  cd -- "$REPO_ROOT"
  [[ -f $SOLUTION ]] || fail "$REPO_ROOT/$SOLUTION not found"
  timeout_opts
  build_solution          # e.
  run_tests               # f./g.
}

# Allow `source scripts/test.sh` (e.g. to test trx_counters) without running anything.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
