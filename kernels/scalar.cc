#include "kernels/scalar.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "columnar/civil_time.h"
#include "columnar/datetime_text.h"
#include "columnar/decimal.h"
#include "columnar/text_format.h"
#include "kernels/literal_internal.h"

namespace quiver::kernels {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

const char* UnitName(TimeUnit u) {
  static const char* kUnits[] = {"s", "ms", "us", "ns"};
  return kUnits[int(u)];
}

// Parses a whole string as an integer or a number; false if it is not one.
bool ParseNumber(const std::string& s, long double* out, bool* is_nan) {
  if (s.empty()) return false;
  const char* b = s.c_str();
  char* end = nullptr;
  errno = 0;
  long long i = std::strtoll(b, &end, 10);
  if (errno == 0 && end == b + s.size()) {
    *out = i;
    return true;
  }
  errno = 0;
  unsigned long long u = std::strtoull(b, &end, 10);
  if (errno == 0 && end == b + s.size() && s[0] != '-') {
    *out = u;
    return true;
  }
  errno = 0;
  long double d = std::strtold(b, &end);
  if (end != b + s.size() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  *is_nan = std::isnan(d);
  *out = d;
  return true;
}

// floor and ceil of num / den, den > 0.
void DivFloorCeil(int64_t num, int64_t den, long double* lo, long double* hi) {
  int64_t q = num / den, r = num % den;
  int64_t f = r < 0 ? q - 1 : q;
  int64_t c = r > 0 ? q + 1 : q;
  *lo = f;
  *hi = c;
}

// A count in `from` units expressed in `to` units (floor/ceil if coarser).
void Rescale(int64_t v, int64_t from_per_s, int64_t to_per_s, long double* lo, long double* hi) {
  if (to_per_s >= from_per_s) {
    *lo = *hi = static_cast<long double>(v) * static_cast<long double>(to_per_s / from_per_s);
  } else {
    DivFloorCeil(v, from_per_s / to_per_s, lo, hi);
  }
}

}  // namespace

Scalar Scalar::Bool(bool v) {
  Scalar s;
  s.kind_ = Kind::kBool;
  s.i_ = v;
  return s;
}
Scalar Scalar::Int64(int64_t v) {
  Scalar s;
  s.kind_ = Kind::kInt64;
  s.i_ = v;
  return s;
}
Scalar Scalar::UInt64(uint64_t v) {
  Scalar s;
  s.kind_ = Kind::kUInt64;
  s.i_ = int64_t(v);
  return s;
}
Scalar Scalar::Double(double v) {
  Scalar s;
  s.kind_ = Kind::kDouble;
  s.d_ = v;
  return s;
}
Scalar Scalar::String(std::string v) {
  Scalar s;
  s.kind_ = Kind::kString;
  s.s_ = std::move(v);
  return s;
}
Scalar Scalar::Date32(int32_t days) {
  Scalar s;
  s.kind_ = Kind::kDate32;
  s.i_ = days;
  return s;
}
Scalar Scalar::Timestamp(int64_t v, TimeUnit unit) {
  Scalar s;
  s.kind_ = Kind::kTimestamp;
  s.i_ = v;
  s.unit_ = unit;
  return s;
}

Scalar Scalar::Decimal(__int128 v, int32_t precision, int32_t scale) {
  Scalar s;
  s.kind_ = Kind::kDecimal;
  s.dec_ = v;
  s.precision_ = precision;
  s.scale_ = scale;
  return s;
}

std::string Scalar::KindName() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "bool";
    case Kind::kInt64:
      return "int64";
    case Kind::kUInt64:
      return "uint64";
    case Kind::kDouble:
      return "float64";
    case Kind::kString:
      return "string";
    case Kind::kDate32:
      return "date32";
    case Kind::kTimestamp:
      return std::string("timestamp[") + UnitName(unit_) + "]";
    case Kind::kDecimal:
      return DataType::Decimal(precision_, scale_).ToString();
  }
  return "unknown";
}

std::string Scalar::ToString() const {
  switch (kind_) {
    case Kind::kNull:
      return "NULL";
    case Kind::kBool:
      return i_ ? "true" : "false";
    case Kind::kInt64:
      return std::to_string(i_);
    case Kind::kUInt64:
      return std::to_string(uint64_t(i_));
    case Kind::kDouble: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d_);
      return buf;
    }
    case Kind::kString:
      return Quote(s_);
    case Kind::kDate32: {
      int64_t y;
      unsigned m, d;
      CivilFromDays(i_, &y, &m, &d);
      char buf[48];
      std::snprintf(buf, sizeof buf, "DATE '%04lld-%02u-%02u'", static_cast<long long>(y), m, d);
      return buf;
    }
    case Kind::kTimestamp:
      return "TIMESTAMP " + std::to_string(i_) + UnitName(unit_);
    case Kind::kDecimal:
      return FormatDecimal128(dec_, scale_);
  }
  return "?";
}

bool Scalar::operator==(const Scalar& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::kNull:
      return true;
    case Kind::kDouble:
      return d_ == o.d_ || (std::isnan(d_) && std::isnan(o.d_));
    case Kind::kString:
      return s_ == o.s_;
    case Kind::kTimestamp:
      return i_ == o.i_ && unit_ == o.unit_;
    case Kind::kDecimal:
      return dec_ == o.dec_ && scale_ == o.scale_;
    default:
      return i_ == o.i_;
  }
}

// Dates and timestamps: the one grammar of columnar/datetime_text.h.
Result<int32_t> ParseDate32(std::string_view s) {
  DateTimeText t;
  if (ParseDateTimeText(s, &t) != DateTimeProblem::kNone || t.has_time) {
    return Status::TypeError("'" + std::string(s) + "' is not a date (expected YYYY-MM-DD)");
  }
  return int32_t(t.days);
}

Result<int64_t> ParseTimestampNanos(std::string_view s) {
  DateTimeText t;
  if (ParseDateTimeText(s, &t) != DateTimeProblem::kNone) {
    return Status::TypeError("'" + std::string(s) +
                             "' is not a timestamp (expected YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]][Z|+HH:MM|-HH:MM])");
  }
  int64_t ns = 0;
  if (!DateTimeToUnits(t, TimeUnit::kNano, &ns)) {
    return Status::TypeError("timestamp '" + std::string(s) + "' is out of the int64 nanosecond range");
  }
  return ns;
}

namespace internal {

Status LiteralMismatch(const DataType& type, const Scalar& lit) {
  return Status::TypeError("cannot compare " + type.value_type().ToString() + " column with " +
                           lit.KindName() + " literal " + lit.ToString());
}

Result<ExactLiteral> ToExact(const Scalar& lit, const DataType& type) {
  ExactLiteral e;
  if (lit.is_null()) {
    e.is_null = true;
    return e;
  }
  const TypeId id = type.id;
  if (IsNumeric(id)) {
    switch (lit.kind()) {
      case Scalar::Kind::kInt64:
        e.lo = e.hi = lit.int64_value();
        return e;
      case Scalar::Kind::kUInt64:
        e.lo = e.hi = lit.uint64_value();
        return e;
      case Scalar::Kind::kDouble: {
        double d = lit.double_value();
        e.is_nan = std::isnan(d);
        e.lo = IsFloating(id) ? d : std::floor(static_cast<long double>(d));
        e.hi = IsFloating(id) ? d : std::ceil(static_cast<long double>(d));
        return e;
      }
      case Scalar::Kind::kString: {
        long double v;
        bool nan = false;
        if (!ParseNumber(lit.string_value(), &v, &nan)) return LiteralMismatch(type, lit);
        e.is_nan = nan;
        e.lo = IsFloating(id) ? v : std::floor(v);
        e.hi = IsFloating(id) ? v : std::ceil(v);
        return e;
      }
      default:
        return LiteralMismatch(type, lit);
    }
  }
  if (id == TypeId::kDate32) {
    constexpr int64_t kNanosPerDay = 86400LL * 1000000000LL;
    switch (lit.kind()) {
      case Scalar::Kind::kDate32:
        e.lo = e.hi = lit.int64_value();
        return e;
      case Scalar::Kind::kTimestamp:
        DivFloorCeil(lit.int64_value(), 86400 * UnitsPerSecond(lit.unit()), &e.lo, &e.hi);
        return e;
      case Scalar::Kind::kString: {
        auto d = ParseDate32(lit.string_value());
        if (d.ok()) {
          e.lo = e.hi = *d;
          return e;
        }
        auto ns = ParseTimestampNanos(lit.string_value());
        if (!ns.ok()) return LiteralMismatch(type, lit);
        DivFloorCeil(*ns, kNanosPerDay, &e.lo, &e.hi);
        return e;
      }
      default:
        return LiteralMismatch(type, lit);
    }
  }
  if (id == TypeId::kDate64 || type.has_unit()) {
    // Integer counts of the column's unit; date64 also takes dates.
    constexpr int64_t kMsPerDay = 86400000;
    switch (lit.kind()) {
      case Scalar::Kind::kInt64:
        e.lo = e.hi = lit.int64_value();
        return e;
      case Scalar::Kind::kDate32:
        if (id != TypeId::kDate64) break;
        e.lo = e.hi = static_cast<long double>(lit.int64_value()) * kMsPerDay;
        return e;
      case Scalar::Kind::kString: {
        if (id != TypeId::kDate64) break;
        auto d = ParseDate32(lit.string_value());
        if (!d.ok()) break;
        e.lo = e.hi = static_cast<long double>(*d) * kMsPerDay;
        return e;
      }
      default:
        break;
    }
    return LiteralMismatch(type, lit);
  }
  if (id == TypeId::kTimestamp) {
    const int64_t ups = UnitsPerSecond(type.unit);
    switch (lit.kind()) {
      case Scalar::Kind::kTimestamp:
        Rescale(lit.int64_value(), UnitsPerSecond(lit.unit()), ups, &e.lo, &e.hi);
        return e;
      case Scalar::Kind::kDate32:
        e.lo = e.hi = static_cast<long double>(lit.int64_value()) * 86400 * ups;
        return e;
      case Scalar::Kind::kString: {
        auto ns = ParseTimestampNanos(lit.string_value());
        if (!ns.ok()) return LiteralMismatch(type, lit);
        Rescale(*ns, 1000000000, ups, &e.lo, &e.hi);
        return e;
      }
      default:
        return LiteralMismatch(type, lit);
    }
  }
  return LiteralMismatch(type, lit);
}

}  // namespace internal

namespace {

template <typename T>
Result<Scalar> CastIntegral(const Scalar& lit, const DataType& type,
                            const internal::ExactLiteral& e) {
  if (!e.exact() || e.is_nan) {
    return Status::TypeError("literal " + lit.ToString() + " is not an integer value of a " +
                             type.value_type().ToString() + " column");
  }
  if (e.lo < static_cast<long double>(std::numeric_limits<T>::min()) ||
      e.lo > static_cast<long double>(std::numeric_limits<T>::max())) {
    return Status::TypeError("literal " + lit.ToString() + " is out of range for " +
                             type.value_type().ToString() + " column");
  }
  if constexpr (std::is_unsigned_v<T>) {
    return Scalar::UInt64(uint64_t(e.lo));
  } else {
    return Scalar::Int64(int64_t(e.lo));
  }
}

}  // namespace

std::string NumberText(const Scalar& lit) {
  switch (lit.kind()) {
    case Scalar::Kind::kInt64: return std::to_string(lit.int64_value());
    case Scalar::Kind::kUInt64: return std::to_string(lit.uint64_value());
    case Scalar::Kind::kDouble: return ShortestDouble(lit.double_value());
    case Scalar::Kind::kString: return lit.string_value();
    case Scalar::Kind::kDecimal: return FormatDecimal128(lit.decimal_value(), lit.scale());
    default: return std::string();
  }
}

Result<DecimalBounds> DecimalLiteral(const Scalar& lit, const DataType& type) {
  std::string text = NumberText(lit);
  if (text.empty()) return internal::LiteralMismatch(type, lit);
  auto b = DecimalLiteralBounds(text, type.scale);
  if (!b.ok()) return internal::LiteralMismatch(type, lit);
  return *b;
}

Result<Scalar> CastLiteral(const Scalar& lit, const DataType& type) {
  if (lit.is_null()) return Scalar::Null();
  const TypeId id = type.id;
  if (id == TypeId::kDecimal128) {
    QUIVER_ASSIGN_OR_RETURN(DecimalBounds b, DecimalLiteral(lit, type));
    const std::string shown = lit.kind() == Scalar::Kind::kDouble ? NumberText(lit) : lit.ToString();
    if (!b.exact()) {
      return Status::TypeError("literal " + shown + " has more than " + std::to_string(type.scale) +
                               " digits after the point for a " + type.ToString() + " column");
    }
    if (!FitsDecimal128(b.lo, type.precision)) {
      return Status::TypeError("literal " + shown + " is out of range for " + type.ToString() + " column");
    }
    return Scalar::Decimal(b.lo, type.precision, type.scale);
  }
  if (id == TypeId::kUtf8 || id == TypeId::kBinary) {
    if (lit.kind() != Scalar::Kind::kString) return internal::LiteralMismatch(type, lit);
    return lit;
  }
  if (id == TypeId::kFixedSizeBinary) {
    if (lit.kind() != Scalar::Kind::kString) return internal::LiteralMismatch(type, lit);
    QUIVER_ASSIGN_OR_RETURN(std::string bytes, ParseFixedSizeBinary(lit.string_value(), type));
    return Scalar::String(std::move(bytes));
  }
  if (id == TypeId::kBool) {
    if (lit.kind() == Scalar::Kind::kBool) return lit;
    if (lit.kind() == Scalar::Kind::kString) {
      const std::string& s = lit.string_value();
      if (s == "true" || s == "t" || s == "TRUE") return Scalar::Bool(true);
      if (s == "false" || s == "f" || s == "FALSE") return Scalar::Bool(false);
    }
    return internal::LiteralMismatch(type, lit);
  }
  QUIVER_ASSIGN_OR_RETURN(internal::ExactLiteral e, internal::ToExact(lit, type));
  switch (id) {
    case TypeId::kInt8:
      return CastIntegral<int8_t>(lit, type, e);
    case TypeId::kInt16:
      return CastIntegral<int16_t>(lit, type, e);
    case TypeId::kInt32:
      return CastIntegral<int32_t>(lit, type, e);
    case TypeId::kInt64:
      return CastIntegral<int64_t>(lit, type, e);
    case TypeId::kUInt8:
      return CastIntegral<uint8_t>(lit, type, e);
    case TypeId::kUInt16:
      return CastIntegral<uint16_t>(lit, type, e);
    case TypeId::kUInt32:
      return CastIntegral<uint32_t>(lit, type, e);
    case TypeId::kUInt64:
      return CastIntegral<uint64_t>(lit, type, e);
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      return Scalar::Double(double(e.lo));
    case TypeId::kDate32: {
      QUIVER_ASSIGN_OR_RETURN(Scalar v, CastIntegral<int32_t>(lit, type, e));
      return Scalar::Date32(int32_t(v.int64_value()));
    }
    case TypeId::kTimestamp: {
      QUIVER_ASSIGN_OR_RETURN(Scalar v, CastIntegral<int64_t>(lit, type, e));
      return Scalar::Timestamp(v.int64_value(), type.unit);
    }
    case TypeId::kTime32:
      return CastIntegral<int32_t>(lit, type, e);
    case TypeId::kDate64:
    case TypeId::kTime64:
    case TypeId::kDuration:
      return CastIntegral<int64_t>(lit, type, e);
    default:
      return internal::LiteralMismatch(type, lit);
  }
}

}  // namespace quiver::kernels
