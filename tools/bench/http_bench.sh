#!/usr/bin/env bash
# quiverd under load: a point query by id (one id, then a random id per
# request) and a filtered count on a generated `trips` table, N concurrent
# keep-alive clients for S seconds each, quiverd with its default config
# (QUIVER_BENCH_WIDE=1: as many query slots as connections).
#
#   tools/bench/http_bench.sh [BUILD_DIR] [SECONDS] [CONNECTIONS] [ROWS]
#   defaults:                  build      10        32            1000000
#
# Uses wrk (2 threads, --latency) when installed (tools/setup.sh installs it), else
# the bundled http_bench load generator (tools/quiverd/http_bench.cc). Prints
# requests/s and p50/p99 latency per query. The pool lives in /dev/shm (or a
# temp dir) and is removed at the end; quiverd is stopped with SIGTERM.
set -euo pipefail
. "$(dirname "$0")/start_quiverd.sh"
build=${1:-build}
secs=${2:-10}
conns=${3:-32}
rows=${4:-1000000}
quiver=$build/tools/cli/quiver
quiverd=$build/tools/quiverd/quiverd
bench=$build/tools/quiverd/http_bench
for b in "$quiver" "$quiverd" "$bench"; do
  [ -x "$b" ] || { echo "missing $b: build first (cmake --build $build)" >&2; exit 1; }
done
tmp=$(mktemp -d /dev/shm/quiver-http-bench.XXXXXX 2>/dev/null || mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$quiver" pool create "$tmp/bench.pool" --size "$(( 1 + rows / 10000000 ))G" >/dev/null
awk -v n="$rows" 'BEGIN { srand(7); print "id,vendor,fare,distance";
  for (i = 0; i < n; i++) printf "%d,v%d,%.2f,%.1f\n", i, i % 7, rand() * 100, rand() * 30 }' \
  > "$tmp/trips.csv"
"$quiver" ingest "$tmp/bench.pool" trips "$tmp/trips.csv" --durability relaxed >/dev/null
rm -f "$tmp/trips.csv"

if [[ -n "${QUIVER_BENCH_WIDE:-}" ]]; then
  # As many workers and query slots as connections: no queueing at all.
  threads=$((conns + 8))
  echo "{\"threads\": $threads, \"max_concurrent_queries\": $threads, \"log_requests\": false}" \
    > "$tmp/quiverd.json"
else
  # quiverd's defaults (max_concurrent_queries 8, queued up to its wait):
  # what a user gets, and what issue 15's target is measured with.
  echo '{"log_requests": false}' > "$tmp/quiverd.json"
fi
start_quiverd "$tmp" "$quiverd" "$tmp/bench.pool" "$tmp/quiverd.json"

point="/v1/sql?q=SELECT%20*%20FROM%20trips%20WHERE%20id%20%3D%20$((rows / 2))"
count="/v1/sql?q=SELECT%20count(*)%20FROM%20trips%20WHERE%20fare%20%3E%2090"
echo "quiverd on port $port, $rows rows, $conns connections, ${secs}s per query ($(nproc) cores)"
curl -sf "http://127.0.0.1:$port$point" >/dev/null
# point-random: wrk asks for a random id each request (a Lua script).
cat > "$tmp/random.lua" <<LUA
math.randomseed(7)
request = function()
  return wrk.format("GET", "/v1/sql?q=SELECT%20*%20FROM%20trips%20WHERE%20id%20%3D%20" .. math.random(0, $rows - 1))
end
LUA
for q in point point-random count; do
  case $q in count) path=$count ;; *) path=$point ;; esac
  echo "== $q query: $path"
  if command -v wrk >/dev/null; then
    script=()
    [[ $q == point-random ]] && script=(-s "$tmp/random.lua")
    wrk -t2 -c"$conns" -d"${secs}s" --latency "${script[@]}" "http://127.0.0.1:$port$path" |
      grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors" || true
  else
    "$bench" --port "$port" --connections "$conns" --seconds "$secs" "$path"
  fi
done
