// Test data and comparisons shared by the columnar test files: a batch with
// every stored type and nulls, and a canonical JSON rendering of batches that
// the node interop scripts (tools/node/) print in the same form.
//
// JSON form: {"schema": [{"name", "type" (DataType::ToString), "nullable"}],
//             "batches": [{"num_rows": n, "columns": [[v, ...], ...]}]}
// Values: bool, numbers up to 32 bits as numbers, 64-bit integers (int64,
// uint64, timestamps) as decimal strings, utf8 as strings, binary as hex,
// date32 as day numbers, dictionary columns as their decoded strings, null as
// null.
#pragma once

#include <nlohmann/json.hpp>

#include <cinttypes>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/builder.h"
#include "columnar/decimal.h"
#include "columnar/types.h"

namespace quiver::testing {

inline std::shared_ptr<const Schema> AllTypesSchema() {
  std::vector<Field> f = {
      {"b", DataType(TypeId::kBool), true, {}},
      {"i8", DataType(TypeId::kInt8), true, {}},
      {"i16", DataType(TypeId::kInt16), true, {}},
      {"i32", DataType(TypeId::kInt32), true, {}},
      {"i64", DataType(TypeId::kInt64), true, {{"unit", "cents"}}},
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
      {"ts_ms", DataType::Timestamp(TimeUnit::kMilli, "UTC"), true, {}},
      {"ts_us", DataType::Timestamp(TimeUnit::kMicro), true, {}},
      {"ts_ns", DataType::Timestamp(TimeUnit::kNano, "America/New_York"), true, {}},
      {"dict8", DataType::Dictionary(TypeId::kInt8), true, {}},
      {"dict16", DataType::Dictionary(TypeId::kInt16), true, {}},
      {"dict32", DataType::Dictionary(TypeId::kInt32), true, {}},
      {"id", DataType(TypeId::kInt64), false, {}},
  };
  return std::make_shared<Schema>(std::move(f), std::vector<KeyValue>{{"source", "quiver-test"}});
}

// Deterministic values for row r (global row number) of column c; every
// column has nulls at its own period, except the non-nullable "id".
inline void AppendAllTypesRow(RecordBatchBuilder* b, int64_t r) {
  static const char* kWords[] = {"alpha", "beta", "", "gamma \xce\xb3", "delta", "a\"quote", "tab\tx"};
  for (size_t c = 0; c < b->num_columns(); ++c) {
    ArrayBuilder& col = b->column(c);
    bool is_id = c + 1 == b->num_columns();
    if (!is_id && (r + int64_t(c)) % int64_t(3 + c % 4) == 0) {
      col.AppendNull();
      continue;
    }
    int64_t x = r * 7919 + int64_t(c) * 31;
    switch (col.type().is_dictionary() ? TypeId::kNone : col.type().id) {
      case TypeId::kBool: col.AppendBool((r % 3) == 1); break;
      case TypeId::kInt8: col.AppendInt(int8_t(x)); break;
      case TypeId::kInt16: col.AppendInt(int16_t(x * 13)); break;
      case TypeId::kInt32: col.AppendInt(int32_t(x * 104729)); break;
      case TypeId::kInt64:
        if (is_id) {
          col.AppendInt(r);
        } else {
          col.AppendInt(r % 11 == 1 ? std::numeric_limits<int64_t>::min()
                                    : r % 11 == 2 ? std::numeric_limits<int64_t>::max() : x * 1000003 - 5000000);
        }
        break;
      case TypeId::kUInt8: col.AppendUInt(uint8_t(x)); break;
      case TypeId::kUInt16: col.AppendUInt(uint16_t(x * 3)); break;
      case TypeId::kUInt32: col.AppendUInt(uint32_t(x * 2654435761u)); break;
      case TypeId::kUInt64:
        col.AppendUInt(r % 5 == 1 ? std::numeric_limits<uint64_t>::max() : uint64_t(x) * 11400714819323198485ull);
        break;
      case TypeId::kFloat32: col.AppendDouble(float(x) / 8.0f - 100.25f); break;
      case TypeId::kFloat64: col.AppendDouble(double(x) * 0.001 - 3.5e3); break;
      case TypeId::kUtf8: col.AppendString(std::string(kWords[r % 7]) + std::to_string(r)); break;
      case TypeId::kBinary: {
        std::string bytes;
        for (int k = 0; k < int(r % 5); ++k) bytes += char((r * 37 + k * 91) & 0xFF);
        col.AppendString(bytes);
        break;
      }
      case TypeId::kDate32: col.AppendInt(int32_t(r * 37 - 400)); break;
      case TypeId::kTimestamp: col.AppendInt(int64_t(1700000000) * 1000 + x * 977); break;
      case TypeId::kNone:  // dictionary
        col.AppendString(kWords[(r * (c + 1)) % 5]);
        break;
      default: break;
    }
  }
}

// A batch of `rows` rows starting at global row `first`.
inline RecordBatch AllTypesBatch(int64_t first, int64_t rows) {
  RecordBatchBuilder b(AllTypesSchema());
  for (int64_t r = first; r < first + rows; ++r) AppendAllTypesRow(&b, r);
  auto batch = b.Finish();
  return std::move(batch).value();
}

inline std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : s) {
    out += kDigits[ch >> 4];
    out += kDigits[ch & 15];
  }
  return out;
}

inline nlohmann::json ValueJson(const ArrayView& v, int64_t i) {
  if (v.IsNull(i)) return nullptr;
  const DataType& t = *v.type;
  if (t.is_dictionary()) {
    int64_t k = v.DictIndex(i);
    return std::string(v.dictionary->StringValue(k));
  }
  switch (t.id) {
    case TypeId::kBool: return v.BoolValue(i);
    case TypeId::kInt8: return v.Value<int8_t>(i);
    case TypeId::kInt16: return v.Value<int16_t>(i);
    case TypeId::kInt32: return v.Value<int32_t>(i);
    case TypeId::kDate32: return v.Value<int32_t>(i);
    case TypeId::kUInt8: return v.Value<uint8_t>(i);
    case TypeId::kUInt16: return v.Value<uint16_t>(i);
    case TypeId::kUInt32: return v.Value<uint32_t>(i);
    case TypeId::kInt64: case TypeId::kTimestamp: return std::to_string(v.Value<int64_t>(i));
    case TypeId::kUInt64: return std::to_string(v.Value<uint64_t>(i));
    case TypeId::kFloat32: return double(v.Value<float>(i));
    case TypeId::kFloat64: return v.Value<double>(i);
    case TypeId::kUtf8: return std::string(v.StringValue(i));
    case TypeId::kBinary: case TypeId::kFixedSizeBinary: return Hex(v.StringValue(i));
    case TypeId::kTime32: return v.Value<int32_t>(i);
    case TypeId::kDate64: case TypeId::kTime64: case TypeId::kDuration:
      return std::to_string(v.Value<int64_t>(i));
    case TypeId::kDecimal128:
      return FormatDecimal128(LoadDecimal128(v.values + (v.offset + i) * 16), t.scale);
    case TypeId::kDecimal256: return FormatDecimal256(v.values + (v.offset + i) * 32, t.scale);
    default: return "?";
  }
}

inline nlohmann::json BatchesJson(const Schema& schema, const std::vector<RecordBatch>& batches) {
  nlohmann::json j;
  j["schema"] = nlohmann::json::array();
  for (const Field& f : schema.fields()) {
    j["schema"].push_back({{"name", f.name}, {"type", f.type.ToString()}, {"nullable", f.nullable}});
  }
  j["batches"] = nlohmann::json::array();
  for (const RecordBatch& b : batches) {
    nlohmann::json jb;
    jb["num_rows"] = b.num_rows;
    jb["columns"] = nlohmann::json::array();
    for (const auto& c : b.columns) {
      ArrayView v = c->View();
      ArrayView dv;
      if (c->dictionary) {
        dv = c->dictionary->View();
        v.dictionary = &dv;
      }
      nlohmann::json col = nlohmann::json::array();
      for (int64_t i = 0; i < v.length; ++i) col.push_back(ValueJson(v, i));
      jb["columns"].push_back(std::move(col));
    }
    j["batches"].push_back(std::move(jb));
  }
  return j;
}

inline nlohmann::json BatchJson(const RecordBatch& b) { return BatchesJson(*b.schema, {b}); }

}  // namespace quiver::testing
