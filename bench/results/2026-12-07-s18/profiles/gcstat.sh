#!/bin/bash
# usage: gcstat.sh OUT [bench args]: 20k pairs run with dotnet-counters over 15 s of the measured window
OUT=$1; shift
B="dotnet /work/main/bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll"
$B pairs --rate ${RATE:-20000} --warmup 20 "$@" > $OUT.txt 2>&1 &
for i in $(seq 1 120); do PID=$(pgrep -f 'Parley.Server.dll' | head -1); [ -n "$PID" ] && break; sleep 0.5; done
while ! grep -q "msgs/s over" $OUT.txt 2>/dev/null; do sleep 0.5; done
sleep 10
rm -f $OUT.csv; ~/.dotnet/tools/dotnet-counters collect -p $PID --counters System.Runtime --refresh-interval 5 --duration 00:00:00:16 --format csv -o $OUT.csv >/dev/null 2>&1
wait
grep -- "-> delivered" $OUT.txt | sed 's/.*-> //'
grep -E "pause.time|collections|total_allocated|cpu.time" $OUT.csv | tail -7 | awk -F, '{print $3, $5}'
