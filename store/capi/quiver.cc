// The C API (quiver.h) over store::Store, and the Arrow C Data Interface
// export. Every extern "C" entry point catches exceptions (bad_alloc) so
// none crosses the C boundary.
//
// Lifetimes: a quiver_snapshot handle, each quiver_chunk, each stream and
// each exported Arrow array (every child and dictionary separately) hold a
// shared_ptr<SnapState>, which holds the store::Snapshot (the pin and the
// mapping) and the DbState (the Store). The pin is dropped when the last of
// them goes.
#include "store/capi/quiver.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/schema.h"
#include "columnar/types.h"
#include "config/status.h"
#include "store/store.h"

using quiver::ArrayData;
using quiver::DataType;
using quiver::RecordBatch;
using quiver::Status;
using quiver::StatusCode;
using quiver::TypeId;
namespace store = quiver::store;

static_assert(int(TypeId::kList) == QUIVER_TYPE_LIST && int(TypeId::kMap) == QUIVER_TYPE_MAP &&
                  int(TypeId::kFixedSizeList) == QUIVER_TYPE_FIXED_SIZE_LIST &&
                  int(TypeId::kStruct) == QUIVER_TYPE_STRUCT &&
                  int(TypeId::kBool) == QUIVER_TYPE_BOOL && int(TypeId::kInt64) == QUIVER_TYPE_INT64 &&
                  int(TypeId::kUInt64) == QUIVER_TYPE_UINT64 &&
                  int(TypeId::kFloat64) == QUIVER_TYPE_FLOAT64 &&
                  int(TypeId::kUtf8) == QUIVER_TYPE_UTF8 &&
                  int(TypeId::kBinary) == QUIVER_TYPE_BINARY &&
                  int(TypeId::kDate32) == QUIVER_TYPE_DATE32 &&
                  int(TypeId::kTimestamp) == QUIVER_TYPE_TIMESTAMP &&
                  int(TypeId::kIntervalMonthDayNano) == QUIVER_TYPE_INTERVAL_MONTH_DAY_NANO &&
                  int(TypeId::kFixedSizeBinary) == QUIVER_TYPE_FIXED_SIZE_BINARY &&
                  int(TypeId::kNull) == QUIVER_TYPE_ARROW_NULL && int(TypeId::kNone) == QUIVER_TYPE_NULL,
              "quiver_type values follow quiver::TypeId");
static_assert(int(StatusCode::kInvalidArgument) == QUIVER_EINVALID &&
                  int(StatusCode::kCorruption) == QUIVER_ECORRUPTION &&
                  int(StatusCode::kInternal) == QUIVER_EINTERNAL &&
                  int(StatusCode::kDataLoss) == QUIVER_EDATALOSS,
              "quiver_status values follow quiver::StatusCode");
static_assert(int(quiver::TimeUnit::kNano) == QUIVER_UNIT_NANO,
              "time units follow quiver::TimeUnit");

#ifndef QUIVER_VERSION_STRING
#define QUIVER_VERSION_STRING "unknown"
#endif
#ifndef QUIVER_CAPI_SANITIZED
#define QUIVER_CAPI_SANITIZED 0
#endif
#define QUIVER_STRINGIFY_IMPL(x) #x
#define QUIVER_STRINGIFY(x) QUIVER_STRINGIFY_IMPL(x)

#include "store/capi/capi_internal.h"

using namespace quiver::capi_internal;  // NOLINT: the helpers of this library

namespace {

Status MakeSnapState(const std::shared_ptr<DbState>& db, std::shared_ptr<SnapState>* out) {
  auto got = db->store->GetSnapshot();
  if (!got.ok()) return got.status();
  auto s = std::make_shared<SnapState>();
  s->db = db;
  s->snap = std::move(*got);
  s->tables.resize(s->snap->tables().size());
  for (size_t i = 0; i < s->tables.size(); ++i) {
    quiver_table& t = s->tables[i];
    t.owner = s.get();
    t.view = &s->snap->tables()[i];
    t.json = quiver::SchemaToJson(*t.view->schema());
    t.datashape = quiver::SchemaToDatashape(*t.view->schema());
  }
  *out = std::move(s);
  return Status::OK();
}


// --- Arrow schema export ----------------------------------------------------

struct SchemaPrivate {
  std::string format;
  std::string name;
  std::string metadata;  // encoded; empty = none
  std::vector<ArrowSchema*> children;
  ArrowSchema* dictionary = nullptr;
};

void ReleaseSchema(ArrowSchema* s) {
  if (s == nullptr || s->release == nullptr) return;
  auto* p = static_cast<SchemaPrivate*>(s->private_data);
  for (ArrowSchema* c : p->children) {
    if (c->release) c->release(c);
    delete c;
  }
  if (p->dictionary) {
    if (p->dictionary->release) p->dictionary->release(p->dictionary);
    delete p->dictionary;
  }
  delete p;
  s->release = nullptr;
  s->private_data = nullptr;
}

// Arrow's metadata encoding: int32 count, then per pair int32 key length,
// key bytes, int32 value length, value bytes (native endianness).
std::string EncodeMetadata(const std::vector<quiver::KeyValue>& kv) {
  if (kv.empty()) return {};
  std::string out;
  auto put32 = [&](int32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  put32(int32_t(kv.size()));
  for (const auto& p : kv) {
    put32(int32_t(p.key.size()));
    out += p.key;
    put32(int32_t(p.value.size()));
    out += p.value;
  }
  return out;
}

std::string FormatOf(const DataType& t, TypeId id) {
  switch (id) {
    case TypeId::kBool:
      return "b";
    case TypeId::kInt8:
      return "c";
    case TypeId::kInt16:
      return "s";
    case TypeId::kInt32:
      return "i";
    case TypeId::kInt64:
      return "l";
    case TypeId::kUInt8:
      return "C";
    case TypeId::kUInt16:
      return "S";
    case TypeId::kUInt32:
      return "I";
    case TypeId::kUInt64:
      return "L";
    case TypeId::kFloat32:
      return "f";
    case TypeId::kFloat64:
      return "g";
    case TypeId::kUtf8:
      return "u";
    case TypeId::kBinary:
      return "z";
    case TypeId::kDate32:
      return "tdD";
    case TypeId::kTimestamp: {
      static const char kUnit[] = {'s', 'm', 'u', 'n'};
      return std::string("ts") + kUnit[int(t.unit) & 3] + ":" + t.timezone;
    }
    case TypeId::kDate64:
      return "tdm";
    case TypeId::kTime32:
    case TypeId::kTime64:
    case TypeId::kDuration: {
      static const char kUnit[] = {'s', 'm', 'u', 'n'};
      return std::string(id == TypeId::kDuration ? "tD" : "tt") + kUnit[int(t.unit) & 3];
    }
    case TypeId::kFloat16:
      return "e";
    case TypeId::kIntervalYearMonth:
      return "tiM";
    case TypeId::kIntervalDayTime:
      return "tiD";
    case TypeId::kIntervalMonthDayNano:
      return "tin";
    case TypeId::kDecimal128:
    case TypeId::kDecimal256:
      return "d:" + std::to_string(t.precision) + "," + std::to_string(t.scale) +
             (id == TypeId::kDecimal256 ? ",256" : "");
    case TypeId::kFixedSizeBinary:
      return "w:" + std::to_string(t.byte_width);
    case TypeId::kList:
      // large_list too: the pool holds its offsets in 32 bits (quiver.h).
      return "+l";
    case TypeId::kFixedSizeList:
      return "+w:" + std::to_string(t.list_size);
    case TypeId::kStruct:
      return "+s";
    case TypeId::kMap:
      return "+m";
    case TypeId::kNull:
    case TypeId::kNone:
      return "n";
  }
  return "n";
}

ArrowSchema* NewSchema(std::string format, std::string name, std::string metadata, int64_t flags) {
  auto* p = new SchemaPrivate();
  p->format = std::move(format);
  p->name = std::move(name);
  p->metadata = std::move(metadata);
  auto* s = new ArrowSchema();
  s->format = p->format.c_str();
  s->name = p->name.c_str();
  s->metadata = p->metadata.empty() ? nullptr : p->metadata.data();
  s->flags = flags;
  s->n_children = 0;
  s->children = nullptr;
  s->dictionary = nullptr;
  s->release = ReleaseSchema;
  s->private_data = p;
  return s;
}

// A field's schema, with its children (nested types, recursively) and its
// dictionary.
ArrowSchema* FieldSchema(const quiver::Field& f) {
  const DataType& t = f.type;
  int64_t flags = f.nullable ? ARROW_FLAG_NULLABLE : 0;
  if (t.id == TypeId::kMap && t.keys_sorted) flags |= ARROW_FLAG_MAP_KEYS_SORTED;
  std::string meta = EncodeMetadata(f.metadata);
  ArrowSchema* s = NewSchema(FormatOf(t, t.is_dictionary() ? t.dict_index : t.id), f.name, meta, flags);
  auto* p = static_cast<SchemaPrivate*>(s->private_data);
  for (size_t k = 0; k < t.num_children(); ++k) p->children.push_back(FieldSchema(t.child(k)));
  s->n_children = int64_t(p->children.size());
  s->children = p->children.empty() ? nullptr : p->children.data();
  if (t.is_dictionary()) {
    p->dictionary = NewSchema(FormatOf(t, t.id), "", "", ARROW_FLAG_NULLABLE);
    s->dictionary = p->dictionary;
  }
  return s;
}

// Moves a heap-built schema into caller storage `out`.
void MoveSchema(ArrowSchema* built, ArrowSchema* out) {
  *out = *built;
  delete built;
}

void ExportSchemaTo(const quiver::Schema& schema, ArrowSchema* out) {
  ArrowSchema* s = NewSchema("+s", "", EncodeMetadata(schema.metadata()), 0);
  auto* p = static_cast<SchemaPrivate*>(s->private_data);
  for (const auto& f : schema.fields()) p->children.push_back(FieldSchema(f));
  s->n_children = int64_t(p->children.size());
  s->children = p->children.empty() ? nullptr : p->children.data();
  MoveSchema(s, out);
}

// --- Arrow array export -----------------------------------------------------

struct ArrayPrivate {
  std::shared_ptr<const void> snap;  // the pin and the mapping (or the IPC bytes)
  std::shared_ptr<ArrayData> data;  // keeps the column's Buffer objects
  const void* buffers[3] = {nullptr, nullptr, nullptr};
  std::vector<ArrowArray*> children;
  ArrowArray* dictionary = nullptr;
};

void ReleaseArray(ArrowArray* a) {
  if (a == nullptr || a->release == nullptr) return;
  auto* p = static_cast<ArrayPrivate*>(a->private_data);
  for (ArrowArray* c : p->children) {
    if (c->release) c->release(c);
    delete c;
  }
  if (p->dictionary) {
    if (p->dictionary->release) p->dictionary->release(p->dictionary);
    delete p->dictionary;
  }
  delete p;
  a->release = nullptr;
  a->private_data = nullptr;
}

ArrowArray* NewArray(const std::shared_ptr<const void>& snap) {
  auto* p = new ArrayPrivate();
  p->snap = snap;
  auto* a = new ArrowArray();
  *a = ArrowArray{};
  a->buffers = p->buffers;
  a->release = ReleaseArray;
  a->private_data = p;
  return a;
}

ArrowArray* ColumnArray(const std::shared_ptr<ArrayData>& col,
                        const std::shared_ptr<const void>& snap) {
  ArrowArray* a = NewArray(snap);
  auto* p = static_cast<ArrayPrivate*>(a->private_data);
  p->data = col;
  a->length = col->length;
  a->offset = col->offset;
  a->null_count = col->null_count;
  // Arrow allows a NULL validity buffer only when null_count is 0.
  p->buffers[0] = col->null_count > 0 && !col->buffers.empty() && col->buffers[0]
                      ? col->buffers[0]->data()
                      : nullptr;
  const TypeId id = col->type.id;
  bool var = quiver::IsVarLength(id) && !col->type.is_dictionary();
  p->buffers[1] = DataOrZeros(col->buffers.size() > 1 ? col->buffers[1] : nullptr);
  a->n_buffers = 2;  // list and map: validity, int32 offsets
  if (id == TypeId::kNull) a->n_buffers = 0;  // Arrow's Null: no buffers
  if (id == TypeId::kStruct || id == TypeId::kFixedSizeList) a->n_buffers = 1;  // validity
  if (var) {
    p->buffers[2] = DataOrZeros(col->buffers.size() > 2 ? col->buffers[2] : nullptr);
    a->n_buffers = 3;
  }
  // Children keep Arrow's offset conventions as they are (columnar/array.h),
  // so each is exported as it lies, pointing into the same mapping.
  for (const auto& child : col->children) p->children.push_back(ColumnArray(child, snap));
  a->n_children = int64_t(p->children.size());
  a->children = p->children.empty() ? nullptr : p->children.data();
  if (col->type.is_dictionary() && col->dictionary) {
    p->dictionary = ColumnArray(col->dictionary, snap);
    a->dictionary = p->dictionary;
  }
  return a;
}

void ExportBatchTo(const RecordBatch& batch, const std::shared_ptr<const void>& snap,
                   ArrowArray* out) {
  ArrowArray* a = NewArray(snap);
  auto* p = static_cast<ArrayPrivate*>(a->private_data);
  a->length = batch.num_rows;
  a->n_buffers = 1;  // a struct's validity: none
  for (const auto& col : batch.columns) p->children.push_back(ColumnArray(col, snap));
  a->n_children = int64_t(p->children.size());
  a->children = p->children.empty() ? nullptr : p->children.data();
  *out = *a;
  delete a;
}

// --- Arrow stream export ----------------------------------------------------

struct StreamPrivate {
  std::shared_ptr<SnapState> snap;
  const store::TableView* table = nullptr;
  size_t next = 0;
  std::string error;
};

int StreamGetSchema(ArrowArrayStream* s, ArrowSchema* out) {
  auto* p = static_cast<StreamPrivate*>(s->private_data);
  try {
    ExportSchemaTo(*p->table->schema(), out);
    return 0;
  } catch (const std::bad_alloc&) {
    p->error = "out of memory";
    return ENOMEM;
  }
}

int StreamGetNext(ArrowArrayStream* s, ArrowArray* out) {
  auto* p = static_cast<StreamPrivate*>(s->private_data);
  try {
    if (p->next >= p->table->num_chunks()) {
      *out = ArrowArray{};  // end of stream: a released array
      return 0;
    }
    auto batch = p->table->ReadChunk(p->next);
    if (!batch.ok()) {
      p->error = batch.status().ToString();
      return EIO;
    }
    ExportBatchTo(*batch, p->snap, out);
    ++p->next;
    return 0;
  } catch (const std::bad_alloc&) {
    p->error = "out of memory";
    return ENOMEM;
  }
}

const char* StreamGetLastError(ArrowArrayStream* s) {
  auto* p = static_cast<StreamPrivate*>(s->private_data);
  return p->error.empty() ? nullptr : p->error.c_str();
}

void StreamRelease(ArrowArrayStream* s) {
  if (s == nullptr || s->release == nullptr) return;
  delete static_cast<StreamPrivate*>(s->private_data);
  s->private_data = nullptr;
  s->release = nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------
// extern "C"
// ---------------------------------------------------------------------------

extern "C" {

int quiver_version(void) { return QUIVER_C_API_VERSION; }

const char* quiver_version_string(void) { return QUIVER_VERSION_STRING; }

const char* quiver_build_info(void) {
  return "quiver " QUIVER_VERSION_STRING " c-api " QUIVER_STRINGIFY(QUIVER_C_API_VERSION)
#if QUIVER_CAPI_SANITIZED
      " sanitizers=address,undefined";
#else
      " sanitizers=none";
#endif
}

int quiver_built_with_sanitizers(void) { return QUIVER_CAPI_SANITIZED ? 1 : 0; }

const char* quiver_last_error(void) { return t_error.c_str(); }
int quiver_last_error_code(void) { return t_code; }

const char* quiver_status_name(int code) {
  if (code < 0 || code > QUIVER_EDATALOSS) return "unknown";
  return quiver::StatusCodeName(StatusCode(code)).data();
}

int quiver_open(const char* path, quiver_db** out) {
  return Guard([&] {
    if (out == nullptr) return NullArgument("quiver_open", "out");
    *out = nullptr;
    if (path == nullptr || *path == '\0') {
      return Fail(StatusCode::kInvalidArgument, "quiver_open: the pool path is empty");
    }
    store::StoreOptions o;
    o.read_only = true;
    auto s = store::Store::Open(path, o);
    if (!s.ok()) return Fail(s.status());
    auto st = std::make_shared<DbState>();
    st->store = std::move(*s);
    st->path = path;
    *out = new quiver_db{std::move(st)};
    return int(QUIVER_OK);
  });
}

void quiver_close(quiver_db* db) {
  if (db == nullptr) return;
  {
    std::lock_guard<std::mutex> g(db->state->mu);
    db->state->closed = true;
  }
  delete db;
}

const char* quiver_db_path(const quiver_db* db) { return db ? db->state->path.c_str() : ""; }

int quiver_snapshot_get(quiver_db* db, quiver_snapshot** out) {
  return Guard([&] {
    if (db == nullptr || out == nullptr) {
      return NullArgument("quiver_snapshot_get", "db or out");
    }
    *out = nullptr;
    std::shared_ptr<SnapState> s;
    Status st = MakeSnapState(db->state, &s);
    if (!st.ok()) return Fail(st);
    *out = new quiver_snapshot{std::move(s)};
    return int(QUIVER_OK);
  });
}

int quiver_snapshot_refresh(quiver_snapshot** snap, int* changed) {
  return Guard([&] {
    if (changed) *changed = 0;
    if (snap == nullptr || *snap == nullptr) {
      return NullArgument("quiver_snapshot_refresh", "snapshot");
    }
    const std::shared_ptr<DbState>& db = (*snap)->state->db;
    std::shared_ptr<SnapState> s;
    Status st = MakeSnapState(db, &s);
    if (!st.ok()) return Fail(st);
    if (s->snap->txn() == (*snap)->state->snap->txn()) return int(QUIVER_OK);
    delete *snap;
    *snap = new quiver_snapshot{std::move(s)};
    if (changed) *changed = 1;
    return int(QUIVER_OK);
  });
}

void quiver_snapshot_release(quiver_snapshot* snap) { delete snap; }

uint64_t quiver_snapshot_txn(const quiver_snapshot* snap) {
  return snap ? snap->state->snap->txn() : 0;
}

void quiver_snapshot_mapping(const quiver_snapshot* snap, const void** base, uint64_t* size) {
  const quiver::pmem::Snapshot* pin = snap ? &snap->state->snap->pool_snapshot() : nullptr;
  if (base) *base = pin ? pin->base() : nullptr;
  if (size) *size = pin ? pin->mapped_size() : 0;
}

size_t quiver_snapshot_num_tables(const quiver_snapshot* snap) {
  return snap ? snap->state->tables.size() : 0;
}

int quiver_snapshot_table_at(const quiver_snapshot* snap, size_t i, const quiver_table** out) {
  return Guard([&] {
    if (snap == nullptr || out == nullptr) {
      return NullArgument("quiver_snapshot_table_at", "snapshot or out");
    }
    *out = nullptr;
    if (i >= snap->state->tables.size()) {
      return OutOfRange("table", i, "the snapshot", snap->state->tables.size(), "tables");
    }
    *out = &snap->state->tables[i];
    return int(QUIVER_OK);
  });
}

int quiver_snapshot_table(const quiver_snapshot* snap, const char* name, const quiver_table** out) {
  return Guard([&] {
    if (snap == nullptr || name == nullptr || out == nullptr) {
      return NullArgument("quiver_snapshot_table", "snapshot, name or out");
    }
    *out = nullptr;
    auto t = snap->state->snap->table(name);
    if (!t.ok()) return Fail(t.status());
    size_t i = size_t(*t - snap->state->snap->tables().data());
    *out = &snap->state->tables[i];
    return int(QUIVER_OK);
  });
}

const char* quiver_table_name(const quiver_table* t) { return t ? t->view->name().c_str() : ""; }
int64_t quiver_table_num_rows(const quiver_table* t) { return t ? t->view->num_rows() : 0; }
size_t quiver_table_num_chunks(const quiver_table* t) { return t ? t->view->num_chunks() : 0; }

int64_t quiver_table_chunk_rows(const quiver_table* t, size_t i) {
  if (t == nullptr || i >= t->view->num_chunks()) return -1;
  return t->view->chunks()[i].rows;
}

size_t quiver_table_num_fields(const quiver_table* t) {
  return t ? t->view->schema()->num_fields() : 0;
}

int quiver_table_field(const quiver_table* t, size_t i, quiver_field* out) {
  return Guard([&] {
    if (t == nullptr || out == nullptr) {
      return NullArgument("quiver_table_field", "table or out");
    }
    const quiver::Schema& s = *t->view->schema();
    if (i >= s.num_fields()) {
      return OutOfRange("column", i, "table \"" + t->view->name() + "\"", s.num_fields(),
                        "columns");
    }
    const quiver::Field& f = s.field(i);
    out->name = f.name.c_str();
    out->type = int32_t(f.type.id);
    out->index_type = int32_t(f.type.dict_index);
    out->time_unit = int32_t(f.type.unit);
    out->nullable = f.nullable ? 1 : 0;
    out->timezone = f.type.timezone.c_str();
    return int(QUIVER_OK);
  });
}

int quiver_table_field_decimal(const quiver_table* t, size_t i, int32_t* precision, int32_t* scale) {
  return Guard([&]() -> int {
    if (t == nullptr || precision == nullptr || scale == nullptr) {
      return NullArgument("quiver_table_field_decimal", "table, precision or scale");
    }
    const quiver::Schema& s = *t->view->schema();
    if (i >= s.num_fields()) {
      return OutOfRange("column", i, "table \"" + t->view->name() + "\"", s.num_fields(), "columns");
    }
    return FieldDecimal(s.field(i), precision, scale);
  });
}

int quiver_table_field_byte_width(const quiver_table* t, size_t i, int32_t* byte_width) {
  return Guard([&]() -> int {
    if (t == nullptr || byte_width == nullptr) {
      return NullArgument("quiver_table_field_byte_width", "table or byte_width");
    }
    const quiver::Schema& s = *t->view->schema();
    if (i >= s.num_fields()) {
      return OutOfRange("column", i, "table \"" + t->view->name() + "\"", s.num_fields(), "columns");
    }
    return FieldByteWidth(s.field(i), byte_width);
  });
}

int quiver_table_field_index(const quiver_table* t, const char* name) {
  if (t == nullptr || name == nullptr) return -1;
  return t->view->schema()->FieldIndex(name);
}

int quiver_table_subfield(const quiver_table* t, const size_t* path, size_t depth,
                          quiver_field* field, quiver_field_params* params) {
  return Guard([&]() -> int {
    if (t == nullptr) return NullArgument("quiver_table_subfield", "table");
    return Subfield(t->view->schema()->fields(), path, depth, field, params);
  });
}

const char* quiver_table_schema_json(const quiver_table* t) { return t ? t->json.c_str() : ""; }
const char* quiver_table_schema_datashape(const quiver_table* t) {
  return t ? t->datashape.c_str() : "";
}

int quiver_table_export_schema(const quiver_table* t, struct ArrowSchema* out) {
  return Guard([&] {
    if (t == nullptr || out == nullptr) {
      return NullArgument("quiver_table_export_schema", "table or out");
    }
    ExportSchemaTo(*t->view->schema(), out);
    return int(QUIVER_OK);
  });
}

int quiver_table_export_stream(const quiver_table* t, struct ArrowArrayStream* out) {
  return Guard([&] {
    if (t == nullptr || out == nullptr) {
      return NullArgument("quiver_table_export_stream", "table or out");
    }
    auto* p = new StreamPrivate();
    p->snap = t->owner->shared_from_this();
    p->table = t->view;
    out->get_schema = StreamGetSchema;
    out->get_next = StreamGetNext;
    out->get_last_error = StreamGetLastError;
    out->release = StreamRelease;
    out->private_data = p;
    return int(QUIVER_OK);
  });
}

int quiver_table_chunk(const quiver_table* t, size_t i, quiver_chunk** out) {
  return Guard([&] {
    if (t == nullptr || out == nullptr) {
      return NullArgument("quiver_table_chunk", "table or out");
    }
    *out = nullptr;
    auto batch = t->view->ReadChunk(i);
    if (!batch.ok()) return Fail(batch.status());
    auto c = MakeChunk(std::move(*batch), t->owner->shared_from_this());
    *out = c.release();
    return int(QUIVER_OK);
  });
}

void quiver_chunk_release(quiver_chunk* c) { delete c; }
int64_t quiver_chunk_num_rows(const quiver_chunk* c) { return c ? c->batch.num_rows : 0; }
size_t quiver_chunk_num_columns(const quiver_chunk* c) { return c ? c->columns.size() : 0; }

int quiver_chunk_column(const quiver_chunk* c, size_t i, const quiver_column** out) {
  return Guard([&] {
    if (c == nullptr || out == nullptr) {
      return NullArgument("quiver_chunk_column", "chunk or out");
    }
    *out = nullptr;
    if (i >= c->columns.size()) {
      return OutOfRange("column", i, "the chunk", c->columns.size(), "columns");
    }
    *out = &c->columns[i];
    return int(QUIVER_OK);
  });
}

int quiver_chunk_export(const quiver_chunk* c, struct ArrowArray* out, struct ArrowSchema* schema) {
  return Guard([&] {
    if (c == nullptr || out == nullptr) {
      return NullArgument("quiver_chunk_export", "chunk or out");
    }
    ExportBatchTo(c->batch, c->owner, out);
    if (schema != nullptr) {
      try {
        ExportSchemaTo(*c->batch.schema, schema);
      } catch (...) {
        out->release(out);
        throw;
      }
    }
    return int(QUIVER_OK);
  });
}

}  // extern "C"
