"""Zero-copy reads of a Quiver pool from Python (ctypes + numpy).

    import quiver
    db = quiver.open("/data/trips.pool")   # read-only, never blocks the writer
    t = db["trips"]                        # the table as of the db's snapshot
    t.schema                               # fields, types, nullability
    a = t["fare"]                          # numpy array over the pool mapping
    df = t.to_pandas(columns=["id", "fare"])
    db.refresh()                           # later tables see new commits

What is zero-copy, and what is not:
  * Numeric, timestamp (datetime64[s|ms|us|ns]) columns: the numpy array's
    data pointer is the column's buffer in the read-only mapping of the pool
    file (the array is not writeable).
  * Nulls in such columns: a numpy masked array (numpy.ma.MaskedArray) whose
    .data is the zero-copy view and whose .mask is computed from the validity
    bitmap (one byte per row, a copy). Columns without nulls are plain arrays.
    `Chunk.buffers(name)` gives the raw values and validity bitmap instead.
  * A table of one chunk: t["col"] is the chunk's view. A table of several
    chunks: t["col"] concatenates them (a copy); t.chunks[i]["col"] is the
    zero-copy view of chunk i, and t.column_chunks("col") lists them all.
  * bool (bit-packed in Arrow) and date32 (int32 days; numpy's days are
    64-bit) are converted (copies).
  * decimal128 / decimal256 columns come back as object arrays of exact
    decimal.Decimal values (None for null; a copy). The stored form is a
    scaled integer: `Chunk.decimal_ints(name)` gives those as Python ints
    (value = int * 10**-scale, Field.precision / Field.scale), and
    `Chunk.buffers(name).values` the raw 16- or 32-byte little-endian words.
  * fixed_size_binary[w] columns come back as object arrays of bytes objects
    of w bytes (None for null; a copy), not numpy 'S<w>', whose items drop
    trailing zero bytes; `Chunk.buffers(name).values` is the packed bytes,
    zero-copy (row i at [(offset + i) * w, (offset + i + 1) * w)).
  * null-type columns (Arrow's Null) are object arrays of None. utf8 / binary and dictionary-encoded
    columns are decoded on demand into object arrays of str / bytes (None for
    null).
  * Nested columns (list, large_list, fixed_size_list, struct, map) come back
    as quiver.nested column objects: a list's offsets and values, a struct's
    dict of child columns, each a zero-copy view where the type allows, with
    to_pylist() for Python values (see quiver.nested). A table of several
    chunks gives a NestedChunks of the chunks' columns; to_pandas gives
    object columns of the Python values (a copy).
Every array keeps the snapshot it was read from pinned (its .base chain holds
the chunk handle), so the writer never reuses those bytes while the array
lives, whatever it commits meanwhile.
"""
import decimal as _decimal
import json as _json

import numpy as np

from . import _capi
from . import nested as _nested
from ._capi import QuiverError, lib as _lib

__all__ = ["open", "Database", "Table", "Chunk", "Schema", "Field", "IpcBatches", "QuiverError",
           "library_path", "pandas_dtype"]

library_path = _capi.lib_path
_ctypes = _capi.ctypes
_P = _ctypes.c_void_p

_NUMPY_TYPES = {
    2: "i1", 3: "i2", 4: "i4", 5: "i8", 6: "u1", 7: "u2", 8: "u4", 9: "u8",
    10: "f4", 11: "f8", 22: "f2", 23: "i4",
}
# Time-of-day and duration columns: numpy timedelta64 in the column's unit
# (zero-copy); date64: datetime64[ms] (zero-copy).
_TIMEDELTA_TYPES = {19: 4, 20: 8, 21: 8}


def open(path):  # noqa: A001 - the package's entry point, as in the docs
    """Opens the pool at `path` read-only and pins its latest state."""
    return Database(path)


class _Snapshot:
    """Owns one quiver_snapshot handle (released when garbage collected)."""

    def __init__(self, handle):
        self.handle = handle

    def __del__(self):
        if self.handle and _lib is not None:
            _lib.quiver_snapshot_release(self.handle)
            self.handle = None

    @property
    def txn(self):
        return _lib.quiver_snapshot_txn(self.handle)

    @property
    def mapping(self):
        """(base address, size) of the mapping every buffer lies in."""
        base, size = _P(), _ctypes.c_uint64()
        _lib.quiver_snapshot_mapping(self.handle, _ctypes.byref(base), _ctypes.byref(size))
        return base.value or 0, size.value


class Database:
    """A pool opened read-only, with a current snapshot (see refresh())."""

    def __init__(self, path):
        self.path = str(path)
        h = _P()
        _capi.check(_lib.quiver_open(self.path.encode(), _ctypes.byref(h)))
        self._db = h
        s = _P()
        try:
            _capi.check(_lib.quiver_snapshot_get(self._db, _ctypes.byref(s)))
        except Exception:
            _lib.quiver_close(self._db)
            raise
        self._snap = _Snapshot(s)

    def close(self):
        """Closes the handle; arrays and tables already taken stay valid."""
        if getattr(self, "_db", None) and _lib is not None:
            _lib.quiver_close(self._db)
            self._db = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def txn(self):
        """The transaction the current snapshot shows."""
        return self._snap.txn

    def refresh(self):
        """Moves to the latest commit; returns True if there was a newer one.
        Tables and arrays taken before keep showing their own snapshot."""
        newest = _P()
        _capi.check(_lib.quiver_snapshot_get(self._db, _ctypes.byref(newest)))
        snap = _Snapshot(newest)
        if snap.txn == self._snap.txn:
            return False
        self._snap = snap
        return True

    @property
    def tables(self):
        """Table names in the current snapshot, sorted."""
        out = []
        for i in range(_lib.quiver_snapshot_num_tables(self._snap.handle)):
            t = _P()
            _capi.check(_lib.quiver_snapshot_table_at(self._snap.handle, i, _ctypes.byref(t)))
            out.append(_lib.quiver_table_name(t).decode())
        return out

    def __contains__(self, name):
        return name in self.tables

    def __getitem__(self, name):
        t = _P()
        _capi.check(_lib.quiver_snapshot_table(self._snap.handle, name.encode(), _ctypes.byref(t)))
        return Table(self._snap, t)

    def __repr__(self):
        return "quiver.Database(%r, txn=%d, tables=%r)" % (self.path, self.txn, self.tables)


_TYPE_IDS = {v: k for k, v in _capi.TYPE_NAMES.items()}


def _path(path):
    return (_ctypes.c_size_t * len(path))(*path)


class Field:
    """One column's description (from the C API, or from quiverd's JSON)."""

    def __init__(self, f, handle=None, index=0, subfield_of=None, path=None):
        """`f` is the quiver_field of column `index` of `handle` (a table,
        or decoded IPC bytes with `subfield_of` = quiver_ipc_subfield), or of
        its child field at `path` (column index first). The type's
        parameters (decimal precision and scale, byte width, list size,
        children) come from quiver_table_subfield / quiver_ipc_subfield."""
        self.name = f.name.decode()
        self.precision = self.scale = self.byte_width = self.list_size = None
        self.keys_sorted = self.large = False
        self.children = []  # nested types: the child Fields
        if handle is not None:
            subfield_of = subfield_of or _lib.quiver_table_subfield
            path = tuple(path) if path is not None else (index,)
            params = _capi.FieldParams()
            _capi.check(subfield_of(handle, _path(path), len(path), None, _ctypes.byref(params)))
            if f.type in (16, 17):
                self.precision, self.scale = params.precision, params.scale
            if f.type == 26:
                self.byte_width = params.byte_width
            if f.type == 29:
                self.list_size = params.list_size
            self.keys_sorted, self.large = bool(params.keys_sorted), bool(params.large)
            for k in range(params.num_children):
                cf = _capi.Field()
                _capi.check(subfield_of(handle, _path(path + (k,)), len(path) + 1, _ctypes.byref(cf), None))
                self.children.append(Field(cf, handle, subfield_of=subfield_of, path=path + (k,)))
        self.type_id = f.type
        self.nullable = bool(f.nullable)
        self.dictionary_index = _capi.TYPE_NAMES[f.index_type] if f.index_type else None
        self.unit = _capi.UNIT_NAMES[f.time_unit] if f.type in (15, 19, 20, 21) else None
        self.timezone = (f.timezone or b"").decode() or None if f.type == 15 else None
        t = _capi.TYPE_NAMES[f.type]
        if f.type == 15:
            t = "timestamp[%s%s]" % (self.unit, ", tz=" + self.timezone if self.timezone else "")
        elif f.type in _TIMEDELTA_TYPES:
            t = "%s[%s]" % (t, self.unit)
        if self.precision is not None:
            t = "%s(%d, %d)" % (t, self.precision, self.scale)
        if self.byte_width is not None:
            t = "%s[%d]" % (t, self.byte_width)
        if f.type in _capi.NESTED_TYPES and f.type != 31:
            t = "%s<%s>" % ("large_list" if self.large else t,
                            ", ".join("%s: %s" % (c.name, c.type) for c in self.children))
            if f.type == 29:
                t += "[%d]" % self.list_size
        elif f.type == 31 and self.children and len(self.children[0].children) == 2:
            t = "map<%s, %s>" % tuple(c.type for c in self.children[0].children)
        if self.dictionary_index:
            t = "dictionary<%s, %s>" % (self.dictionary_index, t)
        self.type = t

    @classmethod
    def from_text(cls, name, type_text, nullable):
        """A Field from quiverd's {"name", "type", "nullable"} (the type as
        DataType::ToString writes it, e.g. "timestamp[us, tz=UTC]" or
        "dictionary<int8, utf8>")."""
        f = cls.__new__(cls)
        f.name = name
        f.nullable = bool(nullable)
        f.type = type_text
        t = type_text
        f.dictionary_index = None
        if t.startswith("dictionary<"):
            index, t = t[len("dictionary<"):-1].split(", ", 1)
            f.dictionary_index = index
        f.unit = f.timezone = None
        f.precision = f.scale = f.byte_width = f.list_size = None
        f.keys_sorted = f.large = False
        f.children = []
        if t.startswith("fixed_size_binary["):
            t, f.byte_width = "fixed_size_binary", int(t[len("fixed_size_binary["):-1])
        elif t.startswith("timestamp["):
            inner = t[len("timestamp["):-1]
            parts = inner.split(", tz=", 1)
            f.unit = parts[0]
            f.timezone = parts[1] if len(parts) > 1 else None
            t = "timestamp"
        elif t.startswith(("time32[", "time64[", "duration[")):
            t, f.unit = t[:-1].split("[", 1)
        elif t.startswith(("decimal128(", "decimal256(")):
            t, inner = t[:-1].split("(", 1)
            f.precision, f.scale = (int(x) for x in inner.split(","))
        if t not in _TYPE_IDS:
            raise QuiverError("not_supported", "column %r has type %r, unknown to this package"
                              % (name, type_text))
        f.type_id = _TYPE_IDS[t]
        return f

    def __repr__(self):
        return "%s: %s%s" % (self.name, "?" if self.nullable else "", self.type)


class Schema:
    """A table's columns: iterate for Field objects; .json and .datashape text."""

    def __init__(self, table_handle):
        n = _lib.quiver_table_num_fields(table_handle)
        self.fields = []
        for i in range(n):
            f = _capi.Field()
            _capi.check(_lib.quiver_table_field(table_handle, i, _ctypes.byref(f)))
            self.fields.append(Field(f, table_handle, i))
        self.datashape = _lib.quiver_table_schema_datashape(table_handle).decode()
        self.json = _json.loads(_lib.quiver_table_schema_json(table_handle).decode())

    @property
    def names(self):
        return [f.name for f in self.fields]

    def __iter__(self):
        return iter(self.fields)

    def __len__(self):
        return len(self.fields)

    def __getitem__(self, key):
        if isinstance(key, str):
            for f in self.fields:
                if f.name == key:
                    return f
            raise KeyError(key)
        return self.fields[key]

    def __repr__(self):
        return self.datashape


class Table:
    """One table as of one snapshot (which it keeps alive)."""

    def __init__(self, snap, handle):
        self._snap = snap  # keeps the borrowed table handle valid
        self._t = handle
        self.name = _lib.quiver_table_name(handle).decode()
        self.schema = Schema(handle)
        self._chunks = None

    @property
    def txn(self):
        return self._snap.txn

    @property
    def num_rows(self):
        return _lib.quiver_table_num_rows(self._t)

    def __len__(self):
        return self.num_rows

    @property
    def columns(self):
        return self.schema.names

    @property
    def num_chunks(self):
        return _lib.quiver_table_num_chunks(self._t)

    @property
    def chunks(self):
        """The chunks, opened lazily (each zero-copy)."""
        if self._chunks is None:
            self._chunks = _LazyChunks(self)
        return self._chunks

    def column_chunks(self, name):
        """Column `name` of every chunk, each a zero-copy array (see module doc)."""
        return [c[name] for c in self.chunks]

    def __getitem__(self, name):
        self._index(name)
        parts = self.column_chunks(name)
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return _empty(self.schema[name])
        if self.schema[name].type_id in _capi.NESTED_TYPES:
            return _nested.NestedChunks(self.schema[name], parts)
        if any(isinstance(p, np.ma.MaskedArray) for p in parts):
            return np.ma.concatenate(parts)
        return np.concatenate(parts)

    def _index(self, name):
        i = _lib.quiver_table_field_index(self._t, name.encode())
        if i < 0:
            raise KeyError("table %r has no column %r; columns: %s"
                           % (self.name, name, ", ".join(self.columns)))
        return i

    @property
    def modified_txn(self):
        """The transaction that last changed the table."""
        return _lib.quiver_table_modified_txn(self._t)

    def prune(self, where):
        """For each chunk, True when the filter text `where` may match some of
        its rows (the engine's own pruning over chunk statistics), False when
        the statistics rule it out."""
        keep = (_ctypes.c_uint8 * max(1, self.num_chunks))()
        _capi.check(_lib.quiver_table_prune(self._t, where.encode() if where else None, keep))
        return [bool(keep[i]) for i in range(self.num_chunks)]

    def chunk_place(self, i):
        """(offset, length, created_txn) of chunk i in the pool file: equal in
        two snapshots only when they hold the same bytes."""
        o, n, t = _ctypes.c_uint64(), _ctypes.c_uint64(), _ctypes.c_uint64()
        _capi.check(_lib.quiver_table_chunk_place(self._t, i, _ctypes.byref(o), _ctypes.byref(n),
                                                  _ctypes.byref(t)))
        return o.value, n.value, t.value

    def chunk_stats(self, i, name):
        """Statistics of column `name` in chunk i: a dict with rows, nulls,
        min and max (None when unknown; ints, floats, bytes as stored: days
        for dates, units since the epoch for timestamps), nan, sorted."""
        st = _capi.ColumnStats()
        _capi.check(_lib.quiver_table_chunk_stats(self._t, i, self._index(name), _ctypes.byref(st)))

        def bound(which):
            if not getattr(st, "has_" + which):
                return None
            if st.kind == 0:
                return getattr(st, which + "_int")
            if st.kind == 1:
                return getattr(st, which + "_uint")
            if st.kind == 2:
                return getattr(st, which + "_double")
            return _ctypes.string_at(getattr(st, which + "_bytes"), getattr(st, which + "_bytes_size"))

        return {"rows": st.rows, "nulls": st.null_count, "min": bound("min"), "max": bound("max"),
                "nan": bool(st.has_nan), "sorted": bool(st.sorted),
                "exact": bool(st.min_exact and st.max_exact)}

    def to_pandas(self, columns=None):
        """A pandas DataFrame of `columns` (default all). Nullable integers and
        booleans become pandas' masked Int*/boolean arrays, floats with nulls
        get NaN, timestamps NaT (tz-aware when the column has a time zone),
        dictionary columns pandas Categoricals; pandas copies the data."""
        import pandas as pd

        names = list(columns) if columns is not None else self.columns
        data = {}
        for name in names:
            self._index(name)
            field = self.schema[name]
            parts = [c._pandas(name) for c in self.chunks]
            if not parts:
                data[name] = pd.Series(_empty(field))
            elif len(parts) == 1:
                data[name] = parts[0]
            else:
                if field.dictionary_index:
                    parts = [pd.Series(np.asarray(p, dtype=object)) for p in parts]
                    s = pd.concat(parts, ignore_index=True).astype("category")
                else:
                    s = pd.concat([pd.Series(p) for p in parts], ignore_index=True)
                data[name] = s
        return pd.DataFrame({k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v)
                             for k, v in data.items()}, columns=names)

    def __repr__(self):
        return "quiver.Table(%r, rows=%d, chunks=%d, txn=%d)\n%s" % (
            self.name, self.num_rows, self.num_chunks, self.txn, self.schema)


class _LazyChunks:
    def __init__(self, table):
        self._table = table
        self._open = {}

    def __len__(self):
        return self._table.num_chunks

    def __getitem__(self, i):
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("chunk %d out of range (%d chunks)" % (i, n))
        if i not in self._open:
            self._open[i] = Chunk(self._table, i)
        return self._open[i]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


class _Holder:
    """The .base of every zero-copy array: exposes one buffer through the
    numpy array interface and keeps the chunk (and so the pin) alive."""

    def __init__(self, chunk, address, typestr, length):
        self.chunk = chunk
        self.__array_interface__ = {
            "version": 3,
            "shape": (length,),
            "typestr": typestr,
            "data": (address, True),  # read-only: the mapping is PROT_READ
        }


class ColumnBuffers:
    """A column's raw buffers in one chunk, as the C API reports them."""

    def __init__(self, chunk, col):
        self._chunk = chunk
        self.type = _capi.TYPE_NAMES[col.type]
        self.length = col.length
        self.offset = col.offset
        self.null_count = col.null_count
        self.validity_address = col.validity or 0
        self.values_address = col.values or 0
        self.offsets_address = col.offsets or 0
        self.data_address = col.data or 0
        self._col = col

    @property
    def validity(self):
        """The validity bitmap (LSB-first, uint8, zero-copy) or None."""
        if not self.validity_address:
            return None
        return np.asarray(_Holder(self._chunk, self.validity_address, "|u1", self._col.validity_size))

    @property
    def values(self):
        """The values buffer as bytes (uint8, zero-copy), or None."""
        if not self.values_address:
            return None
        return np.asarray(_Holder(self._chunk, self.values_address, "|u1", self._col.values_size))


class Chunk:
    """One chunk of a table: columns as zero-copy arrays (see module doc)."""

    def __init__(self, table, i):
        self.table = table
        self.index = i
        h = _P()
        _capi.check(_lib.quiver_table_chunk(table._t, i, _ctypes.byref(h)))
        self._h = h
        self.num_rows = _lib.quiver_chunk_num_rows(h)

    def __del__(self):
        if getattr(self, "_h", None) and _lib is not None:
            _lib.quiver_chunk_release(self._h)
            self._h = None

    def __len__(self):
        return self.num_rows

    def _column(self, name):
        i = self.table._index(name)
        p = _ctypes.POINTER(_capi.Column)()
        _capi.check(_lib.quiver_chunk_column(self._h, i, _ctypes.byref(p)))
        return p.contents

    def buffers(self, name):
        """The raw buffers of column `name` (addresses, validity, values)."""
        return ColumnBuffers(self, self._column(name))

    def _valid_mask(self, col):
        """Boolean array, True where the row is valid (a copy), or None."""
        if not col.null_count or not col.validity:
            return None
        bits = np.asarray(_Holder(self, col.validity, "|u1", col.validity_size))
        return np.unpackbits(bits, count=col.offset + col.length,
                             bitorder="little")[col.offset:].astype(bool)

    def _fixed(self, col, typestr, width):
        return np.asarray(_Holder(self, col.values + col.offset * width, typestr, col.length))

    def _view(self, address, typestr, n):
        """n items at `address` in the mapping (zero-copy, keeps the chunk alive)."""
        return np.asarray(_Holder(self, address, typestr, n))

    def _strings(self, col, binary):
        n = col.length
        if n == 0:
            return np.empty(0, dtype=object)
        offs = np.asarray(_Holder(self, col.offsets + 4 * col.offset, "<i4", n + 1))
        data = _ctypes.string_at(col.data + int(offs[0]), int(offs[-1] - offs[0])) if offs[-1] > offs[0] else b""
        base = int(offs[0])
        out = np.empty(n, dtype=object)
        valid = self._valid_mask(col)
        for k in range(n):
            if valid is not None and not valid[k]:
                out[k] = None
                continue
            b = data[offs[k] - base:offs[k + 1] - base]
            out[k] = b if binary else b.decode("utf-8")
        return out

    def _fixed_bytes(self, col, width):
        """fixed_size_binary values as bytes objects of `width` bytes (None
        for null; a copy). Not numpy 'S<width>': its items drop trailing
        zero bytes, which are data here."""
        n = col.length
        raw = _ctypes.string_at(col.values + col.offset * width, n * width) if n else b""
        out = np.empty(n, dtype=object)
        valid = self._valid_mask(col)
        for k in range(n):
            out[k] = None if valid is not None and not valid[k] else raw[k * width:(k + 1) * width]
        return out

    def _indices(self, col):
        """Dictionary indices: a view for signed ones, int64 for unsigned
        ones (a copy), so that -1 can mark a null."""
        code = _NUMPY_TYPES[col.index_type]
        width = int(code[1:])
        idx = self._fixed(col, ("|" if width == 1 else "<") + code, width)
        return idx if code[0] == "i" else idx.astype(np.int64)

    def decimal_ints(self, name):
        """A decimal column as Python ints, the stored scaled integers
        (value = int * 10**-scale); None for null. A copy."""
        return self._decimal_ints(self._column(name), name)

    def _decimal_ints(self, col, name):
        if col.type not in (16, 17):
            raise QuiverError("invalid_argument", "column %r is not a decimal" % name)
        width = 16 if col.type == 16 else 32
        raw = _ctypes.string_at(col.values + col.offset * width, col.length * width) if col.length else b""
        valid = self._valid_mask(col)
        return [None if valid is not None and not valid[k] else
                int.from_bytes(raw[k * width:(k + 1) * width], "little", signed=True) for k in range(col.length)]

    def __getitem__(self, name):
        """Column `name` (see the module doc; nested columns: quiver.nested)."""
        return self._convert(self._column(name), self.table.schema[name])

    def _convert(self, col, field):
        """The quiver_column `col` described by `field` as this package gives it."""
        t = col.type
        if t in _capi.NESTED_TYPES:
            return _nested.convert(self, col, field)
        if t in (16, 17):
            scale = field.scale
            out = np.empty(col.length, dtype=object)
            for k, v in enumerate(self._decimal_ints(col, field.name)):
                out[k] = None if v is None else _decimal.Decimal("%dE-%d" % (v, scale))  # exact, no context rounding
            return out
        if col.index_type:
            dictionary = self._strings(col.dictionary.contents, False)
            idx = self._indices(col)
            out = dictionary[idx] if len(dictionary) else np.full(col.length, None, dtype=object)
            valid = self._valid_mask(col)
            if valid is not None:
                out[~valid] = None
            return out
        if t in (12, 13):
            return self._strings(col, t == 13)
        if t == 26:
            return self._fixed_bytes(col, field.byte_width)
        if t == 27:  # the null type: every value None
            return np.full(col.length, None, dtype=object)
        if t in _NUMPY_TYPES:
            code = _NUMPY_TYPES[t]
            width = int(code[1:])
            values = self._fixed(col, ("|" if width == 1 else "<") + code, width)
        elif t == 15:
            values = self._fixed(col, "<M8[%s]" % field.unit, 8)
        elif t == 18:
            values = self._fixed(col, "<M8[ms]", 8)
        elif t in _TIMEDELTA_TYPES:
            width = _TIMEDELTA_TYPES[t]
            values = self._fixed(col, "<i%d" % width, width)
            values = values.view("<m8[%s]" % field.unit) if width == 8 else \
                values.astype("<m8[%s]" % field.unit)
        elif t == 14:
            values = self._fixed(col, "<i4", 4).astype("datetime64[D]")
        elif t == 1:
            bits = np.asarray(_Holder(self, col.values, "|u1", col.values_size))
            values = np.unpackbits(bits, count=col.offset + col.length,
                                   bitorder="little")[col.offset:].astype(bool)
        else:
            raise QuiverError("not_supported", "column %r has type %d" % (field.name, t))
        valid = self._valid_mask(col)
        if valid is None:
            return values
        return np.ma.MaskedArray(values, mask=~valid, copy=False)

    def _pandas(self, name, field=None):
        """Column `name` as a pandas array of pandas_dtype(field) (the table's
        field by default), whatever this chunk holds: nullable integer and
        boolean columns are masked arrays even in chunks without nulls, so
        that every chunk of a table gives the same dtypes. Fixed-width values
        without nulls to fill are views of the buffer (no copy); the mask of
        a masked array is computed (one byte per row)."""
        import pandas as pd

        col = self._column(name)
        field = field or self.table.schema[name]
        if col.type in _capi.NESTED_TYPES:  # Python values (lists, dicts, ...)
            out = np.empty(col.length, dtype=object)
            out[:] = self._convert(col, field).to_pylist()
            return out
        if col.index_type:
            dictionary = self._strings(col.dictionary.contents, False)
            codes = self._indices(col)
            valid = self._valid_mask(col)
            if valid is not None:
                codes = np.where(valid, codes, -1)
            return pd.Categorical.from_codes(codes, categories=pd.Index(dictionary, dtype=object))
        a = self[name]
        mask = np.ma.getmaskarray(a) if isinstance(a, np.ma.MaskedArray) else None
        values = np.asarray(a.data) if mask is not None else a
        kind = values.dtype.kind
        if kind in "iu" and field.nullable:
            if mask is None:
                mask = np.zeros(len(values), dtype=bool)
            return pd.arrays.IntegerArray(values, mask, copy=False)
        if kind == "b" and field.nullable:
            if mask is None:
                mask = np.zeros(len(values), dtype=bool)
            return pd.arrays.BooleanArray(values, mask, copy=False)
        if kind == "f":
            if mask is not None:
                values = np.where(mask, np.nan, values).astype(values.dtype)
            return values.astype(np.float64, copy=False)
        if kind == "m":
            values = values.astype("timedelta64[ns]")
            if mask is not None:
                values = np.where(mask, np.timedelta64("NaT"), values)
            return values
        if kind == "M":
            if values.dtype != np.dtype("datetime64[ns]"):
                values = values.astype("datetime64[ns]")
            if mask is not None:
                values = np.where(mask, np.datetime64("NaT"), values)
            if field.timezone:
                return pd.arrays.DatetimeArray(values, dtype=pd.DatetimeTZDtype("ns", field.timezone))
            return values
        if mask is not None:
            return a.filled()
        return values

    def to_pandas(self, columns=None, fields=None, index=None):
        """The chunk as a pandas DataFrame of `columns` (default all), with
        the dtypes of `fields` (name -> Field; the table's by default) and
        `index` (a column name) as its index. Columns are not consolidated
        into 2-D blocks, so the views of fixed-width columns stay views of
        the chunk's buffers."""
        import pandas as pd

        names = [n for n in (list(columns) if columns is not None else self.column_names)
                 if n != index]
        fields = fields or {}
        data = {name: self._pandas(name, fields.get(name)) for name in names}
        idx = pd.Index(self._pandas(index, fields.get(index)), name=index) if index else None
        if not data:
            return pd.DataFrame(index=idx if idx is not None else pd.RangeIndex(self.num_rows))
        return pd.DataFrame(data, index=idx, columns=names, copy=False)

    @property
    def column_names(self):
        return self.table.schema.names


def pandas_dtype(field):
    """The pandas dtype a column of `field` gets (Chunk._pandas, quiver.dask):
    nullable integers and booleans as pandas' masked Int*/UInt*/boolean,
    floats as float64 (NaN for null), dates and timestamps as
    datetime64[ns] (tz-aware with the column's zone; date64 too), times of
    day and durations as timedelta64[ns] (NaT for null), strings, binary
    and decimals (exact decimal.Decimal values) as object, dictionary
    columns as categorical (categories of their chunk). Day-time and
    month-day-nano intervals have no pandas form: not_supported."""
    import pandas as pd

    t = field.type_id
    if field.dictionary_index:
        return pd.CategoricalDtype()
    if t in (12, 13, 16, 17, 26, 27) or t in _capi.NESTED_TYPES:
        return np.dtype(object)
    if t in _TIMEDELTA_TYPES:
        return np.dtype("timedelta64[ns]")
    if t == 18:
        return np.dtype("datetime64[ns]")
    if t in _NUMPY_TYPES:
        code = _NUMPY_TYPES[t]
        if code[0] == "f":
            return np.dtype("float64")
        if field.nullable:
            return pd.api.types.pandas_dtype(("Int" if code[0] == "i" else "UInt") + str(8 * int(code[1:])))
        return np.dtype(code)
    if t == 1:
        return pd.BooleanDtype() if field.nullable else np.dtype(bool)
    if t == 15 and field.timezone:
        return pd.DatetimeTZDtype("ns", field.timezone)
    if t in (14, 15):
        return np.dtype("datetime64[ns]")
    raise QuiverError("not_supported", "column %r has type %s" % (field.name, field.type))


def _empty(field):
    t = field.type_id
    if field.dictionary_index or t in (12, 13, 16, 17, 26, 27) or t in _capi.NESTED_TYPES:
        return np.empty(0, dtype=object)
    if t in _NUMPY_TYPES:
        return np.empty(0, dtype=_NUMPY_TYPES[t])
    if t == 15:
        return np.empty(0, dtype="datetime64[%s]" % field.unit)
    if t == 18:
        return np.empty(0, dtype="datetime64[ms]")
    if t in _TIMEDELTA_TYPES:
        return np.empty(0, dtype="timedelta64[%s]" % field.unit)
    if t == 14:
        return np.empty(0, dtype="datetime64[D]")
    return np.empty(0, dtype=bool)


from ._ipc import IpcBatches  # noqa: E402 - needs Chunk and Field defined above
