// Scalar: a typed literal (the constant side of a predicate, a group key, an
// aggregate result), and CastLiteral, which converts a literal to a column's
// type with SQL rules.
//
// Scalar is a small value type; copy it freely, share it between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "columnar/decimal.h"
#include "columnar/types.h"
#include "config/status.h"

namespace quiver::kernels {

class Scalar {
 public:
  enum class Kind : uint8_t {
    kNull,
    kBool,
    kInt64,
    kUInt64,
    kDouble,
    kString,
    kDate32,
    kTimestamp,
    kDecimal  // decimal128: the scaled integer with its precision and scale
  };

  Scalar() = default;  // NULL
  static Scalar Null() { return Scalar(); }
  static Scalar Bool(bool v);
  static Scalar Int64(int64_t v);
  static Scalar UInt64(uint64_t v);
  static Scalar Double(double v);
  static Scalar String(std::string v);
  static Scalar Date32(int32_t days_since_epoch);
  static Scalar Timestamp(int64_t v, TimeUnit unit);
  static Scalar Decimal(__int128 v, int32_t precision, int32_t scale);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool bool_value() const { return i_ != 0; }
  int64_t int64_value() const { return i_; }  // kInt64, kDate32, kTimestamp
  uint64_t uint64_value() const { return uint64_t(i_); }
  double double_value() const { return d_; }
  const std::string& string_value() const { return s_; }
  TimeUnit unit() const { return unit_; }
  __int128 decimal_value() const { return dec_; }  // kDecimal
  int32_t precision() const { return precision_; }
  int32_t scale() const { return scale_; }

  // The kind's name as used in messages: "int64", "string", "timestamp[ms]".
  std::string KindName() const;
  // SQL-ish rendering: NULL, true, 42, 2.5, 'abc', DATE '2024-01-05',
  // TIMESTAMP '...'(unit).
  std::string ToString() const;

  // Same kind and value (NULL equals NULL here: this is identity, not SQL =).
  bool operator==(const Scalar& o) const;

 private:
  Kind kind_ = Kind::kNull;
  TimeUnit unit_ = TimeUnit::kSecond;
  int64_t i_ = 0;
  double d_ = 0;
  std::string s_;
  __int128 dec_ = 0;
  int32_t precision_ = 0, scale_ = 0;
};

// Converts `lit` to a value of `type` (for a dictionary type: its value type)
// exactly, with SQL's rules for literals:
//   integer column:   integer literals in range; doubles with no fraction;
//                     strings that parse as such a number.
//   float column:     any number; strings that parse as a number.
//   date32 column:    date literals, 'YYYY-MM-DD' strings, timestamps at
//                     midnight.
//   timestamp column: timestamps (rescaled to the column's unit), dates,
//                     'YYYY-MM-DD[ HH:MM:SS[.fffffffff]]' strings.
//   utf8 / binary:    strings.   bool: booleans, 'true'/'false'/'t'/'f'.
//   fixed_size_binary: strings of its width, or its width in hex digits.
//   decimal128:       numbers and strings that spell one, exactly at the
//                     column's scale and within its precision (a double
//                     literal is taken as its shortest text: 0.1 is 0.1).
// NULL converts to NULL. The result's kind is the column's representation:
// kInt64 (signed integers), kUInt64 (unsigned), kDouble, kString, kBool,
// kDate32, kTimestamp (with the column's unit), kDecimal.
// Errors: TypeError naming both types when the kinds do not mix
// ("cannot compare int64 column with string literal 'abc'"), and when the
// value does not fit ("literal 300 is out of range for int8 column").
Result<Scalar> CastLiteral(const Scalar& lit, const DataType& type);

// The exact bounds (columnar/decimal.h) of a number literal (int, double as
// its shortest text, string spelling a number, decimal) at `type`'s scale;
// TypeError for a literal that is not a number.
Result<DecimalBounds> DecimalLiteral(const Scalar& lit, const DataType& type);

// Parses 'YYYY-MM-DD' into days since the epoch.
Result<int32_t> ParseDate32(std::string_view s);
// Parses 'YYYY-MM-DD[( |T)HH:MM:SS[.f{1,9}]][Z]' into nanoseconds since the
// epoch (as int64: 1677-09-21 .. 2262-04-11).
Result<int64_t> ParseTimestampNanos(std::string_view s);

}  // namespace quiver::kernels
