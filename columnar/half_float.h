// IEEE 754 binary16 (Arrow's float16, Parquet's FLOAT16) to and from binary32.
// The one place for the conversions: text output, the Parquet reader, text
// ingest and the kernels' CAST all use these.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace quiver {

// binary16 to float, exactly (every binary16 value is a float).
inline float HalfToFloat(uint16_t h) {
  const int exp = (h >> 10) & 0x1f;
  const int mant = h & 0x3ff;
  float v;
  if (exp == 0) {
    v = std::ldexp(float(mant), -24);
  } else if (exp == 31) {
    v = mant != 0 ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(float(mant | 0x400), exp - 25);
  }
  return (h & 0x8000) != 0 ? -v : v;
}

// double to the nearest binary16, ties to even (as IEEE conversion rounds);
// past the largest finite value (65504, rounding included) it is infinity,
// NaN stays NaN, -0.0 stays -0.0, tiny values become subnormals or zero.
inline uint16_t FloatToHalf(double x) {
  const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  if (std::isnan(x)) return uint16_t(sign | 0x7e00);
  double a = std::fabs(x);
  if (a == 0) return sign;
  int e;
  std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  // The unit of the last place at a's binade: 2^(e-11) for normals
  // (10 fraction bits), 2^-24 for subnormals (e - 1 < -14).
  const int ulp_exp = e - 1 < -14 ? -24 : e - 11;
  const double units = std::nearbyint(std::ldexp(a, -ulp_exp));  // ties to even (default mode)
  const double r = std::ldexp(units, ulp_exp);
  if (r > 65504.0) return uint16_t(sign | 0x7c00);
  if (r < std::ldexp(1.0, -14)) return uint16_t(sign | uint16_t(units));  // subnormal (or 2^-14 exactly below)
  int re;
  const double rm = std::frexp(r, &re);  // rounding may have moved r up a binade
  const int biased = re - 1 + 15;
  const uint16_t frac = uint16_t(std::ldexp(rm * 2 - 1, 10));
  return uint16_t(sign | uint16_t(biased << 10) | frac);
}

// False for a finite x that rounds past float16's largest value (65504).
inline bool FitsHalf(double x) { return !std::isfinite(x) || FloatToHalf(std::fabs(x)) != 0x7c00; }

}  // namespace quiver
