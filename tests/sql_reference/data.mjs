// The SQL reference test's table `t` (tests/sql_reference/run.mjs): ~50k
// rows, deterministic, written as one CSV file that both Quiver and DuckDB
// read. It holds what tends to break engines: NaN, ±Infinity, -0.0 and
// extreme doubles; int64 and int16 extremes; empty, non-ASCII, quoted and
// comma-holding strings; a dictionary-encoded string column; timestamps and
// dates across two centuries (before and after 1970); decimals of three
// scales, negative and at their types' extremes; NULLs in every column
// but `id`, the row key (0 .. rows-1, so `ORDER BY id` is a total order).
import { writeFileSync } from 'node:fs';

// Column name, Quiver type, DuckDB type.
export const kColumns = [
  ['id', 'int64', 'BIGINT'],          // row key, no NULLs
  ['k', 'int32', 'INTEGER'],          // group key 0..19
  ['n', 'int64', 'BIGINT'],           // -1e6..1e6
  ['big', 'int64', 'BIGINT'],         // int64 extremes and large values
  ['i16', 'int16', 'SMALLINT'],       // int16 range with its extremes
  ['f', 'float64', 'DOUBLE'],         // NaN, ±Infinity, -0.0, 1e300, 5e-324 among normal values
  ['x', 'float64', 'DOUBLE'],         // well-behaved 0..1000
  ['s', 'utf8', 'VARCHAR'],           // many distinct, empty, non-ASCII
  ['d', 'dictionary<int32, utf8>', 'VARCHAR'],  // 7 values, dictionary-encoded in Quiver
  ['b', 'bool', 'BOOLEAN'],
  ['ts', 'timestamp[us]', 'TIMESTAMP'],  // 1901..2099, microseconds
  ['dt', 'date32', 'DATE'],           // 1900..2100
  ['price', 'decimal(12,2)', 'DECIMAL(12,2)'],   // cents, ±100000 and the type's extremes
  ['dq', 'decimal(18,4)', 'DECIMAL(18,4)'],      // ±100 with 4 decimals
  ['dbig', 'decimal(38,10)', 'DECIMAL(38,10)'],  // up to 18 integer digits, and ±(10^28 - 10^-10)
];

const kWords = ['apple', 'Apple', 'banana', 'cherry', 'date', 'élan', 'naïve', '日本語', 'Ελληνικά',
  'emoji😀', 'a,b', 'say "hi"', ' padded ', 'UPPER', 'mixed Case', 'x', 'news', 'sport', 'video',
  'http://example.com/a/b?c=1', 'https://www.test.org/path', 'foo-bar_baz', '123', 'tab\there'];
const kDict = ['red', 'green', 'blue', 'Ünïcode', '', '紫', 'black'];
const kBigs = ['-9223372036854775808', '9223372036854775807', '0', '-1', '9007199254740993',
  '-9007199254740993', '4611686018427387904', '-4611686018427387904'];
const kFloats = ['NaN', 'Infinity', '-Infinity', '-0.0', '0.0', '1e300', '-1e300', '5e-324',
  '2.2250738585072014e-308', '0.1'];

// xorshift64*: the same sequence everywhere, from a seed.
function rng(seed) {
  let s = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
  return () => {
    s ^= s >> 12n; s ^= BigInt.asUintN(64, s << 25n); s ^= s >> 27n;
    return BigInt.asUintN(64, s * 0x2545f4914f6cdd1dn);
  };
}

function csvText(v) {
  return /[",\n\t]|^$|^ | $/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function pad(v, n) {
  return String(v).padStart(n, '0');
}

// A scaled integer (BigInt) as decimal text with `scale` fraction digits.
function decimalText(v, scale) {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

// The decimal columns of one row, from their own generator (so that the
// other columns keep the values they had before these were added).
function decimalFields(next, below, chance) {
  const out = [];
  if (chance(0.05)) out.push('');
  else if (chance(0.01)) out.push(['9999999999.99', '-9999999999.99', '0.00', '-0.01', '0.01'][below(5)]);
  else out.push(decimalText(BigInt(below(20000001) - 10000000), 2));
  out.push(chance(0.05) ? '' : decimalText(BigInt(below(2000001) - 1000000), 4));
  if (chance(0.05)) out.push('');
  else if (chance(0.02)) out.push((chance(0.5) ? '-' : '') + '9'.repeat(28) + '.' + '9'.repeat(10));
  else out.push(decimalText(BigInt.asIntN(64, next()) * BigInt(below(100000000)) % 10n ** 28n, 10));
  return out;
}

// Writes `rows` rows to `path` (CSV with a header row; NULL is an empty
// unquoted field, an empty string is "").
export function writeCsv(path, rows = 50000, seed = 14) {
  const next = rng(seed);
  const below = (m) => Number(next() % BigInt(m));
  const chance = (p) => below(1000000) < p * 1000000;
  const nextDec = rng(seed + 1000);
  const belowDec = (m) => Number(nextDec() % BigInt(m));
  const chanceDec = (p) => belowDec(1000000) < p * 1000000;
  const lines = [kColumns.map((c) => c[0]).join(',')];
  for (let i = 0; i < rows; ++i) {
    const r = [String(i)];
    r.push(chance(0.02) ? '' : String(below(20)));
    r.push(chance(0.05) ? '' : String(below(2000001) - 1000000));
    if (chance(0.03)) r.push('');
    else if (chance(0.01)) r.push(kBigs[below(kBigs.length)]);
    else r.push(BigInt.asIntN(64, next()).toString());
    r.push(chance(0.03) ? '' : chance(0.01) ? (chance(0.5) ? '-32768' : '32767') : String(below(65536) - 32768));
    if (chance(0.05)) r.push('');
    else if (chance(0.02)) r.push(kFloats[below(kFloats.length)]);
    else r.push((Number(BigInt.asIntN(32, next())) / 4096).toString());
    r.push(chance(0.04) ? '' : (below(1000000) / 1000).toString());
    if (chance(0.05)) r.push('');
    else if (chance(0.05)) r.push('""');
    else r.push(csvText(`${kWords[below(kWords.length)]}${chance(0.7) ? '_' + below(300) : ''}`));
    r.push(chance(0.05) ? '' : csvText(kDict[below(kDict.length)]));
    r.push(chance(0.1) ? '' : chance(0.5) ? 'true' : 'false');
    if (chance(0.05)) r.push('');
    else {
      const y = 1901 + below(199), mo = 1 + below(12), d = 1 + below(28);
      const us = below(1000000);
      r.push(`${y}-${pad(mo, 2)}-${pad(d, 2)} ${pad(below(24), 2)}:${pad(below(60), 2)}:${pad(below(60), 2)}` +
             (us % 3 === 0 ? '' : `.${pad(us, 6)}`));
    }
    r.push(chance(0.05) ? '' : `${1900 + below(201)}-${pad(1 + below(12), 2)}-${pad(1 + below(28), 2)}`);
    r.push(...decimalFields(nextDec, belowDec, chanceDec));
    lines.push(r.join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}
