// What the store's SQL tests share: a pool holding one table, queries run on
// a snapshot of it (a failed query stops the test, naming the query and its
// error), and results as rows of text.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "columnar/decimal.h"
#include "columnar/half_float.h"
#include "kernels/kernels.h"
#include "store/exec.h"

namespace quiver::testing {

// A new 64 MiB pool at `path` holding `table`, written from `batches`.
inline std::unique_ptr<store::Store> StoreWithTable(const std::string& path, const std::string& table,
                                                    std::shared_ptr<const Schema> schema,
                                                    const std::vector<RecordBatch>& batches,
                                                    const store::StoreOptions& options = {}) {
  auto s = store::Store::Create(path, 64ull << 20, options);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  std::unique_ptr<store::Store> st = std::move(s).value();
  store::WriteOptions w;
  w.create_schema = std::move(schema);
  auto written = st->Write(table, batches, w);
  INFO(written.status().ToString());
  REQUIRE(written.ok());
  return st;
}

inline store::QueryResult RunSql(store::Store& st, const std::string& sql, int threads = 0) {
  auto snap = st.GetSnapshot();
  REQUIRE(snap.ok());
  store::QueryOptions o;
  o.threads = threads;
  auto r = store::ExecuteSql(*snap, sql, o);
  INFO(sql);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

// The error of a query that must fail.
inline Status SqlError(store::Store& st, const std::string& sql) {
  auto snap = st.GetSnapshot();
  REQUIRE(snap.ok());
  auto r = store::ExecuteSql(*snap, sql);
  INFO(sql);
  REQUIRE_FALSE(r.ok());
  return r.status();
}

// Every row of a result as "v1|v2|...", values as kernels::Scalar renders
// them (float16 through float32, decimal256 as its exact text).
inline std::vector<std::string> ResultRows(const store::QueryResult& r) {
  std::vector<std::string> out;
  for (const auto& b : r.batches) {
    const ColumnViews views(b);
    for (int64_t i = 0; i < b.num_rows; ++i) {
      std::string row;
      for (size_t c = 0; c < views.size(); ++c) {
        if (c) row += "|";
        if (views[c].type->id == TypeId::kFloat16 && !views[c].IsNull(i)) {
          row += kernels::Scalar::Double(HalfToFloat(views[c].Value<uint16_t>(i))).ToString();
        } else if (views[c].type->id == TypeId::kDecimal256 && !views[c].IsNull(i)) {
          row += FormatDecimal256(views[c].values + (views[c].offset + i) * 32, views[c].type->scale);
        } else {
          row += kernels::ValueAt(views[c], i).ToString();
        }
      }
      out.push_back(row);
    }
  }
  return out;
}

}  // namespace quiver::testing
