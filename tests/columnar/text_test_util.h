// Helpers for the CSV and NDJSON reader tests: a column value as text, and a
// whole table's column as a list of texts.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/text_reader.h"

namespace quiver::testing {

// "null", or the value: integers, dates (days) and timestamps (units) in
// decimal, floats with %.17g, bools as true/false, strings as they are.
inline std::string CellText(const RecordBatch& b, size_t col, int64_t row) {
  ArrayView v = b.columns[col]->View();
  if (v.IsNull(row)) return "null";
  if (v.type->is_dictionary()) {
    ArrayView d = b.columns[col]->dictionary->View();
    return std::string(d.StringValue(v.DictIndex(row)));
  }
  char buf[64];
  switch (v.type->id) {
    case TypeId::kBool: return v.BoolValue(row) ? "true" : "false";
    case TypeId::kInt8: return std::to_string(v.Value<int8_t>(row));
    case TypeId::kInt16: return std::to_string(v.Value<int16_t>(row));
    case TypeId::kInt32:
    case TypeId::kDate32: return std::to_string(v.Value<int32_t>(row));
    case TypeId::kInt64:
    case TypeId::kTimestamp: return std::to_string(v.Value<int64_t>(row));
    case TypeId::kUInt8: return std::to_string(v.Value<uint8_t>(row));
    case TypeId::kUInt16: return std::to_string(v.Value<uint16_t>(row));
    case TypeId::kUInt32: return std::to_string(v.Value<uint32_t>(row));
    case TypeId::kUInt64: return std::to_string(v.Value<uint64_t>(row));
    case TypeId::kFloat32: std::snprintf(buf, sizeof buf, "%.9g", double(v.Value<float>(row))); return buf;
    case TypeId::kFloat64: std::snprintf(buf, sizeof buf, "%.17g", v.Value<double>(row)); return buf;
    case TypeId::kUtf8:
    case TypeId::kBinary: return std::string(v.StringValue(row));
    default: return "?";
  }
}

inline std::vector<std::string> ColumnTexts(const TextTable& t, size_t col) {
  std::vector<std::string> out;
  for (const RecordBatch& b : t.batches) {
    for (int64_t r = 0; r < b.num_rows; ++r) out.push_back(CellText(b, col, r));
  }
  return out;
}

using Texts = std::vector<std::string>;

}  // namespace quiver::testing
