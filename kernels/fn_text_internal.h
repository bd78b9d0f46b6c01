// Helpers shared by the string, regular-expression and date/time functions
// (fn_string.cc, fn_string_pad.cc, fn_regex.cc, fn_date.cc, fn_date_format.cc):
// row readers that hide whether an argument is a column, a dictionary column
// or a scalar; output builders; the one loop that runs a string function once
// per dictionary entry; and a BoundFunction made of a lambda. Not an API for
// other layers.
//
// Thread-safety: readers and outputs are per-Exec objects (one thread); a
// LambdaFunction is immutable and its Exec may run on many threads at once.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "columnar/array.h"
#include "columnar/builder.h"
#include "columnar/civil_time.h"
#include "kernels/function_internal.h"

namespace quiver::kernels::internal {

// Types accepted by binds. A NULL literal (TypeId::kNone) matches any
// argument and reads as NULL in every row.
inline bool IsNullType(const DataType& t) { return t.id == TypeId::kNone; }
inline bool IsStringType(const DataType& t) { return t.id == TypeId::kUtf8 || IsNullType(t); }
// Any run of bytes: utf8, binary, fixed_size_binary (or NULL).
inline bool IsBytesType(const DataType& t) {
  return IsStringType(t) || t.id == TypeId::kBinary || t.id == TypeId::kFixedSizeBinary;
}
inline bool IsIntType(const DataType& t) { return IsInteger(t.id) || IsNullType(t); }
inline bool IsNumberType(const DataType& t) { return IsNumeric(t.id) || IsNullType(t); }
inline bool IsTimeType(const DataType& t) {
  return t.id == TypeId::kDate32 || t.id == TypeId::kTimestamp;
}

// Row i of a utf8 argument (plain column, dictionary column or scalar). A
// dictionary row whose entry is NULL is NULL.
class StrIn {
 public:
  explicit StrIn(const Datum& d) : d_(&d) {
    if (d.is_scalar || IsNullType(d.type)) {
      kind_ = kScalar;
      null_ = !d.is_scalar || d.scalar.is_null();
      if (!null_) s_ = d.scalar.string_value();
    } else {
      kind_ = d.type.is_dictionary()                   ? kDict
              : d.type.id == TypeId::kFixedSizeBinary ? kFixed
                                                       : kPlain;
    }
  }
  bool IsNull(int64_t i) const {
    if (kind_ == kScalar) return null_;
    if (d_->view.IsNull(i)) return true;
    return kind_ == kDict && d_->view.dictionary->IsNull(DictIndex(i));
  }
  std::string_view Get(int64_t i) const {
    if (kind_ == kScalar) return s_;
    if (kind_ == kPlain) return d_->view.StringValue(i);
    if (kind_ == kFixed) {
      const int64_t w = d_->type.byte_width;
      return {reinterpret_cast<const char*>(d_->view.values) + (d_->view.offset + i) * w, size_t(w)};
    }
    return d_->view.dictionary->StringValue(DictIndex(i));
  }
  bool is_dictionary() const { return kind_ == kDict; }
  // The dictionary index of row i (dictionary columns only).
  int64_t DictIndex(int64_t i) const {
    const ArrayView& v = d_->view;
    switch (d_->type.dict_index) {
      case TypeId::kInt8:
        return v.data<int8_t>()[i];
      case TypeId::kInt16:
        return v.data<int16_t>()[i];
      case TypeId::kInt32:
        return v.data<int32_t>()[i];
      case TypeId::kUInt8:
        return v.data<uint8_t>()[i];
      case TypeId::kUInt16:
        return v.data<uint16_t>()[i];
      case TypeId::kUInt32:
        return v.data<uint32_t>()[i];
      default:
        return v.data<int64_t>()[i];
    }
  }

 private:
  enum Kind : uint8_t { kScalar, kPlain, kDict, kFixed };
  const Datum* d_;
  Kind kind_;
  bool null_ = false;
  std::string_view s_;
};

// A double as int64, truncated toward zero and saturated (NaN: 0).
inline int64_t SaturatingInt(double d) {
  if (!(d == d)) return 0;
  if (d >= 9223372036854775807.0) return INT64_MAX;
  if (d <= -9223372036854775808.0) return INT64_MIN;
  return int64_t(d);
}

// Row i of a numeric argument as int64 or double (any integer or float
// column, or a scalar). An unsigned value above INT64_MAX reads as INT64_MAX;
// a float read as an integer is truncated and saturated.
class NumIn {
 public:
  explicit NumIn(const Datum& d) : d_(&d) {
    if (d.is_scalar || IsNullType(d.type)) {
      scalar_ = true;
      null_ = !d.is_scalar || d.scalar.is_null();
      if (!null_) {
        const Scalar& s = d.scalar;
        if (s.kind() == Scalar::Kind::kDouble) {
          d_val_ = s.double_value();
          i_val_ = SaturatingInt(d_val_);
        } else if (s.kind() == Scalar::Kind::kUInt64) {
          i_val_ = s.uint64_value() > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(s.uint64_value());
          d_val_ = double(s.uint64_value());
        } else {
          i_val_ = s.int64_value();
          d_val_ = double(i_val_);
        }
      }
    }
  }
  bool IsNull(int64_t i) const { return scalar_ ? null_ : d_->view.IsNull(i); }
  int64_t Int(int64_t i) const {
    if (scalar_) return i_val_;
    const ArrayView& v = d_->view;
    switch (d_->type.id) {
      case TypeId::kInt8:
        return v.Value<int8_t>(i);
      case TypeId::kInt16:
        return v.Value<int16_t>(i);
      case TypeId::kInt32:
        return v.Value<int32_t>(i);
      case TypeId::kUInt8:
        return v.Value<uint8_t>(i);
      case TypeId::kUInt16:
        return v.Value<uint16_t>(i);
      case TypeId::kUInt32:
        return v.Value<uint32_t>(i);
      case TypeId::kUInt64: {
        uint64_t u = v.Value<uint64_t>(i);
        return u > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(u);
      }
      case TypeId::kFloat32:
        return SaturatingInt(v.Value<float>(i));
      case TypeId::kFloat64:
        return SaturatingInt(v.Value<double>(i));
      default:
        return v.Value<int64_t>(i);
    }
  }
  double Double(int64_t i) const {
    if (scalar_) return d_val_;
    switch (d_->type.id) {
      case TypeId::kFloat32:
        return d_->view.Value<float>(i);
      case TypeId::kFloat64:
        return d_->view.Value<double>(i);
      case TypeId::kUInt64:
        return double(d_->view.Value<uint64_t>(i));
      default:
        return double(Int(i));
    }
  }

 private:
  const Datum* d_;
  bool scalar_ = false;
  bool null_ = false;
  int64_t i_val_ = 0;
  double d_val_ = 0;
};

// Row i of a date32 or timestamp argument as whole days since the epoch and
// nanoseconds into that day (UTC; a time zone is ignored).
class TimeIn {
 public:
  explicit TimeIn(const Datum& d) : d_(&d), date_(d.type.id == TypeId::kDate32) {
    per_sec_ = date_ ? 1 : UnitsPerSecond(d.type.unit);
    if (d.is_scalar || IsNullType(d.type)) {
      scalar_ = true;
      null_ = !d.is_scalar || d.scalar.is_null();
      if (!null_) value_ = d.scalar.int64_value();
    }
  }
  bool IsNull(int64_t i) const { return scalar_ ? null_ : d_->view.IsNull(i); }
  // The raw value: days (date32) or units since the epoch (timestamp).
  int64_t Raw(int64_t i) const {
    if (scalar_) return value_;
    return date_ ? d_->view.Value<int32_t>(i) : d_->view.Value<int64_t>(i);
  }
  void Split(int64_t i, int64_t* days, int64_t* nanos) const {
    int64_t v = Raw(i);
    if (date_) {
      *days = v;
      *nanos = 0;
      return;
    }
    const int64_t per_day = per_sec_ * 86400;
    int64_t q = v / per_day, r = v % per_day;
    if (r < 0) {
      q -= 1;
      r += per_day;
    }
    *days = q;
    *nanos = r * (1000000000 / per_sec_);
  }
  bool is_date() const { return date_; }
  int64_t units_per_second() const { return per_sec_; }

 private:
  const Datum* d_;
  bool date_;
  bool scalar_ = false;
  bool null_ = false;
  int64_t value_ = 0;
  int64_t per_sec_ = 1;
};

// A fixed-width result column (int64, double, int32 for date32, int64 for
// timestamps) written in place.
template <typename T>
class FixedOut {
 public:
  FixedOut(DataType type, int64_t rows) : data_(std::make_shared<ArrayData>()) {
    data_->type = std::move(type);
    data_->length = rows;
    auto values = Buffer::Allocate(rows * int64_t(sizeof(T)));
    auto validity = Buffer::Allocate(BytesForBits(rows));
    values_ = reinterpret_cast<T*>(values->mutable_data());
    validity_ = validity->mutable_data();
    std::memset(validity_, 0xff, size_t(BytesForBits(rows)));
    data_->buffers = {std::move(validity), std::move(values)};
  }
  void Set(int64_t i, T v) { values_[i] = v; }
  T* values() { return values_; }
  void SetNull(int64_t i) {
    ClearBit(validity_, i);
    ++nulls_;
  }
  Datum Finish() {
    data_->null_count = nulls_;
    if (nulls_ == 0) data_->buffers[0] = nullptr;
    return Datum::Own(std::move(data_));
  }

 private:
  std::shared_ptr<ArrayData> data_;
  T* values_;
  uint8_t* validity_;
  int64_t nulls_ = 0;
};

// A bool result column written in place.
class BoolOut {
 public:
  BoolOut(int64_t rows) : data_(std::make_shared<ArrayData>()) {
    data_->type = DataType(TypeId::kBool);
    data_->length = rows;
    auto values = Buffer::Allocate(BytesForBits(rows));
    auto validity = Buffer::Allocate(BytesForBits(rows));
    values_ = values->mutable_data();
    validity_ = validity->mutable_data();
    std::memset(validity_, 0xff, size_t(BytesForBits(rows)));
    data_->buffers = {std::move(validity), std::move(values)};
  }
  void Set(int64_t i, bool v) {
    if (v) SetBit(values_, i);
  }
  void SetNull(int64_t i) {
    ClearBit(validity_, i);
    ++nulls_;
  }
  Datum Finish() {
    data_->null_count = nulls_;
    if (nulls_ == 0) data_->buffers[0] = nullptr;
    return Datum::Own(std::move(data_));
  }

 private:
  std::shared_ptr<ArrayData> data_;
  uint8_t* values_;
  uint8_t* validity_;
  int64_t nulls_ = 0;
};

// A utf8 result column; rows are written in order (row i after row i-1).
// A row's bytes are appended to data() and ended by Commit(i), or given
// whole to Set(i, v).
class StrOut {
 public:
  explicit StrOut(int64_t rows) : rows_(rows) {
    offsets_ = Buffer::Allocate((rows + 1) * int64_t(sizeof(int32_t)));
    validity_ = Buffer::Allocate(BytesForBits(rows));
    off_ = reinterpret_cast<int32_t*>(offsets_->mutable_data());
    bits_ = validity_->mutable_data();
    std::memset(bits_, 0xff, size_t(BytesForBits(rows)));
    data_.reserve(size_t(rows) * 8);
  }
  std::string* data() { return &data_; }
  void Commit(int64_t i) { off_[i + 1] = int32_t(data_.size()); }
  void Set(int64_t i, std::string_view v) {
    data_.append(v);
    Commit(i);
  }
  void SetNull(int64_t i) {
    ClearBit(bits_, i);
    ++nulls_;
    Commit(i);
  }
  Result<Datum> Finish() {
    if (data_.size() > size_t(INT32_MAX)) {
      return Status::Overflow("a string result holds " + std::to_string(data_.size()) +
                              " bytes; at most 2^31-1 fit in one column");
    }
    auto data = std::make_shared<ArrayData>();
    data->type = DataType(TypeId::kUtf8);
    data->length = rows_;
    data->null_count = nulls_;
    data->buffers = {nulls_ ? std::move(validity_) : nullptr, std::move(offsets_),
                     Buffer::Copy(data_.data(), int64_t(data_.size()))};
    return Datum::Own(std::move(data));
  }

 private:
  int64_t rows_;
  std::shared_ptr<Buffer> offsets_, validity_;
  int32_t* off_;
  uint8_t* bits_;
  int64_t nulls_ = 0;
  std::string data_;
};

// True when every argument but args[skip] is a scalar (or there are none).
inline bool OthersScalar(const std::vector<Datum>& args, size_t skip) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (i != skip && !args[i].is_scalar) return false;
  }
  return true;
}

// Runs `k(i, s, &v) -> bool` (false: the row is NULL) for each row i whose
// string argument args[arg] is not NULL, and stores v in `out`. For string
// results (V = std::string, Out = StrOut) k appends to *v, which may already
// hold earlier rows' bytes. When that
// argument is a dictionary column and every other argument is a scalar, k
// runs once per dictionary entry (with i = 0) and rows map through indices.
// V is the value type.
template <typename V, typename Out, typename K>
void MapStrings(const std::vector<Datum>& args, size_t arg, int64_t rows, Out& out, K&& k) {
  const Datum& sarg = args[arg];
  StrIn in(sarg);
  if (in.is_dictionary() && OthersScalar(args, arg)) {
    const ArrayView& dict = *sarg.view.dictionary;
    // V = bool would make vector<bool>, whose elements have no address.
    using Slot = std::conditional_t<std::is_same_v<V, bool>, uint8_t, V>;
    std::vector<Slot> vals(size_t(dict.length));
    std::vector<uint8_t> ok(size_t(dict.length), 0);
    V v{};
    for (int64_t e = 0; e < dict.length; ++e) {
      if (!dict.IsValid(e)) continue;
      if constexpr (std::is_same_v<V, std::string>) v.clear();
      ok[size_t(e)] = k(int64_t(0), dict.StringValue(e), &v);
      vals[size_t(e)] = std::move(v);
    }
    for (int64_t i = 0; i < rows; ++i) {
      if (sarg.view.IsNull(i)) {
        out.SetNull(i);
        continue;
      }
      const size_t e = size_t(in.DictIndex(i));
      if (ok[e]) {
        if constexpr (std::is_same_v<V, bool>) {
          out.Set(i, vals[e] != 0);
        } else {
          out.Set(i, vals[e]);
        }
      } else {
        out.SetNull(i);
      }
    }
    return;
  }
  if constexpr (std::is_same_v<V, std::string>) {
    // String results are appended straight to the output's bytes, sized
    // for the input's bytes (most results are about as long).
    std::string* buf = out.data();
    if (!sarg.is_scalar && !in.is_dictionary() && sarg.view.offsets != nullptr && rows > 0) {
      const int32_t* o = sarg.view.offsets + sarg.view.offset;
      buf->reserve(buf->size() + size_t(o[rows] - o[0]) + 64);
    }
    for (int64_t i = 0; i < rows; ++i) {
      const size_t mark = buf->size();
      if (!in.IsNull(i) && k(i, in.Get(i), buf)) {
        out.Commit(i);
      } else {
        buf->resize(mark);
        out.SetNull(i);
      }
    }
    return;
  }
  V v{};
  for (int64_t i = 0; i < rows; ++i) {
    if (!in.IsNull(i) && k(i, in.Get(i), &v)) {
      out.Set(i, v);
    } else {
      out.SetNull(i);
    }
  }
}

// A BoundFunction made of a lambda over columns. When every argument is a
// scalar it runs on one row and returns a scalar.
using ExecFn = std::function<Result<Datum>(const std::vector<Datum>& args, int64_t rows)>;

class LambdaFunction final : public BoundFunction {
 public:
  LambdaFunction(DataType result, ExecFn fn)
      : BoundFunction(std::move(result)), fn_(std::move(fn)) {}
  Result<Datum> Exec(const std::vector<Datum>& args, int64_t rows) const override;

 private:
  ExecFn fn_;
};

inline BoundFunctionPtr MakeFunction(DataType result, ExecFn fn) {
  return std::make_shared<LambdaFunction>(std::move(result), std::move(fn));
}
// A function that is NULL in every row (e.g. a NULL constant unit).
BoundFunctionPtr AllNull(DataType result);

// Simple (one code point to one code point) case mapping of UTF-8 text:
// ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other characters and
// invalid bytes are copied unchanged. Appends to *out.
void AppendLower(std::string_view s, std::string* out);
void AppendUpper(std::string_view s, std::string* out);

// The string value of constant argument i, or an InvalidArgument naming the
// function when it is not a constant. *is_null is set for a NULL constant.
Result<std::string> ConstantString(std::string_view fn, std::string_view what,
                                   const std::vector<const Scalar*>& constants, size_t i,
                                   bool* is_null);

// Calendar helpers of the date functions (the calendar itself is
// columnar/civil_time.h).
constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kNanosPerDay = 86400 * kNanosPerSecond;
// Day of the week of a day number, Sunday = 0.
inline int64_t DayOfWeek(int64_t days) {
  const int64_t r = (days + 4) % 7;  // 1970-01-01 was a Thursday
  return r < 0 ? r + 7 : r;
}
// ISO-8601 week (1..53) of a day number; *iso_year gets its ISO year.
int64_t IsoWeek(int64_t days, int64_t* iso_year);

// Registered from RegisterString / RegisterDate.
void RegisterStringPad(FunctionRegistry& r);
void RegisterDateFormat(FunctionRegistry& r);

}  // namespace quiver::kernels::internal
