"""Quiver tables as Dask DataFrames, and Dask DataFrames into Quiver.

    import quiver.dask as qd
    ddf = qd.read_table("/data/trips.pool", "trips")                 # a local pool
    ddf = qd.read_table(["http://a:8080", "http://b:8080"], "trips",  # shards
                        columns=["id", "fare"], filters=[("fare", ">", 30)], index="id")
    qd.to_quiver(ddf, "http://a:8080", "trips_copy", token="...")

Reading. Each partition is a run of `chunks_per_partition` chunks of one
source, built lazily with dd.from_map and a DataFrameIOFunction, so Dask
pushes column projection down into the reads.
  * A pool path: tasks open the pool through libquiver and build pandas
    frames over the mapped columns (fixed-width columns without nulls are
    views of the mapping, not copies). The graph records each chunk's place
    (offset, txn that wrote it): a task that finds another chunk there (the
    table was replaced or compacted since) fails with "table changed since
    txn N" instead of reading another version; appends do not disturb it.
    Tasks are annotated to run on this host (a preference: another host's
    worker cannot see the file, and would fail naming the path).
  * quiverd URLs (one per shard): a scan lease on each shard pins the
    table's version for the job (renewed by every read, expiring
    `lease_ttl_ms` after the last one); partitions come as Arrow IPC
    (`GET /v1/tables/{name}/chunks?chunks=i..j&txn=N&select=&where=`),
    filtered and projected by the server, decoded by libquiver's validated
    reader into the same views.
  * `filters` take read_parquet's form: [(col, op, value), ...] (AND) or a
    list of such lists (OR of ANDs); ops =, ==, !=, <, <=, >, >=, in, not in.
    They become the query model's WHERE text: chunks whose statistics rule
    the condition out are dropped before the graph is built (the engine's
    own pruner, locally through quiver_table_prune, remotely through the
    chunk listing), and rows are filtered too. NULL never matches (SQL).
  * `meta` comes from the table's schema (quiver.pandas_dtype): every
    partition has exactly those dtypes; dictionary columns are categoricals
    with unknown categories (each chunk has its own dictionary).
  * `index=`: that column becomes the index; when its statistics say every
    chunk is sorted and the partitions' ranges are disjoint, the divisions are
    known (partitions ordered by their ranges, also across shards).

Writing. to_quiver appends each partition with one all-or-nothing request
carrying an idempotency key (job id + partition number): a retried task
is answered with the first attempt's txn and appends nothing. With
staged=True the partitions are staged under the job id and committed by one
request at the end, so the whole job becomes visible in one transaction.
"""
import decimal as _decimal
import json as _json
import socket
import urllib.error
import urllib.parse
import urllib.request
import weakref

import numpy as np
import pandas as pd

import dask
import dask.dataframe as dd
from dask.base import tokenize
from dask.dataframe.io.utils import DataFrameIOFunction

import quiver as _quiver
from quiver import Field, IpcBatches, QuiverError, pandas_dtype

__all__ = ["read_table", "to_quiver", "filters_to_where"]


# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------

def _ident(name):
    return '"' + str(name).replace('"', '""') + '"'


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, _decimal.Decimal):
        if not v.is_finite():
            raise ValueError("a filter cannot compare with %s" % v)
        return str(v)  # exact: the binder keeps a number literal's text for decimal columns
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            raise ValueError("a filter cannot compare with NaN (no row equals NaN in SQL)")
        return repr(float(v))
    if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat"):
        ts = pd.Timestamp(v)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return "'" + ts.strftime("%Y-%m-%d %H:%M:%S.%f") + "'"
    if isinstance(v, bytes):
        v = v.decode()
    return "'" + str(v).replace("'", "''") + "'"


_OPS = {"=": "=", "==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _conjunctions(filters):
    if not filters:
        return []
    if isinstance(filters[0], tuple) or (isinstance(filters[0], list) and filters[0]
                                         and not isinstance(filters[0][0], (list, tuple))):
        return [list(filters)]
    return [list(c) for c in filters]


def filters_to_where(filters):
    """read_parquet-style filters as the query model's WHERE text (None for none)."""
    ors = []
    for conj in _conjunctions(filters):
        ands = []
        for item in conj:
            if len(item) != 3:
                raise ValueError("a filter is (column, op, value), not %r" % (item,))
            col, op, val = item
            op = op.lower().strip() if isinstance(op, str) else op
            if op in ("in", "not in"):
                vals = list(val)
                if not vals:
                    ands.append("false" if op == "in" else "true")
                    continue
                ands.append("%s %s (%s)" % (_ident(col), "IN" if op == "in" else "NOT IN",
                                            ", ".join(_literal(x) for x in vals)))
            elif op in _OPS and val is None:
                if op in ("=", "=="):
                    ands.append("%s IS NULL" % _ident(col))
                elif op == "!=":
                    ands.append("%s IS NOT NULL" % _ident(col))
                else:
                    ands.append("false")
            elif op in _OPS:
                ands.append("%s %s %s" % (_ident(col), _OPS[op], _literal(val)))
            else:
                raise ValueError("unknown filter operator %r (known: =, ==, !=, <, <=, >, >=, in, "
                                 "not in)" % (op,))
        ors.append("(" + " AND ".join(ands) + ")" if len(ands) > 1 else (ands[0] if ands else "true"))
    if not ors:
        return None
    return ors[0] if len(ors) == 1 else " OR ".join("(%s)" % o for o in ors)


def _filter_mask(df, filters):
    """The rows of `df` that `filters` keep (SQL semantics: NULL never matches)."""
    keep = np.zeros(len(df), dtype=bool)
    for conj in _conjunctions(filters):
        m = np.ones(len(df), dtype=bool)
        for col, op, val in conj:
            s = df.index.to_series(index=df.index) if col == df.index.name and col not in df else df[col]
            op = op.lower().strip()
            notnull = s.notna().to_numpy()
            if op in ("in", "not in"):
                vals = list(val)
                r = s.isin([v for v in vals if v is not None])
                r = r.to_numpy(dtype=bool, na_value=False) if hasattr(r, "to_numpy") else np.asarray(r)
                if op == "not in":
                    r = ~r if None not in vals else np.zeros(len(df), dtype=bool)
                m &= r & notnull
                continue
            if val is None:
                m &= (~notnull) if op in ("=", "==") else (notnull if op == "!=" else False)
                continue
            if isinstance(s.dtype, pd.CategoricalDtype):
                s = s.astype(object)  # ordered comparisons on the values, as SQL does
            if isinstance(s.dtype, pd.DatetimeTZDtype) or s.dtype.kind == "M":
                val = pd.Timestamp(val)
                if isinstance(s.dtype, pd.DatetimeTZDtype) and val.tzinfo is None:
                    val = val.tz_localize("UTC")
            cmp = {"=": s.__eq__, "==": s.__eq__, "!=": s.__ne__, "<": s.__lt__, "<=": s.__le__,
                   ">": s.__gt__, ">=": s.__ge__}[op](val)
            cmp = pd.Series(cmp).to_numpy(dtype=bool, na_value=False) if not isinstance(cmp, np.ndarray) \
                else cmp
            m &= cmp & notnull
        keep |= m
    return keep


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

def _request(url, method="GET", body=None, token=None, headers=None, timeout=60, what=None):
    """One HTTP request; returns (status, body bytes). Errors name the URL."""
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if body is not None and not isinstance(body, bytes):
        body = body.encode()
    if method in ("POST", "PUT") and body is None:
        body = b""
    req = urllib.request.Request(url, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        data = e.read()
        try:
            err = _json.loads(data)["error"]
            code, msg = err.get("code", "error"), err.get("message", "")
        except (ValueError, KeyError, TypeError):
            code, msg = "http_%d" % e.code, data[:300].decode("utf-8", "replace")
        raise QuiverError(code, "%s %s: HTTP %d: %s" % (method, what or url, e.code, msg)) from None
    except (urllib.error.URLError, OSError) as e:
        base = urllib.parse.urlsplit(url)
        raise QuiverError("unavailable", "quiverd at %s://%s is unreachable (%s %s): %s"
                          % (base.scheme, base.netloc, method, url,
                             getattr(e, "reason", e))) from None


def _json_request(*args, **kwargs):
    status, data = _request(*args, **kwargs)
    return _json.loads(data)


def _is_url(s):
    return isinstance(s, str) and s.startswith(("http://", "https://"))


def _table_fields_http(url, table, token, timeout):
    d = _json_request("%s/v1/tables/%s" % (url, urllib.parse.quote(table)), token=token,
                      timeout=timeout)
    return [Field.from_text(f["name"], f["type"], f["nullable"]) for f in d["fields"]]


def _stat_value(field, v):
    """A statistics bound from the chunk listing as an index value."""
    if v is None:
        return None
    if field.type_id in (14, 15):
        ts = pd.Timestamp(v)
        if field.timezone:
            ts = (ts.tz_localize("UTC") if ts.tzinfo is None else ts).tz_convert(field.timezone)
        elif ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return ts
    return v


def _local_stat_value(field, v):
    if v is None:
        return None
    if field.type_id == 15:
        ts = pd.Timestamp(int(v), unit=field.unit, tz="UTC" if field.timezone else None)
        return ts.tz_convert(field.timezone) if field.timezone else ts
    if field.type_id == 14:
        return pd.Timestamp(int(v), unit="D")
    return v


def _runs(indices, per_partition):
    """Consecutive runs of chunk indices, cut into pieces of per_partition."""
    out, run = [], []
    for i in indices:
        if run and (i != run[-1] + 1 or len(run) == per_partition):
            out.append(run)
            run = []
        run.append(i)
    if run:
        out.append(run)
    return out


def _http_parts(url, table, token, where, per_partition, ttl_ms, timeout, index):
    url = url.rstrip("/")
    lease = _json_request("%s/v1/tables/%s/scans?ttl_ms=%d" % (url, urllib.parse.quote(table), ttl_ms),
                          method="POST", token=token, timeout=timeout)
    q = {"scan": lease["id"], "txn": lease["txn"]}
    if where:
        q["where"] = where
    listing = _json_request("%s/v1/tables/%s/chunks?%s" % (url, urllib.parse.quote(table),
                                                            urllib.parse.urlencode(q)),
                            token=token, timeout=timeout)
    chunks = {c["index"]: c for c in listing["chunks"]}
    parts = []
    for run in _runs(sorted(chunks), per_partition):
        stats = [chunks[i]["stats"].get(index) if index else None for i in run]
        parts.append({"kind": "http", "url": url, "table": table, "token": token,
                      "txn": lease["txn"], "scan": lease["id"], "first": run[0], "last": run[-1],
                      "stats": stats, "timeout": timeout})
    return parts, listing["pruned"], (url, lease["id"])


def _local_parts(path, table, where, per_partition, index):
    db = _quiver.open(path)
    try:
        t = db[table]
        keep = t.prune(where)
        kept = [i for i, k in enumerate(keep) if k]
        pruned = sum(1 for i, k in enumerate(keep) if not k and _lib_rows(t, i) > 0)
        parts = []
        for run in _runs(kept, per_partition):
            stats = None
            if index:
                stats = []
                for i in run:
                    s = t.chunk_stats(i, index)
                    stats.append({"min": s["min"], "max": s["max"], "nulls": s["nulls"],
                                  "sorted": s["sorted"]})
            parts.append({"kind": "local", "path": path, "table": table, "txn": db.txn,
                          "chunks": run, "places": [t.chunk_place(i) for i in run],
                          "stats": stats})
        fields = list(t.schema.fields)
        return parts, pruned, fields
    finally:
        db.close()


def _lib_rows(t, i):
    return _quiver._lib.quiver_table_chunk_rows(t._t, i)


def _divisions(parts, field, local):
    """(parts reordered, divisions) when the index column is sorted in every
    chunk and the partitions' ranges are disjoint; (parts, None) otherwise."""
    if field is None or field.type_id not in (2, 3, 4, 5, 6, 7, 8, 9, 14, 15) or not parts:
        return parts, None
    conv = _local_stat_value if local else _stat_value
    ranges = []
    for p in parts:
        st = p["stats"]
        if any(s is None or not s.get("sorted") or s.get("nulls") or s.get("min") is None
               for s in st):
            return parts, None
        lo, hi = conv(field, st[0]["min"]), conv(field, st[-1]["max"])
        for a, b in zip(st, st[1:]):  # chunks of one partition in order
            if not conv(field, a["max"]) < conv(field, b["min"]):
                return parts, None
        ranges.append((lo, hi, p))
    ranges.sort(key=lambda r: r[0])
    for (lo1, hi1, _), (lo2, hi2, _) in zip(ranges, ranges[1:]):
        if not hi1 < lo2:
            return parts, None
    divisions = tuple(r[0] for r in ranges) + (ranges[-1][1],)
    return [r[2] for r in ranges], divisions


# ---------------------------------------------------------------------------
# Reading one partition
# ---------------------------------------------------------------------------

class QuiverPartitionReader(DataFrameIOFunction):
    """Reads one partition (a dict from read_table) as a pandas DataFrame of
    `columns` with the meta's dtypes; project_columns gives Dask the
    projection pushdown."""

    def __init__(self, fields, columns, index, filters, where):
        self.fields = fields  # name -> Field, the table's schema
        self._columns = list(columns)
        self.index = index
        self.filters = filters
        self.where = where

    @property
    def columns(self):
        return self._columns

    def project_columns(self, columns):
        if list(columns) == self._columns:
            return self
        return QuiverPartitionReader(self.fields, columns, self.index, self.filters, self.where)

    def _needed(self):
        names = list(self._columns)
        if self.index and self.index not in names:
            names.append(self.index)
        return names

    def __call__(self, part):
        if part["kind"] == "local":
            return self._local(part)
        return self._http(part)

    def _finish(self, frames, filter_here):
        names = [c for c in self._columns if c != self.index]
        if not frames:
            df = _empty_frame(self.fields, names, self.index)
        elif len(frames) == 1:
            df = frames[0]
        else:
            df = pd.concat(frames)
        if filter_here and self.filters:
            df = df[_filter_mask(df, self.filters)]
        if list(df.columns) != names:
            df = df[names]
        return df

    def _local(self, part):
        # A handle per task: the frames' chunks keep their own snapshot
        # pinned while they live, and nothing stays pinned between tasks.
        db = _quiver.open(part["path"])
        t = db[part["table"]]
        db.close()
        frames = []
        needed = self._needed()
        if self.filters:
            for conj in _conjunctions(self.filters):
                for col, _, _ in conj:
                    if col not in needed:
                        needed.append(col)
        for i, place in zip(part["chunks"], part["places"]):
            if i >= t.num_chunks or t.chunk_place(i) != tuple(place):
                raise QuiverError("table_changed",
                                  "table %r of pool %s changed since txn %d (chunk %d is not the one "
                                  "the graph was built on: replaced or compacted); build the "
                                  "DataFrame again" % (part["table"], part["path"], part["txn"], i))
            frames.append(t.chunks[i].to_pandas([c for c in needed if c != self.index],
                                                self.fields, self.index))
        return self._finish(frames, True)

    def _http(self, part):
        q = {"chunks": "%d..%d" % (part["first"], part["last"]), "txn": part["txn"],
             "scan": part["scan"], "select": ", ".join(_ident(c) for c in self._needed())}
        if self.where:
            q["where"] = self.where
        url = "%s/v1/tables/%s/chunks?%s" % (part["url"], urllib.parse.quote(part["table"]),
                                              urllib.parse.urlencode(q))
        _, body = _request(url, token=part["token"], timeout=part["timeout"],
                           headers={"Accept": "application/vnd.apache.arrow.stream"},
                           what="%s chunks %d..%d of %r" % (part["url"], part["first"], part["last"],
                                                            part["table"]))
        ipc = IpcBatches(body)
        frames = [b.to_pandas([c for c in self._needed() if c != self.index], self.fields, self.index)
                  for b in ipc.batches if b.num_rows > 0]
        return self._finish(frames, False)


def _empty_frame(fields, names, index):
    data = {n: pd.Series([], dtype=pandas_dtype(fields[n])) for n in names}
    idx = pd.Index(pd.Series([], dtype=pandas_dtype(fields[index])), name=index) if index else None
    return pd.DataFrame(data, index=idx if idx is not None else pd.RangeIndex(0), columns=names)


def _local_hosts():
    hosts = {"127.0.0.1", "localhost"}
    try:
        name = socket.gethostname()
        hosts.add(name)
        hosts.update(socket.gethostbyname_ex(name)[2])
    except OSError:
        pass
    return sorted(hosts)


def read_table(source, table, columns=None, filters=None, index=None, chunks_per_partition=1,
               token=None, lease_ttl_ms=300_000, timeout=60, hosts=None):
    """Table `table` as a dask DataFrame (see the module doc).

    source: a pool path, or a quiverd URL, or a list of URLs (shards whose
    tables share a schema). columns: the columns to read (default all).
    filters: read_parquet-style, pushed down. index: a column to index by
    (divisions known when sorted and disjoint). chunks_per_partition: chunks
    per task. token: quiverd's bearer token. hosts: where local-pool tasks
    should run (default this host's names and addresses).
    """
    if chunks_per_partition < 1:
        raise ValueError("chunks_per_partition must be at least 1")
    sources = [source] if isinstance(source, str) else list(source)
    if not sources:
        raise ValueError("read_table needs a pool path or at least one quiverd URL")
    http = [_is_url(s) for s in sources]
    if any(http) and not all(http):
        raise ValueError("mix of pool paths and URLs: give one pool path or quiverd URLs")
    where = filters_to_where(filters)
    if all(http):
        fields = _table_fields_http(sources[0].rstrip("/"), table, token, timeout)
        parts, pruned, leases = [], 0, []
        for url in sources:
            if url is not sources[0]:
                other = _table_fields_http(url.rstrip("/"), table, token, timeout)
                if [(f.name, f.type, f.nullable) for f in other] != \
                        [(f.name, f.type, f.nullable) for f in fields]:
                    raise QuiverError("type_error", "table %r has another schema at %s than at %s"
                                      % (table, url, sources[0]))
            p, n, lease = _http_parts(url, table, token, where, chunks_per_partition, lease_ttl_ms,
                                      timeout, index)
            parts += p
            pruned += n
            leases.append(lease)
        local = False
    else:
        if len(sources) != 1:
            raise ValueError("read one pool path at a time (or give quiverd URLs for shards)")
        parts, pruned, fields = _local_parts(sources[0], table, where, chunks_per_partition, index)
        local = True
    by_name = {f.name: f for f in fields}
    names = list(columns) if columns is not None else [f.name for f in fields]
    for n in names + ([index] if index else []) + [c for conj in _conjunctions(filters)
                                                  for c, _, _ in conj]:
        if n not in by_name:
            raise QuiverError("not_found", "table %r has no column %r; columns: %s"
                              % (table, n, ", ".join(by_name)))
    if index and index in names:
        names.remove(index)
    parts, divisions = _divisions(parts, by_name.get(index) if index else None, local)
    meta = _empty_frame(by_name, names, index)
    reader = QuiverPartitionReader(by_name, names, index, filters, where)
    label = "read-quiver-" + table
    tok = tokenize(sources, table, names, where, index, chunks_per_partition,
                   [(p.get("txn"), p.get("scan"), p.get("first"), p.get("chunks")) for p in parts])
    if not parts:
        if not local:
            _release_leases(table, token, leases, timeout)
        return dd.from_pandas(meta, npartitions=1)
    if local:
        with dask.annotate(workers=hosts or _local_hosts(), allow_other_workers=True):
            ddf = dd.from_map(reader, parts, meta=meta, divisions=divisions, label=label, token=tok,
                              enforce_metadata=False)
    else:
        ddf = dd.from_map(reader, parts, meta=meta, divisions=divisions, label=label, token=tok,
                          enforce_metadata=False)
        # The leases go when the last collection built on this read is
        # garbage collected (derived collections share the layer).
        weakref.finalize(ddf.dask.layers[ddf._name], _release_leases, table, token, leases, timeout)
    return ddf


def _release_leases(table, token, leases, timeout):
    for url, lease in leases:
        try:
            _request("%s/v1/tables/%s/scans/%s" % (url, urllib.parse.quote(table), lease),
                     method="DELETE", token=token, timeout=timeout)
        except QuiverError:
            pass  # expired already, or the server is gone: the pin went with it


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def _schema_json(meta):
    fields = []
    for name, dtype in meta.dtypes.items():
        nullable = True
        if isinstance(dtype, pd.CategoricalDtype):
            t = "dictionary<int32, utf8>"
        elif isinstance(dtype, pd.DatetimeTZDtype):
            t = "timestamp[us, tz=%s]" % dtype.tz
        elif isinstance(dtype, pd.BooleanDtype) or dtype == np.dtype(bool):
            t, nullable = "bool", isinstance(dtype, pd.BooleanDtype)
        elif pd.api.types.is_integer_dtype(dtype):
            nullable = isinstance(dtype, pd.api.extensions.ExtensionDtype)
            t = str(np.dtype(dtype.numpy_dtype if nullable else dtype))
            t = t.replace("int", "int").replace("uint", "uint")
        elif pd.api.types.is_float_dtype(dtype):
            t = "float32" if dtype == np.float32 else "float64"
        elif pd.api.types.is_datetime64_dtype(dtype):
            t = "timestamp[us]"
        else:
            t = "utf8"
        fields.append({"name": str(name), "type": t, "nullable": nullable})
    return {"fields": fields}


def _ndjson(df):
    if len(df) == 0:
        return b""
    out = df.copy()
    for name, dtype in out.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            out[name] = out[name].astype(object)
        elif dtype == np.dtype(object):
            # decimal.Decimal as its exact text (to_json would write a
            # rounded float); a decimal column of the table parses it exactly.
            out[name] = out[name].map(lambda v: str(v) if isinstance(v, _decimal.Decimal) else v)
    return out.to_json(orient="records", lines=True, date_format="iso", date_unit="us").encode()


def _append_partition(df, url, table, token, job, staged, timeout, fail_marker=None,
                      partition_info=None):
    number = partition_info["number"] if partition_info else 0
    key = "%s:%d" % (job, number)
    q = {"stage": job} if staged else {}
    target = "%s/v1/tables/%s/rows%s" % (url, urllib.parse.quote(table),
                                          "?" + urllib.parse.urlencode(q) if q else "")
    if len(df) == 0 and not staged:
        res = {"rows": 0, "txn": 0, "replayed": False}
    else:
        res = _json_request(target, method="POST", body=_ndjson(df), token=token, timeout=timeout,
                            headers={"Content-Type": "application/x-ndjson", "Idempotency-Key": key})
    if fail_marker is not None:  # tests: fail once after the append, as a lost reply would
        import os
        path = "%s.%d" % (fail_marker, number)
        if not os.path.exists(path):
            open(path, "w").close()
            raise ConnectionError("injected failure after the append of partition %d" % number)
    return pd.DataFrame({"partition": [number], "rows": [int(res.get("rows", 0))],
                         "txn": [int(res.get("txn", 0))], "replayed": [bool(res.get("replayed"))]})


def to_quiver(ddf, url, table, token=None, staged=False, job_id=None, create=True, timeout=120,
              retries=0, _fail_once_marker=None):
    """Appends the dask DataFrame `ddf` to `table` at quiverd `url` and
    returns {"rows", "partitions", "replayed", "txn"}.

    Each partition is one all-or-nothing append with the idempotency key
    "<job_id>:<partition>", so a retried task (or a rerun of the same job
    id) never appends twice. job_id defaults to a token of the DataFrame's
    graph and the target. staged=True stages the partitions and commits
    them in one transaction at the end (txn is then that commit's). The
    table is created from ddf's dtypes when missing and `create` is set.
    retries: task retries under a distributed client.
    """
    url = url.rstrip("/")
    job = job_id or "job-" + tokenize(ddf._name, url, table, staged)
    meta = ddf._meta
    if create:
        try:
            _json_request("%s/v1/tables/%s" % (url, urllib.parse.quote(table)), token=token,
                          timeout=timeout)
        except QuiverError as e:
            if e.code != "not_found":
                raise
            _json_request("%s/v1/tables" % url, method="POST", token=token, timeout=timeout,
                          body=_json.dumps({"name": table, "schema": _schema_json(meta),
                                            "if_not_exists": True}),
                          headers={"Content-Type": "application/json"})
    results = ddf.map_partitions(
        _append_partition, url, table, token, job, staged, timeout, _fail_once_marker,
        meta=pd.DataFrame({"partition": pd.Series([], dtype=np.int64),
                           "rows": pd.Series([], dtype=np.int64),
                           "txn": pd.Series([], dtype=np.int64),
                           "replayed": pd.Series([], dtype=bool)}),
        enforce_metadata=False)
    kwargs = {}
    if retries:
        kwargs["retries"] = retries
    done = results.compute(**kwargs)
    out = {"job": job, "partitions": int(len(done)), "rows": int(done["rows"].sum()),
           "replayed": int(done["replayed"].sum()), "txn": int(done["txn"].max()) if len(done) else 0}
    if staged:
        res = _json_request("%s/v1/tables/%s/stages/%s" % (url, urllib.parse.quote(table),
                                                           urllib.parse.quote(job)),
                            method="POST", token=token, timeout=timeout)
        out["rows"] = int(res["rows"])
        out["txn"] = int(res["txn"])
        out["replayed"] = bool(res.get("replayed"))
    return out
