#!/usr/bin/env bash
# ClickBench on a generated `hits` table: Quiver (quiverd over HTTP, and in
# process through the C++ API) against DuckDB in memory, same CSV file, same
# thread count, the 43 queries of tools/bench/clickbench_queries.sql, median
# of RUNS runs after a warm-up, results checked to agree. Queries Quiver
# cannot answer yet are reported with their error; the script still completes.
#
#   tools/bench/clickbench.sh [ROWS] [BUILD_DIR] [RUNS] [THREADS]
#   defaults:                  10000000 build   3      2
#
# Needs the Release build (cmake --build BUILD_DIR --target quiver quiverd
# clickbench_gen clickbench_inproc clickbench_http) and the npm packages
# (tools/node/install.sh). Each engine runs alone: in process, then quiverd
# (clickbench_http, a C++ client), stopped before DuckDB loads the CSV.
# The CSV and pool are kept in $QUIVER_BENCH_DIR (default /tmp) as
# clickbench-ROWS.{csv,pool} and reused; quiverd is stopped at the end.
# CLICKBENCH_JSON=FILE also writes the per-query results as JSON.
set -euo pipefail
. "$(dirname "$0")/start_quiverd.sh"
cd "$(dirname "$0")/../.."
rows=${1:-10000000}
build=${2:-build}
runs=${3:-3}
threads=${4:-2}
dir=${QUIVER_BENCH_DIR:-/tmp}
csv=$dir/clickbench-$rows.csv
pool=$dir/clickbench-$rows.pool
gen=$build/tools/bench/clickbench_gen
inproc=$build/tools/bench/clickbench_inproc
overhttp=$build/tools/bench/clickbench_http
quiver=$build/tools/cli/quiver
quiverd=$build/tools/quiverd/quiverd
queries=tools/bench/clickbench_queries.sql
for b in "$gen" "$inproc" "$overhttp" "$quiver" "$quiverd"; do
  [ -x "$b" ] || { echo "missing $b: build it first (see the header of $0)" >&2; exit 1; }
done
tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ ! -s "$csv" ]; then
  t=$(date +%s)
  "$gen" "$rows" -o "$csv.tmp" && mv "$csv.tmp" "$csv"
  echo "generated $rows rows ($(du -h "$csv" | cut -f1)) in $(( $(date +%s) - t )) s" >&2
fi
if [ ! -s "$pool" ]; then
  # The pool grows as needed; start it at about the size of the CSV.
  size=$(( $(stat -c %s "$csv") / 1048576 + 256 ))M
  "$quiver" pool create "$pool.tmp" --size "$size" >/dev/null
  "$quiver" ingest "$pool.tmp" hits "$csv" --schema "$("$gen" --schema quiver)" \
    --durability relaxed --quiet
  mv "$pool.tmp" "$pool"
fi

echo "in process: $inproc ($threads threads)" >&2
"$inproc" "$pool" "$queries" --runs "$runs" --threads "$threads" > "$tmp/inproc.jsonl"

cat > "$tmp/quiverd.json" <<JSON
{"threads": 4, "query_threads": $threads, "query_timeout_ms": 3600000,
 "max_result_rows": 100000000, "log_requests": false}
JSON
start_quiverd "$tmp" "$quiverd" "$pool" "$tmp/quiverd.json"

echo "over HTTP: $overhttp (quiverd, $threads query threads)" >&2
mkdir "$tmp/bodies"
"$overhttp" "127.0.0.1:$port" "$queries" "$tmp/bodies" --runs "$runs" > "$tmp/http.jsonl"
kill -TERM "$pid" && wait "$pid" 2>/dev/null || true
pid=

echo "ClickBench: $rows rows, $threads threads, median of $runs runs after a warm-up ($(nproc) cores)"
node tools/bench/clickbench.mjs --csv "$csv" --columns "$("$gen" --schema duckdb)" \
  --http "$tmp/http.jsonl" --queries "$queries" --inproc "$tmp/inproc.jsonl" \
  --runs "$runs" --threads "$threads" ${CLICKBENCH_JSON:+--json "$CLICKBENCH_JSON"}
