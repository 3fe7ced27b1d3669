#!/usr/bin/env bash
# Same-run comparison of two server builds: runs each scenario on the other build (--server-dll) and on this
# checkout's Release build, one after the other, alternating, so that both see the same machine on the same day.
#
#   bench/compare-builds.sh OTHER_DLL [OUT_DIR]
#
# OTHER_DLL: e.g. a worktree of an older commit built with
#   git worktree add /tmp/before <commit> && dotnet build -c Release /tmp/before/src/Parley.Server -p:SkipWebBuild=true
#   -> /tmp/before/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
# Output: OUT_DIR (default bench/results/<date>-compare): other-*.txt/json and main-*.txt/json per run, load.txt.
set -u
cd "$(dirname "$0")/.."
other=${1:?give the other build (its Parley.Server.dll)}
out=${2:-bench/results/$(date -u +%Y-%m-%d)-compare}
mkdir -p "$out"
dotnet build -c Release src/Parley.Server/Parley.Server.csproj -nologo -v q
dotnet build -c Release bench/Parley.Bench/Parley.Bench.csproj -nologo -v q
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
run() { # name, then the generator's arguments
  local name=$1; shift
  uptime >> "$out/load.txt"
  bench "$@" --json > "$out/$name.txt" 2> "$out/$name.log"
  grep '^{' "$out/$name.txt" > "$out/$name.json"; sed -i '/^{/d' "$out/$name.txt"
}
for rate in 10000 20000 5000 10000; do
  run "other-pairs-$rate-$(date +%H%M%S)" pairs --rate "$rate" --server-dll "$other"
  run "main-pairs-$rate-$(date +%H%M%S)" pairs --rate "$rate"
done
run other-group-1000-250 group --members 1000 --rate 250 --server-dll "$other"
run main-group-1000-250 group --members 1000 --rate 250
echo "results in $out"
