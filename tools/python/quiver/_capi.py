"""ctypes bindings of libquiver.so (store/capi/quiver.h), C API version 4.

The library is found, in order, at $QUIVER_LIB, next to this package
(quiver/libquiver.so), in a build directory of the source tree this package
lives in (build*/store/capi/libquiver.so, newest first), or on the system
library path.
"""
import ctypes
import ctypes.util
import glob
import os

API_VERSION = 4

TYPE_NAMES = {
    0: "null", 1: "bool", 2: "int8", 3: "int16", 4: "int32", 5: "int64",
    6: "uint8", 7: "uint16", 8: "uint32", 9: "uint64", 10: "float32",
    11: "float64", 12: "utf8", 13: "binary", 14: "date32", 15: "timestamp",
    16: "decimal128", 17: "decimal256", 18: "date64", 19: "time32", 20: "time64",
    21: "duration", 22: "float16", 23: "interval[year_month]", 24: "interval[day_time]",
    25: "interval[month_day_nano]", 26: "fixed_size_binary", 27: "null",
    28: "list", 29: "fixed_size_list", 30: "struct", 31: "map",
}
NESTED_TYPES = (28, 29, 30, 31)
UNIT_NAMES = {0: "s", 1: "ms", 2: "us", 3: "ns"}


class QuiverError(Exception):
    """A failed C API call: `code` is the stable name (e.g. "not_found")."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code

    def __reduce__(self):  # survives pickling (a Dask task's error reaches the client)
        return (QuiverError, (self.code, str(self)))


class Field(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("type", ctypes.c_int32),
        ("index_type", ctypes.c_int32),
        ("time_unit", ctypes.c_int32),
        ("nullable", ctypes.c_int32),
        ("timezone", ctypes.c_char_p),
    ]


class Column(ctypes.Structure):
    pass


Column._fields_ = [
    ("type", ctypes.c_int32),
    ("index_type", ctypes.c_int32),
    ("length", ctypes.c_int64),
    ("offset", ctypes.c_int64),
    ("null_count", ctypes.c_int64),
    ("validity", ctypes.c_void_p),
    ("validity_size", ctypes.c_int64),
    ("values", ctypes.c_void_p),
    ("values_size", ctypes.c_int64),
    ("offsets", ctypes.c_void_p),
    ("data", ctypes.c_void_p),
    ("data_size", ctypes.c_int64),
    ("dictionary", ctypes.POINTER(Column)),
    ("children", ctypes.POINTER(Column)),
    ("num_children", ctypes.c_int64),
    ("list_size", ctypes.c_int32),
    ("reserved", ctypes.c_int32),
]


class FieldParams(ctypes.Structure):
    """quiver_field_params: what a type has beyond quiver_field."""
    _fields_ = [
        ("num_children", ctypes.c_int32),
        ("list_size", ctypes.c_int32),
        ("keys_sorted", ctypes.c_int32),
        ("large", ctypes.c_int32),
        ("precision", ctypes.c_int32),
        ("scale", ctypes.c_int32),
        ("byte_width", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
    ]


class ColumnStats(ctypes.Structure):
    """quiver_column_stats: one column's statistics in one chunk."""
    _fields_ = [
        ("rows", ctypes.c_int64),
        ("null_count", ctypes.c_int64),
        ("kind", ctypes.c_int32),
        ("has_min", ctypes.c_int32),
        ("has_max", ctypes.c_int32),
        ("has_nan", ctypes.c_int32),
        ("min_exact", ctypes.c_int32),
        ("max_exact", ctypes.c_int32),
        ("sorted", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
        ("min_int", ctypes.c_int64),
        ("max_int", ctypes.c_int64),
        ("min_uint", ctypes.c_uint64),
        ("max_uint", ctypes.c_uint64),
        ("min_double", ctypes.c_double),
        ("max_double", ctypes.c_double),
        ("min_bytes", ctypes.c_void_p),
        ("min_bytes_size", ctypes.c_int64),
        ("max_bytes", ctypes.c_void_p),
        ("max_bytes_size", ctypes.c_int64),
    ]


def _candidates():
    env = os.environ.get("QUIVER_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.join(here, "libquiver.so")]
    root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    found = glob.glob(os.path.join(root, "build*", "store", "capi", "libquiver.so"))
    found.sort(key=os.path.getmtime, reverse=True)
    out += found
    sys_lib = ctypes.util.find_library("quiver")
    if sys_lib:
        out.append(sys_lib)
    return out


def _needs_asan(path):
    """True if the library was linked with AddressSanitizer and this process
    has no ASan runtime: loading it would abort the interpreter."""
    try:
        with open(path, "rb") as f:
            linked = b"libasan.so" in f.read()
        with open("/proc/self/maps") as f:
            present = "libasan" in f.read()
    except OSError:
        return False
    return linked and not present


def _load():
    tried = []
    for path in _candidates():
        if not os.path.exists(path) and os.sep in path:
            tried.append(path + " (missing)")
            continue
        if os.path.exists(path) and _needs_asan(path):
            tried.append("%s (built with -fsanitize=address: run python with "
                         "LD_PRELOAD=$(gcc -print-file-name=libasan.so), or use a normal build)" % path)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError(
        "quiver: cannot load libquiver.so; set QUIVER_LIB to its path "
        "(built by `cmake --build BUILD --target quiver_c`). Tried: " + "; ".join(tried))


lib, lib_path = _load()

_P = ctypes.c_void_p
_SIGS = {
    "quiver_version": ([], ctypes.c_int),
    "quiver_version_string": ([], ctypes.c_char_p),
    "quiver_build_info": ([], ctypes.c_char_p),
    "quiver_built_with_sanitizers": ([], ctypes.c_int),
    "quiver_last_error": ([], ctypes.c_char_p),
    "quiver_last_error_code": ([], ctypes.c_int),
    "quiver_status_name": ([ctypes.c_int], ctypes.c_char_p),
    "quiver_open": ([ctypes.c_char_p, ctypes.POINTER(_P)], ctypes.c_int),
    "quiver_close": ([_P], None),
    "quiver_snapshot_get": ([_P, ctypes.POINTER(_P)], ctypes.c_int),
    "quiver_snapshot_refresh": ([ctypes.POINTER(_P), ctypes.POINTER(ctypes.c_int)], ctypes.c_int),
    "quiver_snapshot_release": ([_P], None),
    "quiver_snapshot_txn": ([_P], ctypes.c_uint64),
    "quiver_snapshot_mapping": ([_P, ctypes.POINTER(_P), ctypes.POINTER(ctypes.c_uint64)], None),
    "quiver_snapshot_num_tables": ([_P], ctypes.c_size_t),
    "quiver_snapshot_table_at": ([_P, ctypes.c_size_t, ctypes.POINTER(_P)], ctypes.c_int),
    "quiver_snapshot_table": ([_P, ctypes.c_char_p, ctypes.POINTER(_P)], ctypes.c_int),
    "quiver_table_name": ([_P], ctypes.c_char_p),
    "quiver_table_num_rows": ([_P], ctypes.c_int64),
    "quiver_table_num_chunks": ([_P], ctypes.c_size_t),
    "quiver_table_chunk_rows": ([_P, ctypes.c_size_t], ctypes.c_int64),
    "quiver_table_num_fields": ([_P], ctypes.c_size_t),
    "quiver_table_field": ([_P, ctypes.c_size_t, ctypes.POINTER(Field)], ctypes.c_int),
    "quiver_table_field_index": ([_P, ctypes.c_char_p], ctypes.c_int),
    "quiver_table_field_decimal": ([_P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int32),
                                    ctypes.POINTER(ctypes.c_int32)], ctypes.c_int),
    "quiver_table_field_byte_width": ([_P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int32)], ctypes.c_int),
    "quiver_table_subfield": ([_P, ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t, ctypes.POINTER(Field),
                               ctypes.POINTER(FieldParams)], ctypes.c_int),
    "quiver_ipc_subfield": ([_P, ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t, ctypes.POINTER(Field),
                             ctypes.POINTER(FieldParams)], ctypes.c_int),
    "quiver_table_schema_json": ([_P], ctypes.c_char_p),
    "quiver_table_schema_datashape": ([_P], ctypes.c_char_p),
    "quiver_table_export_schema": ([_P, _P], ctypes.c_int),
    "quiver_table_export_stream": ([_P, _P], ctypes.c_int),
    "quiver_table_chunk": ([_P, ctypes.c_size_t, ctypes.POINTER(_P)], ctypes.c_int),
    "quiver_chunk_release": ([_P], None),
    "quiver_chunk_num_rows": ([_P], ctypes.c_int64),
    "quiver_chunk_num_columns": ([_P], ctypes.c_size_t),
    "quiver_chunk_column": ([_P, ctypes.c_size_t, ctypes.POINTER(ctypes.POINTER(Column))], ctypes.c_int),
    "quiver_chunk_export": ([_P, _P, _P], ctypes.c_int),
    "quiver_table_chunk_stats": ([_P, ctypes.c_size_t, ctypes.c_size_t, ctypes.POINTER(ColumnStats)],
                                 ctypes.c_int),
    "quiver_table_chunk_place": ([_P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint64),
                                  ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64)],
                                 ctypes.c_int),
    "quiver_table_modified_txn": ([_P], ctypes.c_uint64),
    "quiver_table_prune": ([_P, ctypes.c_char_p, _P], ctypes.c_int),
    "quiver_ipc_decode": ([_P, ctypes.c_size_t, ctypes.POINTER(_P)], ctypes.c_int),
    "quiver_ipc_release": ([_P], None),
    "quiver_ipc_num_fields": ([_P], ctypes.c_size_t),
    "quiver_ipc_field": ([_P, ctypes.c_size_t, ctypes.POINTER(Field)], ctypes.c_int),
    "quiver_ipc_field_decimal": ([_P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int32),
                                  ctypes.POINTER(ctypes.c_int32)], ctypes.c_int),
    "quiver_ipc_field_byte_width": ([_P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int32)], ctypes.c_int),
    "quiver_ipc_num_batches": ([_P], ctypes.c_size_t),
    "quiver_ipc_num_rows": ([_P], ctypes.c_int64),
    "quiver_ipc_batch": ([_P, ctypes.c_size_t, ctypes.POINTER(_P)], ctypes.c_int),
}
for _name, (_args, _res) in _SIGS.items():
    _f = getattr(lib, _name)
    _f.argtypes = _args
    _f.restype = _res

if lib.quiver_version() != API_VERSION:
    raise ImportError("quiver: %s implements C API version %d, this package needs %d"
                      % (lib_path, lib.quiver_version(), API_VERSION))


def check(rc):
    """Raises QuiverError for a non-zero status from the C API."""
    if rc != 0:
        code = lib.quiver_status_name(rc).decode()
        raise QuiverError(code, lib.quiver_last_error().decode("utf-8", "replace"))
