#!/usr/bin/python3
"""Tests of quiver.dask (tools/python/quiver/dask.py) on one machine.

Two quiverd processes on two loopback ports serve two shards of table "t"
(sorted id ranges, nullable ints with nulls in some chunks only, a
dictionary column, tz timestamps, NaN next to NULL); a LocalCluster with two
worker processes computes. Every result is compared with pandas in this
process over the same rows. Run by ctest with QUIVER_LIB, QUIVERD,
QUIVER_CLI (pool create), QUIVER_MAKE_POOL and QUIVER_TEST_TMP set.
Exit code 77 = skipped.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request
import json

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(HERE, "..", "..", "tools", "python")

if os.environ.get("QUIVER_SANITIZED", "0").upper() in ("1", "ON", "TRUE", "YES"):
    print("SKIPPED: libquiver.so was built with sanitizers; python3 cannot load it")
    sys.exit(SKIP)
try:
    import numpy as np
    import pandas as pd
    import dask
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster
except ImportError as e:
    print("SKIPPED: %s; install python3-dask python3-distributed (tools/setup.sh)" % e)
    sys.exit(SKIP)
for var in ("QUIVERD", "QUIVER_CLI", "QUIVER_MAKE_POOL"):
    if not os.environ.get(var):
        print("SKIPPED: %s is not set (run through ctest)" % var)
        sys.exit(SKIP)

sys.path.insert(0, PKG)
os.environ["PYTHONPATH"] = PKG + os.pathsep + os.environ.get("PYTHONPATH", "")
import quiver  # noqa: E402
import quiver.dask as qd  # noqa: E402

CHUNKS, CHUNK_ROWS = 4, 500  # per shard
SHARD_ROWS = CHUNKS * CHUNK_ROWS
TZ = "Europe/Paris"
BASE_TS = pd.Timestamp("2024-03-30 12:00:00", tz="UTC")

SCHEMA = {"fields": [
    {"name": "id", "type": "int64", "nullable": False},
    {"name": "n", "type": "int64", "nullable": True},
    {"name": "k", "type": "int64", "nullable": False},
    {"name": "x", "type": "float64", "nullable": True},
    {"name": "city", "type": "dictionary<int8, utf8>", "nullable": True},
    {"name": "ts", "type": "timestamp[us, tz=%s]" % TZ, "nullable": False},
    {"name": "s", "type": "utf8", "nullable": True},
]}


def row(i):
    chunk = i // CHUNK_ROWS
    n = None if (chunk % 2 == 1 and i % 7 == 0) else i * 3 - 1000  # nulls in odd chunks only
    x = "NaN" if i % 11 == 0 else ("" if i % 13 == 0 else repr(i / 8))
    city = "" if i % 17 == 0 else "c%d" % (i % 5)
    ts = (BASE_TS + pd.Timedelta(seconds=i * 97)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    s = "" if i % 19 == 0 else "s%d" % i
    return [str(i), "" if n is None else str(n), str(i % 5), x, city, ts, s]


def oracle(rows):
    """The same rows as pandas builds them in one process."""
    ids = np.array(list(rows), dtype=np.int64)
    chunk = ids // CHUNK_ROWS
    n = pd.array(np.where((chunk % 2 == 1) & (ids % 7 == 0), 0, ids * 3 - 1000), dtype="Int64")
    n[(chunk % 2 == 1) & (ids % 7 == 0)] = pd.NA
    x = np.where((ids % 11 == 0) | (ids % 13 == 0), np.nan, ids / 8)
    city = pd.Series(["c%d" % (i % 5) if i % 17 else None for i in ids], dtype=object)
    ts = pd.Series(BASE_TS + pd.to_timedelta(ids * 97, unit="s")).dt.tz_convert(TZ)
    s = pd.Series(["s%d" % i if i % 19 else None for i in ids], dtype=object)
    return pd.DataFrame({"id": ids, "n": n, "k": ids % 5, "x": x, "city": city, "ts": ts, "s": s})


def http(method, url, body=None, ctype=None):
    req = urllib.request.Request(url, data=body if body is None or isinstance(body, bytes)
                                 else body.encode(), method=method)
    if ctype:
        req.add_header("Content-Type", ctype)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read()) if r.headers.get_content_type() == "application/json" else r.read()


def metric(url, name):
    text = http("GET", url + "/metrics").decode()
    m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.M)
    return float(m.group(1))


def until(cond, what, seconds=10.0):
    """Polls `cond` (an observable state, not a delay) until true or fails."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class Shard:
    def __init__(self, tmp, name):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir)
        self.pool = os.path.join(self.dir, "p.pool")
        subprocess.run([os.environ["QUIVER_CLI"], "pool", "create", self.pool, "--size", "256M"],
                       check=True, stdout=subprocess.DEVNULL)
        cfg = os.path.join(self.dir, "cfg.json")
        with open(cfg, "w") as f:
            json.dump({"writes_enabled": True, "log_requests": True}, f)
        self.log = open(os.path.join(self.dir, "quiverd.log"), "w+")
        self.proc = subprocess.Popen([os.environ["QUIVERD"], "--pool", self.pool, "--listen",
                                      "127.0.0.1:0", "--config", cfg],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if "listening on http://" not in line:
            raise RuntimeError("quiverd did not start: " + line)
        self.url = line.split()[2]

    def create(self, table, schema):
        http("POST", self.url + "/v1/tables", json.dumps({"name": table, "schema": schema}),
             "application/json")

    def append_csv(self, table, header, rows, key=None):
        body = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
        req = urllib.request.Request(self.url + "/v1/tables/%s/rows" % table, data=body.encode(),
                                     method="POST", headers={"Content-Type": "text/csv"})
        if key:
            req.add_header("Idempotency-Key", key)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def chunks(self, table):
        return http("GET", self.url + "/v1/tables/%s/chunks" % table)

    def logged_targets(self):
        self.log.flush()
        with open(self.log.name) as f:
            return [urllib.parse.unquote_plus(line) for line in f]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.proc.stdout.close()
        self.log.close()


HEADER = [f["name"] for f in SCHEMA["fields"]]
TMP = SHARDS = CLUSTER = CLIENT = None


def setUpModule():
    global TMP, SHARDS, CLUSTER, CLIENT
    base = os.environ.get("QUIVER_TEST_TMP") or None
    if base:
        os.makedirs(base, exist_ok=True)
    TMP = tempfile.mkdtemp(prefix="quiver-dask-", dir=base)
    SHARDS = [Shard(TMP, "a"), Shard(TMP, "b")]
    for k, sh in enumerate(SHARDS):
        sh.create("t", SCHEMA)
        for c in range(CHUNKS):
            start = k * SHARD_ROWS + c * CHUNK_ROWS
            sh.append_csv("t", HEADER, [row(i) for i in range(start, start + CHUNK_ROWS)])
    SHARDS[0].create("u", {"fields": [{"name": "k", "type": "int64", "nullable": False},
                                      {"name": "zone", "type": "utf8", "nullable": False}]})
    SHARDS[0].append_csv("u", ["k", "zone"], [[str(i), "z%d" % i] for i in range(4)])
    CLUSTER = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    CLIENT = Client(CLUSTER)


def tearDownModule():
    if CLIENT:
        CLIENT.close()
    if CLUSTER:
        CLUSTER.close()
    for sh in SHARDS or []:
        sh.stop()
    shutil.rmtree(TMP, ignore_errors=True)


def urls():
    return [sh.url for sh in SHARDS]


def normal(df):
    """Rows sorted by id, categoricals as their strings, a fresh index."""
    df = df.reset_index() if df.index.name else df
    df = df.sort_values("id").reset_index(drop=True)
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


class DaskReadTest(unittest.TestCase):
    def test_scan_equals_pandas_and_every_partition_has_the_meta_dtypes(self):
        ddf = qd.read_table(urls(), "t")
        self.assertEqual(ddf.npartitions, 2 * CHUNKS)
        self.assertEqual(str(ddf._meta.dtypes["n"]), "Int64")
        self.assertEqual(str(ddf._meta.dtypes["ts"]), "datetime64[ns, %s]" % TZ)
        self.assertIsInstance(ddf._meta.dtypes["city"], pd.CategoricalDtype)
        got = normal(ddf.compute())
        want = oracle(range(2 * SHARD_ROWS))
        pd.testing.assert_frame_equal(got, want)
        # Chunks 0 and 2 of each shard have no nulls in n: still Int64.
        dtypes = CLIENT.gather(CLIENT.compute([ddf.get_partition(i) for i in range(ddf.npartitions)]))
        for i, part in enumerate(dtypes):
            for c in ddf.columns:
                m, p = ddf._meta.dtypes[c], part.dtypes[c]
                if isinstance(m, pd.CategoricalDtype):
                    self.assertIsInstance(p, pd.CategoricalDtype, (i, c))
                else:
                    self.assertEqual(p, m, (i, c))

    def test_filters_prune_partitions_and_filter_rows(self):
        before = [metric(u, "quiver_chunk_list_pruned_total") for u in urls()]
        ddf = qd.read_table(urls(), "t", filters=[("id", ">=", 3600), ("x", ">", 400.0)])
        after = [metric(u, "quiver_chunk_list_pruned_total") for u in urls()]
        self.assertEqual(ddf.npartitions, 1)
        self.assertEqual([a - b for a, b in zip(after, before)], [CHUNKS, CHUNKS - 1])
        want = oracle(range(2 * SHARD_ROWS))
        want = want[(want.id >= 3600) & (want.x > 400.0)].reset_index(drop=True)
        pd.testing.assert_frame_equal(normal(ddf.compute()), want)
        # OR of ANDs, IN, NULL semantics (NaN and NULL never match).
        f = [[("city", "in", ["c1", "c3"]), ("n", "<", 0)], [("s", "==", "s3999")]]
        got = normal(qd.read_table(urls(), "t", filters=f, columns=["id", "city", "n", "s"]).compute())
        w = oracle(range(2 * SHARD_ROWS))
        w = w[(w.city.isin(["c1", "c3"]) & (w.n < 0).fillna(False)) | (w.s == "s3999")]
        self.assertEqual(list(got.id), list(w.id))
        # A local pool is pruned by the same pruner (quiver_table_prune).
        local = qd.read_table(SHARDS[1].pool, "t", filters=[("id", ">=", 3600)])
        self.assertEqual(local.npartitions, 1)
        self.assertEqual(list(local.compute().id), list(range(3600, 4000)))

    def test_projection_reaches_the_server(self):
        ddf = qd.read_table(urls(), "t", filters=[("id", "<", 1000)])  # requests only this test makes
        got = ddf[["id", "x"]].compute().sort_values("id").reset_index(drop=True)
        want = oracle(range(1000))[["id", "x"]]
        pd.testing.assert_frame_equal(got, want)
        self.assertAlmostEqual(ddf.x.sum().compute(), want.x.sum())

        def requests():
            return [l for l in SHARDS[0].logged_targets() if "chunks=" in l and '"id" < 1000' in l]
        until(lambda: len(requests()) == 4, "the 4 chunk requests in the request log")
        selected = [sorted(re.search(r"select=([^&]*)&", l).group(1).split(", ")) for l in requests()]
        self.assertEqual(selected, [['"id"', '"x"']] * 2 + [['"x"']] * 2)

    def test_groupby_and_join_equal_pandas(self):
        ddf = qd.read_table(urls(), "t")
        got = ddf.groupby("k").agg({"x": "sum", "n": "sum", "id": "count"}).compute().sort_index()
        w = oracle(range(2 * SHARD_ROWS))
        want = w.groupby("k").agg({"x": "sum", "n": "sum", "id": "count"}).sort_index()
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        by_city = ddf.groupby("city", observed=True).id.count().compute()
        self.assertEqual(dict(by_city.items()), dict(w.groupby("city").id.count().items()))
        u = qd.read_table(urls()[0], "u")
        joined = ddf[["id", "k"]].merge(u, on="k").compute().sort_values("id").reset_index(drop=True)
        wu = pd.DataFrame({"k": np.arange(4, dtype=np.int64), "zone": ["z%d" % i for i in range(4)]})
        wj = w[["id", "k"]].merge(wu, on="k").sort_values("id").reset_index(drop=True)
        pd.testing.assert_frame_equal(joined, wj)

    def test_known_divisions_make_loc_touch_one_partition(self):
        ddf = qd.read_table(urls(), "t", index="id")
        self.assertTrue(ddf.known_divisions)
        self.assertEqual(ddf.divisions, tuple(range(0, 2 * SHARD_ROWS, CHUNK_ROWS)) +
                         (2 * SHARD_ROWS - 1,))
        before = [metric(u, "quiver_chunk_requests_total") for u in urls()]
        got = ddf.loc[1234].compute()
        after = [metric(u, "quiver_chunk_requests_total") for u in urls()]
        self.assertEqual([a - b for a, b in zip(after, before)], [1, 0])
        want = oracle([1234]).set_index("id")
        self.assertEqual(got.x.iloc[0], want.x.iloc[0])
        self.assertEqual(got.s.iloc[0], want.s.iloc[0])
        # Unsorted or overlapping chunks: divisions unknown.
        self.assertFalse(qd.read_table(urls(), "t", index="n").known_divisions)

    def test_decimals_are_exact_decimal_objects_from_shards_and_local_pools(self):
        import decimal
        shard = SHARDS[0]
        shard.create("dec", {"fields": [{"name": "id", "type": "int64", "nullable": False},
                                        {"name": "price", "type": "decimal(12,2)", "nullable": True},
                                        {"name": "big", "type": "decimal(50,5)", "nullable": True}]})
        prices = ["10.50", "-0.05", "", "9999999999.99"]
        bigs = ["-12345678901234567890123456789012345678901234.56789", "", "0.00001", "2.50000"]
        shard.append_csv("dec", ["id", "price", "big"],
                         [[str(i), prices[i % 4], bigs[i % 4]] for i in range(40)])
        want = pd.DataFrame({
            "id": np.arange(40, dtype=np.int64),
            "price": pd.Series([decimal.Decimal(prices[i % 4]) if prices[i % 4] else None
                                for i in range(40)], dtype=object),
            "big": pd.Series([decimal.Decimal(bigs[i % 4]) if bigs[i % 4] else None for i in range(40)],
                             dtype=object)})
        for source in (shard.url, shard.pool):
            ddf = qd.read_table(source, "dec")
            self.assertEqual(ddf._meta.dtypes["price"], np.dtype(object), source)
            got = ddf.compute().sort_values("id").reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want)
            self.assertEqual(str(got.price[3]), "9999999999.99")
        # Filters with Decimal values compare exactly (at and next to a value).
        f = [("price", ">=", decimal.Decimal("9999999999.99")), ("price", "<", decimal.Decimal("9999999999.991"))]
        got = qd.read_table(shard.url, "dec", filters=f).compute()
        self.assertEqual(sorted(got.id), [i for i in range(40) if i % 4 == 3])
        # Written back into a table with decimal columns: every digit kept.
        shard.create("dec2", {"fields": [{"name": "id", "type": "int64", "nullable": False},
                                         {"name": "price", "type": "decimal(12,2)", "nullable": True},
                                         {"name": "big", "type": "decimal(50,5)", "nullable": True}]})
        qd.to_quiver(qd.read_table(shard.url, "dec"), shard.url, "dec2")
        back = qd.read_table(shard.url, "dec2").compute().sort_values("id").reset_index(drop=True)
        pd.testing.assert_frame_equal(back, want)

    def test_time_types_have_pandas_dtypes(self):
        F = quiver.Field.from_text
        self.assertEqual(quiver.pandas_dtype(F("t", "time64[us]", True)), np.dtype("timedelta64[ns]"))
        self.assertEqual(quiver.pandas_dtype(F("t", "duration[ms]", True)), np.dtype("timedelta64[ns]"))
        self.assertEqual(quiver.pandas_dtype(F("t", "date64", True)), np.dtype("datetime64[ns]"))
        self.assertEqual(quiver.pandas_dtype(F("t", "float16", True)), np.dtype("float64"))
        f = F("p", "decimal256(50, 5)", True)
        self.assertEqual((f.type_id, f.precision, f.scale, quiver.pandas_dtype(f)), (17, 50, 5, np.dtype(object)))
        with self.assertRaises(quiver.QuiverError):
            quiver.pandas_dtype(F("i", "interval[day_time]", True))

    def test_a_shard_that_is_down_gives_an_error_naming_its_url(self):
        s = __import__("socket").socket()
        s.bind(("127.0.0.1", 0))
        dead = "http://127.0.0.1:%d" % s.getsockname()[1]
        s.close()
        with self.assertRaises(quiver.QuiverError) as e:
            qd.read_table([urls()[0], dead], "t")
        self.assertIn(dead, str(e.exception))
        self.assertEqual(e.exception.code, "unavailable")


class DaskLocalPoolTest(unittest.TestCase):
    def test_local_columns_are_views_into_the_mapping(self):
        path = os.path.join(TMP, "big.pool")
        subprocess.run([os.environ["QUIVER_MAKE_POOL"], "big", path, str(2 << 20)], check=True,
                       stdout=subprocess.DEVNULL)
        ddf = qd.read_table(path, "big", columns=["a", "b"])
        self.assertEqual(ddf.npartitions, 2)
        layer = ddf.dask.layers[ddf._name]
        self.assertIn("workers", layer.annotations)  # runs where the pool is
        self.assertTrue(layer.annotations.get("allow_other_workers"))

        def rss_anon():
            with open("/proc/self/status") as f:
                return int(re.search(r"RssAnon:\s+(\d+) kB", f.read()).group(1)) * 1024
        before = rss_anon()
        df = layer.io_func(layer.inputs[1])
        grown = rss_anon() - before
        column_bytes = 8 * len(df)
        self.assertEqual(len(df), 1 << 20)
        self.assertLess(grown, column_bytes // 2, "RssAnon grew by %d bytes" % grown)
        for c in ("a", "b"):
            arr = df[c].values
            addr = arr.__array_interface__["data"][0]
            holder = arr
            while not hasattr(holder, "chunk"):  # the numpy base chain ends at the chunk
                holder = holder.base
            base, size = holder.chunk.table._snap.mapping
            self.assertTrue(base <= addr < base + size, c)
            self.assertFalse(arr.flags.writeable)
        self.assertEqual(int(df.a.iloc[5]), (1 << 20) + 5)
        self.assertEqual(float(df.b.iloc[5]), ((1 << 20) + 5) * 0.25)
        # Through the cluster, the same values.
        self.assertEqual(int(ddf.a.sum().compute()), (2 << 20) * ((2 << 20) - 1) // 2)

    def test_a_write_during_the_job_does_not_change_its_result(self):
        sh = SHARDS[1]
        sh.create("w", SCHEMA)
        for c in range(2):
            sh.append_csv("w", HEADER, [row(i) for i in range(c * 100, c * 100 + 100)])
        over_http = qd.read_table(sh.url, "w")
        local = qd.read_table(sh.pool, "w")
        sh.append_csv("w", HEADER, [row(i) for i in range(200, 300)])  # after the graphs
        self.assertEqual(len(over_http.compute()), 200)
        self.assertEqual(len(local.compute()), 200)
        self.assertEqual(len(qd.read_table(sh.url, "w").compute()), 300)
        # Replaced since the graph was built: an error, not rows of another version.
        over_http, local = qd.read_table(sh.url, "w"), qd.read_table(sh.pool, "w")
        txn = sh.chunks("w")["txn"]
        http("DELETE", sh.url + "/v1/tables/w")
        sh.create("w", SCHEMA)
        sh.append_csv("w", HEADER, [row(i) for i in range(300)])
        with self.assertRaises(quiver.QuiverError) as e:
            local.compute()
        self.assertEqual(e.exception.code, "table_changed")
        self.assertIn("changed since txn %d" % txn, str(e.exception))
        self.assertEqual(len(over_http.compute()), 300)  # its scan lease keeps txn readable


class DaskWriteTest(unittest.TestCase):
    def small(self):
        df = oracle(range(300))
        df["city"] = df.city.astype("category")
        return dd.from_pandas(df, npartitions=3)

    def test_a_retried_write_leaves_no_duplicates(self):
        sh = SHARDS[0]
        marker = os.path.join(TMP, "fail-once")
        res = qd.to_quiver(self.small(), sh.url, "out", job_id="job-retry", retries=2,
                           _fail_once_marker=marker)
        self.assertEqual(res["partitions"], 3)
        self.assertEqual(res["replayed"], 3)  # every task failed once after its append
        got = normal(qd.read_table(sh.url, "out").compute())
        want = oracle(range(300))
        pd.testing.assert_frame_equal(got, want)  # every type round-trips
        again = qd.to_quiver(self.small(), sh.url, "out", job_id="job-retry")
        self.assertEqual(again["replayed"], 3)
        self.assertEqual(sh.chunks("out")["rows"], 300)

    def test_a_staged_write_becomes_visible_in_one_transaction(self):
        sh = SHARDS[0]
        res = qd.to_quiver(self.small(), sh.url, "staged", staged=True, job_id="job-staged")
        listing = sh.chunks("staged")
        self.assertEqual(listing["rows"], 300)
        self.assertEqual({c["created_txn"] for c in listing["chunks"]}, {res["txn"]})
        again = qd.to_quiver(self.small(), sh.url, "staged", staged=True, job_id="job-staged")
        self.assertTrue(again["replayed"])
        self.assertEqual(sh.chunks("staged")["rows"], 300)


class LeaseTest(unittest.TestCase):
    def test_expiry_frees_the_pin_so_the_writer_reuses_the_space(self):
        sh = Shard(TMP, "c")  # a server no other test holds leases on
        self.addCleanup(sh.stop)
        schema = {"fields": [{"name": "v", "type": "int64", "nullable": False}]}
        rows = [[str(i)] for i in range(20000)]

        def cycle():
            """Drops table e (if any), creates it and appends one chunk: its offset."""
            try:
                http("DELETE", sh.url + "/v1/tables/e")
            except urllib.error.HTTPError:
                pass
            sh.create("e", schema)
            sh.append_csv("e", ["v"], rows)
            return sh.chunks("e")["chunks"][0]["offset"]

        # Unpinned, the writer reuses the space each drop frees: the chunk
        # lands at one of the same two low offsets every time.
        unpinned = [cycle() for _ in range(4)]
        self.assertLessEqual(len(set(unpinned)), 2)
        lease = http("POST", sh.url + "/v1/tables/e/scans?ttl_ms=2000", b"")
        self.assertEqual(metric(sh.url, "quiver_pool_reader_pins"), 1)
        leased = sh.url + "/v1/tables/e/chunks?chunks=0&txn=%d&scan=%s" % (lease["txn"], lease["id"])
        # Pinned, what the drops free waits for the lease: every chunk needs
        # space no other took (space freed before the lease may still serve).
        # Each cycle reads the leased version, which also renews the lease, so
        # a slow machine does not let it expire in between.
        pinned = []
        for _ in range(4):
            pinned.append(cycle())
            data = http("GET", leased)
            self.assertEqual(quiver.IpcBatches(data).num_rows, 20000)  # the leased version
        self.assertEqual(len(set(pinned)), 4, pinned)
        self.assertGreater(max(pinned), max(unpinned))
        until(lambda: metric(sh.url, "quiver_scans_active") == 0, "the lease to expire")
        with self.assertRaises(urllib.error.HTTPError) as e:
            http("GET", leased)
        self.assertEqual(e.exception.code, 409)
        self.assertIn("changed since txn %d" % lease["txn"], e.exception.read().decode())
        self.assertEqual(metric(sh.url, "quiver_pool_reader_pins"), 0)
        # Expiry dropped the pin: the writer reuses the space freed meanwhile.
        after = [cycle(), cycle()]
        self.assertLess(min(after), max(pinned), (unpinned, pinned, after))


if __name__ == "__main__":
    unittest.main(verbosity=2)
