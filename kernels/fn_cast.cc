// CAST and TRY_CAST (BindCast in kernels/function.h), and CastDatum, the
// conversion the other functions use to bring values to a common type.
//
// Rules (DuckDB's unless noted):
//  - numbers to numbers are range-checked: a value out of the target's range
//    is an Overflow error "value 300 is out of range for int8"; a float to an
//    integer rounds half away from zero (2.5 -> 3, -2.5 -> -3); NaN and
//    infinities do not fit any integer (DuckDB rounds a DOUBLE half to even,
//    2.5 -> 2, and a DECIMAL half away from zero; Quiver, whose literals are
//    doubles, rounds both half away from zero, as DuckDB does literals); float64 -> float32 fails
//    past FLT_MAX (infinities and NaN convert).
//  - bool -> number is 0/1; number -> bool is x != 0.
//  - anything -> utf8 gives the text Quiver prints in CSV: floats in shortest
//    round-trip form with ".0" on integral values, NaN, Infinity, -Infinity
//    (DuckDB writes nan, inf); dates YYYY-MM-DD; timestamps
//    YYYY-MM-DDTHH:MM:SS[.fraction]Z; bools true/false.
//  - utf8 -> integer: surrounding spaces ignored; an integer, or a decimal
//    number rounded as above ('1.5' -> 2, '1e3' -> 1000). utf8 -> float:
//    any number, nan, inf, infinity (any case). utf8 -> bool: true/false,
//    t/f, yes/no, 1/0 (any case). utf8 -> date32: 'YYYY-MM-DD' or a timestamp
//    (its date). utf8 -> timestamp: 'YYYY-MM-DD[( |T)HH:MM:SS[.f]][Z]'.
//    Unparsable text: InvalidArgument "cannot cast 'abc' to int32".
//  - date32 <-> timestamp and timestamp unit changes: a coarser unit floors
//    (1969-12-31 23:59:59.5 -> 1969-12-31); a finer one is range-checked.
//  - float16 converts through float32, exactly; numbers and text to float16
//    round to the nearest value (ties to even), and a finite value past
//    65504 is out of range.
//  - decimals: fn_decimal_cast.cc.
//  - TRY_CAST gives NULL where CAST gives an error.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "columnar/half_float.h"
#include "columnar/text_format.h"
#include "kernels/aggregate.h"
#include "kernels/column_internal.h"
#include "kernels/fn_decimal_internal.h"
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

std::string DoubleText(double v) {
  std::string s;
  AppendDouble(&s, v);
  return s;
}
template <typename C>
std::string ValueText(C v) {
  if constexpr (std::is_floating_point_v<C>) {
    return DoubleText(double(v));
  } else {
    return std::to_string(v);
  }
}

Status OutOfRange(const std::string& value, const DataType& to) {
  return Status::Overflow("value " + value + " is out of range for " + to.ToString());
}
Status Unparsable(std::string_view s, const DataType& to) {
  return Status::Invalid("cannot cast '" + std::string(s) + "' to " + to.ToString());
}

// x as T when it fits (floats round half away from zero into integers).
template <typename T, typename C>
inline bool FitsAs(C x, T* out) {
  if constexpr (std::is_floating_point_v<T>) {
    if constexpr (std::is_same_v<T, float> && std::is_floating_point_v<C>) {
      if (std::isfinite(x) && std::fabs(x) > C(std::numeric_limits<float>::max())) return false;
    }
    *out = T(x);
    return true;
  } else if constexpr (std::is_floating_point_v<C>) {
    const C r = std::round(x);
    // double(min) is exact for every integer type, and double(max) + 1 is
    // the power of two above max (max itself may round up to it).
    constexpr double kMin = double(std::numeric_limits<T>::min());
    constexpr double kEnd = double(std::numeric_limits<T>::max()) + 1.0;
    if (!(double(r) >= kMin && double(r) < kEnd)) return false;
    *out = T(r);
    return true;
  } else {
    if (!std::in_range<T>(x)) return false;
    *out = T(x);
    return true;
  }
}

template <typename C, typename T>
Status NumToNumAs(const Datum& src, const DataType& to, int64_t rows, RowStatus* st, T* out) {
  NumericInput<C> in;
  QUIVER_RETURN_NOT_OK(in.Load(src, rows));
  const C* x = in.values();
  bool ok = true;
  for (int64_t i = 0; i < rows; ++i) ok &= FitsAs<T, C>(x[i], &out[i]);
  if (ok) return Status::OK();
  for (int64_t i = 0; i < rows; ++i) {
    if (st->IsValid(i) && !FitsAs<T, C>(x[i], &out[i])) {
      QUIVER_RETURN_NOT_OK(st->Fail(i, OutOfRange(ValueText(x[i]), to)));
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<ArrayData>> NumToNum(const Datum& src, const DataType& to, int64_t rows,
                                            bool try_cast) {
  RowStatus st(src, rows, try_cast);
  const TypeId from = src.type.id;
  return VisitFixedWidth(
      to.id,
      [&](auto tag) -> Result<std::shared_ptr<ArrayData>> {
        using T = decltype(tag);
        auto buf = AllocateValues<T>(rows);
        T* out = MutableValues<T>(buf);
        Status s = IsFloating(from) ? NumToNumAs<double, T>(src, to, rows, &st, out)
                   : IsInteger(from) && !IsSignedInteger(from)
                       ? NumToNumAs<uint64_t, T>(src, to, rows, &st, out)
                       : NumToNumAs<int64_t, T>(src, to, rows, &st, out);
        QUIVER_RETURN_NOT_OK(s);
        return MakeColumn(to, rows, {st.validity(), buf});
      },
      [&]() -> Result<std::shared_ptr<ArrayData>> {
        return Status::Internal("cast to " + to.ToString());
      });
}

Result<std::shared_ptr<ArrayData>> NumToBool(const Datum& src, int64_t rows) {
  NumericInput<double> in;
  QUIVER_RETURN_NOT_OK(in.Load(src, rows));
  auto bits = Buffer::Allocate(BytesForBits(rows));
  for (int64_t i = 0; i < rows; ++i) {
    if (in[i] != 0) SetBit(bits->mutable_data(), i);
  }
  RowStatus st(src, rows, false);
  return MakeColumn(DataType(TypeId::kBool), rows, {st.validity(), bits});
}

Result<std::shared_ptr<ArrayData>> ToText(const Datum& src, const DataType& to, int64_t rows) {
  StringOutput out(rows);
  std::string s;
  ArrayView view = src.view;
  view.type = &src.type;
  for (int64_t i = 0; i < rows; ++i) {
    if (src.view.IsNull(i)) {
      out.AppendNull();
      continue;
    }
    s.clear();
    AppendCastText(&s, view, i);
    out.Append(s);
  }
  return out.Finish(to);
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool ParseDouble(std::string_view s, double* out) {
  s = TrimSpaces(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  bool neg = !s.empty() && s.front() == '-';
  std::string_view body = neg ? s.substr(1) : s;
  if (EqualsNoCase(body, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (EqualsNoCase(body, "inf") || EqualsNoCase(body, "infinity")) {
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Parses an integer (or a decimal number, rounded) into T; false if it is not
// a number, *range set if it is one out of T's range.
template <typename T>
bool ParseInteger(std::string_view s, T* out, bool* range) {
  s = TrimSpaces(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  *range = false;
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (p == s.data() + s.size()) {
    if (ec == std::errc()) return true;
    if (ec == std::errc::result_out_of_range) {
      *range = true;
      return true;
    }
  }
  double d;
  if (!ParseDouble(s, &d)) return false;
  *range = !FitsAs<T, double>(d, out);
  return true;
}

bool ParseBool(std::string_view s, bool* out) {
  for (const char* t : {"true", "t", "yes", "1"}) {
    if (EqualsNoCase(s, t)) return *out = true;
  }
  for (const char* f : {"false", "f", "no", "0"}) {
    if (EqualsNoCase(s, f)) {
      *out = false;
      return true;
    }
  }
  return false;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Converts a value in units of `from_per_s` per second to `to_per_s`; false
// on overflow. Coarser units floor.
inline bool Rescale(int64_t v, int64_t from_per_s, int64_t to_per_s, int64_t* out) {
  if (to_per_s >= from_per_s) return !__builtin_mul_overflow(v, to_per_s / from_per_s, out);
  *out = FloorDiv(v, from_per_s / to_per_s);
  return true;
}

// Units per second of a temporal type, days counted as 1/86400 s.
int64_t PerSecondOrDay(const DataType& t) {
  return t.id == TypeId::kDate32 ? 1 : UnitsPerSecond(t.unit);
}

Result<std::shared_ptr<ArrayData>> StringToValue(const Datum& src, const DataType& to, int64_t rows,
                                                 bool try_cast) {
  RowStatus st(src, rows, try_cast);
  StringInput in(src);
  if (to.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(BytesForBits(rows));
    for (int64_t i = 0; i < rows; ++i) {
      bool b = false;
      if (!st.IsValid(i)) continue;
      if (!ParseBool(in[i], &b)) {
        QUIVER_RETURN_NOT_OK(st.Fail(i, Unparsable(in[i], to)));
      } else if (b) {
        SetBit(bits->mutable_data(), i);
      }
    }
    return MakeColumn(to, rows, {st.validity(), bits});
  }
  return VisitFixedWidth(
      to.id,
      [&](auto tag) -> Result<std::shared_ptr<ArrayData>> {
        using T = decltype(tag);
        auto buf = AllocateValues<T>(rows);
        T* out = MutableValues<T>(buf);
        for (int64_t i = 0; i < rows; ++i) {
          if (!st.IsValid(i)) continue;
          const std::string_view s = in[i];
          Status err;
          if (to.id == TypeId::kDate32 || to.id == TypeId::kTimestamp) {
            Result<int64_t> v = Status::OK();
            if (to.id == TypeId::kDate32) {
              if (auto d = ParseDate32(TrimSpaces(s)); d.ok()) {
                v = int64_t(*d);
              } else if (auto ns = ParseTimestampNanos(TrimSpaces(s)); ns.ok()) {
                v = FloorDiv(*ns, kSecondsPerDay * 1000000000);
              } else {
                v = Unparsable(s, to);
              }
            } else if (auto ns = ParseTimestampNanos(TrimSpaces(s)); ns.ok()) {
              int64_t r = 0;
              Rescale(*ns, 1000000000, UnitsPerSecond(to.unit), &r);
              v = r;
            } else {
              v = Unparsable(s, to);
            }
            if (v.ok()) out[i] = T(*v);
            err = v.status();
          } else if constexpr (std::is_floating_point_v<T>) {
            double d;
            if (!ParseDouble(s, &d)) {
              err = Unparsable(s, to);
            } else if (!FitsAs<T, double>(d, &out[i])) {
              err = OutOfRange(std::string(TrimSpaces(s)), to);
            }
          } else {
            bool range = false;
            if (!ParseInteger<T>(s, &out[i], &range)) {
              err = Unparsable(s, to);
            } else if (range) {
              err = OutOfRange(std::string(TrimSpaces(s)), to);
            }
          }
          if (!err.ok()) QUIVER_RETURN_NOT_OK(st.Fail(i, std::move(err)));
        }
        return MakeColumn(to, rows, {st.validity(), buf});
      },
      [&]() -> Result<std::shared_ptr<ArrayData>> {
        return Status::Internal("cast to " + to.ToString());
      });
}

Result<std::shared_ptr<ArrayData>> TemporalToTemporal(const Datum& src, const DataType& to,
                                                      int64_t rows, bool try_cast) {
  RowStatus st(src, rows, try_cast);
  NumericInput<int64_t> in;
  QUIVER_RETURN_NOT_OK(in.Load(src, rows));
  // Dates count days: scale them to seconds first.
  const bool from_date = src.type.id == TypeId::kDate32, to_date = to.id == TypeId::kDate32;
  const int64_t from_ps = PerSecondOrDay(src.type), to_ps = PerSecondOrDay(to);
  auto convert = [&](int64_t v, int64_t* out) {
    if (from_date && __builtin_mul_overflow(v, kSecondsPerDay, &v)) return false;
    if (!Rescale(v, from_ps, to_ps, &v)) return false;
    if (to_date) v = FloorDiv(v, kSecondsPerDay);
    *out = v;
    return !to_date || v == int64_t(int32_t(v));
  };
  auto buf = to_date ? AllocateValues<int32_t>(rows) : AllocateValues<int64_t>(rows);
  for (int64_t i = 0; i < rows; ++i) {
    int64_t v = 0;
    if (!convert(in[i], &v) && st.IsValid(i)) {
      std::string text;
      ArrayView view = src.view;
      view.type = &src.type;
      AppendCastText(&text, view, i);
      QUIVER_RETURN_NOT_OK(st.Fail(i, OutOfRange(text, to)));
    }
    if (to_date) {
      MutableValues<int32_t>(buf)[i] = int32_t(v);
    } else {
      MutableValues<int64_t>(buf)[i] = v;
    }
  }
  return MakeColumn(to, rows, {st.validity(), buf});
}

bool IsTemporal(TypeId id) { return id == TypeId::kDate32 || id == TypeId::kTimestamp; }
bool IsText(TypeId id) { return id == TypeId::kUtf8 || id == TypeId::kBinary; }
bool IsNumberLike(TypeId id) { return IsNumeric(id) || id == TypeId::kBool || id == TypeId::kFloat16; }

// float16 values as a float32 column (exact), so that every other cast
// reads float32.
Result<Datum> HalfToFloat32(const Datum& src, int64_t rows) {
  auto buf = AllocateValues<float>(rows);
  float* out = MutableValues<float>(buf);
  for (int64_t i = 0; i < rows; ++i) out[i] = HalfToFloat(src.view.Value<uint16_t>(i));
  RowStatus st(src, rows, false);
  return Datum::Own(MakeColumn(DataType(TypeId::kFloat32), rows, {st.validity(), buf}));
}

// Numbers to float16: through float64, rounded to nearest (ties to even);
// a finite value past 65504 is out of range.
Result<std::shared_ptr<ArrayData>> NumToHalf(const Datum& src, const DataType& to, int64_t rows,
                                             bool try_cast) {
  RowStatus st(src, rows, try_cast);
  NumericInput<double> in;
  QUIVER_RETURN_NOT_OK(in.Load(src, rows));
  auto buf = AllocateValues<uint16_t>(rows);
  uint16_t* out = MutableValues<uint16_t>(buf);
  for (int64_t i = 0; i < rows; ++i) {
    out[i] = FloatToHalf(in[i]);
    if (!FitsHalf(in[i]) && st.IsValid(i)) QUIVER_RETURN_NOT_OK(st.Fail(i, OutOfRange(DoubleText(in[i]), to)));
  }
  return MakeColumn(to, rows, {st.validity(), buf});
}

// True when CastColumn knows the conversion.
bool CanCast(const DataType& from, const DataType& to) {
  if (to.is_dictionary()) return false;
  if (from.id == TypeId::kNone || from.value_type() == to) return true;
  if (IsText(to.id)) return from.id != TypeId::kNone;
  // float16 converts as float32 does (CastColumn goes through float32).
  if (from.id == TypeId::kFloat16 || to.id == TypeId::kFloat16) {
    const DataType f32(TypeId::kFloat32);
    return CanCast(from.id == TypeId::kFloat16 ? f32 : from, to.id == TypeId::kFloat16 ? f32 : to);
  }
  if (from.is_decimal() || to.is_decimal()) return CanCastDecimal(from, to);
  if (IsNumberLike(from.id) && IsNumberLike(to.id)) return true;
  if (IsText(from.id)) return IsNumberLike(to.id) || IsTemporal(to.id);
  return IsTemporal(from.id) && IsTemporal(to.id);
}

// A column of `rows` rows converted; `src` is a column.
Result<std::shared_ptr<ArrayData>> CastColumn(const Datum& src, const DataType& to, int64_t rows,
                                              bool try_cast) {
  const DataType& from = src.type;
  if (from.id == TypeId::kNone) return NullColumn(to, rows);
  if (IsText(to.id) && !(IsText(from.id) && !from.is_dictionary())) return ToText(src, to, rows);
  if (from.value_type() == to || (IsText(from.id) && IsText(to.id))) {
    QUIVER_ASSIGN_OR_RETURN(auto copy, ToArray(src, rows));
    auto out = std::make_shared<ArrayData>(*copy);
    out->type = to;
    return out;
  }
  if (from.id == TypeId::kFloat16) {
    QUIVER_ASSIGN_OR_RETURN(Datum wide, HalfToFloat32(src, rows));
    return CastColumn(wide, to, rows, try_cast);
  }
  if (to.id == TypeId::kFloat16) {
    if (!IsText(from.id) && !from.is_decimal()) return NumToHalf(src, to, rows, try_cast);
    QUIVER_ASSIGN_OR_RETURN(auto wide, CastColumn(src, DataType(TypeId::kFloat64), rows, try_cast));
    return NumToHalf(Datum::Own(std::move(wide)), to, rows, try_cast);
  }
  if (from.is_decimal() || to.is_decimal()) return CastDecimalColumn(src, to, rows, try_cast);
  if (IsText(from.id)) return StringToValue(src, to, rows, try_cast);
  if (to.id == TypeId::kBool) return NumToBool(src, rows);
  if (IsNumberLike(from.id) && IsNumeric(to.id)) return NumToNum(src, to, rows, try_cast);
  if (IsTemporal(from.id) && IsTemporal(to.id)) return TemporalToTemporal(src, to, rows, try_cast);
  return Status::TypeError("cannot cast " + from.ToString() + " to " + to.ToString());
}

Result<Datum> CastAny(const Datum& d, const DataType& to, int64_t rows, bool try_cast) {
  if (d.is_scalar) {
    QUIVER_ASSIGN_OR_RETURN(auto one, ToArray(d, 1));
    Datum col = Datum::Own(std::move(one));
    col.type = d.type.value_type();
    QUIVER_ASSIGN_OR_RETURN(auto out, CastColumn(col, to, 1, try_cast));
    return Datum::Of(ValueAt(out->View(), 0), to);
  }
  QUIVER_ASSIGN_OR_RETURN(auto out, CastColumn(d, to, rows, try_cast));
  return Datum::Own(std::move(out));
}

}  // namespace

Result<Datum> CastDatum(const Datum& d, const DataType& to, int64_t rows) {
  if (d.type.value_type() == to.value_type()) return d;
  if (!CanCast(d.type, to)) {
    return Status::TypeError("cannot cast " + d.type.ToString() + " to " + to.ToString());
  }
  return CastAny(d, to, rows, false);
}

Result<BoundFunctionPtr> BindCastImpl(const DataType& from, const DataType& to, bool try_cast) {
  if (!CanCast(from, to)) {
    return Status::TypeError(std::string(try_cast ? "TRY_CAST" : "CAST") + " from " +
                             from.ToString() + " to " + to.ToString() + " is not supported");
  }
  return MakeBound(to, [to, try_cast](const std::vector<Datum>& args, int64_t rows) {
    return CastAny(args[0], to, rows, try_cast);
  });
}

void RegisterCast(FunctionRegistry& r) { (void)r; }

}  // namespace quiver::kernels::internal
