// Per-chunk column statistics for zone-map pruning: row count, null count,
// min and max.
//
// Values are kept by kind: signed integers, bool (0/1), date32 and timestamp
// as int64; unsigned integers as uint64; floats as double (NaN is ignored for
// min/max and flagged in has_nan); utf8, binary, fixed_size_binary and dictionary-encoded utf8
// as bytes compared with memcmp (unsigned bytes). Strings longer than
// kStatsPrefixBytes are truncated: min to its prefix (still <= every value),
// max to its prefix with the last byte that is not 0xFF incremented and the
// rest dropped (still > every value). If no such byte exists the max is
// unbounded (has_max = false). min_exact / max_exact say whether a bound is
// an actual value of the column. Pruning stays safe: every non-null value v
// satisfies min <= v <= max.
//
// Serialize() gives a small versioned little-endian byte string for the
// catalog; Deserialize() validates it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"

namespace quiver {

constexpr int64_t kStatsPrefixBytes = 64;

struct ColumnStats {
  enum class Kind : uint8_t { kInt = 1, kUInt = 2, kDouble = 3, kBytes = 4 };

  Kind kind = Kind::kInt;
  int64_t row_count = 0;
  int64_t null_count = 0;
  bool has_min = false;  // false when the column has no non-null (non-NaN) value
  bool has_max = false;
  bool min_exact = true;
  bool max_exact = true;
  bool has_nan = false;
  // Integer columns (int8-int64, date32, timestamp) only: no nulls and the
  // values never decrease, so a lookup may binary-search the chunk. False
  // in statistics written before the flag existed.
  bool sorted = false;
  int64_t min_int = 0, max_int = 0;
  uint64_t min_uint = 0, max_uint = 0;
  double min_double = 0, max_double = 0;
  std::string min_bytes, max_bytes;

  std::string Serialize() const;
  static Result<ColumnStats> Deserialize(std::string_view bytes);
  bool operator==(const ColumnStats& o) const;
};

// The statistics kind used for values of `type`.
ColumnStats::Kind StatsKindFor(const DataType& type);

ColumnStats ComputeColumnStats(const ArrayData& column);
std::vector<ColumnStats> ComputeBatchStats(const RecordBatch& batch);

}  // namespace quiver
