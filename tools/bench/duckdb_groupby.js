// The group-by benchmark, DuckDB's side (tools/bench/groupby.sh): builds the
// same `hits` table in an in-memory DuckDB from the same integer formulas as
// tools/bench/groupby_bench.cc, runs G1..G5 `runs` times each and prints one
// JSON line per query, like groupby_bench.
//
//   node tools/bench/duckdb_groupby.js ROWS RUNS THREADS
'use strict';
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../../.deps/node/node_modules/@duckdb/node-api'));

async function main() {
  const rows = Number(process.argv[2] || 10000000);
  const runs = Number(process.argv[3] || 5);
  const threads = String(process.argv[4] || 2);
  const db = await DuckDBInstance.create(':memory:', { threads });
  const conn = await db.connect();
  await conn.run(`
    CREATE TABLE hits AS
    WITH h AS (
      SELECT id,
             (id * 2654435761) % 4294967296 AS h1,
             ((id + 12345) * 2246822519) % 4294967296 AS h2,
             ((id + 777) * 3266489917) % 4294967296 AS h3,
             ((id + 99) * 2654435769) % 4294967296 AS h4
      FROM range(${rows}) r(id))
    SELECT (4000000000000000 + (h1 % 2000000) * (h1 % 2000000) // 4000)::BIGINT AS user_id,
           CASE WHEN h2 % 10 < 7 THEN '' ELSE 'phrase ' || ((h3 % 400000) * (h3 % 400000) // 400000)::VARCHAR END AS phrase,
           ((h3 % 1073741824) * 4294967296 + id)::BIGINT AS watch_id,
           (h4 % 2147483647)::INTEGER AS client_ip,
           (h2 % 1000)::INTEGER AS v
    FROM h ORDER BY id`);
  const queries = [
    ['G1', 'SELECT user_id, count(*) AS c FROM hits GROUP BY user_id ORDER BY c DESC, user_id LIMIT 10'],
    ['G2', 'SELECT user_id, phrase, count(*) AS c FROM hits GROUP BY user_id, phrase ORDER BY c DESC, user_id, phrase LIMIT 10'],
    ['G3', 'SELECT watch_id, client_ip, count(*) AS c, sum(v) AS s FROM hits GROUP BY watch_id, client_ip ORDER BY c DESC, s DESC, watch_id LIMIT 10'],
    ['G4', "SELECT phrase, count(*) AS c FROM hits WHERE phrase <> '' GROUP BY phrase ORDER BY c DESC, phrase LIMIT 10"],
    ['G5', 'SELECT user_id, client_ip, min(v) AS m FROM hits GROUP BY user_id, client_ip ORDER BY m, user_id, client_ip LIMIT 10'],
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
    const result = last.slice(0, 3).map((row) => row.map((v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v)));
    console.log(JSON.stringify({ query: name, engine: 'duckdb', median_ms: sorted[Math.floor(sorted.length / 2)],
                                 runs_ms: ms, rows: last.length, result }));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
