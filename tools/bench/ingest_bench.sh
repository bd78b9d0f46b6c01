#!/usr/bin/env bash
# CSV ingest throughput of `quiver ingest`.
#
# Usage: tools/bench/ingest_bench.sh [BUILD_DIR] [ROWS] [WORK_DIR]
#   BUILD_DIR  holds tools/cli/quiver (default: build)
#   ROWS       rows of the generated CSV (default: 2000000)
#   WORK_DIR   where the CSV and the pool go (default: $TMPDIR or /tmp)
#
# Generates a trips-like CSV with mixed types (int64 id, low-cardinality
# vendor -> dictionary, ISO timestamp, date, small int, float, bool, free
# text with some quoted commas), then ingests it into a fresh pool with 1
# parser thread and with all cores, each with relaxed and sync durability,
# and prints MB/s and rows/s over the wall clock of the whole command
# (process start to exit), the CPU seconds it used, and quiver's own summary.
set -euo pipefail
build=${1:-build}
rows=${2:-2000000}
work=${3:-${TMPDIR:-/tmp}}
quiver=$build/tools/cli/quiver
[[ -x $quiver ]] || { echo "no $quiver: build the quiver target first" >&2; exit 1; }
dir=$(mktemp -d "$work/ingest_bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

csv=$dir/trips.csv
awk -v n="$rows" 'BEGIN {
  srand(42);
  split("CMT,VTS,DDS,YEL,GRN", vendors, ",");
  print "id,vendor,pickup,day,passengers,fare,paid,note";
  for (i = 0; i < n; i++) {
    t = 1704067200 + i * 7;
    d = int(t / 86400);
    note = (i % 10 == 0) ? "\"late, rainy\"" : "trip " i % 1000;
    printf "%d,%s,%s,%s,%d,%.2f,%s,%s\n", i, vendors[i % 5 + 1],
      strftime("%Y-%m-%d %H:%M:%S", t, 1), strftime("%Y-%m-%d", t, 1),
      1 + i % 4, (i % 5000) / 100.0 + 2.5, (i % 3 == 0) ? "true" : "false", note;
  }
}' > "$csv"
bytes=$(stat -c %s "$csv")
echo "input: $rows rows, $bytes bytes ($(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB) in $csv"
echo "cores: $(nproc)"
# Wall time counts waiting for a CPU on a shared machine; CPU time
# (user + system, all threads) is the cost of the work itself.
printf "%-8s %-10s %9s %9s %10s %12s %12s\n" threads durability wall_s cpu_s "MB/s" "rows/s" "MB/cpu-s"
for threads in 1 "$(nproc)"; do
  for durability in relaxed sync; do
    rm -f "$dir/pool" "$dir/pool.lock"
    "$quiver" pool create "$dir/pool" --size 8G 2>/dev/null
    /usr/bin/time -f "%e %U %S" -o "$dir/time" "$quiver" ingest "$dir/pool" trips "$csv" \
      --threads "$threads" --durability "$durability" --progress none 2> "$dir/summary"
    read -r wall user sys < "$dir/time"
    awk -v w="$wall" -v u="$user" -v s="$sys" -v b="$bytes" -v r="$rows" -v t="$threads" -v d="$durability" \
      'BEGIN { c = u + s; printf "%-8s %-10s %9.2f %9.2f %10.1f %12.0f %12.1f\n", t, d, w, c, b / 1e6 / w, r / w, b / 1e6 / c }'
    echo "         ($(tail -1 "$dir/summary"))"
  done
done
"$quiver" schema "$dir/pool" trips 2>/dev/null || true
