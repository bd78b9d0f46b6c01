#!/usr/bin/env bash
# Restart-to-first-query: a 50M-row trips table; PROCS fresh processes each
# open the pool and run `SELECT count(*) FROM trips WHERE fare > 30` once
# (the first query validates and checksums the columns it reads), then the
# same query warm (median of RUNS). Printed: the medians over the processes,
# wall and CPU (CPU is steadier on a shared machine). Then the same with
# --all-columns (every column of every chunk read first, in one thread: what
# a first query cost when validation was per chunk), and XXH3's single-core
# throughput.
#
#   tools/bench/first_query.sh [BUILD_DIR] [ROWS] [RUNS] [THREADS] [PROCS]
#
# The pool is generated once at $QUIVER_BENCH_DIR/trips-ROWS-xxh3.pool
# (default /tmp) by trips_bench and reused; POOL=path uses another one (e.g.
# one written before checksums).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rows=${2:-50000000}
runs=${3:-5}
threads=${4:-2}
procs=${5:-5}
dir=${QUIVER_BENCH_DIR:-/tmp}
pool=${POOL:-$dir/trips-$rows-xxh3.pool}
bench=$build/tools/bench/first_query_bench
summary=$(cat <<'PY'
import json, statistics, sys
rs = [json.loads(l) for l in sys.stdin]
m = lambda k: statistics.median(r[k] for r in rs)
name = "all columns first" if rs[0]["all_columns"] else "lazy per column  "
print(f"{name}: open+first {m('open_plus_first_ms'):7.1f} ms, warm {m('warm_median_ms'):6.1f} ms, "
      f"ratio {m('ratio'):5.2f} | cpu: open+first {m('open_plus_first_cpu_ms'):7.1f} ms, "
      f"warm {m('warm_median_cpu_ms'):6.1f} ms, ratio {m('cpu_ratio'):5.2f} ({len(rs)} processes)")
PY
)

[[ -e $pool ]] || "$build/tools/bench/trips_bench" "$pool" --rows "$rows" --generate-only
for mode in lazy --all-columns; do
  for ((i = 0; i < procs; ++i)); do
    if [[ $mode == lazy ]]; then
      "$bench" "$pool" --runs "$runs" --threads "$threads"
    else
      "$bench" "$pool" --runs "$runs" --threads "$threads" --all-columns
    fi
  done | /usr/bin/python3 -c "$summary"
done
"$bench" --xxh3 --runs "$runs"
