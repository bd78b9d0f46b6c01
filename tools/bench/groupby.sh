#!/usr/bin/env bash
# The group-by benchmark: Quiver against DuckDB (in memory, same data, same
# thread count) on G1..G5 (GROUP BY on high-cardinality keys), medians of
# RUNS runs, in one run of this script.
#
#   tools/bench/groupby.sh [BUILD_DIR] [ROWS] [RUNS] [THREADS]
#
# Needs the Release build (cmake --build BUILD_DIR --target groupby_bench)
# and the npm packages (tools/node/install.sh). The Quiver pool is generated
# once at $QUIVER_BENCH_DIR/hits-ROWS.pool (default /tmp) and reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rows=${2:-10000000}
runs=${3:-5}
threads=${4:-2}
dir=${QUIVER_BENCH_DIR:-/tmp}
pool=$dir/hits-$rows.pool
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$build/tools/bench/groupby_bench" "$pool" --rows "$rows" --runs "$runs" --threads "$threads" > "$out/quiver.jsonl"
node tools/bench/duckdb_groupby.js "$rows" "$runs" "$threads" > "$out/duckdb.jsonl"

/usr/bin/python3 - "$out/quiver.jsonl" "$out/duckdb.jsonl" <<'PY'
import json, sys
q = {r["query"]: r for r in map(json.loads, open(sys.argv[1]))}
d = {r["query"]: r for r in map(json.loads, open(sys.argv[2]))}
print(f"{'query':6} {'quiver ms':>10} {'(cpu ms)':>9} {'duckdb ms':>10} {'speed-up':>9}  results")
for name in sorted(q):
    a, b = q[name], d[name]
    agree = a["rows"] == b["rows"] and a["result"] == b["result"]
    print(f"{name:6} {a['median_ms']:10.1f} {a['median_cpu_ms']:9.1f} {b['median_ms']:10.1f} "
          f"{b['median_ms'] / a['median_ms']:8.2f}x  {'agree' if agree else 'DIFFER'}")
PY
