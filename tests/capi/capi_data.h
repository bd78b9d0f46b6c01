// The rows the C API tests write and check, shared by the pool generator
// (make_pool.cc), the Catch tests and, by formula, the C and Python readers.
//
// Table "trips", row i:
//   id    int64 (not null)          i
//   fare  float64                   null if i % 7 == 0, else i * 0.5
//   city  dictionary<int32, utf8>   "city_<i % 5>"
//   note  utf8                      null if i % 3 == 0, else "n<i>"
//   ts    timestamp[ms, tz=UTC]     1700000000000 + i * 1000
//   flag  bool                      i % 2 == 0
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "columnar/builder.h"
#include "columnar/types.h"

namespace quiver::capi_test {

constexpr int64_t kTripsTs0 = 1700000000000;

inline std::shared_ptr<const Schema> TripsSchema() {
  Field fare{"fare", DataType(TypeId::kFloat64), true, {{"unit", "USD"}}};
  return std::make_shared<Schema>(
      std::vector<Field>{
          {"id", DataType(TypeId::kInt64), false, {}},
          fare,
          {"city", DataType::Dictionary(TypeId::kInt32), true, {}},
          {"note", DataType(TypeId::kUtf8), true, {}},
          {"ts", DataType::Timestamp(TimeUnit::kMilli, "UTC"), true, {}},
          {"flag", DataType(TypeId::kBool), true, {}},
      },
      std::vector<KeyValue>{{"source", "capi test"}});
}

inline Result<RecordBatch> MakeTrips(int64_t start, int64_t n) {
  RecordBatchBuilder b(TripsSchema());
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    if (i % 7 == 0)
      b.column(1).AppendNull();
    else
      b.column(1).AppendDouble(double(i) * 0.5);
    b.column(2).AppendString("city_" + std::to_string(i % 5));
    if (i % 3 == 0)
      b.column(3).AppendNull();
    else
      b.column(3).AppendString("n" + std::to_string(i));
    b.column(4).AppendInt(kTripsTs0 + i * 1000);
    b.column(5).AppendBool(i % 2 == 0);
  }
  return b.Finish();
}

// Table "types": one column of every Quiver type, 3 rows, row 1 all null.
inline std::shared_ptr<const Schema> TypesSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"b", DataType(TypeId::kBool), true, {}},
      {"i8", DataType(TypeId::kInt8), true, {}},
      {"i16", DataType(TypeId::kInt16), true, {}},
      {"i32", DataType(TypeId::kInt32), true, {}},
      {"i64", DataType(TypeId::kInt64), true, {}},
      {"u8", DataType(TypeId::kUInt8), true, {}},
      {"u16", DataType(TypeId::kUInt16), true, {}},
      {"u32", DataType(TypeId::kUInt32), true, {}},
      {"u64", DataType(TypeId::kUInt64), true, {}},
      {"f32", DataType(TypeId::kFloat32), true, {}},
      {"f64", DataType(TypeId::kFloat64), true, {}},
      {"s", DataType(TypeId::kUtf8), true, {}},
      {"bin", DataType(TypeId::kBinary), true, {}},
      {"d", DataType(TypeId::kDate32), true, {}},
      {"ts_s", DataType::Timestamp(TimeUnit::kSecond), true, {}},
      {"ts_ms", DataType::Timestamp(TimeUnit::kMilli, "Europe/Paris"), true, {}},
      {"ts_us", DataType::Timestamp(TimeUnit::kMicro), true, {}},
      {"ts_ns", DataType::Timestamp(TimeUnit::kNano, "UTC"), true, {}},
      {"dict8", DataType::Dictionary(TypeId::kInt8), true, {}},
      {"dict16", DataType::Dictionary(TypeId::kInt16), true, {}},
  });
}

// Expected Arrow format strings of TypesSchema(), in order (for dictionary
// columns: the index format; the dictionary's is "u").
inline const char* const kTypesFormats[] = {
    "b",    "c",       "s", "i", "l", "C",   "S",    "I",
    "L",    "f",       "g", "u", "z", "tdD", "tss:", "tsm:Europe/Paris",
    "tsu:", "tsn:UTC", "c", "s"};

inline Result<RecordBatch> MakeTypes() {
  RecordBatchBuilder b(TypesSchema());
  for (int row = 0; row < 3; ++row) {
    if (row == 1) {
      for (size_t c = 0; c < b.num_columns(); ++c) b.column(c).AppendNull();
      continue;
    }
    int64_t v = row == 0 ? 1 : -2;  // row 2 negative where signed
    b.column(0).AppendBool(row == 0);
    for (int c = 1; c <= 4; ++c) b.column(size_t(c)).AppendInt(v * c);
    for (int c = 5; c <= 8; ++c) b.column(size_t(c)).AppendUInt(uint64_t(row + c));
    b.column(9).AppendDouble(1.5 * v);
    b.column(10).AppendDouble(2.25 * v);
    b.column(11).AppendString(row == 0 ? "héllo" : "");
    b.column(12).AppendString(std::string("\0\1\2", 3));
    b.column(13).AppendInt(19000 + row);
    for (int c = 14; c <= 17; ++c) b.column(size_t(c)).AppendInt(1000 * v);
    b.column(18).AppendString(row == 0 ? "x" : "y");
    b.column(19).AppendString(row == 0 ? "p" : "q");
  }
  return b.Finish();
}

}  // namespace quiver::capi_test
