// Comparing a Quiver result with DuckDB's: the one rule shared by the
// ClickBench runner (tools/bench/clickbench.mjs) and the SQL reference test
// (tests/sql_reference/run.mjs).
//
// Values are first made canonical, so that the two engines' JSON spellings of
// one value are equal: integers (JSON numbers, int64 strings, HUGEINT
// strings) become BigInt; floats stay numbers (NaN, Infinity as in both
// engines' JSON); timestamps lose the ISO 'T', the 'Z' and zero fractions;
// booleans stay booleans. Two values agree when equal, or when both are
// numbers within a relative tolerance (NaN equals NaN; an integer and a float
// compare as floats).
//
// Rows are compared in order when the query's ORDER BY gives a total order;
// otherwise as multisets (both sides sorted by a canonical key). Ties at a
// LIMIT boundary may pick different rows: then the sequence of ORDER BY key
// values must agree and the rows need not.

const kTimestamp = /^(\d{4,}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?(?:Z|\+00(?::?00)?)?$/;
const kInteger = /^-?\d+$/;
const kFloat = /^-?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|NaN|Infinity|inf|nan)$/;

// The canonical form of one JSON value.
export function canon(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? BigInt(v) : v;
  if (typeof v === 'string') {
    const t = kTimestamp.exec(v);
    if (t) {
      const frac = (t[3] || '').replace(/0+$/, '');
      return `${t[1]} ${t[2]}${frac ? '.' + frac : ''}`;
    }
    return v;
  }
  return JSON.stringify(v);
}

// An exact decimal value: its text as printed (the scale included), and the
// nearest double for comparing with a float.
export class Dec {
  constructor(text) {
    this.text = text;
    this.num = Number(text);
  }
}

// A DuckDB value as canonical: DuckDB's JSON gives BIGINT, HUGEINT and DECIMAL
// as strings, non-finite doubles as "NaN" / "Infinity" strings. `numeric`
// says the column's type is numeric (else a string "12" stays a string);
// `decimal` that it is a decimal, kept as its exact text (Dec).
export function canonTyped(v, numeric, decimal = false) {
  if (decimal && (typeof v === 'string' || typeof v === 'number') && v !== '') return new Dec(String(v));
  if (numeric && typeof v === 'string') {
    if (kInteger.test(v)) return BigInt(v);
    if (kFloat.test(v)) return v === 'inf' ? Infinity : v === 'nan' ? NaN : Number(v);
  }
  return canon(v);
}

function asNumber(v) {
  return typeof v === 'bigint' ? Number(v) : v instanceof Dec ? v.num : v;
}

// True when canonical values `a` and `b` agree (relative tolerance `rel`).
export function sameValue(a, b, rel = 1e-9) {
  if (a === b) return true;
  if (a === null || b === null) return false;
  // Two decimals agree digit for digit, scale included (12.30 is not 12.3).
  if (a instanceof Dec && b instanceof Dec) return a.text === b.text;
  const numeric = (x) => typeof x === 'number' || typeof x === 'bigint' || x instanceof Dec;
  if (numeric(a) && numeric(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
    const x = asNumber(a), y = asNumber(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
    if (x === y) return true;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    return Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y), 1e-300) || Math.abs(x - y) < 1e-12;
  }
  return false;
}

// A sort key for a canonical row: floats rounded so that tolerance-equal
// rows usually sort alike.
function rowKey(row) {
  return JSON.stringify(row.map((v) => {
    if (typeof v === 'bigint') return 'i' + v.toString();
    if (v instanceof Dec) return 'f' + Number(v.num.toPrecision(8)).toString() + ':' + v.text;
    if (typeof v === 'number') return Number.isNaN(v) ? 'nan' : 'f' + Number(v.toPrecision(8)).toString();
    if (v === null) return '\u0000null';
    return typeof v + ':' + String(v);
  }));
}

function sameRow(a, b, rel) {
  return a.length === b.length && a.every((v, i) => sameValue(v, b[i], rel));
}

function sameSequence(a, b, rel) {
  return a.length === b.length && a.every((r, i) => sameRow(r, b[i], rel));
}

function sorted(rows) {
  return rows.map((r) => [rowKey(r), r]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map((x) => x[1]);
}

function describe(row) {
  return JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Dec ? `dec ${v.text}` : v));
}

// Compares canonical row arrays `got` (Quiver) and `want` (DuckDB).
//   opts.ordered  the ORDER BY gives a total order: compare in order
//   opts.keys     indexes of the ORDER BY key columns (for ties at a LIMIT)
//   opts.limited  the query has a LIMIT (ties may pick different rows)
//   opts.anyRows  LIMIT without ORDER BY: only the row count must agree
//   opts.rel      relative float tolerance (default 1e-9)
// Returns {ok, note}; note says why not, or "ties" when only the keys agreed.
export function compareRows(got, want, opts = {}) {
  const rel = opts.rel ?? 1e-9;
  if (got.length !== want.length) {
    return { ok: false, note: `${got.length} rows, expected ${want.length}` };
  }
  if (opts.anyRows) return { ok: true, note: 'any rows' };
  const width = want.length ? want[0].length : 0;
  if (got.length && got[0].length !== width) {
    return { ok: false, note: `${got[0].length} columns, expected ${width}` };
  }
  const pick = (rows) => rows.map((r) => opts.keys.map((k) => r[k]));
  const hasKeys = Boolean(opts.keys && opts.keys.length);
  if (opts.ordered && !hasKeys) {
    if (sameSequence(got, want, rel)) return { ok: true, note: '' };
  } else if (opts.ordered) {
    // The key values must come in the same order; rows tied on the keys may
    // come in any order, and at a LIMIT may be different rows.
    const gk = pick(got), wk = pick(want);
    for (let i = 0; i < gk.length; ++i) {
      if (!sameRow(gk[i], wk[i], rel)) {
        return { ok: false, note: `order key at row ${i}: ${describe(gk[i])} vs ${describe(wk[i])}` };
      }
    }
    if (sameSequence(sorted(got), sorted(want), rel)) return { ok: true, note: '' };
    if (opts.limited) return { ok: true, note: 'ties' };
  } else {
    if (sameSequence(sorted(got), sorted(want), rel)) return { ok: true, note: '' };
    if (opts.limited && hasKeys && sameSequence(sorted(pick(got)), sorted(pick(want)), rel)) {
      return { ok: true, note: 'ties' };
    }
  }
  const inOrder = opts.ordered && !hasKeys;
  const a = inOrder ? got : sorted(got), b = inOrder ? want : sorted(want);
  for (let i = 0; i < a.length; ++i) {
    if (!sameRow(a[i], b[i], rel)) {
      return { ok: false, note: `row ${i}: ${describe(a[i])} vs ${describe(b[i])}` };
    }
  }
  return { ok: false, note: 'rows differ' };
}

// Reads quiverd's JSON result text ({"columns", "rows"}) keeping every
// integer exact: integers of more than 15 digits are quoted before parsing.
export function parseQuiverJson(text) {
  const token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  const safe = text.replace(token, (m) => (/^-?\d{16,}$/.test(m) ? `"${m}"` : m));
  return JSON.parse(safe);
}

// The canonical rows of a Quiver JSON result; int64 columns given as strings
// become BigInt, non-finite float strings numbers.
export function quiverRows(doc) {
  const numeric = doc.columns.map((c) => /^(u?int\d+|float\d+|double|decimal)/.test(c.type));
  const decimal = doc.columns.map((c) => /^decimal/.test(c.type));
  return doc.rows.map((r) => r.map((v, i) => canonTyped(v, numeric[i], decimal[i])));
}

// The canonical rows of a DuckDB materialized result.
export function duckRows(reader) {
  const types = reader.columnTypes().map((t) => String(t));
  const numeric = types.map((t) => /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|DECIMAL)\b/.test(t));
  const decimal = types.map((t) => /^DECIMAL\b/.test(t));
  return reader.getRowsJson().map((r) => r.map((v, i) => canonTyped(v, numeric[i], decimal[i])));
}
