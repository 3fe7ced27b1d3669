#!/usr/bin/env bash
# Twelfth session, the pair of run3.sh/run4.sh in the other order (cf526db first, then 8f76c55), with
# pg_stat_user_tables for ConversationMembers and Messages printed at the end of each run's log (before the database is
# dropped, the generator's log has the timed figures; the table stats are read by a watcher while the run settles).
set -u
cd /work/main
. /tmp/testenv.sh
out=bench/results/2026-12-07-s21/history
for who in other new3; do
  extra=(--server-dll /tmp/server-main/Parley.Server.dll); [ $who = new3 ] && extra=(--server-dll /tmp/server-new3/Parley.Server.dll)
  uptime >> "$out/load.txt"
  dotnet bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll history --postgres --conversations 5000 --messages 1000000 --settle 120 \
    --warmup-requests 3000 --json "${extra[@]}" > "$out/$who-warm3-history-postgres.txt" 2> "$out/$who-warm3-history-postgres.log" &
  pid=$!
  # While the run settles (after seeding), the tables' dead rows and vacuums in its database.
  sleep 230
  db=$(psql "host=127.0.0.1 port=55432 user=postgres dbname=postgres" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'parley_bench_%' ORDER BY oid DESC LIMIT 1")
  psql "host=127.0.0.1 port=55432 user=postgres dbname=$db" -c 'SELECT relname, n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd, last_autovacuum, last_autoanalyze FROM pg_stat_user_tables WHERE relname IN ($$ConversationMembers$$, $$Conversations$$, $$Messages$$)' > "$out/$who-warm3-tables.txt" 2>&1
  wait $pid
done
echo done5 >> "$out/load.txt"
