#!/usr/bin/env bash
# Tenth session: the conversation list on PostgreSQL (the database `bench history` seeded at the session's start, in
# history/), the session's first build (1fcea0e, /tmp/server-head) against its last (this checkout's Release build),
# alternating; then webhooks and a broadcast on PostgreSQL (never measured there before).
set -u
cd /work/main
while ! grep -q '^done' bench/results/2026-12-07-s19/outbox/load.txt 2>/dev/null; do sleep 10; done
out=bench/results/2026-12-07-s19/list
main=src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
bash bench/list-compare.sh 1000 /tmp/server-head/Parley.Server.dll "$main" /tmp/server-head/Parley.Server.dll "$main" > "$out/list-compare.txt" 2>&1
PARLEY_BENCH_DB=postgres MAX_RATES=5000 PARLEY_SERVER_DLL=$PWD/$main PARLEY_BENCH_OUT=bench/results/2026-12-07-s19/platform-postgres/webhooks \
  bash bench/webhooks.sh > bench/results/2026-12-07-s19/platform-postgres/webhooks.txt 2>&1
PARLEY_BENCH_DB=postgres PAIRS_RATE=2000 PARLEY_SERVER_DLL=$PWD/$main PARLEY_BENCH_OUT=bench/results/2026-12-07-s19/platform-postgres/broadcast \
  bash bench/broadcast.sh 100000 > bench/results/2026-12-07-s19/platform-postgres/broadcast.txt 2>&1
echo done > bench/results/2026-12-07-s19/list/done
