// ClickBench's runner (tools/bench/clickbench.sh): the 43 queries' results
// through quiverd over HTTP (clickbench_http's JSON lines and response
// bodies) and in process (clickbench_inproc's JSON lines), then the same
// queries in an in-memory DuckDB on the same CSV file, a warm-up then `runs`
// timed runs each (median); the results compared (tools/bench/sql_compare.mjs)
// and a table per query: Quiver over HTTP, Quiver in process, DuckDB, the
// speed-ups (DuckDB ms / Quiver ms) and the status.
//
// What is timed: until the whole result is in the client. For Quiver over
// HTTP, clickbench_http's request until the last byte of the JSON response
// (one kept-alive connection, a C++ client: see its header for why); for
// DuckDB, runAndReadAll (every result chunk materialized in the client).
// Turning either into JavaScript rows for the comparison (JSON.parse of the
// text, getRowsJson) is this runner's work, done once after the timed runs.
// Each engine runs alone: quiverd has answered every query and stopped
// before DuckDB loads the CSV.
//
//   node tools/bench/clickbench.mjs --csv hits.csv --columns "{...}" --http http.jsonl
//        --queries tools/bench/clickbench_queries.sql [--inproc inproc.jsonl]
//        [--runs 3] [--threads 2] [--json out.json]
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRows, duckRows, parseQuiverJson, quiverRows } from './sql_compare.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { DuckDBInstance } = require(path.join(here, '../../.deps/node/node_modules/@duckdb/node-api'));

// How each query's result is checked (1-based, ClickBench's order): `keys`
// are the output columns of its ORDER BY (ties at the LIMIT may pick other
// rows with equal keys); `any`: LIMIT without ORDER BY, any rows are right;
// `unordered`: the ORDER BY is on a column not selected, compare as sets.
const kCheck = {
  8: { keys: [1] }, 9: { keys: [1] }, 10: { keys: [2] }, 11: { keys: [1] }, 12: { keys: [2] },
  13: { keys: [1] }, 14: { keys: [1] }, 15: { keys: [2] }, 16: { keys: [1] }, 17: { keys: [2] },
  18: { any: true }, 19: { keys: [3] }, 22: { keys: [2] }, 23: { keys: [3] }, 24: { keys: [4] },
  25: { unordered: true }, 26: { keys: [0] }, 27: { unordered: true }, 28: { keys: [1] },
  29: { keys: [1] }, 31: { keys: [2] }, 32: { keys: [2] }, 33: { keys: [2] }, 34: { keys: [1] },
  35: { keys: [2] }, 36: { keys: [4] }, 37: { keys: [1] }, 38: { keys: [1] }, 39: { keys: [1] },
  40: { keys: [5] }, 41: { keys: [2] }, 42: { keys: [2] }, 43: { keys: [0] },
};

function args() {
  const a = { runs: 3, threads: 2 };
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) a[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['csv', 'columns', 'http', 'queries']) {
    if (!a[k]) throw new Error(`missing --${k}`);
  }
  a.runs = Number(a.runs);
  return a;
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

// Median ms of `runs` calls of fn after `warm` untimed ones, and the last
// call's result.
async function medianMs(fn, warm, runs) {
  let last;
  for (let i = 0; i < warm; ++i) last = await fn();
  const ms = [];
  for (let r = 0; r < runs; ++r) {
    const t = process.hrtime.bigint();
    last = await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms: median(ms), last };
}

// Runs `once` (which returns the raw result or throws) warm-up + runs
// times, then `rows` on the last raw result (untimed).
async function timed(once, rows, runs) {
  try {
    const { ms, last } = await medianMs(once, 1, runs);
    return { ms, rows: rows(last) };
  } catch (e) {
    return { error: String(e.message || e).split('\n')[0] };
  }
}

// A clickbench_http line: {ms, rows} or {error}.
function quiverResult(r) {
  if (!r) return { error: 'not run over HTTP' };
  if (r.error) return { error: r.error };
  try {
    const doc = parseQuiverJson(readFileSync(r.body, 'utf8'));
    if (r.status < 200 || r.status >= 300 || doc.error) {
      throw new Error(doc.error ? `${doc.error.code}: ${doc.error.message}` : `HTTP ${r.status}`);
    }
    return { ms: r.median_ms, rows: quiverRows(doc) };
  } catch (e) {
    return { error: String(e.message || e).split('\n')[0] };
  }
}

// The JSON lines of FILE by their "query" number.
function byQuery(file) {
  const out = {};
  if (!file) return out;
  for (const l of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(l);
    out[r.query] = r;
  }
  return out;
}

function fmt(ms) {
  return ms === undefined ? '-' : ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(0);
}

function geomean(xs) {
  return xs.length ? Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length) : NaN;
}

async function main() {
  const a = args();
  const queries = readFileSync(a.queries, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const inproc = byQuery(a.inproc);
  const overHttp = byQuery(a.http);
  const sqls = queries.map((q) => q.replace(/;\s*$/, ''));
  const quiver = sqls.map((_, i) => quiverResult(overHttp[i + 1]));
  const db = await DuckDBInstance.create(':memory:', { threads: String(a.threads) });
  const conn = await db.connect();
  const t0 = Date.now();
  await conn.run(`CREATE TABLE hits AS SELECT * FROM read_csv('${a.csv}', header = true, delim = ',',
      quote = '"', escape = '"', allow_quoted_nulls = false, auto_detect = false, columns = ${a.columns})`);
  process.stderr.write(`duckdb: loaded ${a.csv} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

  const out = [];
  console.log('| query | quiver http ms | quiver in-process ms | duckdb ms | speed-up http | speed-up in-process | status |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (let i = 0; i < queries.length; ++i) {
    const n = i + 1;
    const sql = sqls[i];
    const q = quiver[i];
    const d = await timed(() => conn.runAndReadAll(sql), duckRows, a.runs);
    const ip = inproc[n] || {};
    let status;
    if (q.error) status = `error: ${q.error}`;
    else if (d.error) status = `duckdb error: ${d.error}`;
    else {
      const c = kCheck[n] || {};
      const r = compareRows(q.rows, d.rows, {
        ordered: Boolean(c.keys), keys: c.keys, limited: /\blimit\b/i.test(sql), anyRows: c.any, rel: 1e-6,
      });
      status = r.ok ? (r.note ? `ok (${r.note})` : 'ok') : `mismatch: ${r.note}`;
    }
    const rec = { query: n, quiver_http_ms: q.ms, quiver_inproc_ms: ip.median_ms, duckdb_ms: d.ms, status };
    out.push(rec);
    const up = (x) => (x !== undefined && d.ms !== undefined ? (d.ms / x).toFixed(2) + 'x' : '-');
    console.log(`| Q${n} | ${fmt(q.ms)} | ${fmt(ip.median_ms)} | ${fmt(d.ms)} | ${up(q.ms)} | ${up(ip.median_ms)} | ${status.slice(0, 160)} |`);
  }
  const both = out.filter((r) => r.quiver_http_ms !== undefined && r.duckdb_ms !== undefined);
  const bothIp = out.filter((r) => r.quiver_inproc_ms !== undefined && r.duckdb_ms !== undefined);
  const ok = out.filter((r) => r.status.startsWith('ok')).length;
  const faster = both.filter((r) => r.quiver_http_ms < r.duckdb_ms).length;
  console.log(`\n${out.length} queries: ${ok} agree with DuckDB, ${out.length - both.length} fail in Quiver ` +
              `or DuckDB, ${both.length - ok} answered but differ; Quiver faster over HTTP on ${faster} of ${both.length}`);
  console.log(`geometric-mean speed-up over the ${both.length} both answered: ` +
              `${geomean(both.map((r) => r.duckdb_ms / r.quiver_http_ms)).toFixed(2)}x over HTTP, ` +
              `${geomean(bothIp.map((r) => r.duckdb_ms / r.quiver_inproc_ms)).toFixed(2)}x in process ` +
              `(${bothIp.length} queries)`);
  if (a.json) writeFileSync(a.json, JSON.stringify(out, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
