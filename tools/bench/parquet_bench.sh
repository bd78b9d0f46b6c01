#!/usr/bin/env bash
# Parquet in and out against DuckDB, same data, same thread count, one run:
#  - ingest: `quiver ingest POOL trips trips.parquet` (relaxed durability, as
#    DuckDB's in-memory table is not durable either) against DuckDB's
#    CREATE TABLE trips AS SELECT * FROM read_parquet(...);
#  - export: `quiver export POOL trips -o out.parquet` (zstd) against DuckDB's
#    COPY trips TO ... (FORMAT parquet, COMPRESSION zstd): times and sizes.
# The input is the trips data (tools/bench/trips_bench.cc --csv) written by
# DuckDB as a zstd Parquet file, once, in $QUIVER_BENCH_DIR (default /tmp).
#
#   tools/bench/parquet_bench.sh [BUILD_DIR] [ROWS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rows=${2:-20000000}
threads=${3:-2}
dir=${QUIVER_BENCH_DIR:-/tmp}
csv=$dir/trips-$rows.csv
parquet=$dir/trips-$rows.parquet
# The pool lives in memory (/dev/shm, the nearest thing to a pmem device on
# a machine without one), as DuckDB's table does; QUIVER_BENCH_POOL_DIR moves it.
pool_dir=${QUIVER_BENCH_POOL_DIR:-$( [[ -d /dev/shm ]] && echo /dev/shm || echo "$dir" )}
pool=$pool_dir/parquet-bench.pool
quiver=$build/tools/cli/quiver
out=$(mktemp)
trap 'rm -f "$out" "$pool" "$pool.lock" "$dir/parquet-bench-quiver.parquet" "$dir/parquet-bench-duckdb.parquet"' EXIT

if [[ ! -f $parquet ]]; then
  [[ -f $csv ]] || "$build/tools/bench/trips_bench" - --rows "$rows" --csv "$csv"
  node tools/bench/duckdb_parquet.js convert "$csv" "$parquet" > /dev/null
fi
bytes=$(stat -c %s "$parquet")
now() { date +%s.%N; }
# run_timed NAME OUTFILE CMD...: wall and CPU seconds (user + sys) of CMD as a JSON line.
run_timed() {
  local name=$1 extra=$2
  shift 2
  local start end cpu
  start=$(now)
  cpu=$( { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -n 1; } )
  end=$(now)
  echo "{\"engine\": \"$name\", \"secs\": $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'), \"cpu\": $(echo "$cpu" | awk '{print $1 + $2}'), \"rows\": $rows$extra}" >> "$out"
}

rm -f "$pool" "$pool.lock"
"$quiver" pool create "$pool" --size "$(( bytes * 12 + (1 << 30) ))" > /dev/null 2>&1
run_timed "quiver ingest" "" "$quiver" ingest "$pool" trips "$parquet" --durability relaxed --threads "$threads" --quiet
node tools/bench/duckdb_parquet.js ingest "$parquet" "$threads" >> "$out"

run_timed "quiver export --format parquet" "" "$quiver" export "$pool" trips -o "$dir/parquet-bench-quiver.parquet" --quiet
sed -i '$ s/}$/, "bytes": '"$(stat -c %s "$dir/parquet-bench-quiver.parquet")"'}/' "$out"
node tools/bench/duckdb_parquet.js export "$parquet" "$dir/parquet-bench-duckdb.parquet" "$threads" >> "$out"

/usr/bin/python3 - "$out" "$bytes" "$rows" "$threads" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(f"input: {int(sys.argv[3]):,} trips rows, DuckDB zstd Parquet of {int(sys.argv[2]) / 1e6:.1f} MB; {sys.argv[4]} threads")
print(f"{'engine':40} {'wall s':>8} {'CPU s':>8} {'M rows/s':>9} {'file MB':>9}")
for r in rs:
    size = f"{r['bytes'] / 1e6:9.1f}" if 'bytes' in r else f"{'':9}"
    print(f"{r['engine']:40} {r['secs']:8.2f} {r['cpu']:8.2f} {r['rows'] / 1e6 / r['secs']:9.2f} {size}")
for a, b, what in [(0, 1, "ingest"), (2, 3, "export")]:
    print(f"{what}: quiver / duckdb wall time = {rs[a]['secs'] / rs[b]['secs']:.2f}, "
          f"CPU time = {rs[a]['cpu'] / rs[b]['cpu']:.2f}" +
          (f", file size = {rs[a]['bytes'] / rs[b]['bytes']:.3f}" if what == "export" else ""))
PY
