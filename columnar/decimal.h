// Exact decimal values: Arrow's decimal128 (a 16-byte two's-complement
// little-endian integer) and decimal256 (32 bytes), both scaled by
// 10^-scale. This file is the one place that parses, prints, checks the
// precision of and orders them; kernels and writers call it.
//
// Parsing is exact: "12.50" into decimal(12, 2) is 1250; more fractional
// digits than the scale are an error unless they are zeros ("12.501" is
// refused, never rounded), as are more integer digits than precision - scale
// allow. Exponents ("1.5e3") are accepted when the result is exact.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "columnar/types.h"
#include "config/status.h"

namespace quiver {

using int128_t = __int128;

// 10^n for n in [0, 38].
int128_t Pow10Int128(int n);
// Largest magnitude with `precision` digits: 10^precision - 1 (precision <= 38).
inline int128_t MaxDecimal128(int precision) { return Pow10Int128(precision) - 1; }
inline bool FitsDecimal128(int128_t v, int precision) {
  const int128_t m = MaxDecimal128(precision);
  return v <= m && v >= -m;
}

// Unaligned little-endian load/store of one decimal128 value.
inline int128_t LoadDecimal128(const void* p) {
  int128_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void StoreDecimal128(void* p, int128_t v) { std::memcpy(p, &v, sizeof v); }

// Parses `text` into a value of decimal128(precision, scale). The error
// message says what is wrong with the text; callers add where it was.
Result<int128_t> ParseDecimal128(std::string_view text, int precision, int scale);
// The same into decimal256: writes 32 little-endian bytes to `out`.
Status ParseDecimal256(std::string_view text, int precision, int scale, uint8_t* out);

// "-12.50" for (-1250, scale 2); "0.05", "7" (scale 0).
std::string FormatDecimal128(int128_t v, int scale);
// The same for 32 little-endian bytes.
std::string FormatDecimal256(const uint8_t* le32, int scale);
// The 32 bytes of a decimal256 (little-endian two's complement) as a key
// whose unsigned byte order (memcmp) is the numbers' order: big-endian with
// the sign bit flipped.
inline void Decimal256SortKey(const uint8_t* le32, uint8_t* key32) {
  for (int k = 0; k < 32; ++k) key32[k] = le32[31 - k];
  key32[0] ^= 0x80;
}
// The inverse of Decimal256SortKey.
inline void Decimal256FromSortKey(const uint8_t* key32, uint8_t* le32) {
  for (int k = 0; k < 32; ++k) le32[k] = key32[31 - k];
  le32[31] ^= 0x80;
}

// The exact interval [lo, hi] of a number given as text (a literal such as
// "10.5", "-3", "1e-2") in units of 10^-scale: lo = floor, hi = ceil, equal
// when the literal is exactly representable. Magnitudes beyond 10^38 are
// clamped to +-10^38 (outside every decimal128 value). Fails on text that is
// not a number.
struct DecimalBounds {
  int128_t lo = 0;
  int128_t hi = 0;
  bool exact() const { return lo == hi; }
};
Result<DecimalBounds> DecimalLiteralBounds(std::string_view text, int scale);
// The shortest text that reads back as `v` (std::to_chars): 0.1 -> "0.1".
std::string ShortestDouble(double v);

// Order-preserving key: 16 (32) big-endian bytes with the sign bit flipped,
// so memcmp orders them as the numbers (statistics keep these).
std::string DecimalSortKey(const uint8_t* le_bytes, int width);
// The same key written to `key` (width bytes), allocating nothing.
void DecimalSortKeyInto(const uint8_t* le_bytes, int width, uint8_t* key);
// The inverse: writes key.size() little-endian bytes to `le_bytes`.
void DecimalFromSortKey(std::string_view key, uint8_t* le_bytes);

// Converts a decimal128 value to double (nearest; for avg and casts).
double Decimal128ToDouble(int128_t v, int scale);

// Parses `text` as CAST(text AS decimal(precision, scale)) does in DuckDB:
// digits beyond the scale round half away from zero ('1.55' -> 1.6 at scale
// 1, '-1.45' -> -1.5); exponents are accepted ('1e3', '1.25e-1'), and
// single underscores between digits ('1_000.5'); surrounding spaces are
// ignored. Errors: InvalidArgument for text that is not a number,
// Overflow when the rounded value has more than precision - scale integer
// digits.
Result<int128_t> ParseDecimal128Rounded(std::string_view text, int precision, int scale);

// v / 10^k rounded half away from zero (k in [0, 38]).
int128_t DivPow10RoundHalfAway(int128_t v, int k);
// v (at from_scale) at to_scale: multiplied by a power of ten (false when
// that leaves 128 bits) or divided, rounding half away from zero.
bool RescaleDecimal128(int128_t v, int from_scale, int to_scale, int128_t* out);
// A double as decimal(precision, scale), as DuckDB casts: x * 10^scale
// computed in double, rounded half away from zero. False for NaN, infinities
// and values with more than precision digits.
bool DoubleToDecimal128(double x, int precision, int scale, int128_t* out);

}  // namespace quiver
