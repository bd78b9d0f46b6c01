// The one implementation of the text of integers, floats, dates and
// timestamps (text_format.h gives the rules), writing into a caller's
// buffer: Put*(p, ...) writes at p and returns the end. The Append*
// functions (text_value.cc) and the column-at-a-time cells (text_cells.cc)
// both use these. Internal to columnar/.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "columnar/types.h"

namespace quiver::text_internal {

// Room a caller leaves for one Put* below (the longest: a float32/64 in
// JSON quotes, or a timestamp of year -292277022657 in quotes, 41 bytes).
inline constexpr size_t kMaxPutBytes = 48;

inline char* PutText(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// "00" "01" ... "99".
inline constexpr auto kDigitPairs = [] {
  std::array<char, 200> a{};
  for (int i = 0; i < 100; ++i) a[size_t(2 * i)] = char('0' + i / 10), a[size_t(2 * i + 1)] = char('0' + i % 10);
  return a;
}();

// Two digits of v < 100.
inline void PutPair(char* p, uint32_t v) { std::memcpy(p, kDigitPairs.data() + 2 * v, 2); }

// Exactly eight digits of v < 10^8 (leading zeros kept).
inline void Put8(char* p, uint32_t v) {
  const uint32_t hi = v / 10000, lo = v % 10000;
  PutPair(p, hi / 100);
  PutPair(p + 2, hi % 100);
  PutPair(p + 4, lo / 100);
  PutPair(p + 6, lo % 100);
}

// The digits of v < 10^8, no leading zeros.
inline char* PutBelow1e8(char* p, uint32_t v) {
  const int n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5
                : v < 1000000 ? 6 : v < 10000000 ? 7 : 8;
  char* q = p + n;
  while (v >= 100) {
    q -= 2;
    PutPair(q, v % 100);
    v /= 100;
  }
  if (v >= 10) {
    PutPair(q - 2, v);
  } else {
    q[-1] = char('0' + v);
  }
  return p + n;
}

// The decimal digits of v, eight at a time (the text of std::to_chars).
inline char* PutUnsigned(char* p, uint64_t v) {
  if (v < 100000000) return PutBelow1e8(p, uint32_t(v));
  if (v < 10000000000000000ull) {
    p = PutBelow1e8(p, uint32_t(v / 100000000));
  } else {
    p = PutBelow1e8(p, uint32_t(v / 10000000000000000ull));
    Put8(p, uint32_t(v / 100000000 % 100000000));
    p += 8;
  }
  Put8(p, uint32_t(v % 100000000));
  return p + 8;
}

// Any integer: a '-' and the digits (at most 20 bytes).
template <typename T>
char* PutInteger(char* p, T v) {
  if constexpr (std::is_signed_v<T>) {
    if (v < 0) {
      *p++ = '-';
      return PutUnsigned(p, uint64_t(0) - uint64_t(int64_t(v)));
    }
  }
  return PutUnsigned(p, uint64_t(v));
}

// Shortest round-trip text, ".0" added to integral values; NaN, Infinity,
// -Infinity, in quotes when `json`.
template <typename F>
char* PutFloating(char* p, F v, bool json) {
  if (std::isnan(v)) return PutText(p, json ? "\"NaN\"" : "NaN");
  if (std::isinf(v)) {
    if (v > 0) return PutText(p, json ? "\"Infinity\"" : "Infinity");
    return PutText(p, json ? "\"-Infinity\"" : "-Infinity");
  }
  char* start = p;
  p = std::to_chars(p, p + 40, v).ptr;
  for (const char* q = start; q < p; ++q) {
    if (*q != '-' && (*q < '0' || *q > '9')) return p;
  }
  return PutText(p, ".0");
}

// YYYY-MM-DD of a day count (years outside 0000..9999 with a sign and at
// least four digits; at most 22 bytes).
char* PutDate(char* p, int64_t days);

// YYYY-MM-DDTHH:MM:SS[.fraction]Z of `value` in units of 10^-kDigits s
// (kDigits 0, 3, 6 or 9), the date written by `put_date(p, days)`.
template <int kDigits, typename PutDay>
char* PutTimestampWith(char* p, int64_t value, PutDay put_date) {
  constexpr int64_t kPerSecond = kDigits == 0 ? 1 : kDigits == 3 ? 1000 : kDigits == 6 ? 1000000 : 1000000000;
  int64_t seconds = value / kPerSecond, fraction = value % kPerSecond;
  if (fraction < 0) fraction += kPerSecond, seconds -= 1;
  int64_t days = seconds / 86400, tod = seconds % 86400;
  if (tod < 0) tod += 86400, days -= 1;
  p = put_date(p, days);
  const auto t = uint32_t(tod);
  p[0] = 'T';
  PutPair(p + 1, t / 3600);
  p[3] = ':';
  PutPair(p + 4, t / 60 % 60);
  p[6] = ':';
  PutPair(p + 7, t % 60);
  p += 9;
  if constexpr (kDigits > 0) {
    *p++ = '.';
    auto f = uint32_t(fraction);
    for (int k = kDigits; k > 0; --k, f /= 10) p[k - 1] = char('0' + f % 10);
    p += kDigits;
  }
  *p++ = 'Z';
  return p;
}

// The same for a TimeUnit.
char* PutTimestamp(char* p, int64_t value, TimeUnit unit);

}  // namespace quiver::text_internal
