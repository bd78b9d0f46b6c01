#!/usr/bin/env bash
# The README's main command: installs dependencies, builds Quiver, creates a
# demo pool in ./demo with a generated sample table (3 million taxi trips,
# ingested as CSV through `quiver ingest`), then serves it with quiverd on
# 127.0.0.1:${QUIVER_PORT:-8080} and prints example requests. Ctrl-C stops it.
#
#   tools/demo.sh                 # everything
#   QUIVER_DEMO_ROWS=100000 QUIVER_PORT=8081 tools/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --no-node
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target quiver quiverd quiver_c
quiver=build/tools/cli/quiver
quiverd=build/tools/quiverd/quiverd
rows=${QUIVER_DEMO_ROWS:-3000000}
port=${QUIVER_PORT:-8080}

mkdir -p demo
rm -f demo/demo.pool demo/demo.pool.lock
$quiver pool create demo/demo.pool --size 4G

# Sample data: generated taxi trips, one all-or-nothing ingest.
echo "generating and ingesting $rows trips ..." >&2
awk -v n="$rows" 'BEGIN {
  srand(42); split("manhattan brooklyn queens bronx staten_island", borough, " ");
  print "id,vendor,pickup,borough,passengers,distance,fare,tip";
  for (i = 0; i < n; i++) {
    s = int(i * 31536000 / n); d = rand() * 20; f = 2.5 + d * 2.1 + rand() * 5;
    printf "%d,%s,2025-%02d-%02dT%02d:%02d:%02dZ,%s,%d,%.2f,%.2f,%s\n", i, (i % 3 ? "CMT" : "VTS"),
      int(s / 2628000) % 12 + 1, int(s / 86400) % 28 + 1, int(s / 3600) % 24, int(s / 60) % 60, s % 60,
      borough[int(rand() * 5) + 1], 1 + int(rand() * 4), d, f,
      (rand() < 0.2 ? "" : sprintf("%.2f", f * rand() * 0.3)) }
}' | $quiver ingest demo/demo.pool trips - --format csv
$quiver ls demo/demo.pool
$quiver schema demo/demo.pool trips --datashape
$quiver sql demo/demo.pool "SELECT borough, count(*) AS n, avg(fare) AS avg_fare FROM trips GROUP BY borough ORDER BY n DESC" --format table

# Serve it.
$quiverd --pool demo/demo.pool --listen "127.0.0.1:$port" > demo/quiverd.out 2> demo/quiverd.log &
qpid=$!
trap 'kill -TERM $qpid 2>/dev/null; wait $qpid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
  grep -q "listening on" demo/quiverd.out 2>/dev/null && break
  kill -0 $qpid 2>/dev/null || { cat demo/quiverd.log >&2; exit 1; }
  sleep 0.1
done
B=http://127.0.0.1:$port
curl -s "$B/v1/health"; echo
cat <<EOF

quiverd serves demo/demo.pool at $B  (log: demo/quiverd.log). Try:

  open $B/                                   # web page: tables, schemas, a query box
  curl -s $B/v1/tables
  curl -s $B/v1/tables/trips
  curl -s "$B/v1/sql?q=SELECT%20borough,%20count(*)%20AS%20n,%20avg(fare)%20FROM%20trips%20GROUP%20BY%20borough"
  curl -s $B/v1/query -H 'Content-Type: application/json' \\
       -d '{"sql": "SELECT id, pickup, fare FROM trips WHERE fare > 45 ORDER BY fare DESC LIMIT 5"}'
  curl -s $B/v1/query -H 'Content-Type: application/json' \\
       -d '{"table": "trips", "select": ["borough", {"agg": "avg", "col": "tip", "as": "t"}], "group_by": ["borough"], "order_by": [{"col": "t", "desc": true}]}'
  curl -s "$B/v1/tables/trips/rows?select=id,borough,fare&where=fare%20%3E%2048&limit=10&format=csv"
  curl -s "$B/v1/tables/trips/rows?format=arrow" -o trips.arrows     # the pool's own bytes
  curl -s $B/metrics | head
  $quiver sql demo/demo.pool "SELECT vendor, max(distance) FROM trips GROUP BY vendor"
  /usr/bin/python3 -c 'import sys; sys.path.insert(0, "tools/python"); import quiver; print(quiver.open("demo/demo.pool")["trips"]["fare"][:5])'

Press Ctrl-C to stop quiverd.
EOF
wait $qpid
