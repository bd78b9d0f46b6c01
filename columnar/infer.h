// Text values into typed columns: the strict value parsers shared by the CSV
// and NDJSON readers, per-column type inference from a sample, and the
// conversion of one text value into a cell of a given column type.
//
// Inference rules (documented for users in the README):
//   int64      optional sign and decimal digits that fit 64 bits, with no
//              leading zero ("0" and "-0" are fine; "007" is not a number).
//   float64    a decimal number with a fraction and/or an exponent
//              ("1.5", "-2e10", ".5"), or a mix of such and int64 values.
//              inf/nan are accepted in float columns but never inferred.
//   bool       true / false in any letter case.
//   date32     YYYY-MM-DD (a valid calendar date).
//   timestamp  YYYY-MM-DD(T| )HH:MM[:SS[.f{1,9}]] with an optional Z or
//              +HH[:MM] / -HH[:MM] offset; stored as timestamp[us, tz=UTC]
//              (timestamp[ns, tz=UTC] when a sample value has more than six
//              fractional digits). A value without an offset is taken as UTC.
//              A mix of dates and timestamps infers timestamp.
//   utf8       anything else (digit strings with leading zeros or beyond 64
//              bits included); dictionary<int32, utf8> when the sample has
//              few distinct values (see InferOptions).
// A column with no non-null value in the sample is utf8.
//
// All functions are pure and thread-safe; a ColumnInferrer is a single-thread
// value object.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "columnar/builder.h"
#include "columnar/types.h"
#include "config/status.h"

namespace quiver {

// --- strict parsers: true and *out set when the whole text is a value ---
bool ParseInt64Text(std::string_view s, int64_t* out);
bool ParseUInt64Text(std::string_view s, uint64_t* out);
// A decimal number (int64 form, fraction and/or exponent). `allow_special`
// also accepts inf, -inf, +inf, infinity, nan (any case).
bool ParseFloat64Text(std::string_view s, double* out, bool allow_special);
bool ParseBoolText(std::string_view s, bool* out);
// YYYY-MM-DD into days since 1970-01-01.
bool ParseDateText(std::string_view s, int32_t* days);
// The timestamp forms above into units of `unit` since the epoch, UTC.
// `date_only_ok` also accepts a bare date (midnight UTC). Fails (with
// *excess_precision set) when the value has non-zero digits finer than
// `unit`: such a value would be silently truncated.
bool ParseTimestampText(std::string_view s, TimeUnit unit, bool date_only_ok, int64_t* out,
                        bool* excess_precision = nullptr);
// Number of fractional-second digits of a timestamp text (0 if none).
int TimestampFractionDigits(std::string_view s);
// True when [data, data+n) is valid UTF-8; *bad_offset is the first bad byte.
bool ValidUtf8(const char* data, size_t n, size_t* bad_offset);

struct InferOptions {
  // A utf8 column becomes dictionary<int32, utf8> when its sample has at
  // most this many distinct values and each value repeats on average at
  // least `dictionary_min_repeat` times.
  int64_t dictionary_max_distinct = 1000;
  int64_t dictionary_min_repeat = 2;
  bool infer_dictionary = true;
};

// Watches the non-null sample values of one column and decides its type.
// CSV fields go to ObserveText; NDJSON values to the ObserveJson* calls
// (JSON strings never infer numbers or bools; a column mixing JSON kinds,
// e.g. numbers and strings, is utf8 holding each value's JSON text).
class ColumnInferrer {
 public:
  void ObserveText(std::string_view v);
  void ObserveJsonString(std::string_view v);
  void ObserveJsonInt();
  void ObserveJsonFloat();
  void ObserveJsonBool();
  // A JSON integer that does not fit 64 bits: stays text.
  void ObserveJsonBigInteger();
  DataType Decide(const InferOptions& options) const;

 private:
  void CountDistinct(std::string_view v);
  void ObserveTemporal(std::string_view v);
  bool any_ = false;
  bool can_int_ = true, can_float_ = true, can_bool_ = true, can_date_ = true, can_ts_ = true;
  int max_fraction_digits_ = 0;
  bool json_ = false, json_int_ = false, json_float_ = false, json_bool_ = false,
       json_string_ = false, json_big_ = false;
  int64_t strings_ = 0;
  bool too_many_distinct_ = false;
  std::unordered_set<std::string> distinct_;
  int64_t distinct_limit_ = 100000;
};

// One converted value, ready to append (strings point into the input).
struct Cell {
  bool null = false;
  int64_t i = 0;  // ints, bool (0/1), date32 days, timestamp units
  uint64_t u = 0;  // uint64
  double d = 0;
  std::string_view s;  // utf8/binary; decimal256, fixed_size_binary: the checked text, parsed again by AppendCell
  __int128 dec = 0;    // decimal128: the scaled integer; intervals: their bytes
};

// Converts a text value to `type` (any type Quiver stores). On failure
// returns false and sets *why to e.g. "\"1.5\" is not an int64".
bool ConvertText(std::string_view v, const DataType& type, Cell* out, std::string* why);
// True when `v` fits the signed integer type `id` (int8 ... int64).
inline bool FitsSignedType(TypeId id, int64_t v) {
  switch (id) {
    case TypeId::kInt8: return v >= INT8_MIN && v <= INT8_MAX;
    case TypeId::kInt16: return v >= INT16_MIN && v <= INT16_MAX;
    case TypeId::kInt32: return v >= INT32_MIN && v <= INT32_MAX;
    default: return true;
  }
}
// The largest value of an unsigned integer type (uint8 ... uint64).
inline uint64_t MaxUnsigned(TypeId id) {
  return id == TypeId::kUInt8 ? 0xFF : id == TypeId::kUInt16 ? 0xFFFF : id == TypeId::kUInt32 ? 0xFFFFFFFFull : ~0ull;
}
// Appends a converted cell to a builder of the same type.
void AppendCell(ArrayBuilder& b, const Cell& c);

// Quotes a value for an error message (truncated to 60 bytes).
std::string QuoteForMessage(std::string_view v);

}  // namespace quiver
