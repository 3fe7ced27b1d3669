#!/usr/bin/env bash
# Twelfth session: the read side on PostgreSQL, `bench history` (5,000 conversations, 1,000,000 messages, settle 120 s),
# main with the list's sort key on the member rows (this checkout's Release build) and main as the session found it
# (cf526db, /tmp/server-main), one after the other; each run seeds its own fresh database.
set -u
cd /work/main
out=bench/results/2026-12-07-s21/history
. /tmp/testenv.sh
bench() { dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll "$@"; }
for who in main other; do
  extra=(); [ $who = other ] && extra=(--server-dll /tmp/server-main/Parley.Server.dll)
  uptime >> "$out/load.txt"
  bench history --postgres --conversations 5000 --messages 1000000 --settle 120 --json "${extra[@]}" > "$out/$who-history-postgres.txt" 2> "$out/$who-history-postgres.log"
done
echo done >> "$out/load.txt"
