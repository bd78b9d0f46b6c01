"""Nested columns of a chunk: list, large_list, fixed_size_list, struct, map.

A nested column is an object over the C API's child columns (quiver_column
children), never a copy of the values:

  ListColumn        .offsets  int32 ndarray of len + 1 entries, a zero-copy view
                              of the pool: row i's values are
                              values[offsets[i]:offsets[i + 1]]
                    .values   the child column, converted as any column
                              (numpy view, masked array, object array or a
                              nested column); its own nulls are its own
  FixedSizeListColumn .values (list_size values per row, row i at
                              [i * list_size, (i + 1) * list_size)),
                    .list_size, .to_numpy(): a (len, list_size) view
  StructColumn      .children dict of field name -> child column (each as long
                              as the struct, sliced to it: views), s["x"]
  MapColumn         a ListColumn whose values are the "entries" StructColumn;
                    .keys and .items are its two children

Every one has .mask (bool ndarray, True where the row is null, or None when
no row is), len(), col[i] (the Python value of row i), col[a:b] (a slice
sharing the buffers) and .to_pylist(): lists, dicts (struct rows), lists of
(key, value) tuples (map rows, as pyarrow gives them) and None for null; the
leaves as numpy's tolist() gives them (ints, floats, str, bytes, datetime for
s/ms/us timestamps, Decimal). A struct row that is null is None even where
its children hold values. A large_list is held with 32-bit offsets in the pool
and read like a list (Field.large tells what was declared).

Arrays taken from a column keep its chunk (and so the snapshot's pin) alive,
as every zero-copy array of this package does.
"""
import numpy as np

__all__ = ["ListColumn", "FixedSizeListColumn", "StructColumn", "MapColumn", "NestedChunks"]


def convert(chunk, col, field):
    """The nested column `col` (a quiver_column of type 28..31) of `chunk`
    described by `field`."""
    valid = chunk._valid_mask(col)
    mask = None if valid is None else ~valid
    n = col.length
    if col.type == 30:  # struct: the struct's offset applies to its children
        children = {}
        for k, f in enumerate(field.children):
            child = chunk._convert(col.children[k], f)
            children[f.name] = child[col.offset:col.offset + n]
        return StructColumn(field, n, mask, children)
    values = chunk._convert(col.children[0], field.children[0])
    if col.type == 29:
        size = col.list_size
        return FixedSizeListColumn(field, n, mask, values[col.offset * size:(col.offset + n) * size], size)
    offsets = chunk._view(col.offsets + 4 * col.offset, "<i4", n + 1) if n else np.zeros(1, dtype=np.int32)
    cls = MapColumn if col.type == 31 else ListColumn
    return cls(field, n, mask, offsets, values)


def to_list(a):
    """Python values of any column this package returns (None for null)."""
    if isinstance(a, _Nested):
        return a.to_pylist()
    return a.tolist()  # a masked array gives None where masked


class _Nested:
    def __init__(self, field, length, mask):
        self.field = field
        self._length = length
        self.mask = mask

    def __len__(self):
        return self._length

    def __iter__(self):
        return iter(self.to_pylist())

    def is_null(self, i):
        return self.mask is not None and bool(self.mask[i])

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(self._length)
            if step != 1:
                raise IndexError("nested columns slice with step 1 only")
            return self._slice(start, max(start, stop))
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError("row %d out of range (%d rows)" % (i, self._length))
        return None if self.is_null(i) else self._row(i)

    def _mask_slice(self, start, stop):
        return None if self.mask is None else self.mask[start:stop]

    def __repr__(self):
        return "<%s %s, %d rows>" % (type(self).__name__, self.field.type, self._length)


class ListColumn(_Nested):
    """A list or large_list column (see the module doc)."""

    def __init__(self, field, length, mask, offsets, values):
        super().__init__(field, length, mask)
        self.offsets = offsets
        self.values = values

    def _slice(self, start, stop):
        return type(self)(self.field, stop - start, self._mask_slice(start, stop),
                          self.offsets[start:stop + 1], self.values)

    def _row(self, i):
        return to_list(self.values[int(self.offsets[i]):int(self.offsets[i + 1])])

    def to_pylist(self):
        if self._length == 0:
            return []
        lo, hi = int(self.offsets[0]), int(self.offsets[-1])
        vals = to_list(self.values[lo:hi])
        offs = (self.offsets - lo).tolist()
        return [None if self.is_null(i) else vals[offs[i]:offs[i + 1]] for i in range(self._length)]


class MapColumn(ListColumn):
    """A map column: a list of "entries" structs <key, value> (module doc)."""

    @property
    def keys(self):
        return self.values.children["key"]

    @property
    def items(self):
        return self.values.children["value"]

    def _row(self, i):
        return self._pairs(int(self.offsets[i]), int(self.offsets[i + 1]))

    def _pairs(self, lo, hi):
        return list(zip(to_list(self.keys[lo:hi]), to_list(self.items[lo:hi])))

    def to_pylist(self):
        if self._length == 0:
            return []
        lo, hi = int(self.offsets[0]), int(self.offsets[-1])
        pairs = self._pairs(lo, hi)
        offs = (self.offsets - lo).tolist()
        return [None if self.is_null(i) else pairs[offs[i]:offs[i + 1]] for i in range(self._length)]


class FixedSizeListColumn(_Nested):
    """A fixed_size_list column (see the module doc)."""

    def __init__(self, field, length, mask, values, list_size):
        super().__init__(field, length, mask)
        self.values = values
        self.list_size = list_size

    def _slice(self, start, stop):
        w = self.list_size
        return FixedSizeListColumn(self.field, stop - start, self._mask_slice(start, stop),
                                   self.values[start * w:stop * w], w)

    def _row(self, i):
        return to_list(self.values[i * self.list_size:(i + 1) * self.list_size])

    def to_numpy(self):
        """The values as a (len, list_size) array: a view when the values are
        a numpy array (a masked array stays masked); null rows keep whatever
        values they hold (see .mask)."""
        if isinstance(self.values, _Nested):
            raise TypeError("column %r: values of type %s have no 2-D numpy form"
                            % (self.field.name, self.field.children[0].type))
        return self.values.reshape(self._length, self.list_size)

    def to_pylist(self):
        vals = to_list(self.values)
        w = self.list_size
        return [None if self.is_null(i) else vals[i * w:(i + 1) * w] for i in range(self._length)]


class StructColumn(_Nested):
    """A struct column: .children maps each field name to its column."""

    def __init__(self, field, length, mask, children):
        super().__init__(field, length, mask)
        self.children = children

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self.children[key]
            except KeyError:
                raise KeyError("struct column %r has no field %r; fields: %s"
                               % (self.field.name, key, ", ".join(self.children))) from None
        return super().__getitem__(key)

    def keys(self):
        return self.children.keys()

    def _slice(self, start, stop):
        return StructColumn(self.field, stop - start, self._mask_slice(start, stop),
                            {k: v[start:stop] for k, v in self.children.items()})

    def _row(self, i):
        return {k: to_list(v[i:i + 1])[0] for k, v in self.children.items()}

    def to_pylist(self):
        cols = {k: to_list(v) for k, v in self.children.items()}
        return [None if self.is_null(i) else {k: c[i] for k, c in cols.items()}
                for i in range(self._length)]


class NestedChunks:
    """A nested column of a table of several chunks: the chunks' columns,
    each zero-copy (.chunks), read as one column by len(), [i] and
    to_pylist()."""

    def __init__(self, field, chunks):
        self.field = field
        self.chunks = list(chunks)

    def __len__(self):
        return sum(len(c) for c in self.chunks)

    def __getitem__(self, i):
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("row %d out of range (%d rows)" % (i, n))
        for c in self.chunks:
            if i < len(c):
                return c[i]
            i -= len(c)
        raise IndexError(i)  # not reached

    def __iter__(self):
        return iter(self.to_pylist())

    def to_pylist(self):
        return [v for c in self.chunks for v in c.to_pylist()]

    def __repr__(self):
        return "<NestedChunks %s, %d rows in %d chunks>" % (self.field.type, len(self), len(self.chunks))
