// Decimal helpers shared by the decimal kernels (fn_decimal.cc,
// fn_decimal_cast.cc) and the comparison core (fn_logic.cc). Not an API for
// other layers.
//
// Quiver computes on decimal128 values as their scaled 128-bit integers
// (columnar/decimal.h); decimal256 is stored and returned, not computed on.
// Thread-safety: pure functions and single-threaded readers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "columnar/decimal.h"
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

// The (precision, scale) a value takes in decimal arithmetic, DuckDB's:
// decimal128(p, s) itself; integers as decimal(width, 0) with the digits of
// their type (int8/uint8 3, int16/uint16 5, int32/uint32 10, int64 19,
// uint64 20), except that an integer constant that fits int32 counts as 10
// digits (DuckDB types such a literal INTEGER). nullopt for anything else.
struct DecimalSpec {
  int precision = 0;
  int scale = 0;
};
std::optional<DecimalSpec> DecimalSpecOf(const DataType& t, const Scalar* constant = nullptr);

inline bool IsDecimal128(const DataType& t) {
  return t.id == TypeId::kDecimal128 && !t.is_dictionary();
}

// Values of a decimal128 or integer Datum as 128-bit integers at a given
// scale (at least the Datum's own), broadcast: At(i) is row i of a column or
// the scalar for every row. A decimal128 column already at that scale is read
// in place; anything else is converted once. NULL rows hold an unspecified
// value (use the validity).
class DecimalInput {
 public:
  // Loads `d` at `scale`. A valid value that leaves 128 bits or `precision`
  // digits at that scale is an Overflow error "value 12.34 does not fit
  // decimal(4, 3)" (the caller says in which operation).
  Status Load(const Datum& d, int64_t rows, int scale, int precision = kMaxDecimal128Precision);
  bool is_scalar() const { return bytes_ == nullptr; }
  int128_t scalar() const { return scalar_; }
  // Little-endian 16-byte values, row 0 first; null for a scalar.
  const uint8_t* bytes() const { return bytes_; }
  int128_t At(int64_t i) const { return bytes_ ? LoadDecimal128(bytes_ + i * 16) : scalar_; }

 private:
  int128_t scalar_ = 0;
  const uint8_t* bytes_ = nullptr;
  std::vector<int128_t> storage_;
};

// Three-way order of a (at scale sa) and b (at scale sb), exact: the side of
// smaller scale is scaled up, and one that leaves 128 bits is larger in
// magnitude than any 38-digit value.
int CompareDecimals(int128_t a, int sa, int128_t b, int sb);

// The decimal casts (fn_decimal_cast.cc), called by fn_cast.cc when the
// source or the target is decimal128: true when the conversion exists
// (decimal128 from and to decimal128, integers, floats, bool and text).
bool CanCastDecimal(const DataType& from, const DataType& to);
// `src` (a column of `rows` rows) converted to `to`; under TRY_CAST a value
// that does not convert is NULL instead of an error.
Result<std::shared_ptr<ArrayData>> CastDecimalColumn(const Datum& src, const DataType& to,
                                                     int64_t rows, bool try_cast);

}  // namespace quiver::kernels::internal
