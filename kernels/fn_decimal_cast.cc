// CAST / TRY_CAST to and from decimal128 (CanCastDecimal and
// CastDecimalColumn of kernels/fn_decimal_internal.h, called by fn_cast.cc).
//
// Rules (DuckDB's):
//  - decimal -> decimal of another scale: more digits are exact; fewer round
//    half away from zero (12.345 -> 12.35, -12.345 -> -12.35). A value with
//    more integer digits than the target allows is an Overflow error "value
//    123.45 is out of range for decimal128(3, 1)".
//  - integer or bool -> decimal: exact, range-checked as above.
//  - float -> decimal: x * 10^scale in double, rounded half away from zero
//    (2.25 -> 2.3 at scale 1, 1.005 -> 1.00: the double is 1.00499...);
//    NaN and infinities are an InvalidArgument error.
//  - text -> decimal: columnar/decimal.h's ParseDecimal128Rounded (spaces
//    around, a sign, '.5', '5.', exponents; digits beyond the scale round).
//    Text that is not a number: InvalidArgument "cannot cast 'abc' to
//    decimal128(5, 1)".
//  - decimal -> integer rounds half away from zero (12.5 -> 13), range-checked
//    for the target; decimal -> float is the nearest double; decimal -> bool
//    is x != 0. decimal -> text is the exact text (fn_cast.cc).
// TRY_CAST gives NULL where CAST gives an error.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "columnar/text_format.h"
#include "kernels/column_internal.h"
#include "kernels/fn_decimal_internal.h"

namespace quiver::kernels::internal {
namespace {

Status OutOfRange(const std::string& value, const DataType& to) {
  return Status::Overflow("value " + value + " is out of range for " + to.ToString());
}

bool IsTextType(const DataType& t) { return t.id == TypeId::kUtf8; }

// The source values as 128-bit integers at their own scale (integers and
// bools at scale 0).
Status LoadSource(const Datum& src, int64_t rows, DecimalInput* in) {
  return in->Load(src, rows, IsDecimal128(src.type) ? src.type.scale : 0);
}

Result<std::shared_ptr<ArrayData>> ToDecimal(const Datum& src, const DataType& to, int64_t rows,
                                             bool try_cast) {
  RowStatus st(src, rows, try_cast);
  auto buf = Buffer::Allocate(rows * 16);
  uint8_t* out = buf->mutable_data();
  std::memset(out, 0, size_t(rows) * 16);
  const DataType& from = src.type;
  if (IsFloating(from.id)) {
    NumericInput<double> in;
    QUIVER_RETURN_NOT_OK(in.Load(src, rows));
    for (int64_t i = 0; i < rows; ++i) {
      int128_t v = 0;
      if (DoubleToDecimal128(in[i], to.precision, to.scale, &v)) {
        StoreDecimal128(out + i * 16, v);
      } else if (st.IsValid(i)) {
        std::string text;
        AppendDouble(&text, in[i]);
        QUIVER_RETURN_NOT_OK(st.Fail(
            i, std::isfinite(in[i]) ? OutOfRange(text, to)
                                    : Status::Invalid("cannot cast " + text + " to " + to.ToString())));
      }
    }
  } else if (from.value_type().id == TypeId::kUtf8 || from.id == TypeId::kBinary) {
    StringInput in(src);
    for (int64_t i = 0; i < rows; ++i) {
      if (!st.IsValid(i)) continue;
      Result<int128_t> v = ParseDecimal128Rounded(in[i], to.precision, to.scale);
      if (v.ok()) {
        StoreDecimal128(out + i * 16, *v);
      } else if (v.status().code() == StatusCode::kOverflow) {
        QUIVER_RETURN_NOT_OK(st.Fail(i, OutOfRange("'" + std::string(in[i]) + "'", to)));
      } else {
        QUIVER_RETURN_NOT_OK(st.Fail(
            i, Status::Invalid("cannot cast '" + std::string(in[i]) + "' to " + to.ToString())));
      }
    }
  } else {
    DecimalInput in;
    QUIVER_RETURN_NOT_OK(LoadSource(src, rows, &in));
    const int from_scale = IsDecimal128(from) ? from.scale : 0;
    const int128_t max = MaxDecimal128(to.precision);
    for (int64_t i = 0; i < rows; ++i) {
      const int128_t x = in.At(i);
      int128_t v = 0;
      if (RescaleDecimal128(x, from_scale, to.scale, &v) && v <= max && v >= -max) {
        StoreDecimal128(out + i * 16, v);
      } else if (st.IsValid(i)) {
        QUIVER_RETURN_NOT_OK(st.Fail(i, OutOfRange(FormatDecimal128(x, from_scale), to)));
      }
    }
  }
  return MakeColumn(to, rows, {st.validity(), buf});
}

template <typename T>
Status DecimalToNumber(const Datum& src, const DataType& to, int64_t rows, RowStatus* st, T* out) {
  DecimalInput in;
  QUIVER_RETURN_NOT_OK(LoadSource(src, rows, &in));
  const int scale = src.type.scale;
  for (int64_t i = 0; i < rows; ++i) {
    const int128_t x = in.At(i);
    if constexpr (std::is_floating_point_v<T>) {
      out[i] = T(Decimal128ToDouble(x, scale));
    } else {
      // NULL rows may hold anything: clamp so that rounding stays defined.
      const int128_t m = MaxDecimal128(kMaxDecimal128Precision);
      const int128_t v = DivPow10RoundHalfAway(std::clamp(x, -m, m), scale);
      if (v >= int128_t(std::numeric_limits<T>::min()) &&
          v <= int128_t(std::numeric_limits<T>::max())) {
        out[i] = T(v);
      } else {
        out[i] = T{};
        if (st->IsValid(i)) QUIVER_RETURN_NOT_OK(st->Fail(i, OutOfRange(FormatDecimal128(x, scale), to)));
      }
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<ArrayData>> FromDecimal(const Datum& src, const DataType& to, int64_t rows,
                                               bool try_cast) {
  RowStatus st(src, rows, try_cast);
  if (to.id == TypeId::kBool) {
    DecimalInput in;
    QUIVER_RETURN_NOT_OK(LoadSource(src, rows, &in));
    auto bits = Buffer::Allocate(BytesForBits(rows));
    for (int64_t i = 0; i < rows; ++i) {
      if (in.At(i) != 0) SetBit(bits->mutable_data(), i);
    }
    return MakeColumn(to, rows, {st.validity(), bits});
  }
  return VisitFixedWidth(
      to.id,
      [&](auto tag) -> Result<std::shared_ptr<ArrayData>> {
        using T = decltype(tag);
        auto buf = AllocateValues<T>(rows);
        QUIVER_RETURN_NOT_OK(DecimalToNumber<T>(src, to, rows, &st, MutableValues<T>(buf)));
        return MakeColumn(to, rows, {st.validity(), buf});
      },
      [&]() -> Result<std::shared_ptr<ArrayData>> {
        return Status::TypeError("cannot cast " + src.type.ToString() + " to " + to.ToString());
      });
}

}  // namespace

bool CanCastDecimal(const DataType& from, const DataType& to) {
  if (to.is_dictionary()) return false;
  const auto number = [](const DataType& t) {
    return !t.is_dictionary() &&
           (IsNumeric(t.id) || t.id == TypeId::kBool || IsDecimal128(t) || t.id == TypeId::kNone);
  };
  if (IsDecimal128(to)) return number(from) || IsTextType(from.value_type()) || from.id == TypeId::kBinary;
  return IsDecimal128(from) && (number(to) || IsTextType(to) || to.id == TypeId::kBinary);
}

Result<std::shared_ptr<ArrayData>> CastDecimalColumn(const Datum& src, const DataType& to,
                                                     int64_t rows, bool try_cast) {
  if (IsDecimal128(to)) return ToDecimal(src, to, rows, try_cast);
  return FromDecimal(src, to, rows, try_cast);
}

}  // namespace quiver::kernels::internal
