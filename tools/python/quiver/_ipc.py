"""Arrow IPC bytes decoded by libquiver (quiver_ipc_decode) as chunks that
convert exactly as pool chunks do (quiver.IpcBatches)."""
from . import Chunk, Field, _capi
from ._capi import lib as _lib

_ctypes = _capi.ctypes
_P = _ctypes.c_void_p


class _IpcSchema:
    """The schema of decoded Arrow IPC bytes, as Chunk expects of a table."""

    def __init__(self, handle):
        self.fields = []
        for i in range(_lib.quiver_ipc_num_fields(handle)):
            f = _capi.Field()
            _capi.check(_lib.quiver_ipc_field(handle, i, _ctypes.byref(f)))
            self.fields.append(Field(f, handle, i, subfield_of=_lib.quiver_ipc_subfield))
        self.names = [f.name for f in self.fields]
        self._by_name = {f.name: f for f in self.fields}
        self.name = "Arrow IPC bytes"

    def __getitem__(self, name):
        return self._by_name[name]

    def _index(self, name):
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError("the Arrow data has no column %r; columns: %s"
                           % (name, ", ".join(self.names))) from None

    @property
    def schema(self):
        return self


class IpcBatches:
    """Arrow IPC bytes (e.g. a response of quiverd) decoded by libquiver's
    validated reader: `batches` are Chunks whose columns are views into
    `data` (kept alive by them), converted exactly as pool chunks are."""

    def __init__(self, data):
        self._data = data if isinstance(data, (bytes, bytearray)) else bytes(data)
        addr = _ctypes.cast(_ctypes.c_char_p(self._data), _P).value if isinstance(self._data, bytes) \
            else _ctypes.addressof(_ctypes.c_char.from_buffer(self._data))
        h = _P()
        _capi.check(_lib.quiver_ipc_decode(addr, len(self._data), _ctypes.byref(h)))
        self._h = h
        self.table = _IpcSchema(h)
        self.schema = self.table
        self.num_rows = _lib.quiver_ipc_num_rows(h)
        self.batches = [_IpcChunk(self, i) for i in range(_lib.quiver_ipc_num_batches(h))]

    def __del__(self):
        if getattr(self, "_h", None) and _lib is not None:
            _lib.quiver_ipc_release(self._h)
            self._h = None


class _IpcChunk(Chunk):
    def __init__(self, ipc, i):  # noqa: super().__init__ opens pool chunks only
        self.table = ipc.table
        self.index = i
        self._ipc = ipc  # keeps the bytes alive
        h = _P()
        _capi.check(_lib.quiver_ipc_batch(ipc._h, i, _ctypes.byref(h)))
        self._h = h
        self.num_rows = _lib.quiver_chunk_num_rows(h)
