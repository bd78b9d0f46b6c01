#!/usr/bin/python3
"""Tests of the Python package (tools/python/quiver) against libquiver.so.

Run by ctest with Debian's /usr/bin/python3; the environment gives
QUIVER_LIB (the library), QUIVER_MAKE_POOL (tests/capi/make_pool.cc, the
writer), QUIVER_TEST_TMP and QUIVER_SANITIZED. Exit code 77 = skipped.
"""
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SKIP = 77

if os.environ.get("QUIVER_SANITIZED", "0").upper() in ("1", "ON", "TRUE", "YES"):
    print("SKIPPED: libquiver.so was built with -fsanitize=address,undefined; an uninstrumented "
          "python3 cannot load it (the ASan runtime must come first). The C and Catch tests "
          "cover the library under the sanitizers.")
    sys.exit(SKIP)
try:
    import numpy as np
except ImportError:
    print("SKIPPED: numpy is missing for %s; install it with: apt-get install python3-numpy "
          "python3-pandas" % sys.executable)
    sys.exit(SKIP)
try:
    import pandas as pd
except ImportError:
    pd = None

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python"))
import quiver  # noqa: E402

MAKE_POOL = os.environ.get("QUIVER_MAKE_POOL", "capi_make_pool")
ROWS = 1000


def expected_fare(i):
    return None if i % 7 == 0 else i * 0.5


def expected_note(i):
    return None if i % 3 == 0 else "n%d" % i


class QuiverPackageTest(unittest.TestCase):
    def setUp(self):
        base = os.environ.get("QUIVER_TEST_TMP") or None
        if base:
            os.makedirs(base, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="quiver-py-", dir=base)
        self.path = os.path.join(self.dir, "p.pool")
        subprocess.run([MAKE_POOL, "create", self.path, str(ROWS)], check=True, stdout=subprocess.DEVNULL)
        self.db = quiver.open(self.path)

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def append(self, start, n):
        out = subprocess.run([MAKE_POOL, "append", self.path, str(start), str(n)], check=True,
                             stdout=subprocess.PIPE)
        return int(out.stdout)

    def test_numpy_arrays_point_into_the_mapping_at_the_chunk_buffers(self):
        t = self.db["trips"]
        self.assertEqual(t.num_chunks, 1)
        base, size = t._snap.mapping
        for name in ("id", "fare", "ts"):
            a = t[name]
            data = a.data if isinstance(a, np.ma.MaskedArray) else a
            address = data.__array_interface__["data"][0]
            bufs = t.chunks[0].buffers(name)
            self.assertEqual(address, bufs.values_address, name)  # the C API's address
            self.assertTrue(base <= address < base + size, name)
            self.assertFalse(data.flags.writeable)
            self.assertFalse(data.flags.owndata)
        fare = t["fare"]
        self.assertIsInstance(fare, np.ma.MaskedArray)
        self.assertEqual(t.chunks[0].buffers("fare").null_count, int(fare.mask.sum()))
        self.assertTrue(base <= t.chunks[0].buffers("fare").validity_address < base + size)
        self.assertIsNone(t.chunks[0].buffers("id").validity)

    def test_values_equal_those_written(self):
        t = self.db["trips"]
        self.assertEqual(t.columns, ["id", "fare", "city", "note", "ts", "flag"])
        self.assertEqual(str(t.schema.fields[1]), "fare: ?float64")
        self.assertEqual(t.schema["ts"].timezone, "UTC")
        ids = t["id"]
        self.assertTrue(np.array_equal(ids, np.arange(ROWS)))
        fare = t["fare"]
        for i in range(ROWS):
            want = expected_fare(i)
            if want is None:
                self.assertIs(fare[i], np.ma.masked)
            else:
                self.assertEqual(fare[i], want)
        self.assertEqual(list(t["note"][:7]), [expected_note(i) for i in range(7)])
        self.assertEqual(list(t["city"][:6]), ["city_%d" % (i % 5) for i in range(6)])
        ts = t["ts"]
        self.assertEqual(ts.dtype, np.dtype("datetime64[ms]"))
        self.assertTrue(np.array_equal(ts.view("i8"), 1700000000000 + np.arange(ROWS) * 1000))
        self.assertTrue(np.array_equal(t["flag"], np.arange(ROWS) % 2 == 0))
        types = self.db["types"]
        self.assertEqual(list(types["i8"].filled(0)), [1, 0, -2])
        self.assertEqual(types["u64"].dtype, np.uint64)
        self.assertEqual(types["s"][0], "h\u00e9llo")
        self.assertEqual(types["bin"][2], b"\x00\x01\x02")
        self.assertEqual(str(types["d"][2]), "2022-01-10")

    def test_values_equal_what_quiverd_returns(self):
        quiverd = os.environ.get("QUIVERD")
        if not quiverd:
            self.skipTest("QUIVERD is not set (quiverd not built)")
        import json
        import urllib.request
        proc = subprocess.Popen([quiverd, "--pool", self.path, "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = proc.stdout.readline()  # "listening on http://HOST:PORT (...)"
            self.assertIn("listening on http://", line)
            base = line.split()[2]
            sql = "SELECT id, fare, note, city FROM trips WHERE id < 60 ORDER BY id DESC"
            req = urllib.request.Request(base + "/v1/query", data=json.dumps({"sql": sql}).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                body = json.load(r)
            t = self.db["trips"]
            ids, fare, note, city = t["id"], t["fare"], t["note"], t["city"]
            self.assertEqual(body["row_count"], 60)
            for row in body["rows"]:
                i = row[0]
                self.assertEqual(int(ids[i]), i)
                want_fare = None if fare[i] is np.ma.masked else float(fare[i])
                self.assertEqual(row[1], want_fare)
                self.assertEqual(row[2], note[i])
                self.assertEqual(row[3], city[i])
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=30), 0)
            proc.stdout.close()

    def test_an_array_keeps_its_snapshot_alive(self):
        a = self.db["trips"]["id"]
        self.db.close()
        self.db = quiver.open(self.path)
        gc.collect()
        self.append(ROWS, 10)
        self.assertTrue(np.array_equal(a, np.arange(ROWS)))
        holder = a.base
        while not isinstance(holder, quiver._Holder):
            holder = holder.base
        self.assertIsInstance(holder.chunk, quiver.Chunk)

    def test_to_pandas(self):
        if pd is None:
            self.skipTest("pandas is missing (apt-get install python3-pandas)")
        df = self.db["trips"].to_pandas(columns=["id", "fare", "city", "note", "ts"])
        self.assertEqual(list(df.columns), ["id", "fare", "city", "note", "ts"])
        self.assertEqual(len(df), ROWS)
        self.assertEqual(df["id"].sum(), ROWS * (ROWS - 1) // 2)
        self.assertTrue(np.isnan(df["fare"][0]))
        self.assertEqual(df["fare"][3], 1.5)
        self.assertEqual(str(df["city"].dtype), "category")
        self.assertEqual(df["city"][7], "city_2")
        self.assertIsNone(df["note"][3])
        self.assertEqual(str(df["ts"].dtype), "datetime64[ns, UTC]")
        self.assertEqual(df["ts"][1].value, (1700000000000 + 1000) * 1000000)
        types = self.db["types"].to_pandas()
        self.assertEqual(str(types["i32"].dtype), "Int32")
        self.assertTrue(pd.isna(types["i32"][1]))
        self.assertEqual(str(types["b"].dtype), "boolean")

    def test_refresh_sees_a_commit_of_another_process(self):
        t = self.db["trips"]
        old_ids = t["id"]
        txn = self.append(ROWS, 100)
        self.assertEqual(self.db["trips"].num_rows, ROWS)  # still the pinned snapshot
        self.assertTrue(self.db.refresh())
        self.assertEqual(self.db.txn, txn)
        self.assertFalse(self.db.refresh())
        t2 = self.db["trips"]
        self.assertEqual(t2.num_rows, ROWS + 100)
        self.assertEqual(t2.num_chunks, 2)
        self.assertTrue(np.array_equal(t2["id"], np.arange(ROWS + 100)))  # concatenated
        self.assertTrue(np.array_equal(t2.chunks[1]["id"], np.arange(ROWS, ROWS + 100)))
        fare = t2["fare"]
        self.assertIs(fare[ROWS + 1], np.ma.masked)  # 1001 = 7 * 143
        self.assertEqual(fare[ROWS + 2], (ROWS + 2) * 0.5)
        self.assertEqual(t.num_rows, ROWS)  # the old table keeps its snapshot
        self.assertTrue(np.array_equal(old_ids, np.arange(ROWS)))
        if pd is not None:
            self.assertEqual(len(t2.to_pandas(columns=["city"])), ROWS + 100)

    def test_errors_name_what_was_wrong(self):
        missing = os.path.join(self.dir, "missing.pool")
        with self.assertRaises(quiver.QuiverError) as e:
            quiver.open(missing)
        self.assertEqual(e.exception.code, "not_found")
        self.assertIn(missing, str(e.exception))
        with self.assertRaises(quiver.QuiverError) as e:
            self.db["nope"]
        self.assertEqual(e.exception.code, "not_found")
        self.assertIn("trips", str(e.exception))
        with self.assertRaises(KeyError):
            self.db["trips"]["nope"]


class DecimalTest(unittest.TestCase):
    """decimal128/decimal256 columns (written by the quiver CLI) as exact
    decimal.Decimal objects and as the stored scaled integers."""

    def test_decimals_read_exactly(self):
        import decimal
        cli = os.environ.get("QUIVER_CLI")
        if not cli:
            self.skipTest("QUIVER_CLI is not set")
        d = tempfile.mkdtemp(prefix="quiver-py-dec-", dir=os.environ.get("QUIVER_TEST_TMP") or None)
        try:
            path = os.path.join(d, "p.pool")
            texts = ["10.50", "-0.05", None, "9999999999.99", "0.00"]
            big = ["-12345678901234567890123456789012345678901234.56789", None, "0.00001", "1.00000", "2.50000"]
            with open(os.path.join(d, "d.csv"), "w") as f:
                f.write("price,big\n")
                for a, b in zip(texts, big):
                    f.write("%s,%s\n" % (a or "", b or ""))
            subprocess.run([cli, "pool", "create", path], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([cli, "ingest", path, "t", os.path.join(d, "d.csv"), "--schema",
                            "price:decimal(12,2),big:decimal(50,5)"], check=True, stdout=subprocess.DEVNULL)
            with quiver.open(path) as db:
                t = db["t"]
                f = t.schema["price"]
                self.assertEqual((f.type, f.precision, f.scale), ("decimal128(12, 2)", 12, 2))
                self.assertEqual(t.schema["big"].type, "decimal256(50, 5)")
                want = [None if x is None else decimal.Decimal(x) for x in texts]
                got = list(t["price"])
                self.assertEqual(got, want)
                self.assertEqual([str(x) for x in got if x is not None], [x for x in texts if x is not None])
                self.assertEqual(list(t["big"]), [None if x is None else decimal.Decimal(x) for x in big])
                self.assertEqual(t.chunks[0].decimal_ints("price"), [1050, -5, None, 999999999999, 0])
                self.assertEqual(len(t.chunks[0].buffers("price").values) >= 5 * 16, True)
                if pd is not None:
                    self.assertEqual(list(t.to_pandas()["price"])[:2], want[:2])
        finally:
            shutil.rmtree(d, ignore_errors=True)


class FlatTypesTest(unittest.TestCase):
    def test_fixed_size_binary_null_and_large_columns(self):
        cli = os.environ.get("QUIVER_CLI")
        if not cli:
            self.skipTest("QUIVER_CLI is not set")
        d = tempfile.mkdtemp(prefix="quiver-py-flat-", dir=os.environ.get("QUIVER_TEST_TMP") or None)
        try:
            path = os.path.join(d, "p.pool")
            keys = ["abcd", None, "0x61620000"]  # the last in hex
            with open(os.path.join(d, "f.csv"), "w") as f:
                f.write("k,z,s\n")
                for i, k in enumerate(keys):
                    f.write("%s,,s%d\n" % (k or "", i))
            subprocess.run([cli, "pool", "create", path], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([cli, "ingest", path, "t", os.path.join(d, "f.csv"), "--schema",
                            "k:fixed_size_binary[4],z:null,s:large_utf8"], check=True, stdout=subprocess.DEVNULL)
            with quiver.open(path) as db:
                t = db["t"]
                self.assertEqual([f.type for f in t.schema], ["fixed_size_binary[4]", "null", "utf8"])
                self.assertEqual(t.schema["k"].byte_width, 4)
                # Trailing zero bytes are data: bytes objects, not numpy 'S4'.
                self.assertEqual(list(t["k"]), [b"abcd", None, b"ab\x00\x00"])
                self.assertEqual(bytes(t.chunks[0].buffers("k").values[8:12]), b"ab\x00\x00")
                self.assertEqual(list(t["z"]), [None, None, None])
                self.assertEqual(list(t["s"]), ["s0", "s1", "s2"])
                if pd is not None:
                    df = t.to_pandas()
                    self.assertEqual(list(df["z"]), [None, None, None])
                    self.assertEqual(df["k"][2], b"ab\x00\x00")
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
