// Canonical JSON rendering of Arrow record batches, shared by the Quiver
// interop scripts. Same form as tests/columnar/columnar_test_util.h:
//   {"schema": [{"name", "type", "nullable"}],
//    "batches": [{"num_rows": n, "columns": [[v, ...], ...]}]}
// 64-bit integers and timestamps are decimal strings, binary is hex, date32
// is a day number, dictionary columns are their decoded strings.
'use strict';
const arrow = require('apache-arrow');

const UNITS = ['s', 'ms', 'us', 'ns'];

function typeName(t) {
  if (arrow.DataType.isDictionary(t)) {
    return `dictionary<${typeName(t.indices)}, ${typeName(t.dictionary)}>`;
  }
  switch (t.typeId) {
    case arrow.Type.Bool: return 'bool';
    case arrow.Type.Int: return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
    case arrow.Type.Float:
      return t.precision === arrow.Precision.SINGLE ? 'float32'
           : t.precision === arrow.Precision.DOUBLE ? 'float64' : 'float16';
    case arrow.Type.Utf8: return 'utf8';
    case arrow.Type.Binary: return 'binary';
    case arrow.Type.Date: return t.unit === arrow.DateUnit.DAY ? 'date32' : 'date64';
    case arrow.Type.Timestamp:
      return `timestamp[${UNITS[t.unit]}${t.timezone ? ', tz=' + t.timezone : ''}]`;
    default: return `unsupported:${String(t)}`;
  }
}

function hex(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const decoder = new TextDecoder('utf-8');

function isValid(data, i) {
  if (!data.nullBitmap || data.nullBitmap.length === 0 || data.nullCount === 0) return true;
  const k = data.offset + i;
  return ((data.nullBitmap[k >> 3] >> (k & 7)) & 1) === 1;
}

function int64At(values, k) {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return values[k].toString();
  // Older layouts: pairs of 32-bit words.
  const lo = BigInt(values[2 * k] >>> 0), hi = BigInt(values[2 * k + 1]);
  return ((hi << 32n) | lo).toString();
}

function valueAt(data, i) {
  if (!isValid(data, i)) return null;
  const t = data.type;
  const k = data.offset + i;
  if (arrow.DataType.isDictionary(t)) {
    return data.dictionary.get(Number(data.values[k]));
  }
  switch (t.typeId) {
    case arrow.Type.Bool: return ((data.values[k >> 3] >> (k & 7)) & 1) === 1;
    case arrow.Type.Int:
      return t.bitWidth === 64 ? int64At(data.values, k) : Number(data.values[k]);
    case arrow.Type.Float: return Number(data.values[k]);
    case arrow.Type.Utf8:
    case arrow.Type.Binary: {
      const b = data.values.subarray(data.valueOffsets[k], data.valueOffsets[k + 1]);
      return t.typeId === arrow.Type.Utf8 ? decoder.decode(b) : hex(b);
    }
    case arrow.Type.Date: return Number(data.values[k]);
    case arrow.Type.Timestamp: return int64At(data.values, k);
    default: throw new Error(`unsupported type ${String(t)}`);
  }
}

function tableJson(table) {
  const schema = table.schema.fields.map(f => ({ name: f.name, type: typeName(f.type), nullable: f.nullable }));
  const batches = table.batches.map(batch => {
    const columns = [];
    for (let c = 0; c < batch.numCols; ++c) {
      const data = batch.data.children[c];
      const col = [];
      for (let i = 0; i < batch.numRows; ++i) col.push(valueAt(data, i));
      columns.push(col);
    }
    return { num_rows: batch.numRows, columns };
  });
  return { schema, batches };
}

module.exports = { tableJson, typeName, hex };
