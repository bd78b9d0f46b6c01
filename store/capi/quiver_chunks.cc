// The C API's per-chunk part (quiver.h, "Per-chunk statistics and pruning"
// and "Arrow IPC bytes as chunks"): chunk statistics and places from the
// catalog, pruning with the executor's pruner (store/chunk_access.h), and
// Arrow IPC bytes decoded by columnar's validated reader into the same
// quiver_chunk views a pool chunk has.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "store/capi/capi_internal.h"
#include "store/chunk_access.h"
#include "store/query.h"

using namespace quiver::capi_internal;  // NOLINT: the helpers of this library

struct quiver_ipc {
  // The decoded batches; `owner` is shared by every chunk taken from them.
  std::shared_ptr<const quiver::Schema> schema;
  std::vector<RecordBatch> batches;
  std::shared_ptr<const void> owner;
  int64_t rows = 0;
};

namespace {

void FillField(const quiver::Field& f, quiver_field* out) {
  out->name = f.name.c_str();
  out->type = int32_t(f.type.id);
  out->index_type = int32_t(f.type.dict_index);
  out->time_unit = int32_t(f.type.unit);
  out->nullable = f.nullable ? 1 : 0;
  out->timezone = f.type.timezone.c_str();
}

// What the decoded batches keep alive besides the buffers they wrap: the
// reader (its dictionaries and metadata copies).
struct IpcOwner {
  std::unique_ptr<quiver::StreamReader> stream;
  std::unique_ptr<quiver::FileReader> file;
};

Status Decode(const uint8_t* data, size_t size, quiver_ipc* out) {
  // The buffers the reader hands out wrap `data` under `keep` (a borrow of
  // the caller's bytes, or the one aligned copy); without an owner it would
  // copy every buffer.
  std::shared_ptr<const void> keep(data, [](const void*) {});
  if ((reinterpret_cast<uintptr_t>(data) & 7) != 0) {
    if (size > (size_t(1) << 48)) return Status::Invalid("over 2^48 bytes");
    auto copy = std::make_shared<std::vector<uint64_t>>(size / 8 + 1);
    std::memcpy(copy->data(), data, size & ((size_t(1) << 48) - 1));
    data = reinterpret_cast<const uint8_t*>(copy->data());
    keep = std::move(copy);
  }
  auto owner = std::make_shared<IpcOwner>();
  const bool is_file = size >= 6 && std::memcmp(data, "ARROW1", 6) == 0;
  if (is_file) {
    QUIVER_ASSIGN_OR_RETURN(owner->file, quiver::FileReader::Open(data, int64_t(size), keep));
    out->schema = owner->file->schema();
    for (int i = 0; i < owner->file->num_batches(); ++i) {
      QUIVER_ASSIGN_OR_RETURN(RecordBatch b, owner->file->ReadBatch(i));
      out->batches.push_back(std::move(b));
    }
  } else {
    QUIVER_ASSIGN_OR_RETURN(owner->stream, quiver::StreamReader::Open(data, int64_t(size), keep));
    out->schema = owner->stream->schema();
    while (true) {
      RecordBatch b;
      QUIVER_ASSIGN_OR_RETURN(bool more, owner->stream->Next(&b));
      if (!more) break;
      out->batches.push_back(std::move(b));
    }
  }
  for (const RecordBatch& b : out->batches) {
    QUIVER_RETURN_NOT_OK(quiver::ValidateBatch(b));
    out->rows += b.num_rows;
  }
  out->owner = std::move(owner);
  return Status::OK();
}

}  // namespace

extern "C" {

int quiver_table_chunk_stats(const quiver_table* t, size_t chunk, size_t column,
                             quiver_column_stats* out) {
  return Guard([&] {
    if (t == nullptr || out == nullptr) {
      return NullArgument("quiver_table_chunk_stats", "table or out");
    }
    const store::TableView& v = *t->view;
    if (chunk >= v.num_chunks()) {
      return OutOfRange("chunk", chunk, "table \"" + v.name() + "\"", v.num_chunks(), "chunks");
    }
    const store::ChunkInfo& ci = v.chunks()[chunk];
    const size_t n = v.schema()->num_fields();
    if (column >= n) return OutOfRange("column", column, "table \"" + v.name() + "\"", n, "columns");
    *out = quiver_column_stats{};
    out->rows = ci.rows;
    if (column >= ci.stats.size()) {  // no statistics recorded: nothing is known
      out->null_count = -1;
      return int(QUIVER_OK);
    }
    const quiver::ColumnStats& s = ci.stats[column];
    out->null_count = s.null_count;
    out->kind = int32_t(s.kind) - 1;
    out->has_min = s.has_min;
    out->has_max = s.has_max;
    out->has_nan = s.has_nan;
    out->min_exact = s.min_exact;
    out->max_exact = s.max_exact;
    out->sorted = s.sorted;
    out->min_int = s.min_int;
    out->max_int = s.max_int;
    out->min_uint = s.min_uint;
    out->max_uint = s.max_uint;
    out->min_double = s.min_double;
    out->max_double = s.max_double;
    out->min_bytes = reinterpret_cast<const uint8_t*>(s.min_bytes.data());
    out->min_bytes_size = int64_t(s.min_bytes.size());
    out->max_bytes = reinterpret_cast<const uint8_t*>(s.max_bytes.data());
    out->max_bytes_size = int64_t(s.max_bytes.size());
    return int(QUIVER_OK);
  });
}

int quiver_table_chunk_place(const quiver_table* t, size_t i, uint64_t* offset, uint64_t* length,
                             uint64_t* created_txn) {
  return Guard([&] {
    if (t == nullptr) return NullArgument("quiver_table_chunk_place", "table");
    const store::TableView& v = *t->view;
    if (i >= v.num_chunks()) {
      return OutOfRange("chunk", i, "table \"" + v.name() + "\"", v.num_chunks(), "chunks");
    }
    const store::ChunkInfo& ci = v.chunks()[i];
    if (offset) *offset = ci.offset;
    if (length) *length = ci.length;
    if (created_txn) *created_txn = ci.created_txn;
    return int(QUIVER_OK);
  });
}

uint64_t quiver_table_modified_txn(const quiver_table* t) {
  return t ? t->view->modified_txn() : 0;
}

int quiver_table_prune(const quiver_table* t, const char* where, uint8_t* keep) {
  return Guard([&] {
    if (t == nullptr || keep == nullptr) return NullArgument("quiver_table_prune", "table or keep");
    quiver::query::ExprPtr expr;
    if (where != nullptr && *where != '\0') {
      quiver::query::TextPosition pos;
      auto parsed = quiver::query::ParseFilter(where, &pos);
      if (!parsed.ok()) {
        return Fail(parsed.status().code(),
                    "quiver_table_prune: where, line " + std::to_string(pos.line) + " column " +
                        std::to_string(pos.column) + ": " + parsed.status().message());
      }
      expr = *parsed;
    }
    auto flags = store::PruneChunks(*t->view, expr);
    if (!flags.ok()) return Fail(flags.status().WithContext("quiver_table_prune"));
    std::memcpy(keep, flags->data(), flags->size());
    return int(QUIVER_OK);
  });
}

int quiver_ipc_decode(const void* data, size_t size, quiver_ipc** out) {
  return Guard([&] {
    if (out == nullptr) return NullArgument("quiver_ipc_decode", "out");
    *out = nullptr;
    if (data == nullptr && size > 0) return NullArgument("quiver_ipc_decode", "data");
    auto ipc = std::make_unique<quiver_ipc>();
    Status s = Decode(static_cast<const uint8_t*>(data), size, ipc.get());
    if (!s.ok()) return Fail(s.WithContext("Arrow IPC bytes (" + std::to_string(size) + " bytes)"));
    *out = ipc.release();
    return int(QUIVER_OK);
  });
}

void quiver_ipc_release(quiver_ipc* ipc) { delete ipc; }

size_t quiver_ipc_num_fields(const quiver_ipc* ipc) {
  return ipc && ipc->schema ? ipc->schema->num_fields() : 0;
}

int quiver_ipc_field(const quiver_ipc* ipc, size_t i, quiver_field* out) {
  return Guard([&] {
    if (ipc == nullptr || out == nullptr) return NullArgument("quiver_ipc_field", "ipc or out");
    size_t n = quiver_ipc_num_fields(ipc);
    if (i >= n) return OutOfRange("column", i, "the Arrow stream", n, "columns");
    FillField(ipc->schema->field(i), out);
    return int(QUIVER_OK);
  });
}

int quiver_ipc_field_decimal(const quiver_ipc* ipc, size_t i, int32_t* precision, int32_t* scale) {
  return Guard([&] {
    if (ipc == nullptr || precision == nullptr || scale == nullptr) {
      return NullArgument("quiver_ipc_field_decimal", "ipc, precision or scale");
    }
    size_t n = quiver_ipc_num_fields(ipc);
    if (i >= n) return OutOfRange("column", i, "the Arrow stream", n, "columns");
    return FieldDecimal(ipc->schema->field(i), precision, scale);
  });
}

int quiver_ipc_field_byte_width(const quiver_ipc* ipc, size_t i, int32_t* byte_width) {
  return Guard([&] {
    if (ipc == nullptr || byte_width == nullptr) {
      return NullArgument("quiver_ipc_field_byte_width", "ipc or byte_width");
    }
    size_t n = quiver_ipc_num_fields(ipc);
    if (i >= n) return OutOfRange("column", i, "the Arrow stream", n, "columns");
    return FieldByteWidth(ipc->schema->field(i), byte_width);
  });
}

int quiver_ipc_subfield(const quiver_ipc* ipc, const size_t* path, size_t depth,
                        quiver_field* field, quiver_field_params* params) {
  return Guard([&]() -> int {
    if (ipc == nullptr) return NullArgument("quiver_ipc_subfield", "ipc");
    return Subfield(ipc->schema->fields(), path, depth, field, params);
  });
}

size_t quiver_ipc_num_batches(const quiver_ipc* ipc) { return ipc ? ipc->batches.size() : 0; }
int64_t quiver_ipc_num_rows(const quiver_ipc* ipc) { return ipc ? ipc->rows : 0; }

int quiver_ipc_batch(const quiver_ipc* ipc, size_t i, quiver_chunk** out) {
  return Guard([&] {
    if (ipc == nullptr || out == nullptr) return NullArgument("quiver_ipc_batch", "ipc or out");
    *out = nullptr;
    if (i >= ipc->batches.size()) {
      return OutOfRange("batch", i, "the Arrow stream", ipc->batches.size(), "batches");
    }
    *out = MakeChunk(ipc->batches[i], ipc->owner).release();
    return int(QUIVER_OK);
  });
}

}  // extern "C"
