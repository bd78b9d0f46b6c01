#!/usr/bin/env node
// Writes an Arrow IPC stream (stream.arrows) and file (file.arrow) with
// apache-arrow: every type Quiver stores, with nulls, in several batches
// (one of them empty), plus expected.json holding the source values in the
// canonical JSON form of arrow_json.js. One dictionary column's dictionary
// has two chunks, so the writer emits a delta dictionary batch.
// Usage: node write_ipc.js OUT_DIR [--small]   (--small: a few rows, for fuzz seeds)
'use strict';
const fs = require('fs');
const path = require('path');
const arrow = require('apache-arrow');
const { hex } = require('./arrow_json');

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: write_ipc.js OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });

const WORDS = ['north', 'south', '', 'east \u00e9', 'west'];
const dictA = arrow.vectorFromArray(WORDS, new arrow.Utf8());
// Two chunks: written as a dictionary batch and a delta.
const dictDelta = arrow.vectorFromArray(['x', 'y'], new arrow.Utf8())
  .concat(arrow.vectorFromArray(['z'], new arrow.Utf8()));

// name, arrow type, value(r) -> canonical JSON value, period of nulls.
const columns = [
  ['b', new arrow.Bool(), r => r % 3 === 1],
  ['i8', new arrow.Int8(), r => ((r * 37) % 256) - 128],
  ['i16', new arrow.Int16(), r => ((r * 7919) % 65536) - 32768],
  ['i32', new arrow.Int32(), r => (r * 104729) | 0],
  ['i64', new arrow.Int64(), r => (r === 1 ? -(2n ** 63n) : r === 2 ? 2n ** 63n - 1n : BigInt(r) * 123456789012n - 5n).toString()],
  ['u8', new arrow.Uint8(), r => (r * 13) % 256],
  ['u16', new arrow.Uint16(), r => (r * 3001) % 65536],
  ['u32', new arrow.Uint32(), r => (r * 2654435761) % 4294967296],
  ['u64', new arrow.Uint64(), r => (r === 3 ? 2n ** 64n - 1n : BigInt(r) * 11400714819323198485n % (2n ** 64n)).toString()],
  ['f32', new arrow.Float32(), r => Math.fround(r / 8 - 100.25)],
  ['f64', new arrow.Float64(), r => r * 0.001 - 3.5e3],
  ['s', new arrow.Utf8(), r => `${WORDS[r % 5]}${r}`],
  ['bin', new arrow.Binary(), r => hex(Uint8Array.from({ length: r % 5 }, (_, k) => (r * 37 + k * 91) & 255))],
  ['d', new arrow.DateDay(), r => r * 37 - 400],
  ['ts_s', new arrow.Timestamp(arrow.TimeUnit.SECOND), r => (1700000000n + BigInt(r)).toString()],
  ['ts_ms', new arrow.Timestamp(arrow.TimeUnit.MILLISECOND, 'UTC'), r => (1700000000000n + BigInt(r) * 977n).toString()],
  ['ts_us', new arrow.Timestamp(arrow.TimeUnit.MICROSECOND), r => (-1000000n * BigInt(r)).toString()],
  ['ts_ns', new arrow.Timestamp(arrow.TimeUnit.NANOSECOND, 'America/New_York'), r => (1700000000000000000n + BigInt(r)).toString()],
  ['dict8', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8(), 0), r => r % 5, dictA],
  ['dict16', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int16(), 1), r => (r * 3) % 5, dictA],
  ['dict32', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), 2), r => r % 3, dictDelta],
];

function isNull(r, c) { return (r + c) % (3 + (c % 4)) === 0; }

function makeColumn(c, first, n) {
  const [, type, value, dictionary] = columns[c];
  const nullBitmap = new Uint8Array(Math.ceil(n / 8) || 1);
  let nullCount = 0;
  const json = [];
  const vals = [];
  for (let i = 0; i < n; ++i) {
    const r = first + i;
    if (isNull(r, c)) {
      ++nullCount;
      json.push(null);
      vals.push(null);
    } else {
      nullBitmap[i >> 3] |= 1 << (i & 7);
      const v = value(r);
      vals.push(v);
      json.push(dictionary ? dictionary.get(v) : v);
    }
  }
  const props = { type, length: n, nullCount, nullBitmap: nullCount ? nullBitmap : undefined };
  if (arrow.DataType.isDictionary(type)) {
    props.data = new type.indices.ArrayType(vals.map(v => v ?? 0));
    props.dictionary = dictionary;
  } else if (type.typeId === arrow.Type.Bool) {
    const bits = new Uint8Array(Math.ceil(n / 8) || 1);
    vals.forEach((v, i) => { if (v) bits[i >> 3] |= 1 << (i & 7); });
    props.data = bits;
  } else if (type.typeId === arrow.Type.Utf8 || type.typeId === arrow.Type.Binary) {
    const enc = new TextEncoder();
    const parts = vals.map(v => v === null ? new Uint8Array(0)
      : type.typeId === arrow.Type.Utf8 ? enc.encode(v) : Uint8Array.from(Buffer.from(v, 'hex')));
    const offsets = new Int32Array(n + 1);
    parts.forEach((p, i) => { offsets[i + 1] = offsets[i] + p.length; });
    const bytes = new Uint8Array(offsets[n]);
    parts.forEach((p, i) => bytes.set(p, offsets[i]));
    props.valueOffsets = offsets;
    props.data = bytes;
  } else if (type.typeId === arrow.Type.Timestamp || (type.typeId === arrow.Type.Int && type.bitWidth === 64)) {
    const Arr = type.typeId === arrow.Type.Int && !type.isSigned ? BigUint64Array : BigInt64Array;
    props.data = Arr.from(vals.map(v => BigInt(v ?? 0)));
  } else {
    props.data = new type.ArrayType(vals.map(v => v ?? 0));
  }
  return { data: arrow.makeData(props), json };
}

const fields = columns.map(([name, type], c) => {
  const meta = name === 'i64' ? new Map([['unit', 'cents']]) : new Map();
  return new arrow.Field(name, type, true, meta);
});
const schema = new arrow.Schema(fields, new Map([['source', 'apache-arrow']]));

const sizes = process.argv.includes('--small') ? [[0, 5], [5, 0], [5, 3]] : [[0, 57], [57, 0], [57, 130], [187, 9]];
const expected = { schema: fields.map(f => ({ name: f.name, type: null, nullable: true })), batches: [] };
const { typeName } = require('./arrow_json');
expected.schema.forEach((f, i) => { f.type = typeName(fields[i].type); });
const batches = sizes.map(([first, n]) => {
  const cols = columns.map((_, c) => makeColumn(c, first, n));
  expected.batches.push({ num_rows: n, columns: cols.map(x => x.json) });
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children: cols.map(x => x.data) });
  return new arrow.RecordBatch(schema, struct);
});
const table = new arrow.Table(schema, batches);
fs.writeFileSync(path.join(outDir, 'stream.arrows'), arrow.tableToIPC(table, 'stream'));
fs.writeFileSync(path.join(outDir, 'file.arrow'), arrow.tableToIPC(table, 'file'));
fs.writeFileSync(path.join(outDir, 'expected.json'), JSON.stringify(expected));
console.log(`wrote ${sizes.length} batches to ${outDir}`);
