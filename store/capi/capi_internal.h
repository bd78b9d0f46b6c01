// Private to store/capi: the handles behind quiver.h and the helpers every
// entry point shares (error slot, argument errors, exception guard, column
// description), used by quiver.cc (pools, snapshots, Arrow export) and
// quiver_chunks.cc (chunk statistics, pruning, IPC decoding).
#pragma once

#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "store/capi/quiver.h"
#include "store/store.h"

namespace quiver::capi_internal {

using quiver::ArrayData;
using quiver::RecordBatch;
using quiver::Status;
using quiver::StatusCode;
namespace store = quiver::store;

inline thread_local std::string t_error;
inline thread_local int t_code = QUIVER_OK;

inline int Fail(const Status& s) {
  t_error = s.message();
  t_code = int(s.code());
  return t_code;
}
inline int Fail(StatusCode code, std::string message) { return Fail(Status(code, std::move(message))); }

// The two argument errors every entry point shares: "fn: a or b is NULL" and
// "<what> index i out of range: <holder> has n <things>".
inline int NullArgument(const char* function, const char* arguments) {
  return Fail(StatusCode::kInvalidArgument, std::string(function) + ": " + arguments + " is NULL");
}
inline int OutOfRange(const char* what, size_t i, const std::string& holder, size_t n,
               const char* things) {
  return Fail(StatusCode::kInvalidArgument, std::string(what) + " index " + std::to_string(i) +
                                                " out of range: " + holder + " has " +
                                                std::to_string(n) + " " + things);
}

// Runs `fn` (returning int) and turns escaping exceptions into codes.
template <typename Fn>
int Guard(Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Fail(StatusCode::kResourceExhausted, "out of memory");
  } catch (const std::exception& e) {
    return Fail(StatusCode::kInternal, std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return Fail(StatusCode::kInternal, "unexpected exception");
  }
}

// A 64-byte-aligned block of zeros standing in for empty buffers, whose
// pointer Arrow consumers may not accept as NULL.
alignas(64) inline const uint8_t kZeros[64] = {};

inline const uint8_t* DataOrZeros(const std::shared_ptr<quiver::Buffer>& b) {
  return b && b->data() ? b->data() : kZeros;
}


// Precision and scale of a decimal field (quiver_*_field_decimal).
inline int FieldDecimal(const quiver::Field& f, int32_t* precision, int32_t* scale) {
  if (!f.type.is_decimal()) {
    return Fail(StatusCode::kInvalidArgument,
                "column \"" + f.name + "\" is " + f.type.ToString() + ", not a decimal");
  }
  *precision = f.type.precision;
  *scale = f.type.scale;
  return int(QUIVER_OK);
}

// Bytes per value of a fixed_size_binary field (quiver_*_field_byte_width).
inline int FieldByteWidth(const quiver::Field& f, int32_t* byte_width) {
  if (f.type.id != quiver::TypeId::kFixedSizeBinary) {
    return Fail(StatusCode::kInvalidArgument,
                "column \"" + f.name + "\" is " + f.type.ToString() + ", not fixed_size_binary");
  }
  *byte_width = f.type.byte_width;
  return int(QUIVER_OK);
}

// A column or child field named by `path` (quiver_*_subfield): fills
// `field` and `params` (either may be NULL). `fields` are the schema's.
inline int Subfield(const std::vector<quiver::Field>& fields, const size_t* path, size_t depth,
                    quiver_field* field, quiver_field_params* params) {
  if (path == nullptr || depth == 0) {
    return Fail(StatusCode::kInvalidArgument, "subfield: the path is NULL or empty");
  }
  const std::vector<quiver::Field>* level = &fields;
  const quiver::Field* f = nullptr;
  std::string where;
  for (size_t k = 0; k < depth; ++k) {
    if (path[k] >= level->size()) {
      return OutOfRange(k == 0 ? "column" : "child", path[k],
                        k == 0 ? std::string("the schema") : "field \"" + where + "\"",
                        level->size(), k == 0 ? "columns" : "children");
    }
    f = &(*level)[path[k]];
    where += (k == 0 ? "" : ".") + f->name;
    if (k + 1 < depth) {
      if (!f->type.children) {
        return Fail(StatusCode::kInvalidArgument,
                    "field \"" + where + "\" is " + f->type.ToString() + ", which has no children");
      }
      level = f->type.children.get();
    }
  }
  const quiver::DataType& t = f->type;
  if (field != nullptr) {
    field->name = f->name.c_str();
    field->type = int32_t(t.id);
    field->index_type = int32_t(t.dict_index);
    field->time_unit = int32_t(t.unit);
    field->nullable = f->nullable ? 1 : 0;
    field->timezone = t.timezone.c_str();
  }
  if (params != nullptr) {
    *params = quiver_field_params{};
    params->num_children = int32_t(t.num_children());
    params->list_size = t.list_size;
    params->keys_sorted = t.keys_sorted ? 1 : 0;
    params->large = t.large_offsets ? 1 : 0;
    params->precision = t.precision;
    params->scale = t.scale;
    params->byte_width = t.byte_width;
  }
  return int(QUIVER_OK);
}

inline void FillColumn(const ArrayData& a, quiver_column* c) {
  *c = quiver_column{};
  c->type = int32_t(a.type.id);
  c->index_type = int32_t(a.type.dict_index);
  c->length = a.length;
  c->offset = a.offset;
  c->null_count = a.null_count;
  if (a.null_count > 0 && !a.buffers.empty() && a.buffers[0]) {
    c->validity = a.buffers[0]->data();
    c->validity_size = a.buffers[0]->size();
  }
  const quiver::TypeId id = a.type.id;
  if (id == quiver::TypeId::kFixedSizeList) c->list_size = a.type.list_size;
  if (id == quiver::TypeId::kStruct || id == quiver::TypeId::kFixedSizeList) return;
  bool var = quiver::IsVarLength(id) && !a.type.is_dictionary();
  const auto& b1 = a.buffers.size() > 1 ? a.buffers[1] : nullptr;
  if (id == quiver::TypeId::kList || id == quiver::TypeId::kMap) {
    c->offsets = reinterpret_cast<const int32_t*>(DataOrZeros(b1));
  } else if (var) {
    c->offsets = reinterpret_cast<const int32_t*>(DataOrZeros(b1));
    const auto& b2 = a.buffers.size() > 2 ? a.buffers[2] : nullptr;
    c->data = DataOrZeros(b2);
    c->data_size = b2 ? b2->size() : 0;
  } else {
    c->values = DataOrZeros(b1);
    c->values_size = b1 ? b1->size() : 0;
  }
}

}  // namespace quiver::capi_internal

using quiver::ArrayData;
using quiver::RecordBatch;
namespace store = quiver::store;


// ---------------------------------------------------------------------------
// Handles
// ---------------------------------------------------------------------------

struct DbState {
  std::unique_ptr<store::Store> store;
  std::string path;
  std::mutex mu;
  bool closed = false;  // quiver_close was called
};

struct quiver_table {
  struct SnapState* owner = nullptr;
  const store::TableView* view = nullptr;
  std::string json;
  std::string datashape;
};

// A pinned snapshot and its tables. The pin goes with the last SnapState
// (and chunk or stream) that holds it: the Store caches no pin of its own.
struct SnapState : std::enable_shared_from_this<SnapState> {
  std::shared_ptr<DbState> db;
  std::shared_ptr<const store::Snapshot> snap;
  std::vector<quiver_table> tables;
};

struct quiver_db {
  std::shared_ptr<DbState> state;
};

struct quiver_snapshot {
  std::shared_ptr<SnapState> state;
};

struct quiver_chunk {
  // Keeps the buffers alive: the SnapState (pin and mapping) of a pool
  // chunk, or the decoded message bytes of an IPC batch.
  std::shared_ptr<const void> owner;
  RecordBatch batch;
  std::vector<quiver_column> columns;
  // The dictionaries and child columns the columns point to: blocks that
  // never move once allocated.
  std::vector<std::unique_ptr<quiver_column[]>> blocks;

  quiver_column* NewBlock(size_t n) {
    blocks.push_back(std::make_unique<quiver_column[]>(n));
    return blocks.back().get();
  }
  // Fills `c` from `a`, with its dictionary and (recursively) its children.
  void Describe(const ArrayData& a, quiver_column* c) {
    quiver::capi_internal::FillColumn(a, c);
    if (a.type.is_dictionary() && a.dictionary) {
      quiver_column* d = NewBlock(1);
      quiver::capi_internal::FillColumn(*a.dictionary, d);
      c->dictionary = d;
    }
    if (a.children.empty()) return;
    quiver_column* kids = NewBlock(a.children.size());
    for (size_t k = 0; k < a.children.size(); ++k) Describe(*a.children[k], &kids[k]);
    c->children = kids;
    c->num_children = int64_t(a.children.size());
  }
};

// A chunk handle over `batch`, whose buffers `owner` keeps alive.
inline std::unique_ptr<quiver_chunk> MakeChunk(RecordBatch batch,
                                               std::shared_ptr<const void> owner) {
  auto c = std::make_unique<quiver_chunk>();
  c->owner = std::move(owner);
  c->batch = std::move(batch);
  c->columns.resize(c->batch.columns.size());
  for (size_t k = 0; k < c->columns.size(); ++k) {
    if (c->batch.columns[k]) c->Describe(*c->batch.columns[k], &c->columns[k]);
  }
  return c;
}
