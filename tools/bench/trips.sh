#!/usr/bin/env bash
# The trips benchmark: Quiver against DuckDB (in memory, same data, same
# thread count) on Q1..Q6, medians of RUNS runs, in one run of this script.
# Also Quiver's floor per query: the bytes its scan touches over the memory
# read bandwidth of THREADS threads, both measured by trips_bench in the same
# run (floor ms), and Quiver's median over that floor (x floor).
#
#   tools/bench/trips.sh [BUILD_DIR] [ROWS] [RUNS] [THREADS]
#
# Needs the Release build (cmake --build BUILD_DIR --target trips_bench) and
# the npm packages (tools/node/install.sh). The Quiver pool is generated once
# at $QUIVER_BENCH_DIR/trips-ROWS.pool (default /tmp) and reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rows=${2:-50000000}
runs=${3:-5}
threads=${4:-2}
dir=${QUIVER_BENCH_DIR:-/tmp}
pool=$dir/trips-$rows.pool
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$build/tools/bench/trips_bench" "$pool" --rows "$rows" --generate-only
"$build/tools/bench/trips_bench" "$pool" --rows "$rows" --runs "$runs" --threads "$threads" > "$out/quiver.jsonl"
node tools/bench/duckdb_trips.js "$rows" "$runs" "$threads" > "$out/duckdb.jsonl"

/usr/bin/python3 - "$out/quiver.jsonl" "$out/duckdb.jsonl" "$threads" <<'PY'
import json, math, sys
q = {r["query"]: r for r in map(json.loads, open(sys.argv[1]))}
d = {r["query"]: r for r in map(json.loads, open(sys.argv[2]))}
def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-6)
    return a == b
bw = next(iter(q.values())).get("bandwidth_gbs", 0)
print(f"memory read bandwidth ({sys.argv[3]} threads, same run): {bw:.2f} GB/s")
print(f"{'query':6} {'quiver ms':>10} {'duckdb ms':>10} {'speed-up':>9} {'MB read':>8} {'floor ms':>9} {'x floor':>8}  results")
for name in sorted(q):
    a, b = q[name], d[name]
    if name == "Q5":  # LIMIT without ORDER BY: any 1000 matching rows are right
        agree = a["rows"] == b["rows"]
    else:
        agree = a["rows"] == b["rows"] and len(a["result"]) == len(b["result"]) and all(
            len(x) == len(y) and all(same(u, v) for u, v in zip(x, y)) for x, y in zip(a["result"], b["result"]))
    floor = f"{a['floor_ratio']:7.2f}x" if a.get("floor_ms", 0) > 0 else f"{'-':>8}"
    print(f"{name:6} {a['median_ms']:10.2f} {b['median_ms']:10.2f} {b['median_ms'] / a['median_ms']:8.1f}x "
          f"{a.get('bytes', 0) / 1e6:8.1f} {a.get('floor_ms', 0):9.2f} {floor}  "
          f"{'agree' if agree else 'DIFFER: %s vs %s' % (a['result'], b['result'])}")
PY
