// The `trips` benchmark, DuckDB's side (tools/bench/trips.sh): builds the
// same table in an in-memory DuckDB (2 threads) from the same integer
// formulas as tools/bench/trips_bench.cc, runs Q1..Q6 `runs` times each and
// prints one JSON line per query, like trips_bench.
//
//   node tools/bench/duckdb_trips.js ROWS RUNS THREADS
'use strict';
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../../.deps/node/node_modules/@duckdb/node-api'));

async function main() {
  const rows = Number(process.argv[2] || 50000000);
  const runs = Number(process.argv[3] || 5);
  const threads = String(process.argv[4] || 2);
  const db = await DuckDBInstance.create(':memory:', { threads });
  const conn = await db.connect();
  const t0 = Date.now();
  await conn.run(`
    CREATE TABLE trips AS
    WITH h AS (
      SELECT id,
             (id * 2654435761) % 4294967296 AS h1,
             ((id + 12345) * 2246822519) % 4294967296 AS h2,
             ((id + 777) * 3266489917) % 4294967296 AS h3,
             ((id + 99) * 2654435769) % 4294967296 AS h4
      FROM range(${rows}) r(id))
    SELECT id::BIGINT AS id,
           (1700000000000 + h1 % 2592000000)::BIGINT AS ts,
           'v' || (h2 % 8)::VARCHAR AS vendor,
           CASE WHEN h1 % 100 = 0 THEN NULL ELSE (h3 % 7)::TINYINT END AS passengers,
           (h2 % 20000) / 1000.0::DOUBLE AS distance,
           CASE WHEN (h4 // 256) % 20 = 0 THEN NULL ELSE 2.5 + (h3 % 10000) / 100.0::DOUBLE END AS fare,
           'city_' || lpad((h4 % 1000)::VARCHAR, 4, '0') AS city
    FROM h ORDER BY id`);
  process.stderr.write(`duckdb: loaded ${rows} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const x = 1700000000000 + 86400000 * 3, y = 1700000000000 + 86400000 * 5;
  const queries = [
    ['Q1', 'SELECT count(*) FROM trips WHERE fare > 30'],
    ['Q2', 'SELECT sum(fare) FROM trips WHERE distance BETWEEN 2 AND 5 AND passengers >= 2'],
    ['Q3', 'SELECT vendor, count(*), avg(fare) FROM trips GROUP BY vendor ORDER BY vendor'],
    ['Q4', 'SELECT * FROM trips WHERE id = 23456789'],
    ['Q5', "SELECT id, fare FROM trips WHERE city = 'city_0042' LIMIT 1000"],
    ['Q6', `SELECT city, max(distance) FROM trips WHERE ts BETWEEN ${x} AND ${y} GROUP BY city ORDER BY 2 DESC, 1 LIMIT 10`],
  ];
  for (const [name, sql] of queries) {
    const ms = [];
    let last;
    for (let r = 0; r < runs; ++r) {
      const t = process.hrtime.bigint();
      const reader = await conn.runAndReadAll(sql);
      last = reader.getRowsJson();
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const sorted = [...ms].sort((a, b) => a - b);
    const result = last.slice(0, 3).map((row) => row.map((v) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v)));
    console.log(JSON.stringify({ query: name, engine: 'duckdb', median_ms: sorted[Math.floor(sorted.length / 2)],
                                 runs_ms: ms, rows: last.length, result }));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
