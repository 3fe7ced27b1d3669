#!/usr/bin/env bash
# Parley: run the whole test suite.
#
#   bash scripts/test.sh          install what is missing, start the test services, build once,
#                                 run every test run (run_all below), print one line per run and a summary
#   bash scripts/test.sh --stop   stop the test services (their data stays in the state directory)
#
# For a fresh Debian 12 machine with the .NET 10 SDK and Node.js 20.19+, as root or with sudo (sudo only
# for apt-get). Safe to repeat: packages are installed only when missing, running services are reused.
#
# Services, private to the suite and on loopback only (the system's PostgreSQL and Redis are not touched):
#   PostgreSQL  initdb cluster in $PARLEY_TEST_STATE/postgres/data, 127.0.0.1:$PARLEY_TEST_PG_PORT,
#               trust auth, superuser postgres, run as the OS user postgres when we are root
#   Redis       127.0.0.1:$PARLEY_TEST_REDIS_PORT, no persistence, files in $PARLEY_TEST_STATE/redis
#   s3rver      an S3-compatible store (npm s3rver 3.7.1, installed in $PARLEY_TEST_STATE/s3rver), 127.0.0.1:$PARLEY_TEST_S3_PORT,
#               objects in $PARLEY_TEST_STATE/s3rver/data, credentials S3RVER/S3RVER
# They are left running for the next run; `--stop` stops them, then `rm -rf $PARLEY_TEST_STATE` forgets them.
#
# Environment:
#   PARLEY_TEST_STATE          state directory (default /tmp/parley-test-services)
#   PARLEY_TEST_PG_PORT        PostgreSQL's port when it is started (default 55432)
#   PARLEY_TEST_REDIS_PORT     Redis's port when it is started (default 56379)
#   PARLEY_TEST_S3_PORT        s3rver's port when it is started (default 54568)
#   PARLEY_TEST_RESULTS        .trx and .json result files (default <repo>/TestResults)
#   PARLEY_TEST_TIMEOUT        time limit per test run, timeout(1) syntax (default 20m)
#   PARLEY_BUILD_TIMEOUT       time limit for the build (default 30m)
#   PARLEY_CHROMIUM            the browser for Playwright (default /usr/bin/chromium, from apt; none is downloaded)
#   PARLEY_TEST_SERVICES_ONLY  =1: only start the services and print `export ...` lines on stdout:
#                                eval "$(PARLEY_TEST_SERVICES_ONLY=1 bash scripts/test.sh)"
#   CI                         set (CI=true): no MSBuild node reuse, build servers shut down at the end
# Exported to the tests: PARLEY_TEST_POSTGRES (Host=127.0.0.1;Port=...;Username=postgres;Database=postgres),
# PARLEY_TEST_REDIS (127.0.0.1:port), PARLEY_TEST_S3 (http://127.0.0.1:port), and per run PARLEY_TEST_DATABASE.
#
# The last line printed is "N passed, N failed" (", N skipped" when some were). Exit codes: 0 all passed;
# 1 a run failed, timed out, left no result file or executed no test; 2 bad usage; 3 set-up failed; 4 build failed.
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${PARLEY_TEST_STATE:-/tmp/parley-test-services}
RESULTS=${PARLEY_TEST_RESULTS:-$REPO/TestResults}
CHROMIUM=${PARLEY_CHROMIUM:-/usr/bin/chromium}
TEST_TIMEOUT=${PARLEY_TEST_TIMEOUT:-20m}
BUILD_TIMEOUT=${PARLEY_BUILD_TIMEOUT:-30m}

log() { printf '[test.sh] %s\n' "$*" >&2; }
die() { log "ERROR: $1"; exit "${2:-3}"; }
as_root() { if ((EUID == 0)); then "$@"; elif [[ -t 0 ]]; then sudo -- "$@"; else sudo -n -- "$@"; fi; }
# initdb and postgres refuse to run as root: then they run as the OS user postgres, from / (always readable).
as_pg() { if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
set_state() { # STATE as an absolute, physical path (Redis reports its directory that way), and the paths under it
  STATE=$(mkdir -p "$1" && cd "$1" && pwd -P) || die "cannot create the state directory $1 (set PARLEY_TEST_STATE)"
  PG_DIR=$STATE/postgres PG_DATA=$STATE/postgres/data REDIS_DIR=$STATE/redis
}

# --- packages -----------------------------------------------------------------------------------------------
install_packages() {
  # podman, runc, debootstrap, nginx and coturn: the deployment tests (tests/Parley.IntegrationTests/Deployment).
  local want=(postgresql redis-server redis-tools chromium ffmpeg imagemagick stress-ng podman runc debootstrap nginx-light coturn) missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  command -v python3 >/dev/null || missing+=(python3)
  ((${#missing[@]} == 0)) && return 0
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q >&2 || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed"
}

# --- PostgreSQL: a throwaway initdb cluster, started and stopped with pg_ctl ----------------------------------
pg_bin() { # the binaries of the cluster's version, else the newest installed
  local v; v=$(cat "$PG_DATA/PG_VERSION" 2>/dev/null || true)
  if [[ -n $v && -x /usr/lib/postgresql/$v/bin/pg_ctl ]]; then echo "/usr/lib/postgresql/$v/bin"
  else find /usr/lib/postgresql -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1; fi
}
pg_port() { sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null; } # the running cluster's port
pg_up() { # true if our cluster answers on its own socket
  local port; port=$(pg_port) && [[ -n $port ]] && as_pg "$(pg_bin)/pg_isready" -q -h "$PG_DIR" -p "$port" -t 10
}
start_postgres() {
  local port=${PARLEY_TEST_PG_PORT:-55432} bin pid state
  mkdir -p "$PG_DIR"
  if ((EUID == 0)); then chmod 755 "$STATE"; chown postgres: "$PG_DIR"; fi
  chmod 700 "$PG_DIR"
  if pg_up; then PG_PORT=$(pg_port); log "PostgreSQL already running on 127.0.0.1:$PG_PORT, reusing it"; return; fi
  # A postmaster.pid left by a killed cluster whose pid is now a zombie or another program blocks the start.
  pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
  state=$(ps -o comm=,stat= -p "${pid:-0}" 2>/dev/null || true)
  if [[ -n $pid && ($state != postgres* || $state == *Z*) ]]; then rm -f "$PG_DATA/postmaster.pid"; fi
  bin=$(pg_bin)
  [[ -n $bin ]] || die "PostgreSQL is not installed (/usr/lib/postgresql/*/bin)"
  if [[ ! -f $PG_DATA/PG_VERSION || $bin != */$(cat "$PG_DATA/PG_VERSION" 2>/dev/null)/bin ]]; then
    log "initdb $PG_DATA"
    rm -rf "$PG_DATA"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 ||
      { tail -n 20 "$STATE/initdb.log" >&2; die "initdb failed (log: $STATE/initdb.log)"; }
  fi
  ! port_busy "$port" || die "127.0.0.1:$port is taken by something else: set PARLEY_TEST_PG_PORT (or PARLEY_TEST_STATE)"
  log "starting PostgreSQL on 127.0.0.1:$port (log $PG_DIR/postgres.log)"
  as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $port -k '$PG_DIR' -c max_connections=300 -c synchronous_commit=off" >&2 ||
    { tail -n 20 "$PG_DIR/postgres.log" >&2; die "could not start PostgreSQL"; }
  PG_PORT=$port
}
stop_postgres() {
  if pg_up; then log "stopping PostgreSQL"; as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >&2; fi
}

# --- Redis: a private redis-server, daemonized, its port remembered in $STATE/redis.port ----------------------
redis_ours() { # true if the Redis on port $1 answers and keeps its files in our directory
  [[ $(timeout 5 redis-cli -h 127.0.0.1 -p "$1" config get dir 2>/dev/null | tail -n 1) == "$REDIS_DIR" ]]
}
start_redis() {
  local port i
  port=$(cat "$STATE/redis.port" 2>/dev/null || true)
  if [[ -n $port ]] && redis_ours "$port"; then REDIS_PORT=$port; log "Redis already running on 127.0.0.1:$port, reusing it"; return; fi
  port=${PARLEY_TEST_REDIS_PORT:-56379}
  ! port_busy "$port" || die "127.0.0.1:$port is taken by something else: set PARLEY_TEST_REDIS_PORT (or PARLEY_TEST_STATE)"
  mkdir -p "$REDIS_DIR"
  log "starting Redis on 127.0.0.1:$port (log $REDIS_DIR/redis.log)"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --pidfile "$REDIS_DIR/redis.pid" --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" >&2 || die "redis-server failed"
  for ((i = 0; i < 60; i++)); do redis_ours "$port" && break; sleep 0.5; done
  redis_ours "$port" || { tail -n 20 "$REDIS_DIR/redis.log" >&2; die "Redis did not answer on 127.0.0.1:$port"; }
  echo "$port" >"$STATE/redis.port"
  REDIS_PORT=$port
}
stop_redis() {
  local port; port=$(cat "$STATE/redis.port" 2>/dev/null || true)
  if [[ -n $port ]] && redis_ours "$port"; then log "stopping Redis"; redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >&2 || true; fi
}

# --- s3rver: an S3-compatible store from npm, for the S3 file-store tests -----------------------------------
s3_ours() { # true if an S3 server answers on port $1 (s3rver answers / with its bucket list)
  timeout 5 curl -fsS -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null
}
start_s3rver() {
  local dir=$STATE/s3rver port i
  port=$(cat "$dir/port" 2>/dev/null || true)
  if [[ -n $port ]] && s3_ours "$port"; then S3_PORT=$port; log "s3rver already running on 127.0.0.1:$port, reusing it"; return; fi
  port=${PARLEY_TEST_S3_PORT:-54568}
  ! port_busy "$port" || die "127.0.0.1:$port is taken by something else: set PARLEY_TEST_S3_PORT (or PARLEY_TEST_STATE)"
  mkdir -p "$dir/data"
  if [[ ! -f $dir/node_modules/s3rver/bin/s3rver.js ]]; then
    log "npm install s3rver@3.7.1 in $dir"
    (cd "$dir" && npm install --no-audit --no-fund --silent s3rver@3.7.1 >&2) || die "npm install s3rver failed"
  fi
  log "starting s3rver on 127.0.0.1:$port (log $dir/s3rver.log)"
  # Detached (setsid -f) with its own output, so that nothing waits on it; it writes its pid for --stop.
  (cd "$dir" && setsid -f sh -c 'echo $$ >pid; exec node node_modules/s3rver/bin/s3rver.js -d "$1" -a 127.0.0.1 -p "$2" --no-vhost-buckets' \
    s3rver "$dir/data" "$port" </dev/null >"$dir/s3rver.log" 2>&1)
  for ((i = 0; i < 60; i++)); do s3_ours "$port" && break; sleep 0.5; done
  s3_ours "$port" || { tail -n 20 "$dir/s3rver.log" >&2; die "s3rver did not answer on 127.0.0.1:$port"; }
  echo "$port" >"$dir/port"
  S3_PORT=$port
}
stop_s3rver() {
  local pid; pid=$(cat "$STATE/s3rver/pid" 2>/dev/null || true)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then log "stopping s3rver"; kill "$pid" || true; fi
  rm -f "$STATE/s3rver/port"
}

# --- test runs --------------------------------------------------------------------------------------------
# counts FILE: "passed failed skipped" from a TRX file (dotnet test), Playwright's JSON report, or a
# Jest-style JSON report (Vitest's json reporter).
counts() {
  python3 - "$1" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
path = sys.argv[1]
if path.endswith(".trx"):
    outcomes = [e.get("outcome") for e in ET.parse(path).iter() if e.tag.rsplit("}", 1)[-1] == "UnitTestResult"]
    passed, skipped = outcomes.count("Passed"), outcomes.count("NotExecuted")
    failed = len(outcomes) - passed - skipped
else:
    report = json.load(open(path, encoding="utf-8"))
    if "stats" in report:  # Playwright
        s = report["stats"]
        passed, failed, skipped = s["expected"] + s["flaky"], s["unexpected"], s["skipped"]
    else:  # Jest/Vitest
        passed, failed = report["numPassedTests"], report["numFailedTests"]
        skipped = report["numPendingTests"] + report.get("numTodoTests", 0)
print(passed, failed, skipped)
EOF
}

TIMEOUT=(timeout --kill-after=60s)
[[ ! -t 0 ]] || TIMEOUT+=(--foreground) # interactively, keep Ctrl-C working
REPORT=() SUM_PASSED=0 SUM_FAILED=0 SUM_SKIPPED=0 BAD_RUNS=0

# run LABEL RESULT_FILE COMMAND...: one test run, judged by its exit code and by the tests its result file counts.
run() {
  local label=$1 file=$2 rc=0 status=ok note='' passed=0 failed=0 skipped=0 line
  shift 2
  rm -f "$file"
  log "=== [$label] $*"
  "${TIMEOUT[@]}" "$TEST_TIMEOUT" "$@" || rc=$?
  if line=$(counts "$file" 2>/dev/null); then read -r passed failed skipped <<<"$line"; else note="no result file $file"; fi
  if ((rc == 124 || rc == 137)); then status=TIMEOUT note="killed after $TEST_TIMEOUT"
  elif ((rc != 0 || failed > 0)) || [[ -n $note ]]; then status=FAILED
  elif ((passed == 0)); then status=FAILED note="no test executed"
  fi
  [[ $status == ok ]] || BAD_RUNS=$((BAD_RUNS + 1))
  SUM_PASSED=$((SUM_PASSED + passed)) SUM_FAILED=$((SUM_FAILED + failed)) SUM_SKIPPED=$((SUM_SKIPPED + skipped))
  REPORT+=("$(printf '%-22s %-7s %5d passed, %3d failed, %3d skipped (exit %d)%s' "[$label]" "$status" "$passed" "$failed" "$skipped" "$rc" "${note:+ -- $note}")")
  log "=== ${REPORT[-1]}"
}
# dotnet_run LABEL PROJECT: a test project of the Release build.
dotnet_run() {
  run "$1" "$RESULTS/$1.trx" dotnet test "$2" -c Release --no-build --logger "trx;LogFileName=$1.trx" --results-directory "$RESULTS"
}
# npm_script NAME: true if web/package.json has that script.
npm_script() { node -e 'process.exit(require(process.argv[1]).scripts?.[process.argv[2]] ? 0 : 1)' "$REPO/web/package.json" "$1"; }

run_all() {
  dotnet_run unit tests/Parley.Server.Tests
  PARLEY_TEST_DATABASE=sqlite dotnet_run integration-sqlite tests/Parley.IntegrationTests
  PARLEY_TEST_DATABASE=postgres dotnet_run integration-postgres tests/Parley.IntegrationTests
  if npm_script test:unit; then # the web client's unit tests (Vitest)
    CI=1 run web-unit "$RESULTS/web-unit.json" npm --prefix web run test:unit -- --reporter=default --reporter=json --outputFile.json="$RESULTS/web-unit.json"
  fi
  # The browser tests: Playwright in Debian's Chromium; web/e2e/global-setup.ts starts the Release server.
  CI=1 PARLEY_E2E_JSON="$RESULTS/e2e.json" run e2e "$RESULTS/e2e.json" npm --prefix web run test:e2e
}

# --- main ---------------------------------------------------------------------------------------------------
case ${1:-} in
  "") ;;
  --stop) if [[ -d $STATE ]]; then set_state "$STATE"; stop_postgres; stop_redis; stop_s3rver; fi; exit 0 ;;
  -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
  *) log "unknown argument: $1 (usage: bash scripts/test.sh [--stop|--help])"; exit 2 ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PARLEY_CHROMIUM=$CHROMIUM
install_packages
set_state "$STATE"
start_postgres
start_redis
start_s3rver
export PARLEY_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
export PARLEY_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export PARLEY_TEST_S3="http://127.0.0.1:$S3_PORT"
log "PARLEY_TEST_POSTGRES=$PARLEY_TEST_POSTGRES PARLEY_TEST_REDIS=$PARLEY_TEST_REDIS PARLEY_TEST_S3=$PARLEY_TEST_S3 (stop: bash scripts/test.sh --stop)"
if [[ ${PARLEY_TEST_SERVICES_ONLY:-} == 1 ]]; then
  printf "export PARLEY_TEST_POSTGRES='%s'\nexport PARLEY_TEST_REDIS='%s'\nexport PARLEY_TEST_S3='%s'\n" "$PARLEY_TEST_POSTGRES" "$PARLEY_TEST_REDIS" "$PARLEY_TEST_S3"
  exit 0
fi

command -v dotnet >/dev/null || die "dotnet not found: install the .NET 10 SDK"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a == 20 && b >= 19) ? 0 : 1)' ||
  die "Node.js 20.19 or newer (with npm) is needed: the build makes the web client, and Playwright runs on it"
[[ -x $CHROMIUM ]] || die "no browser at $CHROMIUM"
cd "$REPO"
mkdir -p "$RESULTS"
BUILD=(dotnet build Parley.slnx -c Release)
if [[ -n ${CI:-} ]]; then # leave no MSBuild or compiler server behind
  export MSBUILDDISABLENODEREUSE=1
  BUILD+=(-nodeReuse:false)
  trap 'dotnet build-server shutdown >/dev/null 2>&1 || true' EXIT
fi
log "${BUILD[*]}"
"${TIMEOUT[@]}" "$BUILD_TIMEOUT" "${BUILD[@]}" || die "BUILD FAILED (exit $?; 124: timed out after $BUILD_TIMEOUT)" 4

run_all
echo
echo "Test runs (result files in $RESULTS):"
printf '  %s\n' "${REPORT[@]}"
((BAD_RUNS == 0)) || echo "$BAD_RUNS of ${#REPORT[@]} test runs failed"
SUMMARY="$SUM_PASSED passed, $SUM_FAILED failed"
((SUM_SKIPPED == 0)) || SUMMARY+=", $SUM_SKIPPED skipped"
echo "$SUMMARY"
((BAD_RUNS == 0)) || exit 1
