#!/usr/bin/env node
// Runs SQL in an in-memory DuckDB (npm @duckdb/node-api): every statement of
// the JSON file's "setup" list, then its "query" (or each of "queries"),
// whose result is printed as
// {"columns": [name, ...], "values": [[column 0 values], ...]} (column-major;
// BIGINT / HUGEINT as decimal strings, NULL as null); with "queries", one
// line {"results": [...]} holding one such object per query. The Parquet interop
// tests (tests/parquet) use it to write files with DuckDB and to read files
// that Quiver wrote.
//   node duckdb_sql.js SPEC.json
'use strict';
const fs = require('fs');
const { DuckDBInstance } = require('@duckdb/node-api');

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  for (const sql of spec.setup || []) await conn.run(sql);
  const run = async (sql) => {
    const r = await conn.runAndReadAll(sql);
    return { columns: r.columnNames(), values: r.getColumnsJson() };
  };
  let out = { columns: [], values: [] };
  if (spec.queries) {
    out = { results: [] };
    for (const q of spec.queries) out.results.push(await run(q));
  } else if (spec.query) {
    out = await run(spec.query);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  conn.closeSync();
  db.closeSync();
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
