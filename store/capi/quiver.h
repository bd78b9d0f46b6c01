/* quiver.h: the C API of Quiver (libquiver.so), for local processes that
 * read a pool without copying.
 *
 * A process opens a pool read-only (quiver_open), pins a snapshot of one
 * committed transaction (quiver_snapshot_get) and reads its tables: schema,
 * chunks, and each column's buffers as raw pointers into the read-only
 * mapping of the pool file (quiver_chunk_column), or as Arrow C Data
 * Interface structures (quiver_chunk_export, quiver_table_export_stream) that
 * any Arrow consumer (pyarrow, polars, DuckDB, nanoarrow) takes without a
 * copy. The writer (quiverd, `quiver ingest`) keeps committing meanwhile; a
 * snapshot never changes, and its bytes are not reused until it is released.
 * If the process dies, the kernel drops its pins with its file locks.
 *
 * The C API is a thin layer over the C++ reader that quiverd uses
 * (store/store.h: Store, Snapshot, TableView::ReadChunk).
 *
 * Errors: every function that can fail returns an int status, QUIVER_OK (0)
 * or one of the QUIVER_E* codes below, and records a message naming what was
 * wrong in a thread-local slot read by quiver_last_error() (valid until the
 * next failing call on the same thread).
 *
 * Ownership and lifetimes:
 *   quiver_db        owned by the caller; quiver_close() it. Snapshots, chunks,
 *                    streams and exported arrays taken from it stay valid after
 *                    quiver_close().
 *   quiver_snapshot  owned by the caller; quiver_snapshot_release() it. Holds
 *                    the pin (the reader-table slot) and the mapping.
 *   quiver_table     borrowed from its snapshot: valid until the snapshot
 *                    handle is released (or replaced by quiver_snapshot_refresh).
 *                    Strings returned for a table share that lifetime.
 *   quiver_chunk     owned by the caller; quiver_chunk_release() it. Keeps the
 *                    snapshot pinned by itself, so pointers in its columns stay
 *                    valid until it is released, even after the snapshot handle is.
 *   Arrow structures exported here keep the snapshot pinned until their release
 *                    callbacks have run (each child and dictionary array can be
 *                    moved out and released on its own, as the spec allows).
 * Releasing the last reference to a snapshot also lets the db handle move its
 * own cached snapshot to the newest state, so that a process that has let go
 * of an old transaction no longer keeps the space it referenced from reuse.
 *
 * Thread-safety: every function may be called from any thread; one handle may
 * be used by several threads at once except that releasing a handle must not
 * race with its other uses. An ArrowArrayStream is used by one thread at a time.
 *
 * Versioning: QUIVER_C_API_VERSION is raised whenever a function or struct of
 * this header changes; quiver_version() returns the value the library was
 * built with, so a caller can check that header and library agree. The Arrow
 * structures follow the Arrow C Data Interface and C Stream Interface
 * specifications exactly (https://arrow.apache.org/docs/format/CDataInterface.html).
 */
#ifndef QUIVER_C_API_H_
#define QUIVER_C_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: per-chunk statistics and places, quiver_table_prune, quiver_ipc_decode;
 *    decimal, date64, time, duration, float16 and interval types,
 *    quiver_table_field_decimal.
 * 3: fixed_size_binary, quiver_table_field_byte_width, quiver_ipc_field_byte_width;
 *    the null type (QUIVER_TYPE_ARROW_NULL).
 * 4: nested types (LIST, FIXED_SIZE_LIST, STRUCT, MAP): quiver_column grew
 *    children, num_children and list_size at its end; quiver_field_params,
 *    quiver_table_subfield, quiver_ipc_subfield; Arrow C Data Interface
 *    export with children. */
#define QUIVER_C_API_VERSION 4

/* ------------------------------------------------------------------------- */
/* Arrow C Data Interface and C Stream Interface (copied as the spec asks,   */
/* with the canonical guards so that another copy does not clash).           */
/* ------------------------------------------------------------------------- */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  /* Array type description */
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  /* Release callback */
  void (*release)(struct ArrowSchema*);
  /* Opaque producer-specific data */
  void* private_data;
};

struct ArrowArray {
  /* Array data description */
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  /* Release callback */
  void (*release)(struct ArrowArray*);
  /* Opaque producer-specific data */
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  /* Callbacks providing stream functionality */
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);

  /* Release callback */
  void (*release)(struct ArrowArrayStream*);

  /* Opaque producer-specific data */
  void* private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* ------------------------------------------------------------------------- */
/* Versions and errors                                                       */
/* ------------------------------------------------------------------------- */

/* The QUIVER_C_API_VERSION the library was built with. */
int quiver_version(void);
/* The library's release, e.g. "0.1.0", and build facts, e.g.
 * "quiver 0.1.0 c-api 1 sanitizers=address,undefined" (or "sanitizers=none"). */
const char* quiver_version_string(void);
const char* quiver_build_info(void);
/* 1 if the library was built with -fsanitize (it can then only be loaded into
 * a process whose executable carries the sanitizer runtime). */
int quiver_built_with_sanitizers(void);

/* Status codes: the same values and names as the C++ StatusCode. */
enum quiver_status {
  QUIVER_OK = 0,
  QUIVER_EINVALID = 1,  /* bad argument, bad name, index out of range */
  QUIVER_ENOTFOUND = 2, /* no such file, table or column */
  QUIVER_EEXISTS = 3,
  QUIVER_EIO = 4,         /* the OS refused an operation */
  QUIVER_ECORRUPTION = 5, /* a checksum or structural check failed */
  QUIVER_ENOSPACE = 6,
  QUIVER_ELOCKED = 7,
  QUIVER_ENOTSUPPORTED = 8, /* e.g. a future pool format */
  QUIVER_EPERMISSION = 9,
  QUIVER_ETYPE = 10, /* the column has another type than asked for */
  QUIVER_EOVERFLOW = 11,
  QUIVER_ECANCELLED = 12,
  QUIVER_ERESOURCE = 13, /* out of memory or a limit */
  QUIVER_EINTERNAL = 14, /* a bug */
  QUIVER_EDATALOSS = 15  /* stored bytes fail their checksum (damaged at rest) */
};

/* Message of the last failed call on this thread ("" if none). */
const char* quiver_last_error(void);
/* Code of the last failed call on this thread (QUIVER_OK if none). */
int quiver_last_error_code(void);
/* Stable lower-case name of a code, e.g. "not_found"; "unknown" otherwise. */
const char* quiver_status_name(int code);

/* ------------------------------------------------------------------------- */
/* Types                                                                     */
/* ------------------------------------------------------------------------- */

enum quiver_type {
  QUIVER_TYPE_NULL = 0, /* only as "not dictionary-encoded" in index_type */
  QUIVER_TYPE_BOOL = 1,
  QUIVER_TYPE_INT8 = 2,
  QUIVER_TYPE_INT16 = 3,
  QUIVER_TYPE_INT32 = 4,
  QUIVER_TYPE_INT64 = 5,
  QUIVER_TYPE_UINT8 = 6,
  QUIVER_TYPE_UINT16 = 7,
  QUIVER_TYPE_UINT32 = 8,
  QUIVER_TYPE_UINT64 = 9,
  QUIVER_TYPE_FLOAT32 = 10,
  QUIVER_TYPE_FLOAT64 = 11,
  QUIVER_TYPE_UTF8 = 12,
  QUIVER_TYPE_BINARY = 13,
  QUIVER_TYPE_DATE32 = 14,   /* int32 days since 1970-01-01 */
  QUIVER_TYPE_TIMESTAMP = 15, /* int64 units since the epoch */
  /* Exact decimals: each value is a two's-complement little-endian integer of
   * 16 (DECIMAL128) or 32 (DECIMAL256) bytes, scaled: the number is
   * integer * 10^-scale (precision and scale from quiver_table_field_decimal).
   * 12.50 in a decimal(12, 2) column is the integer 1250. */
  QUIVER_TYPE_DECIMAL128 = 16,
  QUIVER_TYPE_DECIMAL256 = 17,
  QUIVER_TYPE_DATE64 = 18,    /* int64 milliseconds since the epoch */
  QUIVER_TYPE_TIME32 = 19,    /* int32 time_unit (s or ms) since midnight */
  QUIVER_TYPE_TIME64 = 20,    /* int64 time_unit (us or ns) since midnight */
  QUIVER_TYPE_DURATION = 21,  /* int64 count of time_unit */
  QUIVER_TYPE_FLOAT16 = 22,   /* IEEE binary16 */
  QUIVER_TYPE_INTERVAL_YEAR_MONTH = 23,     /* int32 months */
  QUIVER_TYPE_INTERVAL_DAY_TIME = 24,       /* int32 days, int32 milliseconds */
  QUIVER_TYPE_INTERVAL_MONTH_DAY_NANO = 25, /* int32 months, int32 days, int64 nanoseconds */
  /* byte_width bytes per value (quiver_table_field_byte_width), packed in
   * `values` with no offsets: row i is values + (offset + i) * byte_width. */
  QUIVER_TYPE_FIXED_SIZE_BINARY = 26,
  /* Arrow's Null type: every value null (null_count == length). `validity`
   * points at a zeroed bitmap; there are no values. (QUIVER_TYPE_NULL, 0,
   * keeps its old meaning: no type, "not dictionary-encoded".) */
  QUIVER_TYPE_ARROW_NULL = 27,
  /* Nested types (version 4). Their child fields are described by
   * quiver_table_subfield, their child columns by quiver_column.children.
   * LIST: int32 `offsets` (length + 1, from `offset`) into children[0], the
   *   values. Arrow's large_list is held in the pool with 32-bit offsets too
   *   (a chunk's values fit them, or ingest says they do not) and is given
   *   as LIST, its declared width in quiver_field_params.large.
   * FIXED_SIZE_LIST: list_size values per row in children[0]; row i is
   *   child rows [(offset + i) * list_size, (offset + i + 1) * list_size).
   * STRUCT: one child per field, row i of the struct is row offset + i of
   *   each child (the struct's offset applies to its children).
   * MAP: a LIST whose one child is a non-nullable STRUCT "entries" of two
   *   children, "key" (not nullable) and "value".
   * Every child also has its own `offset`, added as for any column: child
   * row j lies at position child.offset + j of the child's buffers. */
  QUIVER_TYPE_LIST = 28,
  QUIVER_TYPE_FIXED_SIZE_LIST = 29,
  QUIVER_TYPE_STRUCT = 30,
  QUIVER_TYPE_MAP = 31
};

enum quiver_time_unit {
  QUIVER_UNIT_SECOND = 0,
  QUIVER_UNIT_MILLI = 1,
  QUIVER_UNIT_MICRO = 2,
  QUIVER_UNIT_NANO = 3
};

/* A column's description. Strings are borrowed from the table. */
typedef struct quiver_field {
  const char* name;
  int32_t type;         /* enum quiver_type; the value type if dictionary-encoded */
  int32_t index_type;   /* dictionary index type (any INT/UINT), or QUIVER_TYPE_NULL */
  int32_t time_unit;    /* enum quiver_time_unit: TIMESTAMP, TIME32/64, DURATION */
  int32_t nullable;     /* 0 or 1 */
  const char* timezone; /* TIMESTAMP: "" when none */
} quiver_field;

/* One column of one chunk: its buffers as they lie in the pool mapping, in
 * Arrow's layout. Bitmaps are LSB-first; `offset` is the logical element
 * offset into every buffer (bits for bitmaps). */
typedef struct quiver_column {
  int32_t type; /* as in quiver_field */
  int32_t index_type;
  int64_t length; /* rows */
  int64_t offset;
  int64_t null_count;
  const uint8_t* validity; /* NULL when null_count == 0 (all valid) */
  int64_t validity_size;   /* bytes */
  /* Fixed-width values (also date32 / timestamp), bool bits, or the
   * dictionary indices; NULL for utf8 / binary and nested types. */
  const void* values;
  int64_t values_size; /* bytes */
  /* utf8 / binary: length + 1 int32 offsets into `data`; LIST and MAP: their
   * length + 1 list offsets into children[0]; NULL otherwise. */
  const int32_t* offsets;
  const uint8_t* data;
  int64_t data_size; /* bytes */
  /* Dictionary-encoded columns: the dictionary (a utf8 column); NULL
   * otherwise. Owned by the chunk. */
  const struct quiver_column* dictionary;
  /* Version 4. Nested columns: `num_children` child columns (LIST,
   * FIXED_SIZE_LIST and MAP: 1, STRUCT: one per field), owned by the chunk,
   * NULL and 0 for every other type; `list_size` is FIXED_SIZE_LIST's
   * values per row (0 otherwise). LIST and MAP set `offsets` (their list
   * offsets, see QUIVER_TYPE_LIST) and no `values`; STRUCT and
   * FIXED_SIZE_LIST have only `validity`. */
  const struct quiver_column* children;
  int64_t num_children;
  int32_t list_size;
  int32_t reserved;
} quiver_column;

/* The parameters of a field's type that quiver_field does not carry (version
 * 4), for columns and for child fields alike. */
typedef struct quiver_field_params {
  int32_t num_children; /* nested types: child fields; 0 otherwise */
  int32_t list_size;    /* FIXED_SIZE_LIST: values per row */
  int32_t keys_sorted;  /* MAP: Arrow's keysSorted flag (0 or 1) */
  int32_t large;        /* 1 if declared large_list / large_utf8 / large_binary
                           (held and given with 32-bit offsets) */
  int32_t precision;    /* decimals */
  int32_t scale;        /* decimals */
  int32_t byte_width;   /* FIXED_SIZE_BINARY */
  int32_t reserved;
} quiver_field_params;

/* ------------------------------------------------------------------------- */
/* Pools and snapshots                                                       */
/* ------------------------------------------------------------------------- */

typedef struct quiver_db quiver_db;
typedef struct quiver_snapshot quiver_snapshot;
typedef struct quiver_table quiver_table;
typedef struct quiver_chunk quiver_chunk;

/* Opens the pool at `path` read-only (never blocks the writer, never blocked
 * by it). Missing file: QUIVER_ENOTFOUND; a directory or a file that is not
 * a pool: QUIVER_EINVALID; a damaged pool: QUIVER_ECORRUPTION; a future
 * format: QUIVER_ENOTSUPPORTED. */
int quiver_open(const char* path, quiver_db** out);
/* Closes the handle (NULL is ignored). Outstanding snapshots, chunks,
 * streams and exported arrays stay valid. */
void quiver_close(quiver_db* db);
/* The pool path the db was opened with (borrowed from db). */
const char* quiver_db_path(const quiver_db* db);

/* Pins the latest committed state. */
int quiver_snapshot_get(quiver_db* db, quiver_snapshot** out);
/* Replaces *snap by a pin of the latest committed state if a newer one
 * exists (the old handle is released and tables borrowed from it become
 * invalid); *changed (may be NULL) is set to 1 if it did, else 0. */
int quiver_snapshot_refresh(quiver_snapshot** snap, int* changed);
/* Drops the handle (NULL is ignored). The pin lasts while chunks, streams or
 * exported arrays of the snapshot are alive. */
void quiver_snapshot_release(quiver_snapshot* snap);
uint64_t quiver_snapshot_txn(const quiver_snapshot* snap);
/* The mapping the snapshot's buffers point into: every buffer address lies
 * in [*base, *base + *size). */
void quiver_snapshot_mapping(const quiver_snapshot* snap, const void** base, uint64_t* size);

size_t quiver_snapshot_num_tables(const quiver_snapshot* snap);
/* Tables in name order; index out of range: QUIVER_EINVALID. */
int quiver_snapshot_table_at(const quiver_snapshot* snap, size_t i, const quiver_table** out);
/* Unknown name: QUIVER_ENOTFOUND, the message lists the tables. */
int quiver_snapshot_table(const quiver_snapshot* snap, const char* name, const quiver_table** out);

/* ------------------------------------------------------------------------- */
/* Tables                                                                    */
/* ------------------------------------------------------------------------- */

const char* quiver_table_name(const quiver_table* t);
int64_t quiver_table_num_rows(const quiver_table* t);
size_t quiver_table_num_chunks(const quiver_table* t);
/* Rows of chunk i, or -1 if out of range. */
int64_t quiver_table_chunk_rows(const quiver_table* t, size_t i);
size_t quiver_table_num_fields(const quiver_table* t);
int quiver_table_field(const quiver_table* t, size_t i, quiver_field* out);
/* Precision and scale of decimal column i (QUIVER_EINVALID if it is not a
 * decimal). */
int quiver_table_field_decimal(const quiver_table* t, size_t i, int32_t* precision, int32_t* scale);
/* Bytes per value of fixed_size_binary column i (QUIVER_EINVALID if it is
 * not fixed_size_binary). */
int quiver_table_field_byte_width(const quiver_table* t, size_t i, int32_t* byte_width);
/* Index of the column named `name`, or -1. */
int quiver_table_field_index(const quiver_table* t, const char* name);
/* A column or a child field of a nested column (version 4), named by a
 * path of `depth` >= 1 indices: path[0] is the column, path[k] the child of
 * the field named by path[0 .. k) (a list's, fixed_size_list's and map's
 * one child is 0; a map's child is the "entries" struct, whose children
 * are "key" 0 and "value" 1). Fills `field` and `params` (either may be
 * NULL); strings are borrowed from the table. An index out of range, or a
 * child of a type without children, is QUIVER_EINVALID naming the path. */
int quiver_table_subfield(const quiver_table* t, const size_t* path, size_t depth,
                          quiver_field* field, quiver_field_params* params);
/* The schema as JSON ({"fields": [...]}) and as datashape text
 * ("var * {id: int64, fare: ?float64}"); borrowed from the table. */
const char* quiver_table_schema_json(const quiver_table* t);
const char* quiver_table_schema_datashape(const quiver_table* t);

/* The table's schema as an Arrow struct schema ("+s", one child per column).
 * Nested columns carry their child schemas (names, formats, nullability,
 * metadata; a map has ARROW_FLAG_MAP_KEYS_SORTED when its keys are sorted)
 * and their arrays carry child arrays whose buffers point into the mapping,
 * as a flat column's do (no copy). large_list, large_utf8 and large_binary
 * columns are exported as "+l", "u" and "z": the pool holds their offsets
 * in 32 bits, and declaring them large would need a converted copy of
 * every offsets buffer; the values are the same. */
int quiver_table_export_schema(const quiver_table* t, struct ArrowSchema* out);
/* The whole table as an Arrow stream: one struct array per chunk, buffers in
 * the mapping. The stream keeps the snapshot pinned until released. */
int quiver_table_export_stream(const quiver_table* t, struct ArrowArrayStream* out);

/* ------------------------------------------------------------------------- */
/* Chunks and columns                                                        */
/* ------------------------------------------------------------------------- */

/* Opens chunk i (validated on first use, then cached by the snapshot). */
int quiver_table_chunk(const quiver_table* t, size_t i, quiver_chunk** out);
void quiver_chunk_release(quiver_chunk* c);
int64_t quiver_chunk_num_rows(const quiver_chunk* c);
size_t quiver_chunk_num_columns(const quiver_chunk* c);
/* Column i's buffers; *out is owned by the chunk. */
int quiver_chunk_column(const quiver_chunk* c, size_t i, const quiver_column** out);
/* The chunk as an Arrow struct array (and its schema if `schema` is not
 * NULL). The array keeps the snapshot pinned until its release callback. */
int quiver_chunk_export(const quiver_chunk* c, struct ArrowArray* out, struct ArrowSchema* schema);

/* ------------------------------------------------------------------------- */
/* Per-chunk statistics and pruning (C API version 2)                        */
/* ------------------------------------------------------------------------- */

/* How a column's statistics are kept: bool, signed integers, date32 (days),
 * date64 (ms), time32/time64, duration and timestamps (units) as INT;
 * unsigned integers as UINT; floats as DOUBLE; utf8, binary and dictionary
 * values as BYTES. Decimals are BYTES too: 16 (32) big-endian bytes of the
 * scaled integer with the sign bit flipped, so that memcmp orders them as
 * the numbers. float16 and intervals keep no bounds. */
enum quiver_stats_kind {
  QUIVER_STATS_INT = 0,
  QUIVER_STATS_UINT = 1,
  QUIVER_STATS_DOUBLE = 2,
  QUIVER_STATS_BYTES = 3
};

/* Statistics of one column of one chunk, as the catalog records them. A
 * bound is absent (has_min / has_max 0) when the chunk holds no non-null,
 * non-NaN value. BYTES bounds may be truncated: a min that is not exact is
 * below every value, a max that is not exact above. Byte pointers are
 * borrowed from the table. */
typedef struct quiver_column_stats {
  int64_t rows;
  int64_t null_count;
  int32_t kind; /* enum quiver_stats_kind */
  int32_t has_min;
  int32_t has_max;
  int32_t has_nan; /* DOUBLE: some value is NaN */
  int32_t min_exact;
  int32_t max_exact;
  int32_t sorted; /* INT: no nulls and the values never decrease */
  int32_t reserved;
  int64_t min_int, max_int;
  uint64_t min_uint, max_uint;
  double min_double, max_double;
  const uint8_t* min_bytes;
  int64_t min_bytes_size;
  const uint8_t* max_bytes;
  int64_t max_bytes_size;
} quiver_column_stats;

/* Statistics of column `column` in chunk `chunk`; out of range:
 * QUIVER_EINVALID. */
int quiver_table_chunk_stats(const quiver_table* t, size_t chunk, size_t column,
                             quiver_column_stats* out);
/* Where chunk i lies in the pool file and the transaction that wrote it
 * (any pointer may be NULL). Published bytes never change and an extent is
 * reused only by a later transaction, so equal (offset, created_txn) in two
 * snapshots name the same bytes. */
int quiver_table_chunk_place(const quiver_table* t, size_t i, uint64_t* offset, uint64_t* length,
                             uint64_t* created_txn);
/* The transaction that last changed the table. */
uint64_t quiver_table_modified_txn(const quiver_table* t);
/* Fills keep[0 .. quiver_table_num_chunks(t)) with 1 for every chunk in
 * which the condition `where` (the query model's filter text, e.g.
 * "fare > 30 and city in ('a','b')") may be TRUE for some row, and 0 where
 * the chunk's statistics prove it never is: the executor's own pruning
 * (three-valued logic, NaN, inexact string bounds, all-null chunks). Empty
 * chunks get 0. NULL or "" keeps every non-empty chunk. A parse error
 * (QUIVER_EINVALID) names the line and column; an unknown column is
 * QUIVER_ENOTFOUND, a type mismatch QUIVER_ETYPE. */
int quiver_table_prune(const quiver_table* t, const char* where, uint8_t* keep);

/* ------------------------------------------------------------------------- */
/* Arrow IPC bytes (e.g. received from quiverd) as chunks (C API version 2)  */
/* ------------------------------------------------------------------------- */

typedef struct quiver_ipc quiver_ipc;

/* Decodes an Arrow IPC stream (or file) held in memory with the validated
 * reader the pool uses: every batch is checked (message framing, buffer
 * bounds, offsets, UTF-8 ranges) before it is handed out, and a damaged one
 * is QUIVER_ECORRUPTION naming the message and its byte offset. The batches'
 * columns point into `data` (no copy) when it is 8-byte aligned, into one
 * aligned copy otherwise: the caller keeps `data` unchanged until the
 * quiver_ipc and every chunk taken from it are released. */
int quiver_ipc_decode(const void* data, size_t size, quiver_ipc** out);
void quiver_ipc_release(quiver_ipc* ipc);
size_t quiver_ipc_num_fields(const quiver_ipc* ipc);
/* Column i of the stream's schema; strings are borrowed from ipc. */
int quiver_ipc_field(const quiver_ipc* ipc, size_t i, quiver_field* out);
/* Precision and scale of decimal column i, as quiver_table_field_decimal. */
int quiver_ipc_field_decimal(const quiver_ipc* ipc, size_t i, int32_t* precision, int32_t* scale);
/* Bytes per value of fixed_size_binary column i, as quiver_table_field_byte_width. */
int quiver_ipc_field_byte_width(const quiver_ipc* ipc, size_t i, int32_t* byte_width);
/* A column or child field of the stream's schema, as quiver_table_subfield. */
int quiver_ipc_subfield(const quiver_ipc* ipc, const size_t* path, size_t depth,
                        quiver_field* field, quiver_field_params* params);
size_t quiver_ipc_num_batches(const quiver_ipc* ipc);
int64_t quiver_ipc_num_rows(const quiver_ipc* ipc);
/* Batch i as a chunk: the same quiver_chunk_column views as a pool chunk
 * (and quiver_chunk_export works on it). The chunk keeps the decoded state
 * alive by itself; `data` must still outlive it. */
int quiver_ipc_batch(const quiver_ipc* ipc, size_t i, quiver_chunk** out);

#ifdef __cplusplus
}
#endif

#endif /* QUIVER_C_API_H_ */
