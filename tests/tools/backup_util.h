// Helpers of the backup tests (issue 19): rows whose values are a function of
// their key, and the digest of a store snapshot by the rule of
// tests/durability/digest.h (every table in name order, every value of every
// column in row order), so a writer can record the digest of each txn it
// commits and a test can recompute it from a backup.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "columnar/builder.h"
#include "durability/digest.h"
#include "store/store.h"

namespace quiver::testing {

inline std::shared_ptr<const Schema> BackupSchema() {
  static auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"x", DataType(TypeId::kFloat64), true, {}},
      {"s", DataType(TypeId::kUtf8), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt32), true, {}},
  });
  return schema;
}

// Rows k = first .. first + n - 1.
inline RecordBatch BackupRows(int64_t first, int64_t n) {
  RecordBatchBuilder b(BackupSchema());
  for (int64_t k = first; k < first + n; ++k) {
    b.column(0).AppendInt(k);
    if (k % 7 == 3) {
      b.column(1).AppendNull();
    } else {
      b.column(1).AppendDouble(double(k) * 0.25 - 1000);
    }
    if (k % 5 == 1) {
      b.column(2).AppendNull();
    } else {
      b.column(2).AppendString("s" + std::to_string(k * 7919 % 100003));
    }
    b.column(3).AppendString("city_" + std::to_string(k % 13));
  }
  auto r = b.Finish();
  if (!r.ok()) std::abort();
  return std::move(r).value();
}

// digest.h's rule over a snapshot; 0 if a chunk cannot be read.
inline uint64_t SnapshotDigest(const store::Snapshot& snap) {
  uint64_t h = QD_SEED;
  for (const store::TableView& t : snap.tables()) {  // in name order
    size_t ncols = t.schema()->num_fields();
    h = qd_table(h, t.name().c_str(), t.num_rows(), int64_t(ncols));
    for (size_t c = 0; c < ncols; ++c) {
      for (size_t i = 0; i < t.num_chunks(); ++i) {
        auto batch = t.ReadChunk(i);
        if (!batch.ok()) return 0;
        ColumnViews views(*batch);
        const ArrayView& v = views[c];
        for (int64_t r = 0; r < batch->num_rows; ++r) {
          if (v.IsNull(r)) {
            h = qd_null(h);
          } else if (v.type->is_dictionary()) {
            auto s = v.dictionary->StringValue(v.DictIndex(r));
            h = qd_bytes(h, s.data(), s.size());
          } else if (v.type->id == TypeId::kInt64) {
            h = qd_i64(h, v.Value<int64_t>(r));
          } else if (v.type->id == TypeId::kFloat64) {
            h = qd_f64(h, v.Value<double>(r));
          } else {
            auto s = v.StringValue(r);
            h = qd_bytes(h, s.data(), s.size());
          }
        }
      }
    }
  }
  return h;
}

// The digest of the latest state of the pool at `path` (opened read-only)
// and its txn; {0, 0} if it does not open.
inline std::pair<uint64_t, uint64_t> PoolDigest(const std::string& path) {
  store::StoreOptions o;
  o.read_only = true;
  auto s = store::Store::Open(path, o);
  if (!s.ok()) return {0, 0};
  auto snap = (*s)->GetSnapshot();
  if (!snap.ok()) return {0, 0};
  return {(*snap)->txn(), SnapshotDigest(**snap)};
}

}  // namespace quiver::testing
