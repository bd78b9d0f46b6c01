#include "columnar/decimal.h"

#include <array>
#include <charconv>
#include <cmath>

namespace quiver {

namespace {

using uint128_t = unsigned __int128;

// A number as text split into sign, significant digits (no leading zeros;
// "" for zero) and a power of ten: value = digits * 10^exp10.
struct DigitForm {
  bool negative = false;
  std::string digits;
  int64_t exp10 = 0;
};

// `underscores`: a single '_' between two digits of the mantissa is a
// digit separator ("1_000.25"), as DuckDB's casts accept.
Result<DigitForm> SplitNumber(std::string_view s, bool underscores = false) {
  auto bad = [&] { return Status::Invalid("'" + std::string(s) + "' is not a decimal number"); };
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  size_t end = s.size();
  while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  DigitForm f;
  if (i < end && (s[i] == '+' || s[i] == '-')) f.negative = s[i++] == '-';
  int64_t seen = 0;
  auto digit = [&](size_t k) { return k < end && s[k] >= '0' && s[k] <= '9'; };
  // After the digit at i: skips a separator that another digit follows.
  auto separator = [&] {
    if (underscores && i + 1 < end && s[i + 1] == '_' && digit(i + 2)) ++i;
  };
  for (; digit(i); ++i, ++seen) {
    if (!f.digits.empty() || s[i] != '0') f.digits += s[i];
    separator();
  }
  if (i < end && s[i] == '.') {
    for (++i; digit(i); ++i, ++seen) {
      if (!f.digits.empty() || s[i] != '0') f.digits += s[i];
      --f.exp10;
      separator();
    }
  }
  if (seen == 0) return bad();
  if (i < end && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < end && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    int64_t e = 0;
    size_t start = i;
    for (; i < end && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (e < 100000) e = e * 10 + (s[i] - '0');
    }
    if (i == start) return bad();
    f.exp10 += neg ? -e : e;
  }
  if (i != end) return bad();
  if (f.digits.empty()) f.negative = false;
  return f;
}

// The digits of value * 10^scale; `dropped_nonzero` says whether nonzero
// digits fell off the end (the value is not exact at this scale).
std::string ScaledDigits(const DigitForm& f, int scale, bool* dropped_nonzero) {
  *dropped_nonzero = false;
  if (f.digits.empty()) return "";
  int64_t shift = f.exp10 + scale;
  if (shift >= 0) {
    if (shift > 100) shift = 100;  // far beyond any precision; the caller refuses it
    return f.digits + std::string(size_t(shift), '0');
  }
  const int64_t drop = -shift;
  if (drop >= int64_t(f.digits.size())) {
    *dropped_nonzero = true;
    return "";
  }
  std::string kept = f.digits.substr(0, f.digits.size() - size_t(drop));
  *dropped_nonzero = f.digits.find_first_not_of('0', kept.size()) != std::string::npos;
  return kept;
}

Result<std::string> ExactScaledDigits(std::string_view text, int precision, int scale) {
  QUIVER_ASSIGN_OR_RETURN(DigitForm f, SplitNumber(text));
  bool dropped = false;
  std::string d = ScaledDigits(f, scale, &dropped);
  if (dropped) {
    return Status::Invalid("'" + std::string(text) + "' has more than " + std::to_string(scale) +
                           " digits after the point (decimal(" + std::to_string(precision) + ", " +
                           std::to_string(scale) + ") does not round)");
  }
  if (int64_t(d.size()) > precision) {
    return Status::Invalid("'" + std::string(text) + "' is out of range for decimal(" +
                           std::to_string(precision) + ", " + std::to_string(scale) + ") (at most " +
                           std::to_string(precision - scale) + " digits before the point)");
  }
  return (f.negative ? "-" : "") + d;
}

// 256-bit unsigned arithmetic on four little-endian 64-bit words.
void MulAdd256(uint64_t w[4], uint64_t mul, uint64_t add) {
  uint128_t carry = add;
  for (int k = 0; k < 4; ++k) {
    uint128_t p = uint128_t(w[k]) * mul + carry;
    w[k] = uint64_t(p);
    carry = p >> 64;
  }
}
uint64_t DivMod256(uint64_t w[4], uint64_t div) {
  uint128_t rem = 0;
  for (int k = 3; k >= 0; --k) {
    uint128_t cur = (rem << 64) | w[k];
    w[k] = uint64_t(cur / div);
    rem = cur % div;
  }
  return uint64_t(rem);
}
void Negate256(uint64_t w[4]) {
  uint64_t carry = 1;
  for (int k = 0; k < 4; ++k) {
    uint64_t x = ~w[k] + carry;
    carry = (carry != 0 && x == 0) ? 1 : 0;
    w[k] = x;
  }
}

std::string InsertPoint(bool negative, std::string digits, int scale) {
  if (scale > 0) {
    if (int(digits.size()) <= scale) digits.insert(0, size_t(scale + 1 - int(digits.size())), '0');
    digits.insert(digits.size() - size_t(scale), 1, '.');
  }
  return negative ? "-" + digits : digits;
}

}  // namespace

int128_t Pow10Int128(int n) {
  static const auto kTable = [] {
    std::array<int128_t, 39> t{};
    t[0] = 1;
    for (size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
    return t;
  }();
  return kTable[size_t(n)];
}

Result<int128_t> ParseDecimal128(std::string_view text, int precision, int scale) {
  Result<std::string> r = ExactScaledDigits(text, precision, scale);
  if (!r.ok()) return r.status();
  const std::string& d = *r;
  bool neg = !d.empty() && d[0] == '-';
  int128_t v = 0;
  for (size_t i = neg ? 1 : 0; i < d.size(); ++i) v = v * 10 + (d[i] - '0');  // <= 38 digits
  return neg ? -v : v;
}

Status ParseDecimal256(std::string_view text, int precision, int scale, uint8_t* out) {
  Result<std::string> r = ExactScaledDigits(text, precision, scale);
  if (!r.ok()) return r.status();
  const std::string& d = *r;
  bool neg = !d.empty() && d[0] == '-';
  uint64_t w[4] = {0, 0, 0, 0};
  for (size_t i = neg ? 1 : 0; i < d.size(); ++i) MulAdd256(w, 10, uint64_t(d[i] - '0'));
  if (neg) Negate256(w);
  std::memcpy(out, w, 32);
  return Status::OK();
}

std::string FormatDecimal128(int128_t v, int scale) {
  const bool neg = v < 0;
  uint128_t m = neg ? uint128_t(0) - uint128_t(v) : uint128_t(v);
  char buf[48];
  int n = 0;
  do {
    buf[n++] = char('0' + int(m % 10));
    m /= 10;
  } while (m != 0);
  std::string digits(buf, size_t(n));
  return InsertPoint(neg, std::string(digits.rbegin(), digits.rend()), scale);
}

std::string FormatDecimal256(const uint8_t* le32, int scale) {
  uint64_t w[4];
  std::memcpy(w, le32, 32);
  const bool neg = (w[3] >> 63) != 0;
  if (neg) Negate256(w);
  std::string digits;
  do {
    digits += char('0' + DivMod256(w, 10));
  } while ((w[0] | w[1] | w[2] | w[3]) != 0);
  return InsertPoint(neg, std::string(digits.rbegin(), digits.rend()), scale);
}

Result<DecimalBounds> DecimalLiteralBounds(std::string_view text, int scale) {
  QUIVER_ASSIGN_OR_RETURN(DigitForm f, SplitNumber(text));
  bool dropped = false;
  std::string d = ScaledDigits(f, scale, &dropped);
  DecimalBounds b;
  if (d.size() > 38) {
    b.lo = b.hi = f.negative ? -Pow10Int128(38) : Pow10Int128(38);
    return b;
  }
  int128_t v = 0;
  for (char c : d) v = v * 10 + (c - '0');
  if (f.negative) v = -v;
  b.lo = b.hi = v;
  if (dropped) {
    // The true value lies strictly between v and the next unit away from zero.
    if (f.negative) {
      b.lo = v - 1;
    } else {
      b.hi = v + 1;
    }
  }
  return b;
}

std::string ShortestDouble(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void DecimalSortKeyInto(const uint8_t* le_bytes, int width, uint8_t* key) {
  for (int i = 0; i < width; ++i) key[i] = le_bytes[width - 1 - i];
  key[0] ^= 0x80;
}

std::string DecimalSortKey(const uint8_t* le_bytes, int width) {
  std::string key(size_t(width), '\0');
  DecimalSortKeyInto(le_bytes, width, reinterpret_cast<uint8_t*>(key.data()));
  return key;
}

void DecimalFromSortKey(std::string_view key, uint8_t* le_bytes) {
  const size_t w = key.size();
  for (size_t i = 0; i < w; ++i) le_bytes[i] = uint8_t(key[w - 1 - i]);
  if (w > 0) le_bytes[w - 1] ^= 0x80;
}

double Decimal128ToDouble(int128_t v, int scale) {
  // Below 2^53 with a power of ten exact in double (10^22 is the last), one
  // IEEE division of two exact values is correctly rounded. Otherwise
  // through the exact text: strtod rounds correctly, a chain of divisions
  // would not.
  constexpr int128_t kExact = int128_t(1) << 53;
  if (v <= kExact && v >= -kExact && scale >= 0 && scale <= 22) {
    static const double kPow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    return double(int64_t(v)) / kPow10[scale];
  }
  return std::strtod(FormatDecimal128(v, scale).c_str(), nullptr);
}

Result<int128_t> ParseDecimal128Rounded(std::string_view text, int precision, int scale) {
  QUIVER_ASSIGN_OR_RETURN(DigitForm f, SplitNumber(text, /*underscores=*/true));
  // The digits at scale + 1: the last one decides the rounding.
  bool dropped = false;
  std::string d = ScaledDigits(f, scale + 1, &dropped);
  const bool up = !d.empty() && d.back() >= '5';
  if (!d.empty()) d.pop_back();
  while (!d.empty() && d.front() == '0') d.erase(0, 1);
  auto range = [&] {
    return Status::Overflow("'" + std::string(text) + "' is out of range for decimal(" +
                            std::to_string(precision) + ", " + std::to_string(scale) + ")");
  };
  if (int64_t(d.size()) > precision) return range();
  int128_t v = 0;
  for (char c : d) v = v * 10 + (c - '0');
  if (up) v += 1;
  if (!FitsDecimal128(v, precision)) return range();
  return f.negative ? -v : v;
}

int128_t DivPow10RoundHalfAway(int128_t v, int k) {
  if (k <= 0) return v;
  const int128_t p = Pow10Int128(k);
  const int128_t q = v / p, r = v % p;  // r has v's sign; p is even
  if ((r >= 0 ? r : -r) >= p / 2) return v < 0 ? q - 1 : q + 1;
  return q;
}

bool RescaleDecimal128(int128_t v, int from_scale, int to_scale, int128_t* out) {
  if (to_scale >= from_scale) return !__builtin_mul_overflow(v, Pow10Int128(to_scale - from_scale), out);
  *out = DivPow10RoundHalfAway(v, from_scale - to_scale);
  return true;
}

bool DoubleToDecimal128(double x, int precision, int scale, int128_t* out) {
  if (!std::isfinite(x)) return false;
  const double r = std::round(x * std::pow(10.0, scale));
  // 1e38 is above every 38-digit value and below 2^127: the conversion is defined.
  if (!(std::fabs(r) < 1e38)) return false;
  *out = int128_t(r);
  return FitsDecimal128(*out, precision);
}

}  // namespace quiver
