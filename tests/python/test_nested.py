#!/usr/bin/python3
"""Nested columns through the Python package (quiver.nested) against
libquiver.so: the table "nested" that `capi_make_pool nested` writes
(tests/capi/capi_nested_data.h gives the formula the expectations below
repeat), read zero-copy, as Python values and into pandas.

Run by ctest with Debian's /usr/bin/python3 (the environment as for
test_quiver.py). Exit code 77 = skipped.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SKIP = 77

if os.environ.get("QUIVER_SANITIZED", "0").upper() in ("1", "ON", "TRUE", "YES"):
    print("SKIPPED: libquiver.so was built with sanitizers, which an uninstrumented python3 "
          "cannot load; the C and Catch tests cover nested columns there.")
    sys.exit(SKIP)
try:
    import numpy as np
except ImportError:
    print("SKIPPED: numpy is missing for %s (apt-get install python3-numpy)" % sys.executable)
    sys.exit(SKIP)
try:
    import pandas as pd
except ImportError:
    pd = None

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python"))
import quiver  # noqa: E402
from quiver import nested  # noqa: E402

MAKE_POOL = os.environ.get("QUIVER_MAKE_POOL", "capi_make_pool")
ROWS = 100  # chunks of 40 rows: 40, 40, 20


def tags(i):
    if i % 5 == 4:
        return None
    return [None if (i + k) % 3 == 2 else "t%d_%d" % (i, k) for k in range(i % 4)]


def pt(i):
    if i % 6 == 5:
        return None
    return {"x": i, "y": None if i % 4 == 1 else i * 1.5, "name": "p%d" % i}


def vec(i):
    return None if i % 7 == 6 else [float(i * 10 + k) for k in range(3)]


def attrs(i):
    if i % 8 == 7:
        return None
    return [("k%d" % k, None if k == 1 else i * 100 + k) for k in range(i % 3)]


def big(i):
    return None if i % 9 == 8 else [i, -i]


def ll(i):
    return [[i * 100 + j * 10 + k for k in range(j)] for j in range(i % 3)]


EXPECTED = {"tags": tags, "pt": pt, "vec": vec, "attrs": attrs, "big": big, "ll": ll}


class NestedColumnsTest(unittest.TestCase):
    def setUp(self):
        base = os.environ.get("QUIVER_TEST_TMP") or None
        if base:
            os.makedirs(base, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="quiver-nested-py-", dir=base)
        self.path = os.path.join(self.dir, "p.pool")
        subprocess.run([MAKE_POOL, "nested", self.path, str(ROWS)], check=True, stdout=subprocess.DEVNULL)
        self.db = quiver.open(self.path)
        self.t = self.db["nested"]

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_the_schema_describes_children(self):
        s = self.t.schema
        self.assertEqual(s["tags"].type, "list<item: utf8>")
        self.assertEqual(s["pt"].type, "struct<x: int32, y: float64, name: utf8>")
        self.assertEqual(s["vec"].type, "fixed_size_list<item: float32>[3]")
        self.assertEqual(s["vec"].list_size, 3)
        self.assertEqual(s["attrs"].type, "map<utf8, int64>")
        self.assertTrue(s["attrs"].keys_sorted)
        self.assertEqual(s["big"].type, "large_list<item: int16>")
        self.assertTrue(s["big"].large)
        self.assertEqual(s["ll"].type, "list<item: list<item: int32>>")
        self.assertEqual([c.name for c in s["pt"].children], ["x", "y", "name"])
        self.assertFalse(s["pt"].children[0].nullable)
        entries = s["attrs"].children[0]
        self.assertEqual((entries.name, entries.nullable), ("entries", False))
        self.assertEqual([(c.name, c.nullable) for c in entries.children], [("key", False), ("value", True)])

    def test_values_equal_those_written(self):
        self.assertEqual(self.t.num_chunks, 3)
        for name, want in EXPECTED.items():
            col = self.t[name]
            self.assertIsInstance(col, nested.NestedChunks)
            self.assertEqual(len(col), ROWS)
            self.assertEqual(col.to_pylist(), [want(i) for i in range(ROWS)], name)
            self.assertEqual([col[i] for i in (0, 41, 99, -1)], [want(i) for i in (0, 41, 99, 99)], name)
        # Row by row within a chunk, and a slice sharing the buffers.
        c = self.t.chunks[1]
        for name, want in EXPECTED.items():
            self.assertEqual([c[name][i] for i in range(40)], [want(40 + i) for i in range(40)], name)
            self.assertEqual(c[name][5:9].to_pylist(), [want(45 + i) for i in range(4)], name)

    def test_list_offsets_and_values_are_views_of_the_mapping(self):
        base, size = self.t._snap.mapping
        c = self.t.chunks[1]
        tags_col = c["tags"]
        self.assertIsInstance(tags_col, nested.ListColumn)
        off = tags_col.offsets
        self.assertEqual(off.dtype, np.int32)
        self.assertEqual(len(off), 41)
        address = off.__array_interface__["data"][0]
        self.assertTrue(base <= address < base + size)
        self.assertFalse(off.flags.writeable)
        bufs = c.buffers("tags")
        self.assertEqual(address, bufs.offsets_address + 4 * bufs.offset)  # the C API's pointer
        # Row i's values are values[offsets[i]:offsets[i + 1]].
        for i in range(40):
            got = tags_col.values[off[i]:off[i + 1]].tolist()
            self.assertEqual(got if tags(40 + i) is not None else None, tags(40 + i))
        self.assertEqual(list(tags_col.mask), [tags(40 + i) is None for i in range(40)])
        big_col = c["big"]
        vals = big_col.values.data if isinstance(big_col.values, np.ma.MaskedArray) else big_col.values
        self.assertEqual(vals.dtype, np.int16)
        self.assertTrue(base <= vals.__array_interface__["data"][0] < base + size)
        self.assertFalse(vals.flags.owndata)

    def test_structs_are_dicts_of_child_columns(self):
        base, size = self.t._snap.mapping
        col = self.t.chunks[0]["pt"]
        self.assertIsInstance(col, nested.StructColumn)
        self.assertEqual(list(col.keys()), ["x", "y", "name"])
        x = col["x"]
        self.assertEqual(x.dtype, np.int32)
        self.assertEqual(list(x), list(range(40)))  # children hold values under null rows too
        self.assertTrue(base <= x.__array_interface__["data"][0] < base + size)
        y = col.children["y"]
        self.assertIsInstance(y, np.ma.MaskedArray)
        self.assertEqual(y.tolist()[:4], [0.0, None, 3.0, 4.5])
        self.assertEqual(list(col["name"][:2]), ["p0", "p1"])
        self.assertEqual(list(col.mask[:7]), [False] * 5 + [True, False])
        self.assertIsNone(col[5])
        self.assertEqual(col[2], {"x": 2, "y": 3.0, "name": "p2"})
        with self.assertRaises(KeyError) as e:
            col["z"]
        self.assertIn("no field 'z'", str(e.exception))

    def test_maps_fixed_size_lists_and_lists_of_lists(self):
        c = self.t.chunks[0]
        m = c["attrs"]
        self.assertIsInstance(m, nested.MapColumn)
        self.assertEqual(m[5], [("k0", 500), ("k1", None)])
        self.assertEqual(list(m.keys[:3]), ["k0", "k0", "k1"])  # rows 1 and 2
        v = c["vec"]
        self.assertIsInstance(v, nested.FixedSizeListColumn)
        grid = v.to_numpy()
        self.assertEqual(grid.shape, (40, 3))
        self.assertEqual(grid.dtype, np.float32)
        self.assertEqual(grid[4].tolist(), [40.0, 41.0, 42.0])
        self.assertFalse(grid.flags.owndata)  # a view of the pool's values
        self.assertEqual(v[6], None)
        inner = c["ll"].values
        self.assertIsInstance(inner, nested.ListColumn)
        self.assertEqual(c["ll"][2], [[], [210]])

    def test_pandas_gives_python_values(self):
        if pd is None:
            self.skipTest("pandas missing")
        df = self.t.to_pandas(columns=["id", "pt", "attrs", "ll"])
        self.assertEqual(len(df), ROWS)
        self.assertEqual(df["pt"].dtype, object)
        self.assertEqual(df["pt"][2], pt(2))
        self.assertIsNone(df["pt"][5])
        self.assertEqual(df["attrs"][44], attrs(44))
        self.assertEqual(df["ll"][98], ll(98))
        self.assertEqual(quiver.pandas_dtype(self.t.schema["tags"]), np.dtype(object))

    def test_arrow_ipc_bytes_with_nested_columns(self):
        cli = os.environ.get("QUIVER_CLI")
        if not cli:
            self.skipTest("QUIVER_CLI not set")
        out = os.path.join(self.dir, "n.arrow")
        subprocess.run([cli, "export", self.path, "nested", "-o", out, "--format", "arrow"], check=True,
                       stdout=subprocess.DEVNULL)
        with open(out, "rb") as f:
            ipc = quiver.IpcBatches(f.read())
        self.assertEqual(ipc.schema["big"].type, "large_list<item: int16>")
        got = [v for b in ipc.batches for v in b["attrs"].to_pylist()]
        self.assertEqual(got, [attrs(i) for i in range(ROWS)])
        got = [v for b in ipc.batches for v in b["pt"].to_pylist()]
        self.assertEqual(got, [pt(i) for i in range(ROWS)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
