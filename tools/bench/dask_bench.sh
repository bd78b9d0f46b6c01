#!/usr/bin/env bash
# The trips queries (Q1..Q6 of tools/bench/trips.sh) as Dask computations:
# trips as two shards, read by quiver.dask from the two local pools and from
# two quiverd processes over HTTP, against Dask over dd.read_csv of the same
# rows and against pandas in one process; with a LocalCluster of 1 and of 2
# worker processes (one thread each). Prints one table; every engine's answer
# is checked against pandas'.
#
#   tools/bench/dask_bench.sh [BUILD_DIR] [ROWS] [RUNS]
#
# Needs the Release build (trips_bench, quiverd, libquiver.so) and Debian's
# python3-dask python3-distributed. Data is generated once under
# $QUIVER_BENCH_DIR (default /tmp): trips-dask-ROWS-{a,b}.pool and .csv.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "${1:-build}" && pwd)
rows=${2:-4000000}
runs=${3:-3}
dir=${QUIVER_BENCH_DIR:-/tmp}
half=$((rows / 2))
a=$dir/trips-dask-$rows-a
b=$dir/trips-dask-$rows-b
[ -e "$a.pool" ] || "$build/tools/bench/trips_bench" "$a.pool" --rows "$half" --generate-only
[ -e "$b.pool" ] || "$build/tools/bench/trips_bench" "$b.pool" --rows "$((rows - half))" --start "$half" --generate-only
[ -e "$a.csv" ] || "$build/tools/bench/trips_bench" - --rows "$half" --csv "$a.csv"
[ -e "$b.csv" ] || "$build/tools/bench/trips_bench" - --rows "$((rows - half))" --start "$half" --csv "$b.csv"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
urls=()
for pool in "$a.pool" "$b.pool"; do
  log=$(mktemp)
  "$build/tools/quiverd/quiverd" --pool "$pool" --listen 127.0.0.1:0 >"$log" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done
  urls+=("$(awk '/listening on/ {print $3; exit}' "$log")")
  rm -f "$log"
done

QUIVER_LIB="$build/store/capi/libquiver.so" PYTHONPATH="$PWD/tools/python" \
  /usr/bin/python3 tools/bench/dask_bench.py "$rows" "$runs" "$a" "$b" "${urls[@]}"
