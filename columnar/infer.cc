#include "columnar/infer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "columnar/datetime_text.h"
#include "columnar/decimal.h"
#include "columnar/half_float.h"
#include "columnar/interval_text.h"
#include "columnar/text_format.h"

namespace quiver {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

const char* KindName(const DataType& t) {
  if (t.is_dictionary()) return "string";
  return TypeIdName(t.id);
}

}  // namespace

bool ParseInt64Text(std::string_view s, int64_t* out) {
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    i = 1;
  }
  size_t n = s.size() - i;
  if (n == 0 || n > 19) return false;
  if (s[i] == '0' && n > 1) return false;  // leading zero: an identifier, not a number
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + uint64_t(s[i] - '0');
  }
  if (neg) {
    if (v > uint64_t(std::numeric_limits<int64_t>::max()) + 1) return false;
    *out = int64_t(0 - v);
  } else {
    if (v > uint64_t(std::numeric_limits<int64_t>::max())) return false;
    *out = int64_t(v);
  }
  return true;
}

bool ParseUInt64Text(std::string_view s, uint64_t* out) {
  size_t i = 0;
  if (!s.empty() && s[0] == '+') i = 1;
  size_t n = s.size() - i;
  if (n == 0 || n > 20) return false;
  if (s[i] == '0' && n > 1) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
    uint64_t d = uint64_t(s[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool ParseFloat64Text(std::string_view s, double* out, bool allow_special) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  std::string_view body = s.substr(i);
  if (allow_special) {
    if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) {
      *out =
          neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      return true;
    }
    if (EqualsIgnoreCase(body, "nan")) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
  }
  // [digits][.digits][(e|E)[sign]digits], at least one mantissa digit, no
  // leading zero before another integer digit.
  size_t p = 0, int_digits = 0, frac_digits = 0;
  while (p < body.size() && IsDigit(body[p])) ++p, ++int_digits;
  if (int_digits > 1 && body[0] == '0') return false;
  if (p < body.size() && body[p] == '.') {
    ++p;
    while (p < body.size() && IsDigit(body[p])) ++p, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  bool has_exp = false;
  if (p < body.size() && (body[p] == 'e' || body[p] == 'E')) {
    ++p;
    if (p < body.size() && (body[p] == '+' || body[p] == '-')) ++p;
    size_t e = 0;
    while (p < body.size() && IsDigit(body[p])) ++p, ++e;
    if (e == 0) return false;
    has_exp = true;
  }
  if (p != body.size()) return false;
  if (int_digits == body.size()) {
    // A plain integer must be a valid int64 to count as a number (digit
    // strings beyond 64 bits stay strings).
    int64_t iv;
    if (!ParseInt64Text(s, &iv)) return false;
  }
  (void)has_exp;
  double v = 0;
  const char* b = body.data();
  const char* e = body.data() + body.size();
  auto r = std::from_chars(b, e, v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != e) return false;
  *out = neg ? -v : v;
  return true;
}

bool ParseBoolText(std::string_view s, bool* out) {
  if (EqualsIgnoreCase(s, "true")) {
    *out = true;
    return true;
  }
  if (EqualsIgnoreCase(s, "false")) {
    *out = false;
    return true;
  }
  return false;
}

// Dates and timestamps: the one grammar of columnar/datetime_text.h.
bool ParseDateText(std::string_view s, int32_t* days) {
  DateTimeText t;
  if (ParseDateTimeText(s, &t) != DateTimeProblem::kNone || t.has_time) return false;
  *days = int32_t(t.days);
  return true;
}

int TimestampFractionDigits(std::string_view s) {
  DateTimeText t;
  if (ParseDateTimeText(s, &t) != DateTimeProblem::kNone) return 0;
  return int(t.fraction.size());
}

bool ParseTimestampText(std::string_view s, TimeUnit unit, bool date_only_ok, int64_t* out,
                        bool* excess_precision) {
  if (excess_precision) *excess_precision = false;
  DateTimeText t;
  if (ParseDateTimeText(s, &t) != DateTimeProblem::kNone || (!t.has_time && !date_only_ok)) return false;
  return DateTimeToUnits(t, unit, out, excess_precision);
}

bool ValidUtf8(const char* data, size_t n, size_t* bad_offset) {
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      *bad_offset = i;
      return false;
    }
    if (i + len > n) {
      *bad_offset = i;
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        *bad_offset = i;
        return false;
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and code points beyond U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Inference
// ---------------------------------------------------------------------------

void ColumnInferrer::CountDistinct(std::string_view v) {
  ++strings_;
  if (too_many_distinct_) return;
  distinct_.emplace(v);
  if (int64_t(distinct_.size()) > distinct_limit_) {
    too_many_distinct_ = true;
    distinct_.clear();
  }
}

void ColumnInferrer::ObserveTemporal(std::string_view v) {
  if (can_date_) {
    int32_t d;
    can_date_ = ParseDateText(v, &d);
  }
  if (can_ts_) {
    int64_t t;
    can_ts_ = ParseTimestampText(v, TimeUnit::kNano, true, &t) ||
              ParseTimestampText(v, TimeUnit::kMicro, true, &t);
    if (can_ts_) max_fraction_digits_ = std::max(max_fraction_digits_, TimestampFractionDigits(v));
  }
}

void ColumnInferrer::ObserveText(std::string_view v) {
  any_ = true;
  if (can_int_) {
    int64_t x;
    can_int_ = ParseInt64Text(v, &x);
  }
  if (can_float_) {
    double x;
    can_float_ = ParseFloat64Text(v, &x, false);
  }
  if (can_bool_) {
    bool x;
    can_bool_ = ParseBoolText(v, &x);
  }
  if (can_date_ || can_ts_) ObserveTemporal(v);
  CountDistinct(v);
}

void ColumnInferrer::ObserveJsonString(std::string_view v) {
  any_ = json_ = json_string_ = true;
  if (can_date_ || can_ts_) ObserveTemporal(v);
  CountDistinct(v);
}

void ColumnInferrer::ObserveJsonInt() { any_ = json_ = json_int_ = true; }
void ColumnInferrer::ObserveJsonFloat() { any_ = json_ = json_float_ = true; }
void ColumnInferrer::ObserveJsonBool() { any_ = json_ = json_bool_ = true; }
void ColumnInferrer::ObserveJsonBigInteger() { any_ = json_ = json_big_ = true; }

DataType ColumnInferrer::Decide(const InferOptions& options) const {
  auto string_type = [&](bool dict_ok) {
    if (dict_ok && options.infer_dictionary && !too_many_distinct_ && strings_ > 0 &&
        int64_t(distinct_.size()) <= options.dictionary_max_distinct &&
        int64_t(distinct_.size()) * options.dictionary_min_repeat <= strings_) {
      return DataType::Dictionary(TypeId::kInt32);
    }
    return DataType(TypeId::kUtf8);
  };
  auto ts_type = [&] {
    return DataType::Timestamp(max_fraction_digits_ > 6 ? TimeUnit::kNano : TimeUnit::kMicro,
                               "UTC");
  };
  if (!any_) return DataType(TypeId::kUtf8);
  if (json_) {
    int kinds =
        int(json_int_ || json_float_) + int(json_bool_) + int(json_string_) + int(json_big_);
    if (kinds > 1 || json_big_) return DataType(TypeId::kUtf8);
    if (json_bool_) return DataType(TypeId::kBool);
    if (json_float_) return DataType(TypeId::kFloat64);
    if (json_int_) return DataType(TypeId::kInt64);
    if (can_date_) return DataType(TypeId::kDate32);
    if (can_ts_) return ts_type();
    return string_type(true);
  }
  if (can_int_) return DataType(TypeId::kInt64);
  if (can_float_) return DataType(TypeId::kFloat64);
  if (can_bool_) return DataType(TypeId::kBool);
  if (can_date_) return DataType(TypeId::kDate32);
  if (can_ts_) return ts_type();
  return string_type(true);
}

// ---------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------

std::string QuoteForMessage(std::string_view v) {
  std::string out = "\"";
  size_t n = std::min<size_t>(v.size(), 60);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  if (v.size() > n) out += "...";
  out += '"';
  return out;
}

namespace {

// An interval column's value from text (columnar/interval_text.h), into the
// type's fields: a year-month interval is whole months (its text may also be
// a bare count of months, as Quiver prints it), a day-time interval days and
// whole milliseconds. The bytes go to out->dec.
bool ConvertIntervalText(std::string_view v, const DataType& type, Cell* out, std::string* why) {
  IntervalParts p;
  const bool bare = type.id == TypeId::kIntervalYearMonth && ParseInt64Text(v, &p.months);
  if (!bare && !ParseIntervalText(v, &p, why)) return false;
  auto fits32 = [](int64_t x) { return x >= INT32_MIN && x <= INT32_MAX; };
  auto out_of_range = [&] {
    *why = "out of range for " + type.ToString();
    return false;
  };
  uint8_t bytes[16] = {};
  if (type.id == TypeId::kIntervalYearMonth) {
    if (p.days != 0 || p.nanos != 0) {
      *why = "a year-month interval holds whole months only";
      return false;
    }
    if (!fits32(p.months)) return out_of_range();
    const int32_t m = int32_t(p.months);
    std::memcpy(bytes, &m, 4);
  } else if (type.id == TypeId::kIntervalDayTime) {
    if (p.months != 0) {
      *why = "a day-time interval holds no months";
      return false;
    }
    if (p.nanos % 1000000 != 0) {
      *why = "a day-time interval holds whole milliseconds";
      return false;
    }
    const int64_t ms = p.nanos / 1000000;
    if (!fits32(p.days) || !fits32(ms)) return out_of_range();
    const int32_t dm[2] = {int32_t(p.days), int32_t(ms)};
    std::memcpy(bytes, dm, 8);
  } else {
    if (!fits32(p.months) || !fits32(p.days)) return out_of_range();
    const int32_t md[2] = {int32_t(p.months), int32_t(p.days)};
    std::memcpy(bytes, md, 8);
    std::memcpy(bytes + 8, &p.nanos, 8);
  }
  std::memcpy(&out->dec, bytes, 16);
  return true;
}

}  // namespace

bool ConvertText(std::string_view v, const DataType& type, Cell* out, std::string* why) {
  out->null = false;
  auto fail = [&](const std::string& extra = "") {
    *why = QuoteForMessage(v) + " is not " +
           (type.is_dictionary() ? std::string("a string") : "a valid " + type.ToString()) + extra;
    return false;
  };
  if (type.is_dictionary() || type.id == TypeId::kUtf8 || type.id == TypeId::kBinary) {
    out->s = v;
    return true;
  }
  if (type.id == TypeId::kFixedSizeBinary) {
    Result<std::string> bytes = ParseFixedSizeBinary(v, type);
    if (!bytes.ok()) {
      *why = bytes.status().message();
      return false;
    }
    out->s = v;  // checked; AppendCell decodes it again
    return true;
  }
  switch (type.id) {
    case TypeId::kBool: {
      bool b;
      if (ParseBoolText(v, &b)) {
        out->i = b;
        return true;
      }
      // Explicit bool columns also take 1/0, t/f, yes/no.
      if (v == "1" || EqualsIgnoreCase(v, "t") || EqualsIgnoreCase(v, "yes")) {
        out->i = 1;
        return true;
      }
      if (v == "0" || EqualsIgnoreCase(v, "f") || EqualsIgnoreCase(v, "no")) {
        out->i = 0;
        return true;
      }
      return fail();
    }
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      int64_t x;
      // An explicit integer column reads "007" as 7 (only inference keeps
      // leading zeros as text).
      std::string_view digits = v;
      std::string stripped;
      size_t sign = !v.empty() && (v[0] == '-' || v[0] == '+') ? 1 : 0;
      if (v.size() > sign + 1 && v[sign] == '0') {
        size_t k = sign;
        while (k + 1 < v.size() && v[k] == '0') ++k;
        stripped = std::string(v.substr(0, sign)) + std::string(v.substr(k));
        digits = stripped;
      }
      if (!ParseInt64Text(digits, &x)) return fail();
      if (!FitsSignedType(type.id, x)) return fail(" (out of range)");
      out->i = x;
      return true;
    }
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64: {
      uint64_t x;
      if (!ParseUInt64Text(v, &x)) return fail();
      if (x > MaxUnsigned(type.id)) return fail(" (out of range)");
      out->u = x;
      out->i = int64_t(x);
      return true;
    }
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      double x;
      if (!ParseFloat64Text(v, &x, true)) {
        // Leading zeros and long digit strings are fine in an explicit
        // float column: they are numbers there.
        const char* b = v.data();
        const char* e = v.data() + v.size();
        if (!v.empty() && v[0] == '+') ++b;
        auto r = std::from_chars(b, e, x, std::chars_format::general);
        if (r.ec != std::errc() || r.ptr != e || b == e) return fail();
      }
      if (type.id == TypeId::kFloat16 && !FitsHalf(x)) {
        return fail(" (out of range for float16: its largest value is 65504)");
      }
      out->d = x;
      return true;
    }
    case TypeId::kDate32: {
      int32_t d;
      if (!ParseDateText(v, &d)) return fail();
      out->i = d;
      return true;
    }
    case TypeId::kTimestamp: {
      int64_t t;
      bool excess = false;
      if (!ParseTimestampText(v, type.unit, true, &t, &excess)) {
        return fail(excess ? " (more precision than the column's unit; it would be truncated)"
                           : "");
      }
      out->i = t;
      return true;
    }
    case TypeId::kDecimal128: {
      auto d = ParseDecimal128(v, type.precision, type.scale);
      if (!d.ok()) {
        *why = d.status().message();
        return false;
      }
      out->dec = *d;
      return true;
    }
    case TypeId::kDecimal256: {
      uint8_t bytes[32];
      Status st = ParseDecimal256(v, type.precision, type.scale, bytes);
      if (!st.ok()) {
        *why = st.message();
        return false;
      }
      out->s = v;
      return true;
    }
    case TypeId::kIntervalYearMonth:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalMonthDayNano:
      return ConvertIntervalText(v, type, out, why);
    default:
      *why = std::string("columns of type ") + KindName(type) + " cannot be read from text";
      return false;
  }
}

void AppendCell(ArrayBuilder& b, const Cell& c) {
  if (c.null) {
    b.AppendNull();
    return;
  }
  const DataType& t = b.type();
  if (t.id == TypeId::kFixedSizeBinary) {
    Result<std::string> bytes = ParseFixedSizeBinary(c.s, t);  // checked by ConvertText
    if (bytes.ok()) {
      b.AppendString(*bytes);
    } else {
      b.AppendNull();
    }
    return;
  }
  if (t.is_dictionary() || IsVarLength(t.id)) {
    b.AppendString(c.s);
    return;
  }
  switch (t.id) {
    case TypeId::kBool:
      b.AppendBool(c.i != 0);
      break;
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      b.AppendDouble(c.d);
      break;
    case TypeId::kUInt64:
      b.AppendUInt(c.u);
      break;
    case TypeId::kDecimal128:
      b.AppendDecimal(c.dec);
      break;
    case TypeId::kIntervalYearMonth:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalMonthDayNano:
      b.AppendBytes(&c.dec);  // the first ByteWidth bytes: the interval's fields
      break;
    case TypeId::kDecimal256: {
      uint8_t bytes[32];
      // ConvertText checked the text; this cannot fail.
      if (ParseDecimal256(c.s, t.precision, t.scale, bytes).ok()) {
        b.AppendBytes(bytes);
      } else {
        b.AppendNull();
      }
      break;
    }
    default:
      b.AppendInt(c.i);
      break;
  }
}

}  // namespace quiver
