#!/usr/bin/env bash
# The web console with a large result, in headless Chromium: how soon the
# first rows show, how long all ROWS take to arrive in the grid (NDJSON
# streamed, parsed and kept by the page), and the EXPLAIN ANALYZE plan's
# time against the query's own.
#
#   tools/bench/console_bench.sh [BUILD_DIR] [ROWS]
#   defaults:                     build      500000
#
# Needs node with .deps/node (puppeteer-core) and /usr/bin/chromium
# (tools/setup.sh). The pool lives in /dev/shm (or a temp dir) and is
# removed at the end; quiverd is stopped with SIGTERM.
set -euo pipefail
build=${1:-build}
rows=${2:-500000}
root=$(cd "$(dirname "$0")/../.." && pwd)
quiver=$build/tools/cli/quiver
quiverd=$build/tools/quiverd/quiverd
for b in "$quiver" "$quiverd"; do
  [ -x "$b" ] || { echo "missing $b: build first (cmake --build $build)" >&2; exit 1; }
done
tmp=$(mktemp -d /dev/shm/quiver-console-bench.XXXXXX 2>/dev/null || mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$quiver" pool create "$tmp/bench.pool" --size 2G >/dev/null
awk -v n="$rows" 'BEGIN { srand(7); print "id,vendor,fare,distance,note";
  for (i = 0; i < n; i++) printf "%d,v%d,%.2f,%.1f,note %d\n", i, i % 7, rand() * 100, rand() * 30, i }' \
  > "$tmp/trips.csv"
"$quiver" ingest "$tmp/bench.pool" trips "$tmp/trips.csv" --durability relaxed >/dev/null
rm -f "$tmp/trips.csv"
echo '{"log_requests": false}' > "$tmp/quiverd.json"
"$quiverd" --pool "$tmp/bench.pool" --listen 127.0.0.1:0 --config "$tmp/quiverd.json" > "$tmp/out" &
pid=$!
for _ in $(seq 100); do grep -q "http://" "$tmp/out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/out" | head -1)
[ -n "$port" ] || { echo "quiverd did not start" >&2; exit 1; }
NODE_PATH="$root/.deps/node/node_modules" node "$root/tools/node/console_bench.js" "$port" "$rows"
