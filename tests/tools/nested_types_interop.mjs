// Nested Arrow columns (issue 16) through the real quiver CLI, with
// apache-arrow as the independent writer and reader: list<int32>,
// list<utf8> (null elements), fixed_size_list<float64>[3], struct<int32,
// utf8, list<int64>>, map<utf8, int32>, large_list<int16> and
// list<struct<...>>, with NULLs at every level and empty lists.
//   - IPC file and stream in; arrow and arrow-file out: same types, same values
//   - appends + compaction keep every value
//   - queries: nested values in NDJSON and CSV, IS NULL, st.a, li[k], li[-1],
//     mp['key'], array_length, filters on members, GROUP BY a member
//   - clear errors for ORDER BY / GROUP BY / min of nested values
//
//   node tests/tools/nested_types_interop.mjs --quiver BIN --dir TMP
// Exit codes: 0 pass, 1 fail, 77 skipped (apache-arrow missing).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTest } from '../node_test_util.mjs';

const t = startTest({ require: ['apache-arrow'] });
const { args, pool, quiver, fail, ndjson } = t;
const arrow = t.modules['apache-arrow'];
const plain = (v) => JSON.parse(JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? Number(x) : x instanceof Map ? Object.fromEntries(x) : x)));
const expectEq = (what, got, want) => {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g === w) return;
  let k = 0;
  while (k < g.length && g[k] === w[k]) ++k;  // show where they part
  const at = Math.max(0, k - 120);
  fail(`${what}: ...${g.slice(at, k + 120)}, want ...${w.slice(at, k + 120)}`);
};
quiver('pool', 'create', pool);

// --- the data: row i of each column, computed here -------------------------
const n = 300;  // a few hundred rows: offsets and validity past the first bytes
const F = (name, type, nullable = true) => new arrow.Field(name, type, nullable);
const liOf = (i) => (i % 5 === 1 ? null : Array.from({ length: i % 4 }, (_, k) => i * 10 + k));
const lsOf = (i) => (i % 6 === 2 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 2 ? null : `s${i}-${k}é`)));
const fslOf = (i) => (i % 7 === 3 ? null : [i + 0.5, -i, i * 2]);
const stOf = (i) => (i % 4 === 0 ? null : { a: i, b: i % 3 === 0 ? null : `b${i % 11}`, c: i % 9 === 5 ? null : [i, i + 1] });
const mpOf = (i) => (i % 5 === 4 ? null : Object.fromEntries(Array.from({ length: i % 3 }, (_, k) => [`k${k}`, i * k])));
const llOf = (i) => (i % 8 === 7 ? null : [i % 100, -(i % 50)]);
const lstOf = (i) => (i % 10 === 9 ? null : Array.from({ length: i % 3 }, (_, k) => ({ x: k === 2 ? null : i + k, y: `y${k}` })));
const cols = { li: liOf, ls: lsOf, fsl: fslOf, st: stOf, mp: mpOf, ll: llOf, lst: lstOf };
const rows = (f) => Array.from({ length: n }, (_, i) => f(i));
const table = new arrow.Table({
  id: arrow.vectorFromArray(rows((i) => i), new arrow.Int32()),
  li: arrow.vectorFromArray(rows(liOf), new arrow.List(F('item', new arrow.Int32()))),
  ls: arrow.vectorFromArray(rows(lsOf), new arrow.List(F('item', new arrow.Utf8()))),
  fsl: arrow.vectorFromArray(rows(fslOf), new arrow.FixedSizeList(3, F('v', new arrow.Float64()))),
  st: arrow.vectorFromArray(rows((i) => {
    const s = stOf(i);
    return s && { ...s, c: s.c && s.c.map(BigInt) };
  }), new arrow.Struct([F('a', new arrow.Int32()), F('b', new arrow.Utf8()), F('c', new arrow.List(F('item', new arrow.Int64())))])),
  mp: arrow.vectorFromArray(rows((i) => mpOf(i) && new Map(Object.entries(mpOf(i)))),
    new arrow.Map_(F('entries', new arrow.Struct([F('key', new arrow.Utf8(), false), F('value', new arrow.Int32())]), false))),
  ll: arrow.vectorFromArray(rows(llOf), new arrow.LargeList(F('item', new arrow.Int16()))),
  lst: arrow.vectorFromArray(rows(lstOf), new arrow.List(F('item', new arrow.Struct([F('x', new arrow.Int32()), F('y', new arrow.Utf8())])))),
});
const types = table.schema.fields.map((f) => `${f.name}:${f.type}`);
for (const [name, kind] of [['f', 'file'], ['s', 'stream']]) {
  const file = path.join(args.dir, `${name}.arrow`);
  writeFileSync(file, arrow.tableToIPC(table, kind));
  quiver('ingest', pool, name, file);
}

// --- round trip through IPC --------------------------------------------------
const checkTable = (what, back, count = n) => {
  expectEq(`${what} types`, back.schema.fields.map((f) => `${f.name}:${f.type}`), types);
  if (back.numRows !== count) fail(`${what}: ${back.numRows} rows, want ${count}`);
  for (const [name, f] of Object.entries(cols)) {
    const v = back.getChild(name);
    for (let r = 0; r < back.numRows; ++r) {
      const got = plain(v.get(r)), want = f(r % n);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        fail(`${what} ${name} row ${r}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        break;
      }
    }
  }
};
for (const name of ['f', 's']) {
  for (const fmt of ['arrow', 'arrow-file']) {
    const out = path.join(args.dir, `${name}.${fmt}.out`);
    quiver('export', pool, name, '-o', out, '--format', fmt);
    checkTable(`${name} ${fmt}`, arrow.tableFromIPC(readFileSync(out)));
  }
}
// Appends, then compaction into one chunk: every value kept.
quiver('ingest', pool, 's', path.join(args.dir, 's.arrow'), '--append');
quiver('ingest', pool, 's', path.join(args.dir, 'f.arrow'), '--append');
quiver('compact', pool, 's');
expectEq('one chunk after compaction', JSON.parse(quiver('ls', pool, '--json')).tables.find((t) => t.name === 's').chunks, 1);
const compacted = path.join(args.dir, 'c.arrows');
quiver('export', pool, 's', '-o', compacted, '--format', 'arrow');
checkTable('compacted', arrow.tableFromIPC(readFileSync(compacted)), 3 * n);

// --- queries -------------------------------------------------------------------
const ids = [...Array(n).keys()];
const picked = ids.filter((i) => i % 13 === 2);
expectEq('nested values in NDJSON', ndjson(`SELECT id, li, ls, fsl, st, mp, ll, lst FROM f WHERE id % 13 = 2 ORDER BY id`),
  picked.map((i) => {
    const o = { id: i };
    for (const [name, f] of Object.entries(cols)) o[name] = f(i);
    return o;
  }));
const csv = quiver('sql', pool, 'SELECT id, st FROM f WHERE id = 5', '--format', 'csv').trim().split('\n');
expectEq('nested value in CSV (JSON text)', csv[1], `5,"${JSON.stringify(stOf(5)).replace(/"/g, '""')}"`);
for (const name of Object.keys(cols)) {
  expectEq(`${name} IS NULL`, ndjson(`SELECT count(*) AS c FROM f WHERE ${name} IS NULL`)[0].c, ids.filter((i) => cols[name](i) === null).length);
}
const at = (l, k) => (l === null ? null : k > 0 ? (k <= l.length ? l[k - 1] : null) : (-k <= l.length ? l[l.length + k] : null));
expectEq('members and elements', ndjson(`SELECT st.a AS a, st.b AS b, st.c[2] AS c2, li[1] AS l1, li[-1] AS ll1, ls[2] AS s2, fsl[3] AS f3,
    mp['k1'] AS m1, lst[1].x AS x1, array_length(li) AS n FROM f ORDER BY id`),
  ids.map((i) => ({
    a: stOf(i) && stOf(i).a, b: stOf(i) && stOf(i).b, c2: stOf(i) && at(stOf(i).c, 2), l1: at(liOf(i), 1), ll1: at(liOf(i), -1),
    s2: at(lsOf(i), 2), f3: at(fslOf(i), 3), m1: mpOf(i) && mpOf(i).k1 !== undefined ? mpOf(i).k1 : null,
    x1: at(lstOf(i), 1) && at(lstOf(i), 1).x, n: liOf(i) && liOf(i).length,
  })).map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === undefined ? null : v]))));
expectEq('filter on a member', ndjson('SELECT id FROM f WHERE st.a > 250 AND li[1] IS NOT NULL ORDER BY id').map((r) => r.id),
  ids.filter((i) => stOf(i) && stOf(i).a > 250 && at(liOf(i), 1) !== null));
const groups = {};
for (const i of ids) {
  const k = stOf(i) ? stOf(i).b : null;
  groups[k] = (groups[k] || 0) + 1;
}
expectEq('GROUP BY a member', ndjson('SELECT st.b AS b, count(*) AS c FROM f GROUP BY st.b ORDER BY b NULLS LAST').map((r) => [r.b, r.c]),
  Object.keys(groups).filter((k) => k !== 'null').sort().map((k) => [k, groups[k]]).concat([[null, groups.null]]));
expectEq('sum of a member', ndjson('SELECT sum(st.a) AS s, count(st) AS c FROM f')[0],
  { s: ids.filter((i) => stOf(i)).reduce((a, i) => a + i, 0), c: ids.filter((i) => stOf(i)).length });
for (const [q, re] of [['SELECT li FROM f ORDER BY li', /cannot sort a list/],
  ['SELECT st, count(*) FROM f GROUP BY st', /cannot group by .*struct/],
  ['SELECT min(mp) FROM f', /MIN is not defined for map/],
  ['SELECT st.zz FROM f', /no member 'zz' \(members: a, b, c\)/],
  ['SELECT li = 3 FROM f', /list<item: int32>/]]) {
  try {
    quiver('sql', pool, q);
    fail(`${q} did not fail`);
  } catch (e) {
    if (!re.test(String(e.stderr))) fail(`${q}: ${String(e.stderr).trim()}, want ${re}`);
  }
}
t.finish('ok: nested columns round-trip through apache-arrow and query as expected');
