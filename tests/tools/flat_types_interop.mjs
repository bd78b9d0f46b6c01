// The remaining flat Arrow types of issue 16 through the real quiver CLI,
// with apache-arrow as the independent writer and reader:
//   fixed_size_binary[5]: IPC file and stream in and out (same type, same
//     bytes), queries (=, <>, IN with hex literals, ORDER BY, GROUP BY,
//     count(DISTINCT), min/max, IS NULL) against values computed here, and
//     Parquet out and back (DuckDB reads the FIXED_LEN_BYTE_ARRAY too).
//   null: every value null, IPC in and out, IS NULL true for every row,
//     count(col) = 0.
//   large_utf8 / large_binary: back out as large_* with equal values;
//     queries work on them as on utf8 / binary.
//   utf8_view / binary_view: accepted on ingest (stored as utf8 / binary),
//     equal values out.
//
//   node tests/tools/flat_types_interop.mjs --quiver BIN --dir TMP
// Exit codes: 0 pass, 1 fail, 77 skipped (apache-arrow missing).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTest } from '../node_test_util.mjs';

const t = startTest({ require: ['apache-arrow'], optional: ['@duckdb/node-api'] });
const { args, pool, quiver, fail } = t;
const sql = t.ndjson;
const arrow = t.modules['apache-arrow'];
const DuckDBInstance = t.modules['@duckdb/node-api']?.DuckDBInstance ?? null;
const expectEq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) fail(`${what}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
};
quiver('pool', 'create', pool);

const n = 60;
const isNull = (i) => i % 7 === 3;
const valid = new Uint8Array(Math.ceil(n / 8));
let nulls = 0;
for (let i = 0; i < n; ++i) {
  if (isNull(i)) ++nulls;
  else valid[i >> 3] |= 1 << (i & 7);
}
const ids = arrow.vectorFromArray(Array.from({ length: n }, (_, i) => i), new arrow.Int32());
const exportBoth = (table) => ['arrow-file', 'arrow'].map((fmt) => {
  const out = path.join(args.dir, `${table}.${fmt}`);
  quiver('export', pool, table, '-o', out, '--format', fmt);
  return [fmt, arrow.tableFromIPC(readFileSync(out))];
});

// --- fixed_size_binary[5] --------------------------------------------------
// Row i: 5 bytes; rows repeat every 13 so that GROUP BY and DISTINCT see
// duplicates, and trailing zero bytes occur.
const W = 5;
const fsbHex = (i) => Array.from({ length: W }, (_, k) => ((i % 13) * 53 + k * (k === W - 1 ? 0 : 29)) & 255)
  .map((b) => b.toString(16).padStart(2, '0')).join('');
const fsbBytes = Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.from(fsbHex(i), 'hex')));
const fsb = arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeBinary(W), length: n, nullCount: nulls,
  nullBitmap: valid, data: new Uint8Array(fsbBytes) }));
const fsbTable = new arrow.Table({ id: ids, k: fsb });
for (const [name, kind] of [['f', 'file'], ['fs', 'stream']]) {
  const file = path.join(args.dir, `${name}.arrow`);
  writeFileSync(file, arrow.tableToIPC(fsbTable, kind));
  quiver('ingest', pool, name, file);
}
const hexOf = (d, i) => Buffer.from(d.values.buffer, d.values.byteOffset + (d.offset + i) * W, W).toString('hex');
for (const name of ['f', 'fs']) {
  for (const [fmt, back] of exportBoth(name)) {
    const k = back.getChild('k');
    if (String(k.type) !== String(fsb.type)) fail(`${name} ${fmt}: type ${k.type}, wrote ${fsb.type}`);
    const d = k.data[0];
    for (let i = 0; i < n; ++i) {
      const want = isNull(i) ? null : fsbHex(i);
      const got = d.getValid(i) ? hexOf(d, i) : null;
      if (got !== want) {
        fail(`${name} ${fmt} row ${i}: ${got}, wrote ${want}`);
        break;
      }
    }
  }
}
const live = [...Array(n).keys()].filter((i) => !isNull(i));
const b64 = (hex) => Buffer.from(hex, 'hex').toString('base64');
const pick = fsbHex(4), pick2 = fsbHex(9);
expectEq('fsb = hex', sql(`SELECT id FROM f WHERE k = '${pick}' ORDER BY id`).map((r) => r.id),
  live.filter((i) => fsbHex(i) === pick));
expectEq('fsb IN (\\x.., 0x..)', sql(`SELECT id FROM f WHERE k IN ('\\x${pick}', '0x${pick2}') ORDER BY id`).map((r) => r.id),
  live.filter((i) => fsbHex(i) === pick || fsbHex(i) === pick2));
expectEq('fsb <>', sql(`SELECT count(*) AS c FROM f WHERE k <> '${pick}'`)[0].c,
  live.filter((i) => fsbHex(i) !== pick).length);
expectEq('fsb >', sql(`SELECT id FROM f WHERE k > '${pick}' ORDER BY id`).map((r) => r.id),
  live.filter((i) => fsbHex(i) > pick));
const sorted = live.map((i) => [fsbHex(i), i]).sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : a[1] - b[1]));
expectEq('fsb ORDER BY DESC', sql('SELECT id, k FROM f WHERE k IS NOT NULL ORDER BY k DESC, id').map((r) => [r.k, r.id]),
  sorted.map(([h, i]) => [b64(h), i]));
const groups = {};
for (const i of live) groups[fsbHex(i)] = (groups[fsbHex(i)] || 0) + 1;
expectEq('fsb GROUP BY', sql('SELECT k, count(*) AS c FROM f GROUP BY k ORDER BY k NULLS LAST').map((r) => [r.k, r.c]),
  [...Object.keys(groups).sort().map((h) => [b64(h), groups[h]]), [null, nulls]]);
const hexes = live.map(fsbHex).sort();
expectEq('fsb min/max/count distinct', sql('SELECT min(k) AS lo, max(k) AS hi, count(DISTINCT k) AS d, count(k) AS c FROM f')[0],
  { lo: b64(hexes[0]), hi: b64(hexes[hexes.length - 1]), d: Object.keys(groups).length, c: live.length });
expectEq('fsb IS NULL', sql('SELECT id FROM f WHERE k IS NULL ORDER BY id').map((r) => r.id),
  [...Array(n).keys()].filter(isNull));
expectEq('fsb in coalesce, CASE and CAST AS BLOB',
  sql('SELECT coalesce(k, k) AS a, CASE WHEN id > 2 THEN k END AS b, CAST(k AS BLOB) AS c FROM f WHERE id < 6 ORDER BY id'),
  [0, 1, 2, 3, 4, 5].map((i) => {
    const v = isNull(i) ? null : b64(fsbHex(i));
    return { a: v, b: i > 2 ? v : null, c: v };
  }));
try {
  sql("SELECT id FROM f WHERE k = 'abc'");
  fail('a 3-byte literal for fixed_size_binary[5] did not fail');
} catch (e) {
  if (!/fixed_size_binary\[5\]/.test(String(e.stderr))) fail(`short literal message: ${e.stderr}`);
}
try {
  sql('SELECT sum(k) AS s FROM f');
  fail('sum of fixed_size_binary did not fail');
} catch (e) {
  if (!/fixed_size_binary\[5\]/.test(String(e.stderr)) || !/"k"/.test(String(e.stderr))) fail(`sum(k) message: ${e.stderr}`);
}
// Parquet: FIXED_LEN_BYTE_ARRAY out, fixed_size_binary back in.
const pq = path.join(args.dir, 'f.parquet');
quiver('export', pool, 'f', '-o', pq, '--format', 'parquet');
quiver('ingest', pool, 'fp', pq);
expectEq('fsb through Parquet', sql('SELECT id, k FROM fp ORDER BY id'), sql('SELECT id, k FROM f ORDER BY id'));
expectEq('fsb Parquet schema', quiver('schema', pool, 'fp').includes('fixed_size_binary[5]'), true);
if (DuckDBInstance) {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  const reader = await conn.runAndReadAll(`SELECT id, lower(hex(k)) AS h FROM read_parquet('${pq}') ORDER BY id`);
  const got = reader.getRowObjects().map((r) => [Number(r.id), r.h]);
  expectEq('DuckDB reads fsb Parquet', got, [...Array(n).keys()].map((i) => [i, isNull(i) ? null : fsbHex(i)]));
}

// hex and octet_length of fixed_size_binary: its bytes.
expectEq('fixed_size_binary hex/octet_length', sql('SELECT hex(k) AS h, octet_length(k) AS n FROM f ORDER BY id'),
  Array.from({ length: n }, (_, i) => (isNull(i) ? { h: null, n: null } : { h: fsbHex(i).toUpperCase(), n: W })));

// --- null ------------------------------------------------------------------
const nullVec = arrow.makeVector(arrow.makeData({ type: new arrow.Null(), length: n, nullCount: n }));
const nullTable = new arrow.Table({ id: ids, z: nullVec });
writeFileSync(path.join(args.dir, 'z.arrow'), arrow.tableToIPC(nullTable, 'stream'));
quiver('ingest', pool, 'z', path.join(args.dir, 'z.arrow'));
for (const [fmt, back] of exportBoth('z')) {
  const z = back.getChild('z');
  if (!z || String(z.type) !== 'Null') fail(`null ${fmt}: type ${z && z.type}`);
  else if (z.length !== n || z.nullCount !== n) fail(`null ${fmt}: ${z.length} rows, ${z.nullCount} null`);
  expectEq(`null ${fmt} ids`, [...back.getChild('id')], [...Array(n).keys()]);
}
expectEq('null IS NULL', sql('SELECT count(*) AS c FROM z WHERE z IS NULL')[0].c, n);
expectEq('null IS NOT NULL', sql('SELECT count(*) AS c FROM z WHERE z IS NOT NULL')[0].c, 0);
expectEq('null count(col)', sql('SELECT count(z) AS c, count(*) AS a FROM z')[0], { c: 0, a: n });
expectEq('null projected', sql('SELECT id, z FROM z WHERE id < 3 ORDER BY id'), [0, 1, 2].map((i) => ({ id: i, z: null })));
expectEq('null csv', quiver('sql', pool, 'SELECT z, id FROM z WHERE id = 1', '--format', 'csv').trim().split('\n'), ['z,id', ',1']);
expectEq('null schema', / z +\| null /.test(quiver('schema', pool, 'z')), true);
expectEq('null compared', sql("SELECT count(*) AS c FROM z WHERE z = 1 OR z IN ('a') OR id < 2")[0].c, 2);
expectEq('null min/max/distinct, sorted', sql('SELECT min(z) AS lo, max(z) AS hi, count(DISTINCT z) AS d FROM z')[0], { lo: null, hi: null, d: 0 });
expectEq('null ORDER BY', sql('SELECT id FROM z ORDER BY z, id DESC LIMIT 2').map((r) => r.id), [n - 1, n - 2]);
expectEq('null GROUP BY', sql('SELECT z, count(*) AS c FROM z GROUP BY z'), [{ z: null, c: n }]);
// Parquet: INT32 annotated UNKNOWN out, null back in.
const zpq = path.join(args.dir, 'z.parquet');
quiver('export', pool, 'z', '-o', zpq, '--format', 'parquet');
quiver('ingest', pool, 'zp', zpq);
expectEq('null through Parquet', / z +\| null /.test(quiver('schema', pool, 'zp')), true);
expectEq('null through Parquet count', sql('SELECT count(z) AS c, count(*) AS a FROM zp')[0], { c: 0, a: n });

// --- large_utf8 / large_binary, utf8_view / binary_view ----------------------
// Strings of 0..40 bytes (views inline up to 12, out of line beyond), with
// repeats for grouping; the same values in every column of a row.
const words = Array.from({ length: n }, (_, i) => (isNull(i) ? null : `w${i % 9}-` + 'xyz'.repeat(i % 14)));
const bytesOf = (w) => (w === null ? null : Buffer.from(w));
const strTable = new arrow.Table({
  id: ids,
  lu: arrow.vectorFromArray(words, new arrow.LargeUtf8()),
  lb: arrow.vectorFromArray(words.map(bytesOf), new arrow.LargeBinary()),
  vu: arrow.vectorFromArray(words, new arrow.Utf8View()),
  vb: arrow.vectorFromArray(words.map(bytesOf), new arrow.BinaryView()),
});
writeFileSync(path.join(args.dir, 's.arrow'), arrow.tableToIPC(strTable, 'file'));
quiver('ingest', pool, 's', path.join(args.dir, 's.arrow'));
const wantTypes = { lu: 'LargeUtf8', lb: 'LargeBinary', vu: 'Utf8', vb: 'Binary' };
for (const [fmt, back] of exportBoth('s')) {
  for (const [k, type] of Object.entries(wantTypes)) {
    const col = back.getChild(k);
    if (String(col.type) !== type) fail(`${k} ${fmt}: type ${col.type}, want ${type}`);
    const got = [...col].map((v) => (v === null ? null : Buffer.from(v).toString()));
    expectEq(`${k} ${fmt} values`, got, words);
  }
}
// Query results keep the declared type too.
const res = path.join(args.dir, 'res.arrows');
writeFileSync(res, execFileSync(args.quiver, ['sql', pool, 'SELECT lu, lb FROM s WHERE id < 5 ORDER BY id', '--format', 'arrow']));
const resT = arrow.tableFromIPC(readFileSync(res));
expectEq('large in results', resT.schema.fields.map((f) => String(f.type)), ['LargeUtf8', 'LargeBinary']);
expectEq('large result values', [...resT.getChild('lu')], words.slice(0, 5));
const liveWords = live.map((i) => words[i]);
for (const k of ['lu', 'vu']) {
  expectEq(`${k} =`, sql(`SELECT id FROM s WHERE ${k} = '${words[16]}' ORDER BY id`).map((r) => r.id),
    live.filter((i) => words[i] === words[16]));
  expectEq(`${k} ORDER BY`, sql(`SELECT ${k} AS v FROM s WHERE ${k} IS NOT NULL ORDER BY ${k}, id`).map((r) => r.v),
    [...liveWords].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  expectEq(`${k} count distinct / min`, sql(`SELECT count(DISTINCT ${k}) AS d, min(${k}) AS lo FROM s`)[0],
    { d: new Set(liveWords).size, lo: [...liveWords].sort()[0] });
  expectEq(`${k} LIKE`, sql(`SELECT count(*) AS c FROM s WHERE ${k} LIKE 'w3%'`)[0].c,
    liveWords.filter((w) => w.startsWith('w3')).length);
}
const spq = path.join(args.dir, 's.parquet');
quiver('export', pool, 's', '-o', spq, '--format', 'parquet');
quiver('ingest', pool, 'sp', spq);
expectEq('large through Parquet', sql('SELECT lu, lb, vu FROM sp ORDER BY id'), sql('SELECT lu, lb, vu FROM s ORDER BY id'));
expectEq('large type through Parquet (the footer\'s Arrow schema)', /lu +\| large_utf8 /.test(quiver('schema', pool, 'sp')), true);
expectEq('large schema', /lu +\| large_utf8 /.test(quiver('schema', pool, 's')) && /lb +\| large_binary /.test(quiver('schema', pool, 's')), true);

t.finish('all flat type checks passed');
