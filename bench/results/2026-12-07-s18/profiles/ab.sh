#!/bin/bash
# usage: ab.sh RATE N OTHER_DLL [extra bench args]: alternate OTHER and main, N times each; prints one line each
RATE=$1; N=$2; OTHER=$3; shift 3
B="dotnet /work/main/bench/Parley.Bench/bin/Release/net10.0/Parley.Bench.dll"
for i in $(seq 1 $N); do
  echo "other $($B pairs --rate $RATE --server-dll $OTHER "$@" 2>&1 | grep -- '->' | grep delivered | sed 's/.*-> //')"
  echo "main  $($B pairs --rate $RATE "$@" 2>&1 | grep -- '->' | grep delivered | sed 's/.*-> //')"
done
