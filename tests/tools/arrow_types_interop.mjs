// Flat Arrow types Quiver stores as they come (issue 16 item 0): date64,
// time32/time64, duration (every unit), float16, the three interval units,
// and dictionaries with int64 and unsigned (uint8 … uint64) indices. apache-arrow writes an IPC file of each; the real quiver CLI ingests
// it, exports it (file and stream) and apache-arrow reads back the same
// type and the same bytes; queries filter (IS NULL, comparisons), sort and
// take min/max where the type has an order.
//
//   node tests/tools/arrow_types_interop.mjs --quiver BIN --dir TMP
// Exit codes: 0 pass, 1 fail, 77 skipped (apache-arrow missing).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTest } from '../node_test_util.mjs';

const t = startTest({ require: ['apache-arrow'] });
const { args, pool, quiver, fail } = t;
const arrow = t.modules['apache-arrow'];

const n = 50;
const valid = new Uint8Array(Math.ceil(n / 8));
let nulls = 0;
for (let i = 0; i < n; ++i) {
  if (i % 5 === 2) ++nulls;
  else valid[i >> 3] |= 1 << (i & 7);
}
// Physical values: `words` 32-bit words per row from f(i) (BigInt per word
// group as the layout needs).
function data(type, array) {
  return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: valid, data: array });
}
const i32 = (f) => Int32Array.from({ length: n }, (_, i) => f(i));
const i64 = (f) => BigInt64Array.from({ length: n }, (_, i) => BigInt(f(i)));
const cols = {
  d64: data(new arrow.DateMillisecond(), i64((i) => (19000 + i * 37 - 900) * 86400000)),
  t32s: data(new arrow.TimeSecond(), i32((i) => (i * 3637) % 86400)),
  t32ms: data(new arrow.TimeMillisecond(), i32((i) => (i * 3637123) % 86400000)),
  t64us: data(new arrow.TimeMicrosecond(), i64((i) => (i * 3637123457) % 86400000000)),
  t64ns: data(new arrow.TimeNanosecond(), i64((i) => (i * 3637123456789) % 86400000000000)),
  dur_s: data(new arrow.DurationSecond(), i64((i) => (i - 25) * 1000003)),
  dur_ms: data(new arrow.DurationMillisecond(), i64((i) => (25 - i) * 7)),
  dur_us: data(new arrow.DurationMicrosecond(), i64((i) => i * i)),
  dur_ns: data(new arrow.DurationNanosecond(), i64((i) => -i)),
  f16: data(new arrow.Float16(), Uint16Array.from({ length: n }, (_, i) => [0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001][i % 5])),
  iym: data(new arrow.IntervalYearMonth(), i32((i) => i * 13 - 300)),
  idt: data(new arrow.IntervalDayTime(), Int32Array.from({ length: 2 * n }, (_, k) => (k % 2 ? k * 1000 : k - 40))),
  imdn: data(new arrow.IntervalMonthDayNano(), Int32Array.from({ length: 4 * n }, (_, k) => k * 3 - 100)),
};
const vectors = {};
for (const [k, d] of Object.entries(cols)) vectors[k] = arrow.makeVector(d);
const table = new arrow.Table(vectors);
const inFile = path.join(args.dir, 'types.arrow');
writeFileSync(inFile, arrow.tableToIPC(table, 'file'));
quiver('pool', 'create', pool);
quiver('ingest', pool, 't', inFile);

const bytes = (d) => Buffer.from(d.values.buffer, d.values.byteOffset, d.values.byteLength);
for (const fmt of ['arrow-file', 'arrow']) {
  const out = path.join(args.dir, `back.${fmt}`);
  quiver('export', pool, 't', '-o', out, '--format', fmt);
  const back = arrow.tableFromIPC(readFileSync(out));
  for (const k of Object.keys(cols)) {
    const a = table.getChild(k), b = back.getChild(k);
    if (!b) {
      fail(`${fmt}: column ${k} missing`);
      continue;
    }
    if (String(a.type) !== String(b.type)) fail(`${fmt} ${k}: type ${b.type}, wrote ${a.type}`);
    const da = a.data[0], db = b.data[0];
    const w = bytes(da).length / n;
    for (let i = 0; i < n; ++i) {
      const va = da.getValid(i), vb = db.getValid(i);
      const xa = bytes(da).subarray(i * w, (i + 1) * w), xb = bytes(db).subarray((db.offset + i) * w, (db.offset + i + 1) * w);
      if (va !== vb || (va && !xa.equals(xb))) {
        fail(`${fmt} ${k} row ${i}: valid ${vb} ${xb.toString('hex')}, wrote ${va} ${xa.toString('hex')}`);
        break;
      }
    }
  }
}

// Queries over them.
const sql = (q) => quiver('sql', pool, q, '--format', 'ndjson').split('\n').filter((l) => l).map((l) => JSON.parse(l));
const nonNull = [...Array(n).keys()].filter((i) => i % 5 !== 2);
const rows = sql('SELECT count(*) AS c FROM t WHERE f16 IS NULL AND imdn IS NULL');
if (rows[0].c !== nulls) fail(`IS NULL count ${rows[0].c}, want ${nulls}`);
const day = (i) => 19000 + i * 37 - 900;
const cut = day(20);
const dateText = (d) => new Date(d * 86400000).toISOString().slice(0, 10);
const got = sql(`SELECT d64 FROM t WHERE d64 >= '${dateText(cut)}' ORDER BY d64`).map((r) => r.d64);
const want = nonNull.filter((i) => day(i) >= cut).map((i) => dateText(day(i))).sort();
if (JSON.stringify(got) !== JSON.stringify(want)) fail(`date64 filter: ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
const mm = sql('SELECT min(dur_s) AS lo, max(dur_s) AS hi, count(dur_s) AS c FROM t')[0];
const durs = nonNull.map((i) => (i - 25) * 1000003);
if (mm.lo !== Math.min(...durs) || mm.hi !== Math.max(...durs) || mm.c !== durs.length) fail(`duration min/max ${JSON.stringify(mm)}`);
const times = sql('SELECT t32s FROM t WHERE t32s > 40000 ORDER BY t32s DESC NULLS LAST').map((r) => r.t32s);
const tt = nonNull.map((i) => (i * 3637) % 86400).filter((x) => x > 40000).sort((a, b) => b - a)
  .map((x) => [x / 3600, (x / 60) % 60, x % 60].map((v) => String(Math.floor(v)).padStart(2, '0')).join(':'));
if (JSON.stringify(times) !== JSON.stringify(tt)) fail(`time32 filter/sort: ${JSON.stringify(times)} want ${JSON.stringify(tt)}`);
// A time-of-day literal selects what the count of seconds does.
const byText = sql("SELECT t32s FROM t WHERE t32s > '11:06:40' ORDER BY t32s DESC NULLS LAST").map((r) => r.t32s);
if (JSON.stringify(byText) !== JSON.stringify(tt)) fail(`time32 text literal: ${JSON.stringify(byText)}`);
const f16 = sql('SELECT f16 FROM t LIMIT 2').map((r) => r.f16);
if (JSON.stringify(f16) !== JSON.stringify([1, -2])) fail(`float16 values ${JSON.stringify(f16)}`);
// float16 computes as its float32 value (filter, sort, min/max) and is
// returned as float16 where it is selected as it is.
const halfBits = [0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001];
const halfValue = (b) => (b & 0x7c00 ? 2 ** (((b >> 10) & 0x1f) - 15) * (1 + (b & 0x3ff) / 1024) : (b & 0x3ff) * 2 ** -24) * (b & 0x8000 ? -1 : 1);
const halves = nonNull.map((i) => halfValue(halfBits[i % 5]));
const f32 = (xs) => xs.map((x) => Math.fround(x));
const positive = f32(sql('SELECT f16 FROM t WHERE f16 > 0 ORDER BY f16 DESC NULLS LAST').map((r) => r.f16));
const wantPositive = f32(halves.filter((x) => x > 0).sort((a, b) => b - a));
if (JSON.stringify(positive) !== JSON.stringify(wantPositive)) fail(`float16 filter/sort: ${JSON.stringify(positive)}`);
const hm = sql('SELECT min(f16) AS lo, max(f16) AS hi, count(DISTINCT f16) AS d FROM t')[0];
if (Math.fround(hm.lo) !== Math.fround(Math.min(...halves)) || Math.fround(hm.hi) !== Math.fround(Math.max(...halves)) || hm.d !== new Set(halves).size) {
  fail(`float16 min/max/count distinct ${JSON.stringify(hm)}`);
}
const halfOut = path.join(args.dir, 'half.arrows');
quiver('export', pool, 't', '-o', halfOut, '--format', 'arrow', '--where', 'f16 > 0', '--select', 'f16');
const halfBack = arrow.tableFromIPC(readFileSync(halfOut)).getChild('f16');
if (String(halfBack.type) !== String(new arrow.Float16())) fail(`float16 filtered export type ${halfBack.type}`);
// CAST(x AS varchar) gives the text CSV prints, for every type here.
const asText = sql(`SELECT ${Object.keys(cols).map((k) => `CAST(${k} AS varchar) AS ${k}`).join(', ')} FROM t LIMIT 5`);
const csvText = quiver('sql', pool, `SELECT ${Object.keys(cols).join(', ')} FROM t LIMIT 5`, '--format', 'csv').trim().split('\n').slice(1);
asText.forEach((row, i) => {
  const line = Object.keys(cols).map((k) => row[k] ?? '').join(',');
  if (line !== csvText[i]) fail(`CAST AS varchar row ${i}: ${line}, csv ${csvText[i]}`);
});
// Intervals back from their CSV text into each layout: the same bytes.
const ivCsv = path.join(args.dir, 'iv.csv');
quiver('export', pool, 't', '-o', ivCsv, '--select', 'iym, idt, imdn');
quiver('ingest', pool, 'iv', ivCsv, '--schema', 'iym:interval[year_month],idt:interval[day_time],imdn:interval');
const ivOut = path.join(args.dir, 'iv.arrows');
quiver('export', pool, 'iv', '-o', ivOut, '--format', 'arrow');
const ivBack = arrow.tableFromIPC(readFileSync(ivOut));
for (const k of ['iym', 'idt', 'imdn']) {
  const a = table.getChild(k).data[0], b = ivBack.getChild(k).data[0];
  const w = bytes(a).length / n;
  for (let i = 0; i < n; ++i) {
    const same = a.getValid(i) === b.getValid(i) &&
      (!a.getValid(i) || bytes(a).subarray(i * w, (i + 1) * w).equals(bytes(b).subarray((b.offset + i) * w, (b.offset + i + 1) * w)));
    if (!same) {
      fail(`${k} row ${i} through CSV`);
      break;
    }
  }
}
try {
  quiver('sql', pool, 'SELECT sum(d64) AS s FROM t');
  fail('sum of date64 did not fail');
} catch (e) {
  if (!/date64/.test(String(e.stdout) + String(e.stderr))) fail(`sum(date64) message: ${e.stdout}${e.stderr}`);
}
// Dictionaries with int64 and unsigned indices (table d): stored as they
// come, returned with the same index type, grouped and filtered by value.
const words = arrow.vectorFromArray(['red', 'green', 'blue', 'cyan', 'plum'], new arrow.Utf8());
const indexTypes = { di64: [new arrow.Int64(), BigInt64Array], du8: [new arrow.Uint8(), Uint8Array],
  du16: [new arrow.Uint16(), Uint16Array], du32: [new arrow.Uint32(), Uint32Array],
  du64: [new arrow.Uint64(), BigUint64Array] };
const dcols = {};
for (const [k, [it, Arr]] of Object.entries(indexTypes)) {
  const idx = Arr.from({ length: n }, (_, i) => (Arr === BigInt64Array || Arr === BigUint64Array ? BigInt((i * 3) % 5) : (i * 3) % 5));
  dcols[k] = arrow.makeVector(arrow.makeData({ type: new arrow.Dictionary(new arrow.Utf8(), it, Object.keys(dcols).length), length: n,
    nullCount: nulls, nullBitmap: valid, data: idx, dictionary: words }));
}
// Row values through the indices (apache-arrow's own getter fails on 64-bit ones).
const dictValues = (vec) => vec.data.flatMap((d) => [...Array(d.length).keys()].map((i) =>
  (d.getValid(i) ? d.dictionary.get(Number(d.values[d.offset + i])) : null)));
const dtable = new arrow.Table(dcols);
const dFile = path.join(args.dir, 'dict.arrow');
writeFileSync(dFile, arrow.tableToIPC(dtable, 'stream'));
quiver('ingest', pool, 'd', dFile);
for (const fmt of ['arrow-file', 'arrow']) {
  const out = path.join(args.dir, `dict.${fmt}`);
  quiver('export', pool, 'd', '-o', out, '--format', fmt);
  const back = arrow.tableFromIPC(readFileSync(out));
  for (const k of Object.keys(dcols)) {
    const a = dtable.getChild(k), b = back.getChild(k);
    if (!b || String(a.type.indices) !== String(b.type.indices)) {
      fail(`${fmt} ${k}: type ${b && b.type}, wrote ${a.type}`);
      continue;
    }
    const va = dictValues(a), vb = dictValues(b);
    if (JSON.stringify(va) !== JSON.stringify(vb)) fail(`${fmt} ${k}: ${JSON.stringify(vb)} wrote ${JSON.stringify(va)}`);
  }
}
const name = (i) => ['red', 'green', 'blue', 'cyan', 'plum'][(i * 3) % 5];
for (const k of Object.keys(dcols)) {
  const g = sql(`SELECT ${k} AS v, count(*) AS c FROM d GROUP BY ${k} ORDER BY ${k}`);
  const counts = {};
  for (const i of nonNull) counts[name(i)] = (counts[name(i)] || 0) + 1;
  const wantG = [...Object.keys(counts).sort().map((v) => ({ v, c: counts[v] })), { v: null, c: nulls }];
  if (JSON.stringify(g) !== JSON.stringify(wantG)) fail(`group by ${k}: ${JSON.stringify(g)} want ${JSON.stringify(wantG)}`);
  const hit = sql(`SELECT count(*) AS c FROM d WHERE ${k} = 'blue' OR ${k} IS NULL`)[0].c;
  if (hit !== nonNull.filter((i) => name(i) === 'blue').length + nulls) fail(`filter ${k}: ${hit}`);
}
const csv = quiver('sql', pool, 'SELECT du64, di64 FROM d LIMIT 3', '--format', 'csv');
if (csv !== 'du64,di64\nred,red\ncyan,cyan\n,\n') fail(`csv of dictionaries: ${JSON.stringify(csv)}`);

t.finish(`arrow types interop: ${Object.keys(cols).length} columns and ${Object.keys(dcols).length} dictionary index types round-trip`);
