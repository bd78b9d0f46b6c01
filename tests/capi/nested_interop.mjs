// Nested columns from an independent Arrow writer to an independent C Data
// Interface consumer: apache-arrow (npm) writes an IPC file and a stream
// with list, large_list, fixed_size_list, struct, map and list<list>
// columns; the real `quiver ingest` stores them; capi_dump (a C program
// over libquiver.so whose reader, tests/capi/arrow_c_walk.h, is written from
// the C Data Interface specification alone) prints every row it reads
// through quiver_table_export_stream; every value and the child schemas
// (names, formats, nullability, the map's keys-sorted flag) must equal what
// this script gave apache-arrow.
//
//   node tests/capi/nested_interop.mjs --quiver BIN --dump CAPI_DUMP --dir TMP
// Exit codes: 0 pass, 1 fail, 77 skipped (apache-arrow missing).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTest } from '../node_test_util.mjs';

const t = startTest({ require: ['apache-arrow'], maxFailuresShown: 20 });
const { args, pool, run, fail } = t;
const arrow = t.modules['apache-arrow'];
const { Field, List, LargeList, FixedSizeList, Struct, Map_, Int16, Int32, Int64, Float32, Float64, Utf8 } = arrow;

// Rows as plain JS values (what apache-arrow is given and what the C reader
// must print): null rows, null items, empty lists.
const n = 70;
const rows = Array.from({ length: n }, (_, i) => ({
  id: i,
  tags: i % 5 === 4 ? null : Array.from({ length: i % 4 }, (_, k) => ((i + k) % 3 === 2 ? null : `t${i}_${k}\u00e9"`)),
  pt: i % 6 === 5 ? null : { x: i, y: i % 4 === 1 ? null : i * 1.25, name: `p${i}` },
  vec: i % 7 === 6 ? null : [i * 0.5, -i, i + 0.25],
  attrs: i % 8 === 7 ? null : Array.from({ length: i % 3 }, (_, k) => [`k${k}`, k === 1 ? null : i * 100 + k]),
  big: i % 9 === 8 ? null : [i, -i, 7],
  ll: Array.from({ length: i % 3 }, (_, j) => Array.from({ length: j }, (_, k) => i * 100 + j * 10 + k)),
}));

const types = {
  id: new Int32(),
  tags: new List(new Field('item', new Utf8(), true)),
  pt: new Struct([new Field('x', new Int32(), false), new Field('y', new Float64(), true), new Field('name', new Utf8(), true)]),
  vec: new FixedSizeList(3, new Field('v', new Float32(), true)),
  attrs: new Map_(new Field('entries', new Struct([new Field('key', new Utf8(), false), new Field('value', new Int64(), true)]), false), true),
  big: new LargeList(new Field('item', new Int16(), true)),
  ll: new List(new Field('inner', new List(new Field('item', new Int32(), true)), true)),
};
const toArrow = (name, v) => {
  if (v === null) return null;
  if (name === 'attrs') return new Map(v.map(([k, x]) => [k, x === null ? null : BigInt(x)]));
  return v;
};
const vectors = {};
for (const name of Object.keys(types)) {
  vectors[name] = arrow.vectorFromArray(rows.map((r) => toArrow(name, r[name])), types[name]);
}
const table = new arrow.Table(vectors);
writeFileSync(path.join(args.dir, 'n.arrow'), arrow.tableToIPC(table, 'file'));
writeFileSync(path.join(args.dir, 'n.arrows'), arrow.tableToIPC(table, 'stream'));

run(args.quiver, 'pool', 'create', pool);
run(args.quiver, 'ingest', pool, 't', path.join(args.dir, 'n.arrow'));
run(args.quiver, 'ingest', pool, 't', path.join(args.dir, 'n.arrows'), '--append');
const lines = run(args.dump, pool, 't').split('\n').filter((l) => l);

// The schema: formats and child fields, as arrow_c_walk renders them.
const child = (name, nullable, type) => ({ name, nullable, type });
const wantSchema = [
  { name: 'id', type: 'i' },
  { name: 'tags', type: ['+l', child('item', true, 'u')] },
  { name: 'pt', type: ['+s', child('x', false, 'i'), child('y', true, 'g'), child('name', true, 'u')] },
  { name: 'vec', type: ['+w:3', child('v', true, 'f')] },
  { name: 'attrs', type: ['+m', child('entries', false, ['+s', child('key', false, 'u'), child('value', true, 'l')]), 'keys_sorted'] },
  // large_list is held with 32-bit offsets and exported as a list (store/capi/quiver.h).
  { name: 'big', type: ['+l', child('item', true, 's')] },
  { name: 'll', type: ['+l', child('inner', true, ['+l', child('item', true, 'i')])] },
];
const gotSchema = JSON.parse(lines[0]).schema;
if (JSON.stringify(gotSchema) !== JSON.stringify(wantSchema)) {
  fail(`schema: ${JSON.stringify(gotSchema)}\n  want ${JSON.stringify(wantSchema)}`);
}

// Values: maps print as their entries structs.
const expectRow = (r) => Object.keys(types).map((name) => {
  const v = r[name];
  if (name === 'attrs' && v !== null) return v.map(([key, value]) => ({ key, value }));
  if (name === 'vec' && v !== null) return v.map((x) => Math.fround(x));
  return v;
});
const want = [...rows, ...rows].map(expectRow);
if (lines.length - 1 !== want.length) fail(`${lines.length - 1} rows, want ${want.length}`);
for (let i = 0; i < want.length && i + 1 < lines.length; ++i) {
  const got = JSON.parse(lines[i + 1]);
  if (JSON.stringify(got) !== JSON.stringify(want[i])) {
    fail(`row ${i}: ${lines[i + 1]}\n  want ${JSON.stringify(want[i])}`);
  }
}
t.finish(`ok: ${want.length} rows of 7 nested columns through the C Data Interface`);
