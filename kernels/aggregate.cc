#include "kernels/aggregate.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/column_internal.h"
#include "kernels/dispatch_internal.h"

namespace quiver::kernels {
namespace {

using internal::HasNulls;
using internal::Kernels;

bool IsStringType(TypeId id) { return IsBinaryLike(id); }

template <typename T>
Scalar MakeScalar(const DataType& type, T v) {
  if (type.id == TypeId::kDate32) return Scalar::Date32(int32_t(v));
  if (type.id == TypeId::kTimestamp) return Scalar::Timestamp(int64_t(v), type.unit);
  if constexpr (std::is_floating_point_v<T>) {
    return Scalar::Double(double(v));
  } else if constexpr (std::is_unsigned_v<T>) {
    return Scalar::UInt64(uint64_t(v));
  } else {
    return Scalar::Int64(int64_t(v));
  }
}

}  // namespace

const char* AggKindName(AggKind k) {
  switch (k) {
    case AggKind::kCountStar: return "count_star";
    case AggKind::kCount: return "count";
    case AggKind::kSum: return "sum";
    case AggKind::kMin: return "min";
    case AggKind::kMax: return "max";
    case AggKind::kAvg: return "avg";
  }
  return "?";
}

Result<DataType> AggResultType(AggKind kind, const DataType& input) {
  const TypeId id = input.id;
  switch (kind) {
    case AggKind::kCountStar:
    case AggKind::kCount: return DataType(TypeId::kInt64);
    case AggKind::kSum:
      // DuckDB's rule: sum(decimal(p, s)) is decimal(38, s).
      if (id == TypeId::kDecimal128) return DataType::Decimal(kMaxDecimal128Precision, input.scale);
      if (!input.is_dictionary()) {
        if (IsSignedInteger(id)) return DataType(TypeId::kInt64);
        if (IsInteger(id)) return DataType(TypeId::kUInt64);
        if (IsFloating(id)) return DataType(TypeId::kFloat64);
      }
      break;
    case AggKind::kAvg:
      // DuckDB's avg of a decimal is a double too (of the exact sum).
      if (!input.is_dictionary() && (IsNumeric(id) || id == TypeId::kDecimal128)) return DataType(TypeId::kFloat64);
      break;
    case AggKind::kMin:
    case AggKind::kMax:
      // Not for the types stored and returned only (no order kept here).
      if (id != TypeId::kNone && !input.is_nested() && id != TypeId::kDecimal256 && id != TypeId::kFloat16 &&
          id != TypeId::kIntervalYearMonth && id != TypeId::kIntervalDayTime &&
          id != TypeId::kIntervalMonthDayNano) {
        return input.value_type();
      }
      break;
  }
  return Status::TypeError(std::string(AggKindName(kind)) + " is not defined for a " +
                           input.ToString() + " column");
}

AggState::AggState(DataType type, unsigned needs) : type_(std::move(type)), needs_(needs) {}

int CompareScalars(const Scalar& a, const Scalar& b) {
  if (a.is_null() || b.is_null()) return int(!a.is_null()) - int(!b.is_null());
  switch (a.kind()) {
    case Scalar::Kind::kDouble: {
      double x = a.double_value(), y = b.double_value();
      bool nx = std::isnan(x), ny = std::isnan(y);
      if (nx || ny) return int(nx) - int(ny);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Scalar::Kind::kUInt64: {
      uint64_t x = a.uint64_value(), y = b.uint64_value();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Scalar::Kind::kDecimal: {
      __int128 x = a.decimal_value(), y = b.decimal_value();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Scalar::Kind::kString: return a.string_value().compare(b.string_value()) < 0 ? -1 : a.string_value() == b.string_value() ? 0 : 1;
    default: {
      int64_t x = a.int64_value(), y = b.int64_value();
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

Scalar ValueAt(const ArrayView& col, int64_t i) {
  if (col.IsNull(i)) return Scalar::Null();
  const DataType& type = *col.type;
  if (type.is_dictionary()) {
    if (col.dictionary == nullptr) return Scalar::Null();
    int64_t x = col.DictIndex(i);
    if (x < 0 || x >= col.dictionary->length) return Scalar::Null();
    return ValueAt(*col.dictionary, x);
  }
  if (IsStringType(type.id)) return Scalar::String(std::string(col.StringValue(i)));
  if (type.id == TypeId::kBool) return Scalar::Bool(col.BoolValue(i));
  if (type.id == TypeId::kDecimal128) {
    return Scalar::Decimal(LoadDecimal128(col.values + (col.offset + i) * 16), type.precision, type.scale);
  }
  return internal::VisitFixedWidth(
      type.id, [&](auto tag) { return MakeScalar(type, col.Value<decltype(tag)>(i)); },
      [] { return Scalar::Null(); });
}

template <typename T>
void AggState::UpdateFixed(const ArrayView& col, const uint64_t* sel) {
  const auto& k = Kernels().For<T>();
  const T* data = col.data<T>();
  if ((needs_ & kSum) && type_.id != TypeId::kDate32 && type_.id != TypeId::kTimestamp) {
    if constexpr (std::is_floating_point_v<T>) {
      k.sum(data, col.length, sel, &float_sum_);
    } else {
      k.sum(data, col.length, sel, &int_sum_);
    }
  }
  if (needs_ & kMinMax) {
    T mn{}, mx{};
    bool found = false, nan = false;
    k.min_max(data, col.length, sel, &mn, &mx, &found, &nan);
    saw_nan_ |= nan;
    if (found) {
      UpdateMinMaxScalar(MakeScalar(type_, mn));
      UpdateMinMaxScalar(MakeScalar(type_, mx));
    }
  }
}

void AggState::UpdateMinMaxScalar(const Scalar& v) {
  if (!has_min_max_) {
    min_ = max_ = v;
    has_min_max_ = true;
    return;
  }
  if (CompareScalars(v, min_) < 0) min_ = v;
  if (CompareScalars(v, max_) > 0) max_ = v;
}

void AggState::UpdateDecimal(const ArrayView& col, const uint64_t* sel) {
  bool any = false;
  __int128 mn = 0, mx = 0;
  const uint8_t* base = col.values + col.offset * 16;
  for (int64_t i = 0; i < col.length; ++i) {
    if (sel != nullptr && !((sel[i >> 6] >> (i & 63)) & 1)) continue;
    const __int128 v = LoadDecimal128(base + i * 16);
    if ((needs_ & kSum) && __builtin_add_overflow(int_sum_, v, &int_sum_)) sum_overflow_ = true;
    if (!any || v < mn) mn = v;
    if (!any || v > mx) mx = v;
    any = true;
  }
  if (any && (needs_ & kMinMax)) {
    UpdateMinMaxScalar(Scalar::Decimal(mn, type_.precision, type_.scale));
    UpdateMinMaxScalar(Scalar::Decimal(mx, type_.precision, type_.scale));
  }
}

void AggState::UpdateOther(const ArrayView& col, const uint64_t* sel) {
  if (!(needs_ & kMinMax)) return;
  for (int64_t i = 0; i < col.length; ++i) {
    if (sel != nullptr && !((sel[i >> 6] >> (i & 63)) & 1)) continue;
    Scalar v = ValueAt(col, i);
    if (!v.is_null()) UpdateMinMaxScalar(v);
  }
}

Status AggState::Update(const ArrayView& col, const Mask* filter) {
  if (!(*col.type == type_)) {
    return Status::TypeError("aggregate state of " + type_.ToString() + " updated with a " +
                             col.type->ToString() + " column");
  }
  if (filter != nullptr && filter->length != col.length) {
    return Status::Invalid("aggregate: mask of " + std::to_string(filter->length) +
                           " rows for a column of " + std::to_string(col.length));
  }
  const int64_t n = col.length;
  const int64_t nw = Mask::WordsFor(n);
  std::vector<uint64_t> sel_words;
  const uint64_t* sel = nullptr;
  if (filter != nullptr) sel = filter->is_true.data();
  rows_ += filter != nullptr ? CountTrue(*filter) : n;
  if (HasNulls(col)) {
    sel_words = internal::ValidityWords(col);
    if (filter != nullptr) {
      for (int64_t w = 0; w < nw; ++w) sel_words[size_t(w)] &= filter->is_true[size_t(w)];
    }
    sel = sel_words.data();
  }
  // Rows whose dictionary entry is NULL are NULL too.
  if (type_.is_dictionary() && col.dictionary != nullptr && HasNulls(*col.dictionary)) {
    if (sel_words.empty()) {
      sel_words = filter != nullptr ? filter->is_true : Mask::AllTrue(n).is_true;
    }
    for (int64_t i = 0; i < n; ++i) {
      if (col.IsValid(i) && ValueAt(col, i).is_null()) sel_words[size_t(i >> 6)] &= ~(uint64_t(1) << (i & 63));
    }
    sel = sel_words.data();
  }
  count_ += sel == nullptr ? n : Kernels().count_bits(sel, nw);
  if (n == 0) return Status::OK();
  if (type_.is_dictionary() || IsStringType(type_.id) || type_.id == TypeId::kBool) {
    UpdateOther(col, sel);
    return Status::OK();
  }
  if (type_.id == TypeId::kDecimal128) {
    UpdateDecimal(col, sel);
    return Status::OK();
  }
  internal::VisitFixedWidth(
      type_.id, [&](auto tag) { UpdateFixed<decltype(tag)>(col, sel); return 0; }, [] { return 0; });
  return Status::OK();
}

Status AggState::Update(const ArrayView& col, const SelectionVector& rows) {
  for (int32_t r : rows) {
    if (r < 0 || r >= col.length) {
      return Status::Invalid("aggregate: row " + std::to_string(r) + " outside a column of " +
                             std::to_string(col.length) + " rows");
    }
  }
  Mask m = Mask::FromSelection(rows, col.length);
  // Repeated rows count once per occurrence only through rows_; the mask
  // form requires distinct rows, which a selection from a predicate is.
  return Update(col, &m);
}

Status AggState::Merge(const AggState& o) {
  if (!(o.type_ == type_)) {
    return Status::TypeError("cannot merge aggregate states of " + type_.ToString() + " and " +
                             o.type_.ToString());
  }
  rows_ += o.rows_;
  count_ += o.count_;
  if (__builtin_add_overflow(int_sum_, o.int_sum_, &int_sum_)) sum_overflow_ = true;
  sum_overflow_ |= o.sum_overflow_;
  float_sum_ += o.float_sum_;
  saw_nan_ |= o.saw_nan_;
  if (o.has_min_max_) {
    UpdateMinMaxScalar(o.min_);
    UpdateMinMaxScalar(o.max_);
  }
  return Status::OK();
}

Result<Scalar> AggState::Finalize(AggKind kind) const {
  QUIVER_ASSIGN_OR_RETURN(DataType rt, AggResultType(kind, type_));
  switch (kind) {
    case AggKind::kCountStar: return Scalar::Int64(rows_);
    case AggKind::kCount: return Scalar::Int64(count_);
    case AggKind::kSum:
      if (count_ == 0) return Scalar::Null();
      if (IsFloating(type_.id)) return Scalar::Double(float_sum_);
      if (type_.id == TypeId::kDecimal128) {
        if (sum_overflow_ || !FitsDecimal128(int_sum_, rt.precision)) {
          return Status::Overflow("sum of " + type_.ToString() + " column overflows " + rt.ToString());
        }
        return Scalar::Decimal(int_sum_, rt.precision, rt.scale);
      }
      if (IsSignedInteger(type_.id)) {
        if (int_sum_ > std::numeric_limits<int64_t>::max() || int_sum_ < std::numeric_limits<int64_t>::min()) {
          return Status::Overflow("sum of " + type_.ToString() + " column overflows int64");
        }
        return Scalar::Int64(int64_t(int_sum_));
      }
      if (int_sum_ > static_cast<__int128>(std::numeric_limits<uint64_t>::max())) {
        return Status::Overflow("sum of " + type_.ToString() + " column overflows uint64");
      }
      return Scalar::UInt64(uint64_t(int_sum_));
    case AggKind::kAvg:
      if (count_ == 0) return Scalar::Null();
      if (IsFloating(type_.id)) return Scalar::Double(float_sum_ / double(count_));
      if (type_.id == TypeId::kDecimal128) {
        if (sum_overflow_) return Status::Overflow("avg of " + type_.ToString() + " column: the sum overflows 128 bits");
        return Scalar::Double(Decimal128ToDouble(int_sum_, type_.scale) / double(count_));
      }
      return Scalar::Double(double(static_cast<long double>(int_sum_) / count_));
    case AggKind::kMin:
      if (has_min_max_) return min_;
      return saw_nan_ ? Scalar::Double(std::nan("")) : Scalar::Null();
    case AggKind::kMax:
      if (saw_nan_) return Scalar::Double(std::nan(""));
      return has_min_max_ ? max_ : Scalar::Null();
  }
  return Scalar::Null();
}

Result<std::shared_ptr<ArrayData>> ScalarsToArray(const std::vector<Scalar>& values,
                                                  const DataType& in_type) {
  DataType type = in_type.value_type();
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  const int64_t n = int64_t(values.size());
  out->length = n;
  auto validity = Buffer::Allocate(BytesForBits(n));
  for (int64_t i = 0; i < n; ++i) {
    if (values[size_t(i)].is_null()) {
      ++out->null_count;
    } else {
      SetBit(validity->mutable_data(), i);
    }
  }
  std::shared_ptr<Buffer> vbuf = out->null_count > 0 ? validity : nullptr;
  if (type.id == TypeId::kNull) {
    if (out->null_count != n) return Status::TypeError("cannot build a null column from a value");
    out->buffers = {validity};
    return out;
  }
  if (type.id == TypeId::kFixedSizeBinary) {
    const int64_t w = type.byte_width;
    auto buf = Buffer::Allocate(n * w);
    for (int64_t i = 0; i < n; ++i) {
      const Scalar& s = values[size_t(i)];
      if (s.is_null()) continue;
      if (s.kind() != Scalar::Kind::kString || int64_t(s.string_value().size()) != w) {
        return Status::TypeError("cannot build a " + type.ToString() + " column from " + s.KindName() + " " +
                                 s.ToString());
      }
      std::memcpy(buf->mutable_data() + i * w, s.string_value().data(), size_t(w));
    }
    out->buffers = {vbuf, buf};
    return out;
  }
  if (IsStringType(type.id)) {
    auto offsets = Buffer::Allocate((n + 1) * 4);
    int32_t* o = reinterpret_cast<int32_t*>(offsets->mutable_data());
    std::string data;
    for (int64_t i = 0; i < n; ++i) {
      o[i] = int32_t(data.size());
      if (!values[size_t(i)].is_null()) data += values[size_t(i)].string_value();
    }
    o[n] = int32_t(data.size());
    out->buffers = {vbuf, offsets, Buffer::Copy(data.data(), int64_t(data.size()))};
    return out;
  }
  if (type.id == TypeId::kDecimal128) {
    auto buf = Buffer::Allocate(n * 16);
    for (int64_t i = 0; i < n; ++i) {
      const Scalar& s = values[size_t(i)];
      if (s.is_null()) continue;
      if (s.kind() != Scalar::Kind::kDecimal || s.scale() != type.scale) {
        return Status::TypeError("cannot build a " + type.ToString() + " column from " + s.KindName() + " " +
                                 s.ToString());
      }
      StoreDecimal128(buf->mutable_data() + i * 16, s.decimal_value());
    }
    out->buffers = {vbuf, buf};
    return out;
  }
  if (type.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(BytesForBits(n));
    for (int64_t i = 0; i < n; ++i) {
      if (!values[size_t(i)].is_null() && values[size_t(i)].bool_value()) SetBit(bits->mutable_data(), i);
    }
    out->buffers = {vbuf, bits};
    return out;
  }
  return internal::VisitFixedWidth(
      type.id,
      [&](auto tag) -> Result<std::shared_ptr<ArrayData>> {
        using T = decltype(tag);
        auto buf = Buffer::Allocate(n * int64_t(sizeof(T)));
        T* p = reinterpret_cast<T*>(buf->mutable_data());
        for (int64_t i = 0; i < n; ++i) {
          const Scalar& s = values[size_t(i)];
          if (s.is_null()) continue;
          if (s.kind() == Scalar::Kind::kDouble) p[i] = T(s.double_value());
          else if (s.kind() == Scalar::Kind::kUInt64) p[i] = T(s.uint64_value());
          else p[i] = T(s.int64_value());
        }
        out->buffers = {vbuf, buf};
        return out;
      },
      [&]() -> Result<std::shared_ptr<ArrayData>> {
        return Status::NotSupported("cannot build a column of " + type.ToString());
      });
}

}  // namespace quiver::kernels
