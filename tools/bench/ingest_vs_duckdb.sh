#!/usr/bin/env bash
# CSV ingest: `quiver ingest` (relaxed and sync durability) against DuckDB's
# read_csv of the same file into an in-memory table and into a database file,
# in one run, with the same thread count.
#
#   tools/bench/ingest_vs_duckdb.sh [BUILD_DIR] [ROWS] [THREADS]
#
# The trips CSV (tools/bench/trips_bench.cc --csv: id, ts, vendor, passengers,
# distance, fare, city) is written once to $QUIVER_BENCH_DIR (default /tmp).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rows=${2:-50000000}
threads=${3:-2}
dir=${QUIVER_BENCH_DIR:-/tmp}
csv=$dir/trips-$rows.csv
pool=$dir/ingest-bench.pool
quiver=$build/tools/cli/quiver
[[ -f $csv ]] || "$build/tools/bench/trips_bench" - --rows "$rows" --csv "$csv"
bytes=$(stat -c %s "$csv")
out=$(mktemp)
trap 'rm -f "$out" "$pool" "$pool.lock"' EXIT

for durability in relaxed sync; do
  rm -f "$pool" "$pool.lock"
  "$quiver" pool create "$pool" --size "$(( bytes * 2 + (1 << 30) ))" > /dev/null 2>&1
  start=$(date +%s.%N)
  "$quiver" ingest "$pool" trips "$csv" --durability "$durability" --threads "$threads" --quiet
  end=$(date +%s.%N)
  echo "{\"engine\": \"quiver ingest ($durability)\", \"secs\": $(printf '%.3f' "$(echo "$end - $start" | bc)"), \"rows\": $rows, \"bytes\": $bytes}" >> "$out"
done
node tools/bench/duckdb_ingest.js "$csv" "$dir/ingest-bench.duckdb" "$threads" >> "$out"

/usr/bin/python3 - "$out" <<'PY'
import json, sys
print(f"{'engine':28} {'seconds':>8} {'MB/s':>8} {'M rows/s':>9}")
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"{r['engine']:28} {r['secs']:8.2f} {r['bytes'] / 1e6 / r['secs']:8.1f} {r['rows'] / 1e6 / r['secs']:9.2f}")
PY
