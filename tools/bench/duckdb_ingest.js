// DuckDB's side of the CSV ingest benchmark (tools/bench/ingest_vs_duckdb.sh):
// read_csv of FILE into an in-memory table and into a database file, with
// THREADS threads; prints one JSON line per target with seconds and rows.
//
//   node tools/bench/duckdb_ingest.js FILE DBFILE THREADS
'use strict';
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../../.deps/node/node_modules/@duckdb/node-api'));

async function load(target, file, threads) {
  const db = await DuckDBInstance.create(target, { threads: String(threads) });
  const conn = await db.connect();
  const t0 = process.hrtime.bigint();
  await conn.run(`CREATE TABLE trips AS SELECT * FROM read_csv('${file}', header = true)`);
  if (target !== ':memory:') await conn.run('CHECKPOINT');
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM trips')).getRowsJson()[0][0]);
  conn.closeSync();
  db.closeSync();
  return { secs, rows };
}

async function main() {
  const [file, dbfile, threads] = [process.argv[2], process.argv[3], Number(process.argv[4] || 2)];
  const bytes = fs.statSync(file).size;
  for (const [name, target] of [['duckdb in-memory', ':memory:'], ['duckdb database file', dbfile]]) {
    if (target !== ':memory:') for (const f of [dbfile, dbfile + '.wal']) fs.rmSync(f, { force: true });
    const r = await load(target, file, threads);
    console.log(JSON.stringify({ engine: name, secs: r.secs, rows: r.rows, bytes }));
  }
  fs.rmSync(dbfile, { force: true });
}

main().catch((e) => { console.error(e); process.exit(1); });
