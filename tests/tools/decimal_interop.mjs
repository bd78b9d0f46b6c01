// Exact decimals against independent implementations (issue 16):
//  1. The same CSV read with --schema "price:decimal(18,4)" by the real quiver
//     CLI and by DuckDB (npm @duckdb/node-api): filters against literals,
//     sorts, groups, sum/min/max (exact text) and avg (double, DuckDB's
//     rule) agree value by value.
//  2. Arrow IPC files written by apache-arrow with decimal128(12, 2) and
//     decimal256(50, 5) columns go through quiver ingest and quiver export
//     (file and stream) and read back in apache-arrow with the same bytes.
//
//   node tests/tools/decimal_interop.mjs --quiver BIN --dir TMP
// Exit codes: 0 pass, 1 fail, 77 skipped (the npm packages are missing).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, '../../.deps/node/node_modules');
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];

let arrow, DuckDBInstance;
try {
  const require = createRequire(import.meta.url);
  arrow = require(path.join(modules, 'apache-arrow'));
  ({ DuckDBInstance } = require(path.join(modules, '@duckdb/node-api')));
} catch (e) {
  console.log(`SKIP: cannot load apache-arrow / @duckdb/node-api (tools/node/install.sh): ${e.message.split('\n')[0]}`);
  process.exit(77);
}

rmSync(args.dir, { recursive: true, force: true });
mkdirSync(args.dir, { recursive: true });
const pool = path.join(args.dir, 'p.pool');
const quiver = (...a) => execFileSync(args.quiver, a, { encoding: 'utf8', maxBuffer: 1 << 28 });
let failures = 0;
const fail = (what) => {
  ++failures;
  console.log(`FAIL ${what}`);
};

// Deterministic values: up to 14 integer digits and 4 fractional, both
// signs, some NULL, repeats (for groups), extremes of decimal(18, 4).
let seed = 16n;
function rand(n) {
  seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
  return (seed >> 11n) % n;
}
function decimalText(v, scale) {
  const neg = v < 0n;
  let s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
  return (neg ? '-' : '') + s;
}
const rows = ['id,cat,price'];
const kMax = 10n ** 18n - 1n;
for (let i = 0; i < 3000; ++i) {
  let v;
  const pick = rand(10n);
  if (pick === 0n) v = null;
  else if (pick === 1n) v = rand(2n) ? kMax : -kMax;
  else if (pick < 5n) v = rand(2000n) - 1000n;  // small, repeating
  else v = rand(kMax) * (rand(2n) ? 1n : -1n);
  rows.push(`${i},${'abcde'[Number(rand(5n))]},${v === null ? '' : decimalText(v, 4)}`);
}
const csv = path.join(args.dir, 'd.csv');
writeFileSync(csv, rows.join('\n') + '\n');
quiver('pool', 'create', pool);
quiver('ingest', pool, 't', csv, '--schema', 'price:decimal(18,4),cat:utf8');

const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await db.connect();
await conn.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv}', header = true,
                columns = {'id': 'BIGINT', 'cat': 'VARCHAR', 'price': 'DECIMAL(18,4)'})`);

const queries = [
  'SELECT count(price) AS c, sum(price) AS s, min(price) AS lo, max(price) AS hi, avg(price) AS a FROM t',
  'SELECT cat, count(price) AS c, sum(price) AS s, min(price) AS lo, max(price) AS hi, avg(price) AS a FROM t GROUP BY cat ORDER BY cat',
  'SELECT price, count(*) AS n FROM t GROUP BY price ORDER BY price NULLS LAST',
  'SELECT id, price FROM t ORDER BY price DESC NULLS LAST, id LIMIT 50',
  'SELECT id, price FROM t ORDER BY price NULLS FIRST, id LIMIT 50',
  'SELECT sum(price) AS s FROM t WHERE price > 0',
  'SELECT count(*) AS n FROM t WHERE price IS NULL',
];
for (const lit of ['10.5', '0.1', '-3.25', '12.34567', '-999.99995', '0', "'100.0005'", '99999999999999.9999', '1e20', '-1e20']) {
  for (const op of ['=', '<>', '<', '<=', '>', '>=']) {
    queries.push(`SELECT count(*) AS n, sum(price) AS s FROM t WHERE price ${op} ${lit}`);
  }
}
queries.push('SELECT id, price FROM t WHERE price BETWEEN -10.5 AND 10.25 ORDER BY id');
queries.push('SELECT id, price FROM t WHERE price IN (0.5, -0.5, 1.25, 999.9) ORDER BY id');

function same(q, d) {
  if (q === null || d === null) return q === d;
  if (typeof d === 'number') return Math.abs(Number(q) - d) <= 1e-12 * Math.max(1, Math.abs(d));
  return String(q) === String(d);
}
for (const sql of queries) {
  const duckSql = sql.replace(/'100.0005'/, "'100.0005'::DECIMAL(18,4)");
  const want = (await conn.runAndReadAll(duckSql)).getRowsJson();
  const got = quiver('sql', pool, sql, '--format', 'ndjson')
    .split('\n').filter((l) => l).map((l) => Object.values(JSON.parse(l)));
  if (got.length !== want.length) {
    fail(`${sql}: ${got.length} rows, DuckDB ${want.length}`);
    continue;
  }
  for (let r = 0; r < want.length; ++r) {
    for (let c = 0; c < want[r].length; ++c) {
      if (!same(got[r][c], want[r][c])) {
        fail(`${sql}: row ${r} column ${c}: quiver ${JSON.stringify(got[r][c])}, DuckDB ${JSON.stringify(want[r][c])}`);
        r = want.length;
        break;
      }
    }
  }
}
console.log(`${queries.length} queries compared with DuckDB`);

// An overflowing sum is an error, not a wrapped value.
writeFileSync(path.join(args.dir, 'big.csv'), 'x\n' + Array(20).fill('9'.repeat(38)).join('\n') + '\n');
quiver('ingest', pool, 'big', path.join(args.dir, 'big.csv'), '--schema', 'x:decimal(38,0)');
try {
  quiver('sql', pool, 'SELECT sum(x) AS s FROM big');
  fail('sum over 38 digits did not fail');
} catch (e) {
  if (!/overflows decimal128\(38, 0\)/.test(String(e.stdout) + String(e.stderr))) fail(`overflow message: ${e.stderr}`);
}

// Arrow IPC round trip of decimal128 and decimal256 written by apache-arrow.
function decimalData(type, words, n, seedValues) {
  const data = new Uint32Array(n * words);
  const valid = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let i = 0; i < n; ++i) {
    if (i % 7 === 3) {
      ++nulls;
      continue;
    }
    valid[i >> 3] |= 1 << (i & 7);
    let v = seedValues(i);
    const mod = 1n << BigInt(32 * words);
    if (v < 0n) v += mod;
    for (let w = 0; w < words; ++w) data[i * words + w] = Number((v >> BigInt(32 * w)) & 0xffffffffn);
  }
  return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: valid, data });
}
const n = 100;
const d128 = decimalData(new arrow.Decimal(2, 12, 128), 4, n, (i) => BigInt(i * 12345 - 600000) * (i % 2 ? 1n : -1n));
const d256 = decimalData(new arrow.Decimal(5, 50, 256), 8, n, (i) => (10n ** 49n - 1n - BigInt(i) * 10n ** 40n) * (i % 3 ? 1n : -1n));
const table = new arrow.Table({ price: arrow.makeVector(d128), big: arrow.makeVector(d256) });
const inFile = path.join(args.dir, 'dec.arrow');
writeFileSync(inFile, arrow.tableToIPC(table, 'file'));
quiver('ingest', pool, 'dec', inFile);
const schema = quiver('schema', pool, 'dec', '--json');
if (!/"precision":12,"scale":2/.test(schema.replace(/\s/g, '')) || !/decimal256/.test(schema)) fail(`schema: ${schema}`);
for (const fmt of ['file', 'stream']) {
  const out = path.join(args.dir, `back.${fmt}`);
  quiver('export', pool, 'dec', '-o', out, '--format', fmt === 'file' ? 'arrow-file' : 'arrow');
  const back = arrow.tableFromIPC(readFileSync(out));
  for (const col of ['price', 'big']) {
    const a = table.getChild(col), b = back.getChild(col);
    if (String(a.type) !== String(b.type)) fail(`${fmt} ${col}: type ${b.type}, wrote ${a.type}`);
    for (let i = 0; i < n; ++i) {
      const x = a.get(i), y = b.get(i);
      if ((x === null) !== (y === null) || (x !== null && String(x) !== String(y))) {
        fail(`${fmt} ${col} row ${i}: read ${y}, wrote ${x}`);
        break;
      }
    }
  }
}
// Printed exactly in text outputs.
const csvOut = quiver('sql', pool, 'SELECT price, big FROM dec LIMIT 3', '--format', 'csv').trim().split('\n');
const want1 = decimalText(BigInt(1 * 12345 - 600000), 2) + ',' + decimalText(10n ** 49n - 1n - 10n ** 40n, 5);
if (csvOut[2] !== want1) fail(`csv row 1: ${csvOut[2]}, want ${want1}`);

console.log(failures ? `${failures} failures` : 'decimal interop: all values agree');
process.exit(failures ? 1 : 0);
