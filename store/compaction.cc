// Store::Compact: merges runs of adjacent small chunks into larger ones.
#include <algorithm>

#include "columnar/builder.h"
#include "columnar/concat.h"
#include "store/catalog_internal.h"
#include "store/mutation_internal.h"

namespace quiver::store {

namespace {

void AppendValue(ArrayBuilder& b, const ArrayView& v, int64_t i) {
  if (v.IsNull(i)) {
    b.AppendNull();
    return;
  }
  if (v.type->is_dictionary()) {
    int64_t k = v.DictIndex(i);
    b.AppendString(v.dictionary->StringValue(k));
    return;
  }
  switch (v.type->id) {
    case TypeId::kBool:
      b.AppendBool(v.BoolValue(i));
      break;
    case TypeId::kInt8:
      b.AppendInt(v.Value<int8_t>(i));
      break;
    case TypeId::kInt16:
      b.AppendInt(v.Value<int16_t>(i));
      break;
    case TypeId::kInt32:
    case TypeId::kDate32:
      b.AppendInt(v.Value<int32_t>(i));
      break;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      b.AppendInt(v.Value<int64_t>(i));
      break;
    case TypeId::kUInt8:
      b.AppendUInt(v.Value<uint8_t>(i));
      break;
    case TypeId::kUInt16:
      b.AppendUInt(v.Value<uint16_t>(i));
      break;
    case TypeId::kUInt32:
      b.AppendUInt(v.Value<uint32_t>(i));
      break;
    case TypeId::kUInt64:
      b.AppendUInt(v.Value<uint64_t>(i));
      break;
    case TypeId::kFloat32:
      b.AppendDouble(v.Value<float>(i));
      break;
    case TypeId::kFloat64:
      b.AppendDouble(v.Value<double>(i));
      break;
    case TypeId::kUtf8:
    case TypeId::kBinary:
      b.AppendString(v.StringValue(i));
      break;
    case TypeId::kDecimal128:
    case TypeId::kDecimal256:
    case TypeId::kDate64:
    case TypeId::kTime32:
    case TypeId::kTime64:
    case TypeId::kDuration:
    case TypeId::kFloat16:
    case TypeId::kIntervalYearMonth:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalMonthDayNano:
    case TypeId::kFixedSizeBinary:
      b.AppendBytes(v.values + (v.offset + i) * ByteWidth(*v.type));
      break;
    case TypeId::kNone:
    case TypeId::kNull:
    case TypeId::kList:  // nested columns: ConcatenateArrays
    case TypeId::kFixedSizeList:
    case TypeId::kStruct:
    case TypeId::kMap:
      b.AppendNull();
      break;
  }
}

// Concatenates batches of one schema into a single batch (new buffers).
Result<RecordBatch> Concatenate(const std::shared_ptr<const Schema>& schema,
                                const std::vector<RecordBatch>& parts) {
  RecordBatchBuilder builder(schema);
  std::vector<std::shared_ptr<ArrayData>> nested(schema->num_fields());
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    const DataType& type = schema->field(c).type;
    if (type.is_nested()) {
      std::vector<ArraySlice> slices;
      for (const auto& p : parts) slices.push_back({p.columns[c].get(), 0, p.num_rows});
      QUIVER_ASSIGN_OR_RETURN(nested[c], ConcatenateArrays(type, slices));
      continue;
    }
    ArrayBuilder& b = builder.column(c);
    int64_t total = 0;
    for (const auto& p : parts) total += p.num_rows;
    b.Reserve(total);
    for (const auto& p : parts) {
      ArrayView v = p.columns[c]->View();
      ArrayView dict;
      if (p.columns[c]->dictionary) {
        dict = p.columns[c]->dictionary->View();
        v.dictionary = &dict;
      }
      for (int64_t i = 0; i < p.num_rows; ++i) AppendValue(b, v, i);
    }
  }
  QUIVER_ASSIGN_OR_RETURN(RecordBatch out, builder.Finish());
  for (size_t c = 0; c < nested.size(); ++c) {
    if (nested[c] != nullptr) out.columns[c] = std::move(nested[c]);
  }
  return out;
}

}  // namespace

Result<CompactResult> Store::Compact(const std::string& only_table, int64_t target_rows) {
  if (target_rows <= 0) target_rows = options_.max_chunk_rows;
  CompactResult result;
  QUIVER_ASSIGN_OR_RETURN(auto snap, GetSnapshot());
  // The snapshot pins the state we read chunks from; the mutation below
  // starts from the same or a newer state and checks that the chunks it
  // replaces are still there.
  Status s = Mutate([&](Mutation& m) -> Status {
    for (auto& entry : m.catalog.tables) {
      // Not a structured binding: clang 14 cannot capture one in a lambda.
      const std::string& name = entry.first;
      auto& t = entry.second;
      if (!only_table.empty() && name != only_table) continue;
      auto view = snap->table(name);
      if (!view.ok()) continue;  // created after our snapshot: leave it
      result.chunks_before += int64_t(t.chunks.size());
      std::vector<ChunkInfo> out;
      bool changed = false;
      size_t i = 0;
      while (i < t.chunks.size()) {
        // A run of adjacent small chunks, up to target_rows in total.
        size_t j = i;
        int64_t rows = 0;
        while (j < t.chunks.size() && t.chunks[j].rows < target_rows &&
               rows + t.chunks[j].rows <= target_rows) {
          rows += t.chunks[j].rows;
          ++j;
        }
        if (j - i < 2) {
          out.push_back(t.chunks[i]);
          ++i;
          continue;
        }
        std::vector<RecordBatch> parts;
        for (size_t k = i; k < j; ++k) {
          // Find the chunk in the pinned snapshot by offset.
          const auto& vchunks = (*view)->chunks();
          auto it = std::find_if(vchunks.begin(), vchunks.end(), [&](const ChunkInfo& c) {
            return c.offset == t.chunks[k].offset;
          });
          if (it == vchunks.end()) return Status::Cancelled("table changed during compaction");
          QUIVER_ASSIGN_OR_RETURN(RecordBatch b, (*view)->ReadChunk(size_t(it - vchunks.begin())));
          parts.push_back(std::move(b));
        }
        QUIVER_ASSIGN_OR_RETURN(RecordBatch merged, Concatenate(t.schema, parts));
        QUIVER_ASSIGN_OR_RETURN(ChunkInfo ci, WriteChunk(*m.txn, merged, options_.checksums));
        for (size_t k = i; k < j; ++k) {
          QUIVER_RETURN_NOT_OK(m.txn->Free({t.chunks[k].offset, t.chunks[k].length}));
        }
        out.push_back(std::move(ci));
        changed = true;
        i = j;
      }
      result.chunks_after += int64_t(out.size());
      if (changed) {
        t.chunks = std::move(out);
        m.Touch(t);
        ++result.tables;
      }
    }
    if (result.tables == 0) return Status::Cancelled("nothing to compact");
    result.txn = m.txn->txn_id();
    return Status::OK();
  });
  if (s.code() == StatusCode::kCancelled && s.message() == "nothing to compact") {
    result.txn = 0;
    return result;
  }
  QUIVER_RETURN_NOT_OK(s);
  return result;
}

}  // namespace quiver::store
