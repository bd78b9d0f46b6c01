// The small `trips` table the store tests share: 4 columns of the kinds a
// chunk holds (int64, nullable float64, dictionary utf8, nullable utf8).
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "columnar/builder.h"
#include "columnar/schema.h"

namespace quiver::testing {

inline std::shared_ptr<const Schema> TripsSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt32), true, {}},
      {"note", DataType(TypeId::kUtf8), true, {}},
  });
}

// Rows [start, start+n): id = i, fare = i/2 (null every 7th), city_<i%5>,
// note "n<i>" (null every 3rd).
inline RecordBatch MakeTrips(int64_t start, int64_t n,
                             std::shared_ptr<const Schema> schema = TripsSchema()) {
  RecordBatchBuilder b(schema);
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    if (i % 7 == 0) {
      b.column(1).AppendNull();
    } else {
      b.column(1).AppendDouble(double(i) / 2);
    }
    b.column(2).AppendString("city_" + std::to_string(i % 5));
    if (i % 3 == 0) {
      b.column(3).AppendNull();
    } else {
      b.column(3).AppendString("n" + std::to_string(i));
    }
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace quiver::testing
