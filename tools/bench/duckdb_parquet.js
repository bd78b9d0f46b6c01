// DuckDB's side of the Parquet benchmark (tools/bench/parquet_bench.sh).
//   node duckdb_parquet.js convert CSV PARQUET      write the trips CSV as a zstd Parquet file
//   node duckdb_parquet.js ingest PARQUET THREADS   CREATE TABLE AS SELECT * FROM read_parquet (in memory)
//   node duckdb_parquet.js export PARQUET OUT THREADS
//        load PARQUET into memory (not timed), then COPY the table TO OUT (FORMAT parquet, zstd)
// Prints one JSON line {engine, secs, rows[, bytes]}.
'use strict';
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../../.deps/node/node_modules/@duckdb/node-api'));

async function main() {
  const [mode, file, a3, a4] = process.argv.slice(2);
  const threads = mode === 'export' ? a4 : mode === 'ingest' ? a3 : '2';
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads || 2) });
  const conn = await db.connect();
  const count = async () => Number((await conn.runAndReadAll('SELECT count(*) FROM trips')).getRowsJson()[0][0]);
  let t0, c0, secs, out = {};
  // CPU seconds of this process (all threads) since c0: the machine may be
  // shared, so the bench reports CPU time next to wall time.
  const cpu = () => { const u = process.cpuUsage(c0); return (u.user + u.system) / 1e6; };
  if (mode === 'convert') {
    await conn.run(`COPY (SELECT * FROM read_csv('${file}', header = true)) TO '${a3}' (FORMAT parquet, COMPRESSION zstd)`);
    out = { engine: 'duckdb convert', bytes: fs.statSync(a3).size };
  } else if (mode === 'ingest') {
    t0 = process.hrtime.bigint();
    c0 = process.cpuUsage();
    await conn.run(`CREATE TABLE trips AS SELECT * FROM read_parquet('${file}')`);
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    out = { engine: 'duckdb CREATE TABLE AS read_parquet', secs, cpu: cpu(), rows: await count() };
  } else if (mode === 'export') {
    await conn.run(`CREATE TABLE trips AS SELECT * FROM read_parquet('${file}')`);
    fs.rmSync(a3, { force: true });
    t0 = process.hrtime.bigint();
    c0 = process.cpuUsage();
    await conn.run(`COPY trips TO '${a3}' (FORMAT parquet, COMPRESSION zstd)`);
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    out = { engine: 'duckdb COPY TO parquet', secs, cpu: cpu(), rows: await count(), bytes: fs.statSync(a3).size };
  } else {
    throw new Error('mode must be convert, ingest or export');
  }
  console.log(JSON.stringify(out));
  conn.closeSync();
  db.closeSync();
}

main().catch((e) => { console.error(e); process.exit(1); });
