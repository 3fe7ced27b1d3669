#!/usr/bin/env bash
# Thirteenth session, second set (the statement that decides whether search across scans lost its order and is kept 30 s): the read side on PostgreSQL, `bench history` (5,000 conversations, 1,000,000 messages, settle
# 120 s, 3,000 warm-up requests per kind): this checkout's Release build (a list page in one statement; search across
# for a user who sees few messages in the covering index) against main as the session found it (3fe974b, a worktree in
# /tmp/wt-main), in the order new, old, new; each run seeds its own fresh database.
set -u
cd /work/main
out=bench/results/2026-12-07-s22/history2
. /tmp/testenv.sh
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
n=0
for who in new old new; do
  n=$((n+1))
  extra=(); [ $who = old ] && extra=(--server-dll /tmp/wt-main/src/Parley.Server/bin/Release/net10.0/Parley.Server.dll)
  echo "$n $who $(uptime)" >> "$out/load.txt"
  bench history --postgres --conversations 5000 --messages 1000000 --settle 120 --warmup-requests 3000 --json "${extra[@]}" > "$out/$n-$who-history-postgres.txt" 2> "$out/$n-$who-history-postgres.log"
done
echo "done $(uptime)" >> "$out/load.txt"
