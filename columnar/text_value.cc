// Value renderings: numbers, dates, timestamps, JSON strings, base64, and one
// value of a column as plain text or JSON.
#include <cmath>
#include <cstring>

#include "columnar/civil_time.h"
#include "columnar/decimal.h"
#include "columnar/half_float.h"
#include "columnar/text_format_internal.h"
#include "columnar/text_put_internal.h"

namespace quiver {

using text_internal::AppendInteger;

// ---------------------------------------------------------------------------
// Value renderings
// ---------------------------------------------------------------------------

namespace text_internal {

// Length (1..4) of the well-formed UTF-8 sequence at p[0, n), or -k where
// k >= 1 is the length of the maximal ill-formed subpart starting there
// (Unicode 15, section 3.9, "U+FFFD substitution of maximal subparts").
int Utf8Step(const unsigned char* p, size_t n) {
  unsigned c = p[0];
  if (c < 0x80) return 1;
  int len;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c == 0xE0) {
    len = 3, lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    len = 3;
  } else if (c == 0xED) {
    len = 3, hi = 0x9F;  // no surrogates
  } else if (c == 0xF0) {
    len = 4, lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    len = 4;
  } else if (c == 0xF4) {
    len = 4, hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    if (size_t(k) >= n) return -k;
    unsigned b = p[k];
    bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return -k;
  }
  return len;
}

}  // namespace text_internal

using text_internal::kHex;
using text_internal::Utf8Step;

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Eight bytes at a time: each test is non-zero iff some byte of x matches
// (the classic zero-byte trick; which byte is not needed).
constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
inline uint64_t Load8(const unsigned char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}
inline uint64_t HasByte(uint64_t x, unsigned char c) {
  const uint64_t v = x ^ (kOnes * c);
  return (v - kOnes) & ~v & kHighs;
}
inline uint64_t HasLess(uint64_t x, unsigned char n) {  // n <= 128
  return (x - kOnes * n) & ~x & kHighs;
}
// A byte that a JSON string cannot hold as it is (or that may start a
// multi-byte sequence to check).
inline bool JsonSpecial(uint64_t x) {
  return ((x & kHighs) | HasLess(x, 0x20) | HasByte(x, '"') | HasByte(x, '\\')) != 0;
}

// Appends `v` zero-padded to `width` digits (v >= 0).
void AppendPadded(std::string* out, int64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int k = int(r.ptr - buf); k < width; ++k) out->push_back('0');
  out->append(buf, r.ptr);
}

template <typename F>
void AppendFloating(std::string* out, F v) {
  char buf[text_internal::kMaxPutBytes];
  out->append(buf, text_internal::PutFloating(buf, v, false));
}

}  // namespace

void AppendValidUtf8(std::string* out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), run = 0, i = 0;
  while (i < n) {
    while (i + 8 <= n && (Load8(p + i) & kHighs) == 0) i += 8;
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    int step = Utf8Step(p + i, n - i);
    if (step > 0) {
      i += size_t(step);
      continue;
    }
    out->append(s.data() + run, i - run);
    out->append(kReplacement);
    i += size_t(-step);
    run = i;
  }
  out->append(s.data() + run, n - run);
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), run = 0, i = 0;
  while (i < n) {
    while (i + 8 <= n && !JsonSpecial(Load8(p + i))) i += 8;
    // The last partial word: the eight bytes that end the string, checked
    // together (some again) when they are all plain.
    if (i < n && n >= 8 && i + 8 > n && !JsonSpecial(Load8(p + n - 8))) i = n;
    if (i >= n) break;
    unsigned char c = p[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      int step = Utf8Step(p + i, n - i);
      if (step > 0) {
        i += size_t(step);
        continue;
      }
      out->append(s.data() + run, i - run);
      out->append(kReplacement);
      i += size_t(-step);
      run = i;
      continue;
    }
    out->append(s.data() + run, i - run);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        *out += "\\u00";
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
    ++i;
    run = i;
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

namespace text_internal {

bool IsPlainCsvText(std::string_view s, char delimiter) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto d = static_cast<unsigned char>(delimiter);
  size_t n = s.size(), i = 0;
  auto special = [d](uint64_t x) {
    return ((x & kHighs) | HasByte(x, d) | HasByte(x, '"') | HasByte(x, '\n') | HasByte(x, '\r')) != 0;
  };
  while (i < n) {
    if (i + 8 <= n && !special(Load8(p + i))) {
      i += 8;
      continue;
    }
    if (i + 8 > n && n >= 8 && !special(Load8(p + n - 8))) return true;  // the last partial word
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c == d || c == '"' || c == '\n' || c == '\r') return false;
      ++i;
      continue;
    }
    const int step = Utf8Step(p + i, n - i);
    if (step < 0) return false;
    i += size_t(step);
  }
  return true;
}

}  // namespace text_internal

void AppendDouble(std::string* out, double v) { AppendFloating(out, v); }
void AppendFloat(std::string* out, float v) { AppendFloating(out, v); }

void AppendDate32(std::string* out, int64_t days) {
  char buf[text_internal::kMaxPutBytes];
  out->append(buf, text_internal::PutDate(buf, days));
}

void AppendTimeOfDay(std::string* out, int64_t value, TimeUnit unit) {
  static constexpr int64_t kPerSecond[] = {1, 1000, 1000000, 1000000000};
  static constexpr int kDigits[] = {0, 3, 6, 9};
  const int64_t per_second = kPerSecond[int(unit)];
  if (value < 0 || value / per_second >= 86400) {
    *out += std::to_string(value);
    return;
  }
  const int64_t tod = value / per_second;
  AppendPadded(out, tod / 3600, 2);
  out->push_back(':');
  AppendPadded(out, tod / 60 % 60, 2);
  out->push_back(':');
  AppendPadded(out, tod % 60, 2);
  if (kDigits[int(unit)] > 0) {
    out->push_back('.');
    AppendPadded(out, value % per_second, kDigits[int(unit)]);
  }
}

std::string FormatTimestamp(int64_t value, TimeUnit unit) {
  std::string s;
  AppendTimestamp(&s, value, unit);
  return s;
}

void AppendTimestamp(std::string* out, int64_t value, TimeUnit unit) {
  char buf[text_internal::kMaxPutBytes];
  out->append(buf, text_internal::PutTimestamp(buf, value, unit));
}

namespace text_internal {

char* PutDate(char* p, int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) *p++ = y < 0 ? '-' : '+';
  const uint64_t year = y < 0 ? uint64_t(0) - uint64_t(y) : uint64_t(y);
  if (year < 10000) {  // four digits, zero-padded
    PutPair(p, uint32_t(year / 100));
    PutPair(p + 2, uint32_t(year % 100));
    p += 4;
  } else {
    p = PutUnsigned(p, year);
  }
  p[0] = '-';
  PutPair(p + 1, m);
  p[3] = '-';
  PutPair(p + 4, d);
  return p + 6;
}

char* PutTimestamp(char* p, int64_t value, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSecond:
      return PutTimestampWith<0>(p, value, PutDate);
    case TimeUnit::kMilli:
      return PutTimestampWith<3>(p, value, PutDate);
    case TimeUnit::kMicro:
      return PutTimestampWith<6>(p, value, PutDate);
    case TimeUnit::kNano:
      break;
  }
  return PutTimestampWith<9>(p, value, PutDate);
}

}  // namespace text_internal

Result<std::string> ParseFixedSizeBinary(std::string_view text, const DataType& type) {
  const size_t w = size_t(type.byte_width);
  if (text.size() == w) return std::string(text);
  std::string_view hex = text;
  if (hex.size() >= 2 && (hex.substr(0, 2) == "\\x" || hex.substr(0, 2) == "0x" || hex.substr(0, 2) == "0X")) {
    hex.remove_prefix(2);
  }
  auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  };
  std::string out;
  if (hex.size() == 2 * w) {
    for (size_t i = 0; i < w; ++i) {
      const int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) break;
      out.push_back(char(hi * 16 + lo));
    }
  }
  if (out.size() == w) return out;
  return Status::TypeError("'" + std::string(text.substr(0, 80)) + "' is neither " + std::to_string(w) +
                           " bytes nor " + std::to_string(2 * w) + " hex digits, as a " + type.ToString() +
                           " value needs");
}

void AppendBase64(std::string* out, std::string_view bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size(), i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = uint32_t(p[i]) << 16 | uint32_t(p[i + 1]) << 8 | p[i + 2];
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  if (i < n) {
    uint32_t v = uint32_t(p[i]) << 16 | (i + 1 < n ? uint32_t(p[i + 1]) << 8 : 0);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
}

namespace text_internal {

// Bool, numbers, dates and timestamps as plain text (not strings, binary or
// dictionaries; not null).
void AppendPlain(std::string* out, const ArrayView& v, int64_t i) {
  switch (v.type->id) {
    case TypeId::kBool:
      *out += v.BoolValue(i) ? "true" : "false";
      break;
    case TypeId::kInt8:
      AppendInteger(out, v.Value<int8_t>(i));
      break;
    case TypeId::kInt16:
      AppendInteger(out, v.Value<int16_t>(i));
      break;
    case TypeId::kInt32:
      AppendInteger(out, v.Value<int32_t>(i));
      break;
    case TypeId::kInt64:
      AppendInteger(out, v.Value<int64_t>(i));
      break;
    case TypeId::kUInt8:
      AppendInteger(out, v.Value<uint8_t>(i));
      break;
    case TypeId::kUInt16:
      AppendInteger(out, v.Value<uint16_t>(i));
      break;
    case TypeId::kUInt32:
      AppendInteger(out, v.Value<uint32_t>(i));
      break;
    case TypeId::kUInt64:
      AppendInteger(out, v.Value<uint64_t>(i));
      break;
    case TypeId::kFloat32:
      AppendFloat(out, v.Value<float>(i));
      break;
    case TypeId::kFloat64:
      AppendDouble(out, v.Value<double>(i));
      break;
    case TypeId::kDate32:
      AppendDate32(out, v.Value<int32_t>(i));
      break;
    case TypeId::kTimestamp:
      AppendTimestamp(out, v.Value<int64_t>(i), v.type->unit);
      break;
    case TypeId::kDate64: {
      const int64_t ms = v.Value<int64_t>(i);
      if (ms % 86400000 == 0) {
        AppendDate32(out, ms / 86400000);
      } else {
        AppendTimestamp(out, ms, TimeUnit::kMilli);  // not a whole day: keep every digit
      }
      break;
    }
    case TypeId::kTime32:
      AppendTimeOfDay(out, v.Value<int32_t>(i), v.type->unit);
      break;
    case TypeId::kTime64:
      AppendTimeOfDay(out, v.Value<int64_t>(i), v.type->unit);
      break;
    case TypeId::kDuration:
      AppendInteger(out, v.Value<int64_t>(i));
      break;
    case TypeId::kFloat16:
      AppendFloat(out, HalfToFloat(v.Value<uint16_t>(i)));
      break;
    case TypeId::kIntervalYearMonth:
      AppendInteger(out, v.Value<int32_t>(i));
      break;
    case TypeId::kIntervalDayTime: {
      int32_t p[2];
      std::memcpy(p, v.values + (v.offset + i) * 8, 8);
      *out += std::to_string(p[0]) + " days " + std::to_string(p[1]) + " ms";
      break;
    }
    case TypeId::kIntervalMonthDayNano: {
      int32_t md[2];
      int64_t ns;
      std::memcpy(md, v.values + (v.offset + i) * 16, 8);
      std::memcpy(&ns, v.values + (v.offset + i) * 16 + 8, 8);
      *out += std::to_string(md[0]) + " months " + std::to_string(md[1]) + " days " + std::to_string(ns) + " ns";
      break;
    }
    case TypeId::kDecimal128:
      *out += FormatDecimal128(LoadDecimal128(v.values + (v.offset + i) * 16), v.type->scale);
      break;
    case TypeId::kDecimal256:
      *out += FormatDecimal256(v.values + (v.offset + i) * 32, v.type->scale);
      break;
    default:
      break;
  }
}

}  // namespace text_internal

void AppendCastText(std::string* out, const ArrayView& v, int64_t i) {
  using namespace text_internal;
  if (IsStringLike(v) || IsBytesColumn(v)) {
    *out += StringAt(v, i);
  } else if (v.type->is_nested()) {
    AppendJsonValue(out, v, i, false);
  } else {
    AppendPlain(out, v, i);
  }
}

namespace text_internal {

bool IsBytesColumn(const ArrayView& v) {
  return !v.type->is_dictionary() && (v.type->id == TypeId::kBinary || v.type->id == TypeId::kFixedSizeBinary);
}

bool IsStringLike(const ArrayView& v) {
  return v.type->is_dictionary() || v.type->id == TypeId::kUtf8;
}

std::string_view StringAt(const ArrayView& v, int64_t i) {
  if (v.type->is_dictionary()) return v.dictionary->StringValue(v.DictIndex(i));
  return v.StringValue(i);
}

static void AppendJsonNested(std::string* out, const ArrayView& v, int64_t i, bool int64_as_string) {
  const DataType& t = *v.type;
  if (v.children == nullptr) {  // a view without its children: never made by ColumnViews
    *out += "null";
    return;
  }
  if (t.id == TypeId::kStruct) {
    out->push_back('{');
    for (int32_t k = 0; k < v.num_children; ++k) {
      if (k > 0) out->push_back(',');
      AppendJsonString(out, t.child(size_t(k)).name);
      out->push_back(':');
      AppendJsonValue(out, v.children[k], v.offset + i, int64_as_string);
    }
    out->push_back('}');
    return;
  }
  int64_t begin, end;
  if (t.id == TypeId::kFixedSizeList) {
    begin = (v.offset + i) * t.list_size;
    end = begin + t.list_size;
  } else {
    begin = v.offsets[v.offset + i];
    end = v.offsets[v.offset + i + 1];
  }
  const ArrayView& c = v.children[0];
  if (t.id != TypeId::kMap) {
    out->push_back('[');
    for (int64_t k = begin; k < end; ++k) {
      if (k > begin) out->push_back(',');
      AppendJsonValue(out, c, k, int64_as_string);
    }
    out->push_back(']');
    return;
  }
  // A map as an object: each key's text (a string key as it is) -> value.
  const ArrayView& keys = c.children[0];
  const ArrayView& values = c.children[1];
  out->push_back('{');
  for (int64_t k = begin; k < end; ++k) {
    if (k > begin) out->push_back(',');
    const int64_t row = c.offset + k;
    if (keys.IsNull(row)) {
      *out += "\"\"";
    } else if (IsStringLike(keys)) {
      AppendJsonString(out, StringAt(keys, row));
    } else {
      std::string key;
      AppendJsonValue(&key, keys, row, false);
      if (key.size() >= 2 && key.front() == '"') {
        *out += key;
      } else {
        AppendJsonString(out, key);
      }
    }
    out->push_back(':');
    AppendJsonValue(out, values, row, int64_as_string);
  }
  out->push_back('}');
}

void AppendJsonValue(std::string* out, const ArrayView& v, int64_t i, bool int64_as_string) {
  if (v.IsNull(i)) {
    *out += "null";
    return;
  }
  if (v.type->is_nested()) {
    AppendJsonNested(out, v, i, int64_as_string);
    return;
  }
  if (IsStringLike(v)) {
    AppendJsonString(out, StringAt(v, i));
    return;
  }
  if (IsBytesColumn(v)) {
    out->push_back('"');
    AppendBase64(out, v.StringValue(i));
    out->push_back('"');
    return;
  }
  switch (v.type->id) {
    case TypeId::kInt64:
    case TypeId::kUInt64:
      if (int64_as_string) {
        out->push_back('"');
        AppendPlain(out, v, i);
        out->push_back('"');
      } else {
        AppendPlain(out, v, i);
      }
      return;
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      double d = v.type->id == TypeId::kFloat32   ? double(v.Value<float>(i))
                 : v.type->id == TypeId::kFloat16 ? double(HalfToFloat(v.Value<uint16_t>(i)))
                                                  : v.Value<double>(i);
      bool quote = !std::isfinite(d);
      if (quote) out->push_back('"');
      AppendPlain(out, v, i);
      if (quote) out->push_back('"');
      return;
    }
    case TypeId::kDate32:
    case TypeId::kTimestamp:
    case TypeId::kDecimal128:  // a string keeps every digit (JSON numbers are doubles to most readers)
    case TypeId::kDecimal256:
    case TypeId::kDate64:
    case TypeId::kTime32:
    case TypeId::kTime64:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalMonthDayNano:
      out->push_back('"');
      AppendPlain(out, v, i);
      out->push_back('"');
      return;
    default:
      AppendPlain(out, v, i);
      return;
  }
}

}  // namespace text_internal
}  // namespace quiver
