// Store::Compact: merges runs of adjacent small chunks into larger ones.
#include <algorithm>

#include "columnar/builder.h"
#include "columnar/concat.h"
#include "store/catalog_internal.h"
#include "store/mutation_internal.h"

namespace quiver::store {

namespace {

// Row i of a dictionary column, re-encoded by `b`.
void AppendValue(ArrayBuilder& b, const ArrayView& v, int64_t i) {
  if (v.IsNull(i)) {
    b.AppendNull();
  } else {
    b.AppendString(v.dictionary->StringValue(v.DictIndex(i)));
  }
}

// Concatenates batches of one schema into a single batch (new buffers).
// Dictionary columns are re-encoded (their parts' dictionaries differ);
// every other column is copied buffer by buffer (ConcatenateArrays).
Result<RecordBatch> Concatenate(const std::shared_ptr<const Schema>& schema,
                                const std::vector<RecordBatch>& parts) {
  RecordBatch out;
  out.schema = schema;
  for (const auto& p : parts) out.num_rows += p.num_rows;
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    const DataType& type = schema->field(c).type;
    if (!type.is_dictionary()) {
      std::vector<ArraySlice> slices;
      for (const auto& p : parts) slices.push_back({p.columns[c].get(), 0, p.num_rows});
      QUIVER_ASSIGN_OR_RETURN(auto col, ConcatenateArrays(type, slices));
      out.columns.push_back(std::move(col));
      continue;
    }
    ArrayBuilder b(type);
    b.Reserve(out.num_rows);
    for (const auto& p : parts) {
      ArrayView v = p.columns[c]->View();
      ArrayView dict;
      if (p.columns[c]->dictionary) {
        dict = p.columns[c]->dictionary->View();
        v.dictionary = &dict;
      }
      for (int64_t i = 0; i < p.num_rows; ++i) AppendValue(b, v, i);
    }
    QUIVER_ASSIGN_OR_RETURN(auto col, b.Finish());
    out.columns.push_back(std::move(col));
  }
  QUIVER_RETURN_NOT_OK(ValidateBatch(out));
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
