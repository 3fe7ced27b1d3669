#!/bin/bash
# usage: alloctrace.sh OUT [bench args]: gc-verbose trace of 8 s of the measured window at 20k
OUT=$1; shift
B="dotnet /work/main/bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll"
$B pairs --rate ${RATE:-20000} --warmup 20 "$@" > $OUT.txt 2>&1 &
for i in $(seq 1 120); do PID=$(pgrep -f 'Parley.Server.dll' | head -1); [ -n "$PID" ] && break; sleep 0.5; done
while ! grep -q "msgs/s over" $OUT.txt 2>/dev/null; do sleep 0.5; done
sleep 12
~/.dotnet/tools/dotnet-trace collect -p $PID --profile gc-verbose --duration 00:00:00:08 -o $OUT.nettrace >/dev/null 2>&1
wait
grep -- "-> delivered" $OUT.txt | sed 's/.*-> //'
