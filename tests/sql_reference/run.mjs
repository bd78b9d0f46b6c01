// The SQL reference test: every query of corpus.sql runs in Quiver (the real
// `quiver` CLI builds the pool, the real quiverd answers over HTTP) and in an
// in-memory DuckDB on the same CSV file, and every value is compared
// (tools/bench/sql_compare.mjs: floats to a relative 1e-9, NaN equal to NaN,
// in order only when the query's ORDER BY gives a total order).
//
//   node tests/sql_reference/run.mjs --quiver BIN --quiverd BIN --dir TMP
//        [--pending FILE] [--only SUBSTRING] [--verbose] [--write-pending]
//
// pending.txt names the queries expected to fail today (features of issue 14
// not built yet). The run fails when a query outside it fails, or when a
// pending query passes (remove it from the list: the list stays honest).
// --write-pending rewrites the list with the queries that fail now.
// Exit codes: 0 pass, 1 fail, 77 skipped (node cannot load @duckdb/node-api).
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRows, duckRows, parseQuiverJson, quiverRows } from '../../tools/bench/sql_compare.mjs';
import { kColumns, writeCsv } from './data.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const kSkip = 77;

function parseArgs() {
  const a = { pending: path.join(here, 'pending.txt'), only: '', verbose: false, writePending: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; ++i) {
    const k = argv[i];
    if (k === '--verbose') a.verbose = true;
    else if (k === '--write-pending') a.writePending = true;
    else a[k.replace(/^--/, '')] = argv[++i];
  }
  for (const k of ['quiver', 'quiverd', 'dir']) {
    if (!a[k]) throw new Error(`missing --${k}`);
  }
  return a;
}

// corpus.sql: `NAME: SQL` lines, each optionally followed by `  duckdb: SQL`.
function readCorpus(file) {
  const out = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const duck = /^\s+duckdb:\s*(.*)$/.exec(line);
    if (duck) {
      out[out.length - 1].duckdb = duck[1];
      continue;
    }
    const m = /^([\w.]+):\s*(.*)$/.exec(line);
    if (!m) throw new Error(`corpus.sql: cannot read line: ${line}`);
    out.push({ name: m[1], sql: m[2] });
  }
  return out;
}

// True when the statement's last top-level clause list has ORDER BY (outside
// parentheses and string literals).
function hasTopLevelOrderBy(sql) {
  let depth = 0;
  let quote = '';
  let found = false;
  for (let i = 0; i < sql.length; ++i) {
    const c = sql[i];
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') ++depth;
    else if (c === ')') --depth;
    else if (depth === 0 && /^order\s+by\b/i.test(sql.slice(i, i + 12)) && /\W/.test(sql[i - 1] || ' ')) found = true;
  }
  return found;
}

function startQuiverd(bin, pool, dir) {
  const config = path.join(dir, 'quiverd.json');
  writeFileSync(config, JSON.stringify({ threads: 2, query_threads: 2, max_result_rows: 10000000, log_requests: false }));
  const child = spawn(bin, ['--pool', pool, '--listen', '127.0.0.1:0', '--config', config],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`quiverd exited (${code}): ${err}`)));
  });
}

async function quiverQuery(url, sql) {
  const res = await fetch(`${url}/v1/query?int64_as_string=true`, {
    method: 'POST', headers: { 'Content-Type': 'application/sql' }, body: sql,
  });
  const doc = parseQuiverJson(await res.text());
  if (!res.ok || doc.error) {
    return { error: doc.error ? `${doc.error.code}: ${doc.error.message.split('\n')[0]}` : `HTTP ${res.status}` };
  }
  return { rows: quiverRows(doc) };
}

async function duckQuery(conn, sql) {
  try {
    return { rows: duckRows(await conn.runAndReadAll(sql)) };
  } catch (e) {
    return { error: String(e.message || e).split('\n')[0] };
  }
}

// Pass or fail, with why.
function judge(q, d) {
  // Both fail: right when Quiver refused to run it (an overflow, a domain
  // error), not when it could not parse or bind it.
  const unbuilt = /^(not_found|not_supported|type_error)|syntax error/;
  if (d.error && q.error && !unbuilt.test(q.error)) {
    return { ok: true, note: `both fail (DuckDB: ${d.error})` };
  }
  if (d.error && q.error) return { ok: false, note: `${q.error} (DuckDB fails too: ${d.error})` };
  if (d.error) return { ok: false, note: `DuckDB fails (${d.error}) but Quiver answers` };
  if (q.error) return { ok: false, note: q.error };
  return compareRows(q.rows, d.rows, { ordered: q.ordered });
}

async function main() {
  const a = parseArgs();
  let DuckDBInstance;
  try {
    const require = createRequire(import.meta.url);
    ({ DuckDBInstance } = require(path.join(here, '../../.deps/node/node_modules/@duckdb/node-api')));
  } catch (e) {
    console.log(`SKIP: cannot load @duckdb/node-api (tools/node/install.sh): ${e.message.split('\n')[0]}`);
    process.exit(kSkip);
  }
  const corpus = readCorpus(path.join(here, 'corpus.sql')).filter((e) => e.name.includes(a.only));
  // One name a line; a '#' starts a comment (the reason it fails).
  const pending = new Set(readFileSync(a.pending, 'utf8').split('\n').map((l) => l.split('#')[0].trim())
    .filter(Boolean));

  rmSync(a.dir, { recursive: true, force: true });
  mkdirSync(a.dir, { recursive: true });
  const csv = path.join(a.dir, 't.csv'), pool = path.join(a.dir, 't.pool');
  writeCsv(csv);
  execFileSync(a.quiver, ['pool', 'create', pool, '--size', '256M'], { stdio: 'ignore' });
  execFileSync(a.quiver, ['ingest', pool, 't', csv, '--quiet', '--chunk-rows', '8192',
                          '--schema', kColumns.map((c) => `${c[0]}:${c[1]}`).join(',')]);
  const server = await startQuiverd(a.quiverd, pool, a.dir);
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await db.connect();
  const columns = '{' + kColumns.map((c) => `'${c[0]}': '${c[2]}'`).join(', ') + '}';
  await conn.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv}', header = true, auto_detect = false,
      quote = '"', escape = '"', allow_quoted_nulls = false, columns = ${columns})`);

  let pass = 0, pend = 0;
  const bad = [], fixed = [], failing = [];
  try {
    for (const e of corpus) {
      const d = await duckQuery(conn, e.duckdb || e.sql);
      const q = await quiverQuery(server.url, e.sql);
      q.ordered = hasTopLevelOrderBy(e.sql);
      const r = judge(q, d);
      if (!r.ok) failing.push(`${e.name}  # ${r.note.slice(0, 100)}`);
      if (r.ok && pending.has(e.name)) fixed.push(e.name);
      else if (r.ok) ++pass;
      else if (pending.has(e.name)) ++pend;
      else bad.push(`${e.name}: ${r.note}`);
      if (a.verbose) {
        const n = d.rows ? `${d.rows.length} rows` : 'error';
        console.log(`${r.ok ? 'pass' : pending.has(e.name) ? 'PEND' : 'FAIL'} ${e.name} (DuckDB: ${n}): ${r.note || ''}`);
      }
    }
  } finally {
    server.child.kill('SIGTERM');
  }
  if (a.writePending) {
    writeFileSync(a.pending, '# Queries of corpus.sql that fail today (expected failures); the reference\n' +
      '# test fails when one of them passes: remove it then. After "#": why it\n' +
      '# failed when the list was written.\n' + failing.join('\n') + '\n');
    console.log(`wrote ${failing.length} names to ${a.pending}`);
  }
  for (const b of bad) console.log(`FAIL ${b}`);
  for (const f of fixed) console.log(`PASSES BUT PENDING ${f} (remove it from pending.txt)`);
  console.log(`${corpus.length} queries: ${pass + fixed.length} pass, ${pend} pending` +
              (bad.length ? `, ${bad.length} FAIL` : '') + (fixed.length ? `, ${fixed.length} pass but are pending` : ''));
  process.exit(a.writePending || (!bad.length && !fixed.length) ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
