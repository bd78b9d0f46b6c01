// The shared helpers of kernels/function_internal.h.
#include "kernels/function_internal.h"

#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/aggregate.h"
#include "kernels/column_internal.h"
#include "kernels/fn_decimal_internal.h"
#include "kernels/mask.h"
#include "kernels/take.h"

namespace quiver::kernels::internal {
namespace {

class LambdaFunction final : public BoundFunction {
 public:
  LambdaFunction(DataType result, ExecFn exec)
      : BoundFunction(std::move(result)), exec_(std::move(exec)) {}

  Result<Datum> Exec(const std::vector<Datum>& args, int64_t rows) const override {
    bool all_scalar = !args.empty();
    for (const Datum& a : args) all_scalar = all_scalar && a.is_scalar;
    if (!all_scalar) return exec_(args, rows);
    // Constants: run the column code on one row and return that row.
    std::vector<Datum> cols;
    cols.reserve(args.size());
    for (const Datum& a : args) {
      QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<ArrayData> col, ToArray(a, 1));
      cols.push_back(Datum::Own(std::move(col)));
    }
    QUIVER_ASSIGN_OR_RETURN(Datum out, exec_(cols, 1));
    if (out.is_scalar) return out;
    return Datum::Of(ValueAt(out.view, 0), result_type());
  }

 private:
  ExecFn exec_;
};

int IntWidth(TypeId id) { return ByteWidth(id); }

TypeId SignedOfWidth(int w) {
  return w <= 1   ? TypeId::kInt8
         : w <= 2 ? TypeId::kInt16
         : w <= 4 ? TypeId::kInt32
                  : TypeId::kInt64;
}
TypeId UnsignedOfWidth(int w) {
  return w <= 1   ? TypeId::kUInt8
         : w <= 2 ? TypeId::kUInt16
         : w <= 4 ? TypeId::kUInt32
                  : TypeId::kUInt64;
}

template <typename C>
Status RangeError(const char* value_text, const std::string& value) {
  (void)value_text;
  return Status::Overflow("integer overflow: " + value + " is out of range for " +
                          std::string(std::is_same_v<C, int64_t> ? "int64" : "uint64"));
}

// Converts n values of T to C; returns the index of the first value out of
// C's range (or -1). Floats convert with C's cast (only used for C=double).
template <typename C, typename T>
int64_t ConvertValues(const T* in, int64_t n, C* out) {
  if constexpr (std::is_same_v<C, int64_t> && std::is_same_v<T, uint64_t>) {
    uint64_t bad = 0;
    for (int64_t i = 0; i < n; ++i) {
      bad |= in[i] >> 63;
      out[i] = int64_t(in[i]);
    }
    if (!bad) return -1;
    for (int64_t i = 0; i < n; ++i)
      if (in[i] >> 63) return i;
    return -1;
  } else if constexpr (std::is_same_v<C, uint64_t> && std::is_signed_v<T> &&
                       std::is_integral_v<T>) {
    bool bad = false;
    for (int64_t i = 0; i < n; ++i) {
      bad |= in[i] < 0;
      out[i] = uint64_t(in[i]);
    }
    if (!bad) return -1;
    for (int64_t i = 0; i < n; ++i)
      if (in[i] < 0) return i;
    return -1;
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = C(in[i]);
    return -1;
  }
}

template <typename C>
Result<C> ScalarAs(const Scalar& s, const DataType& type) {
  switch (s.kind()) {
    case Scalar::Kind::kNull:
      return C{};
    case Scalar::Kind::kBool:
      return C(s.bool_value());
    case Scalar::Kind::kDouble:
      return C(s.double_value());
    case Scalar::Kind::kUInt64:
      if (std::is_same_v<C, int64_t> && s.uint64_value() > uint64_t(INT64_MAX)) {
        return RangeError<C>("", std::to_string(s.uint64_value()));
      }
      return C(s.uint64_value());
    case Scalar::Kind::kInt64:
    case Scalar::Kind::kDate32:
    case Scalar::Kind::kTimestamp:
      if (std::is_same_v<C, uint64_t> && s.int64_value() < 0) {
        return RangeError<C>("", std::to_string(s.int64_value()));
      }
      return C(s.int64_value());
    case Scalar::Kind::kDecimal:
      if constexpr (std::is_same_v<C, double>) return Decimal128ToDouble(s.decimal_value(), s.scale());
      break;
    case Scalar::Kind::kString:
      break;
  }
  return Status::TypeError("expected a number, got " + type.ToString() + " value " + s.ToString());
}

}  // namespace

BoundFunctionPtr MakeBound(DataType result, ExecFn exec) {
  return std::make_shared<LambdaFunction>(std::move(result), std::move(exec));
}

Result<DataType> CommonType(const DataType& a_in, const DataType& b_in) {
  DataType a = a_in.value_type(), b = b_in.value_type();
  if (a.id == TypeId::kNone) return b;
  if (b.id == TypeId::kNone) return a;
  if (a == b) return a;
  if (IsInteger(a.id) && IsInteger(b.id)) {
    bool sa = IsSignedInteger(a.id), sb = IsSignedInteger(b.id);
    int wa = IntWidth(a.id), wb = IntWidth(b.id);
    if (sa == sb)
      return DataType(sa ? SignedOfWidth(std::max(wa, wb)) : UnsignedOfWidth(std::max(wa, wb)));
    int ws = sa ? wa : wb, wu = sa ? wb : wa;
    return DataType(SignedOfWidth(std::max(ws, wu * 2)));
  }
  if (IsNumeric(a.id) && IsNumeric(b.id)) return DataType(TypeId::kFloat64);
  if (IsDecimal128(a) || IsDecimal128(b)) {
    if (IsFloating(a.id) || IsFloating(b.id)) return DataType(TypeId::kFloat64);
    std::optional<DecimalSpec> x = DecimalSpecOf(a), y = DecimalSpecOf(b);
    if (x && y) {
      // DuckDB's: every integer digit of both, then as many fraction digits
      // of the larger scale as 38 digits leave.
      const int over = std::max(x->precision - x->scale, y->precision - y->scale);
      const int scale = std::min(std::max(x->scale, y->scale), std::max(0, kMaxDecimal128Precision - over));
      return DataType::Decimal(std::min(over + scale, kMaxDecimal128Precision), scale);
    }
  }
  bool ta = a.id == TypeId::kTimestamp, tb = b.id == TypeId::kTimestamp;
  if ((ta || a.id == TypeId::kDate32) && (tb || b.id == TypeId::kDate32)) {
    if (!ta) return b;
    if (!tb) return a;
    DataType t =
        DataType::Timestamp(std::max(a.unit, b.unit), a.timezone == b.timezone ? a.timezone : "");
    return t;
  }
  return Status::TypeError("no common type for " + a_in.ToString() + " and " + b_in.ToString());
}

Result<DataType> CommonTypeOf(const std::vector<DataType>& types, size_t begin, size_t step,
                              size_t end) {
  DataType t;
  for (size_t i = begin; i < end && i < types.size(); i += step) {
    QUIVER_ASSIGN_OR_RETURN(t, CommonType(t, types[i]));
  }
  return t;
}

DataType ArithmeticType(const DataType& a, const DataType& b) {
  if (IsFloating(a.id) || IsFloating(b.id)) return DataType(TypeId::kFloat64);
  bool ua = IsInteger(a.id) && !IsSignedInteger(a.id);
  bool ub = IsInteger(b.id) && !IsSignedInteger(b.id);
  return DataType(ua && ub ? TypeId::kUInt64 : TypeId::kInt64);
}

std::string_view StringAt(const ArrayView& v, int64_t i) {
  if (v.dictionary != nullptr) return v.dictionary->StringValue(v.DictIndex(i));
  return v.StringValue(i);
}

template <typename C>
Status NumericInput<C>::Load(const Datum& d, int64_t rows) {
  values_ = nullptr;
  if (d.is_scalar) {
    QUIVER_ASSIGN_OR_RETURN(scalar_, ScalarAs<C>(d.scalar, d.type));
    return Status::OK();
  }
  const ArrayView& v = d.view;
  if (d.type.id == TypeId::kNone) {  // an untyped all-NULL column
    storage_.assign(size_t(rows), C{});
    values_ = storage_.data();
    return Status::OK();
  }
  if (d.type.id == TypeId::kBool) {
    storage_.resize(size_t(rows));
    for (int64_t i = 0; i < rows; ++i) storage_[size_t(i)] = C(v.BoolValue(i));
    values_ = storage_.data();
    return Status::OK();
  }
  if (d.type.id == TypeId::kDecimal128 && std::is_same_v<C, double>) {
    storage_.resize(size_t(rows));
    const uint8_t* base = v.values + v.offset * 16;
    for (int64_t i = 0; i < rows; ++i) {
      storage_[size_t(i)] = C(Decimal128ToDouble(LoadDecimal128(base + i * 16), d.type.scale));
    }
    values_ = storage_.data();
    return Status::OK();
  }
  return VisitFixedWidth(
      d.type.is_dictionary() ? TypeId::kNone : d.type.id,
      [&](auto tag) -> Status {
        using T = decltype(tag);
        if constexpr (std::is_same_v<T, C>) {
          values_ = v.data<C>();
          return Status::OK();
        } else {
          storage_.resize(size_t(rows));
          int64_t bad = ConvertValues<C, T>(v.data<T>(), rows, storage_.data());
          while (bad >= 0 && !v.IsValid(bad)) {
            int64_t next = ConvertValues<C, T>(v.data<T>() + bad + 1, rows - bad - 1,
                                               storage_.data() + bad + 1);
            bad = next < 0 ? -1 : bad + 1 + next;
          }
          if (bad >= 0) return RangeError<C>("", std::to_string(v.data<T>()[bad]));
          values_ = storage_.data();
          return Status::OK();
        }
      },
      [&]() -> Status { return Status::TypeError("expected a number, got " + d.type.ToString()); });
}
template class NumericInput<int64_t>;
template class NumericInput<uint64_t>;
template class NumericInput<double>;

StringInput::StringInput(const Datum& d) : scalar_(d.is_scalar) {
  if (scalar_) {
    null_ = d.scalar.is_null();
    if (!null_) s_ = d.scalar.string_value();
  } else {
    view_ = &d.view;
  }
}

BoolInput::BoolInput(const Datum& d) : scalar_(d.is_scalar) {
  if (scalar_) {
    null_ = d.scalar.is_null();
    value_ = !null_ && d.scalar.bool_value();
  } else {
    view_ = &d.view;
  }
}

std::shared_ptr<Buffer> AllValidBitmap(int64_t rows) {
  auto b = Buffer::Allocate(BytesForBits(rows));
  std::memset(b->mutable_data(), 0xff, size_t(BytesForBits(rows)));
  return b;
}

int64_t CountNulls(const uint8_t* bits, int64_t rows) {
  int64_t set = 0;
  const int64_t words = rows / 64;
  for (int64_t w = 0; w < words; ++w) {
    uint64_t x;
    std::memcpy(&x, bits + w * 8, 8);
    set += std::popcount(x);
  }
  for (int64_t i = words * 64; i < rows; ++i) set += GetBit(bits, i);
  return rows - set;
}

std::shared_ptr<Buffer> AndValidity(const std::vector<const Datum*>& args, int64_t rows,
                                    int64_t* null_count) {
  std::shared_ptr<Buffer> out;
  *null_count = 0;
  const int64_t nwords = Mask::WordsFor(rows);
  std::vector<uint64_t> tmp;
  for (const Datum* d : args) {
    if (d->is_scalar) {
      if (!d->scalar.is_null()) continue;
      out = Buffer::Allocate(BytesForBits(rows));
      *null_count = rows;
      return out;
    }
    if (!HasNulls(d->view)) continue;
    if (out == nullptr) {
      out = Buffer::Allocate(nwords * 8);
      CopyBitmap(d->view.validity, d->view.offset, rows,
                 reinterpret_cast<uint64_t*>(out->mutable_data()));
    } else {
      tmp.resize(size_t(nwords));
      CopyBitmap(d->view.validity, d->view.offset, rows, tmp.data());
      uint64_t* w = reinterpret_cast<uint64_t*>(out->mutable_data());
      for (int64_t i = 0; i < nwords; ++i) w[i] &= tmp[size_t(i)];
    }
  }
  if (out != nullptr) {
    *null_count = CountNulls(out->data(), rows);
    if (*null_count == 0) out = nullptr;
  }
  return out;
}

std::shared_ptr<ArrayData> MakeColumn(DataType type, int64_t rows,
                                      std::vector<std::shared_ptr<Buffer>> buffers) {
  auto out = std::make_shared<ArrayData>();
  out->type = std::move(type);
  out->length = rows;
  if (!buffers.empty() && buffers[0] != nullptr) {
    out->null_count = CountNulls(buffers[0]->data(), rows);
    if (out->null_count == 0) buffers[0] = nullptr;
  }
  out->buffers = std::move(buffers);
  return out;
}

std::shared_ptr<ArrayData> NullColumn(const DataType& in_type, int64_t rows) {
  DataType type = in_type.value_type();
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  out->length = rows;
  out->null_count = rows;
  auto validity = Buffer::Allocate(BytesForBits(rows));
  if (IsVarLength(type.id)) {
    out->buffers = {validity, Buffer::Allocate((rows + 1) * 4), Buffer::Allocate(0)};
  } else if (type.id == TypeId::kBool || type.id == TypeId::kNone) {
    out->buffers = {validity, Buffer::Allocate(BytesForBits(rows))};
  } else {
    out->buffers = {validity, Buffer::Allocate(rows * ByteWidth(type))};
  }
  return out;
}

StringOutput::StringOutput(int64_t rows)
    : validity_(AllValidBitmap(rows)), offsets_(Buffer::Allocate((rows + 1) * 4)) {}

void StringOutput::Append(std::string_view s) {
  data_.append(s);
  ++rows_;
  MutableValues<int32_t>(offsets_)[rows_] = int32_t(std::min<size_t>(data_.size(), INT32_MAX));
}

void StringOutput::AppendNull() {
  ClearBit(validity_->mutable_data(), rows_);
  ++nulls_;
  ++rows_;
  MutableValues<int32_t>(offsets_)[rows_] = int32_t(std::min<size_t>(data_.size(), INT32_MAX));
}

Result<std::shared_ptr<ArrayData>> StringOutput::Finish(DataType type) {
  if (data_.size() > size_t(INT32_MAX)) {
    return Status::ResourceExhausted("more than 2 GiB of string data in one column");
  }
  auto out = std::make_shared<ArrayData>();
  out->type = std::move(type);
  out->length = rows_;
  out->null_count = nulls_;
  out->buffers = {nulls_ ? validity_ : nullptr, offsets_,
                  Buffer::Copy(data_.data(), int64_t(data_.size()))};
  return out;
}

namespace {

// ChooseRows for decimal128: 16-byte values, read unaligned.
Result<Datum> ChooseDecimals(const DataType& type, const std::vector<Datum>& sources,
                             const std::vector<int32_t>& pick, int64_t rows) {
  std::vector<DecimalInput> in(sources.size());
  for (size_t k = 0; k < sources.size(); ++k) {
    QUIVER_RETURN_NOT_OK(in[k].Load(sources[k], rows, type.scale));
  }
  auto validity = AllValidBitmap(rows);
  auto buf = Buffer::Allocate(rows * 16);
  uint8_t* out = buf->mutable_data();
  for (int64_t i = 0; i < rows; ++i) {
    const int32_t k = pick[size_t(i)];
    const Datum* d = k < 0 ? nullptr : &sources[size_t(k)];
    if (d == nullptr || (d->is_scalar ? d->scalar.is_null() : d->view.IsNull(i))) {
      ClearBit(validity->mutable_data(), i);
      StoreDecimal128(out + i * 16, 0);
      continue;
    }
    StoreDecimal128(out + i * 16, in[size_t(k)].At(i));
  }
  return Datum::Own(MakeColumn(type, rows, {validity, buf}));
}

}  // namespace

Result<Datum> ChooseRows(const DataType& in_type, const std::vector<Datum>& sources,
                         const std::vector<int32_t>& pick, int64_t rows) {
  const DataType type = in_type.value_type();
  auto validity = AllValidBitmap(rows);
  uint8_t* vbits = validity->mutable_data();
  if (type.id == TypeId::kFixedSizeBinary) {  // every chosen value has the column's width
    std::vector<StringInput> in;
    in.reserve(sources.size());
    for (const Datum& d : sources) in.emplace_back(d);
    const int64_t w = type.byte_width;
    auto buf = Buffer::Allocate(rows * w);
    for (int64_t i = 0; i < rows; ++i) {
      int32_t k = pick[size_t(i)];
      if (k < 0 || in[size_t(k)].IsNull(i)) {
        ClearBit(vbits, i);
        continue;
      }
      std::string_view v = in[size_t(k)][i];
      if (int64_t(v.size()) != w) {
        return Status::TypeError("a value of " + std::to_string(v.size()) + " bytes for " + type.ToString());
      }
      std::memcpy(buf->mutable_data() + i * w, v.data(), size_t(w));
    }
    return Datum::Own(MakeColumn(type, rows, {validity, buf}));
  }
  if (IsVarLength(type.id)) {
    std::vector<StringInput> in;
    in.reserve(sources.size());
    for (const Datum& d : sources) in.emplace_back(d);
    StringOutput out(rows);
    for (int64_t i = 0; i < rows; ++i) {
      int32_t k = pick[size_t(i)];
      if (k < 0 || in[size_t(k)].IsNull(i)) {
        out.AppendNull();
      } else {
        out.Append(in[size_t(k)][i]);
      }
    }
    QUIVER_ASSIGN_OR_RETURN(auto col, out.Finish(type));
    return Datum::Own(std::move(col));
  }
  if (type.id == TypeId::kBool || type.id == TypeId::kNone) {
    std::vector<BoolInput> in;
    in.reserve(sources.size());
    for (const Datum& d : sources) in.emplace_back(d);
    auto bits = Buffer::Allocate(BytesForBits(rows));
    for (int64_t i = 0; i < rows; ++i) {
      int32_t k = pick[size_t(i)];
      if (k < 0 || in[size_t(k)].IsNull(i)) {
        ClearBit(vbits, i);
      } else if (in[size_t(k)][i]) {
        SetBit(bits->mutable_data(), i);
      }
    }
    return Datum::Own(MakeColumn(type, rows, {validity, bits}));
  }
  if (type.id == TypeId::kDecimal128) return ChooseDecimals(type, sources, pick, rows);
  return VisitFixedWidth(
      type.id,
      [&](auto tag) -> Result<Datum> {
        using T = decltype(tag);
        // Each source as values with a stride (0 for a scalar) and validity.
        struct Source {
          const T* values;
          int64_t stride;
          const uint8_t* validity;  // null: every row valid
          int64_t offset;
          bool all_null;
        };
        std::vector<T> scalars(sources.size());
        std::vector<Source> src(sources.size());
        for (size_t k = 0; k < sources.size(); ++k) {
          const Datum& d = sources[k];
          if (!d.is_scalar) {
            src[k] = {d.view.data<T>(), 1, HasNulls(d.view) ? d.view.validity : nullptr,
                      d.view.offset, false};
            continue;
          }
          const Scalar& s = d.scalar;
          if (!s.is_null()) {
            scalars[k] = s.kind() == Scalar::Kind::kDouble   ? T(s.double_value())
                         : s.kind() == Scalar::Kind::kUInt64 ? T(s.uint64_value())
                                                             : T(s.int64_value());
          }
          src[k] = {&scalars[k], 0, nullptr, 0, s.is_null()};
        }
        auto buf = AllocateValues<T>(rows);
        T* out = MutableValues<T>(buf);
        for (int64_t i = 0; i < rows; ++i) {
          const int32_t k = pick[size_t(i)];
          if (k < 0) {
            ClearBit(vbits, i);
            continue;
          }
          const Source& from = src[size_t(k)];
          if (from.all_null ||
              (from.validity != nullptr && !GetBit(from.validity, from.offset + i))) {
            ClearBit(vbits, i);
            continue;
          }
          out[i] = from.values[i * from.stride];
        }
        return Datum::Own(MakeColumn(type, rows, {validity, buf}));
      },
      [&]() -> Result<Datum> {
        return Status::NotSupported("cannot build a column of " + type.ToString());
      });
}

Result<Datum> MapDictionary(const Datum& d, const std::function<Result<Datum>(const Datum&)>& fn) {
  const ArrayView& col = d.view;
  const int64_t rows = col.length;
  QUIVER_ASSIGN_OR_RETURN(Datum mapped, fn(Datum::Borrow(*col.dictionary)));
  const DataType type = mapped.type;
  const int64_t dict_len = col.dictionary->length;
  if (mapped.is_scalar || dict_len == 0) return Datum::Own(NullColumn(type, rows));
  // The index of each row, clamped (a NULL row's index may be anything).
  SelectionVector idx(static_cast<size_t>(rows));
  VisitIndex(
      col.type->dict_index,
      [&](auto tag) {
        using I = decltype(tag);
        const I* in = col.data<I>();
        for (int64_t i = 0; i < rows; ++i) {
          const uint64_t k = uint64_t(int64_t(in[i]));
          idx[size_t(i)] = int32_t(k < uint64_t(dict_len) ? k : 0);
        }
      },
      [] {});
  const ArrayView& m = mapped.view;
  // A row is valid when its index is and the mapped entry is.
  std::shared_ptr<Buffer> validity;
  if (HasNulls(col) || HasNulls(m)) {
    validity = Buffer::Allocate(Mask::WordsFor(rows) * 8);
    uint64_t* w = MutableValues<uint64_t>(validity);
    if (HasNulls(col)) {
      CopyBitmap(col.validity, col.offset, rows, w);
    } else {
      std::memset(w, 0xff, size_t(Mask::WordsFor(rows)) * 8);
    }
    if (HasNulls(m)) {
      for (int64_t i = 0; i < rows; ++i) {
        if (!m.IsValid(idx[size_t(i)])) ClearBit(validity->mutable_data(), i);
      }
    }
  }
  if (type.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(Mask::WordsFor(rows) * 8);
    uint8_t* out = bits->mutable_data();
    for (int64_t i = 0; i < rows; ++i) {
      if (m.BoolValue(idx[size_t(i)])) SetBit(out, i);
    }
    return Datum::Own(MakeColumn(type, rows, {validity, bits}));
  }
  if (ByteWidth(type) > 0) {
    return VisitFixedWidth(
        type.id,
        [&](auto tag) -> Result<Datum> {
          using T = decltype(tag);
          auto buf = AllocateValues<T>(rows);
          T* out = MutableValues<T>(buf);
          const T* in = m.data<T>();
          for (int64_t i = 0; i < rows; ++i) out[i] = in[idx[size_t(i)]];
          return Datum::Own(MakeColumn(type, rows, {validity, buf}));
        },
        [&]() -> Result<Datum> {
          return Status::Internal("dictionary map to " + type.ToString());
        });
  }
  QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<ArrayData> out, Take(m, idx));
  out->buffers[0] = validity;
  out->null_count = validity ? CountNulls(validity->data(), rows) : 0;
  return Datum::Own(std::move(out));
}

}  // namespace quiver::kernels::internal
