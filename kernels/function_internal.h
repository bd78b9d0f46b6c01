// The function registry behind kernels/function.h, shared by the files that
// define functions. Not an API for other layers.
//
// Files (each registers its functions from one Register* function):
//   function.cc        Datum, ToArray, the registry, BindFunction, BindCast
//   fn_arith.cc        + - * / // % neg, || (concat operator)
//   fn_logic.cc        comparisons as values, and/or/not, is_distinct_from,
//                      in_list, case_when
//   fn_math.cc         abs round floor ceil trunc sqrt power exp ln log10 log
//                      mod sign greatest least coalesce nullif
//   fn_cast.cc         cast / try_cast
//   fn_decimal.cc      decimal arithmetic and math (with fn_decimal_cast.cc:
//                      casts to and from decimal128; fn_decimal_internal.h)
//   fn_string.cc       length lower upper substring position concat trim ...
//   fn_regex.cc        regexp_matches regexp_replace regexp_extract (RE2), like
//   fn_date.cc         date_trunc extract/date_part date_diff strftime
//                      make_date add_interval current_date now
//   fn_nested.cc       struct_extract list_extract array_length (nested columns)
//
// Thread-safety: the registry is filled once (on first use, under a
// std::call_once) and read-only afterwards. The helpers below are pure
// functions or single-threaded builders.
//
// The helpers (implemented in function_internal.cc) are the common toolkit of
// every fn_*.cc: MakeBound (a BoundFunction from a lambda, with scalar-only
// calls handled once for all), CommonType (the one place for supertype
// rules), validity AND, output builders, broadcast accessors and
// MapDictionary (a function run once per dictionary entry).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "columnar/array.h"
#include "kernels/compare_op.h"
#include "kernels/function.h"

namespace quiver::kernels::internal {

// Binds one function for argument types. Returns nullptr (and no error) when
// the types match none of its signatures, so that the registry reports the
// signatures; returns an error for a bad constant argument.
using BindFn = std::function<Result<BoundFunctionPtr>(const std::vector<DataType>& types,
                                                      const std::vector<const Scalar*>& constants)>;

struct FunctionDef {
  std::string name;        // lower-case
  std::string signatures;  // for errors: "round(numeric), round(numeric, int)"
  BindFn bind;
};

class FunctionRegistry {
 public:
  // Adds a function; a second definition of a name is a programmer error.
  void Add(FunctionDef def);
  // Another name for an existing function (substr -> substring).
  void Alias(std::string alias, std::string_view name);
  const FunctionDef* Find(std::string_view lower_name) const;
  std::vector<std::string> Names() const;

 private:
  std::unordered_map<std::string, FunctionDef> defs_;
  std::unordered_map<std::string, std::string> aliases_;
};

// ---- Binding --------------------------------------------------------------

// Evaluates a bound function on `rows` rows (see BoundFunction::Exec).
using ExecFn = std::function<Result<Datum>(const std::vector<Datum>& args, int64_t rows)>;

// A BoundFunction of result type `result` that runs `exec`. When every
// argument is a scalar (and there is at least one), `exec` is called on
// one-row columns and its one row is returned as a scalar, so an ExecFn may
// assume that at least one argument is a column (or that there are none).
BoundFunctionPtr MakeBound(DataType result, ExecFn exec);

// ---- Types ---------------------------------------------------------------

// The type two values convert to when they meet (CASE branches, COALESCE,
// GREATEST, IN lists, comparisons of non-numeric types). The one place for
// supertype rules:
//   - dictionary encoding is dropped (dictionary<int32, utf8> -> utf8);
//   - kNull (an untyped NULL) yields the other type;
//   - equal types yield themselves;
//   - integers: both signed -> the wider signed; both unsigned -> the wider
//     unsigned; mixed -> the smallest signed type holding both, int64 at most
//     (a uint64 value above INT64_MAX is then an Overflow error when cast;
//     DuckDB would use int128, which Quiver does not have);
//   - an integer and a float, or float32 and float64 -> float64
//     (float32 with float32 stays float32);
//   - date32 and timestamp -> the timestamp; two timestamps -> the finer
//     unit (time zone kept when equal, else none);
//   - utf8 with utf8, bool with bool, binary with binary.
// Anything else: TypeError "no common type for int64 and utf8".
Result<DataType> CommonType(const DataType& a, const DataType& b);
// CommonType folded over types[begin], types[begin + step], ... (up to end).
Result<DataType> CommonTypeOf(const std::vector<DataType>& types, size_t begin, size_t step,
                              size_t end);

// The type integer arithmetic is done in: uint64 when both are unsigned
// integers, else int64. Floats (and one float) -> float64.
DataType ArithmeticType(const DataType& a, const DataType& b);

// ---- Inputs --------------------------------------------------------------

// A NULL scalar (a column of NULLs, whatever `rows` is).
inline bool IsNullScalar(const Datum& d) { return d.is_scalar && d.scalar.is_null(); }
// Row i of a utf8/binary column, through the dictionary when encoded.
std::string_view StringAt(const ArrayView& v, int64_t i);

// Numeric (or date32/timestamp/bool) values of a Datum as C (int64_t,
// uint64_t or double), broadcast: operator[] gives row i of a column or the
// scalar for every row. A column already of C's type is read in place (no
// copy); otherwise it is converted once into `storage_`. NULL rows hold an
// unspecified value (use the validity). Conversion to int64 of a uint64 value
// above INT64_MAX, or to uint64 of a negative value, fails with Overflow
// naming the value and the type.
template <typename C>
class NumericInput {
 public:
  Status Load(const Datum& d, int64_t rows);
  bool is_scalar() const { return values_ == nullptr; }
  C scalar() const { return scalar_; }
  const C* values() const { return values_; }  // null for a scalar
  C operator[](int64_t i) const { return values_ ? values_[i] : scalar_; }

 private:
  C scalar_{};
  const C* values_ = nullptr;
  std::vector<C> storage_;
};
extern template class NumericInput<int64_t>;
extern template class NumericInput<uint64_t>;
extern template class NumericInput<double>;

// Strings of a utf8/binary/dictionary Datum, broadcast. Valid while `d` is.
class StringInput {
 public:
  explicit StringInput(const Datum& d);
  bool IsNull(int64_t i) const { return scalar_ ? null_ : view_->IsNull(i); }
  std::string_view operator[](int64_t i) const { return scalar_ ? s_ : StringAt(*view_, i); }

 private:
  bool scalar_;
  bool null_ = false;
  std::string_view s_;
  const ArrayView* view_ = nullptr;
};

// Bool values of a bool Datum, broadcast; IsNull as for StringInput.
class BoolInput {
 public:
  explicit BoolInput(const Datum& d);
  bool IsNull(int64_t i) const { return scalar_ ? null_ : view_->IsNull(i); }
  bool operator[](int64_t i) const { return scalar_ ? value_ : view_->BoolValue(i); }
  bool is_scalar() const { return scalar_; }

 private:
  bool scalar_;
  bool null_ = false;
  bool value_ = false;
  const ArrayView* view_ = nullptr;
};

// ---- Validity and outputs --------------------------------------------------

// The AND of the validity of `args` over `rows` rows, as a bitmap from bit 0
// (64-byte padded, so it may be written as uint64 words). nullptr when every
// row is valid. *null_count gets the NULL rows. A NULL scalar makes every row
// NULL.
std::shared_ptr<Buffer> AndValidity(const std::vector<const Datum*>& args, int64_t rows,
                                    int64_t* null_count);
// A bitmap of `rows` bits, all valid, to clear bits in; 64-byte padded.
std::shared_ptr<Buffer> AllValidBitmap(int64_t rows);
// Number of zero bits in the first `rows` bits of a bitmap from bit 0.
int64_t CountNulls(const uint8_t* bits, int64_t rows);

// A column of `rows` rows of `type` from its buffers (buffers[0] is the
// validity, may be null). null_count is computed from the validity.
std::shared_ptr<ArrayData> MakeColumn(DataType type, int64_t rows,
                                      std::vector<std::shared_ptr<Buffer>> buffers);
// A column of `rows` NULLs of `type` (non-dictionary).
std::shared_ptr<ArrayData> NullColumn(const DataType& type, int64_t rows);
// Fixed-width values buffer of `rows` elements of T.
template <typename T>
std::shared_ptr<Buffer> AllocateValues(int64_t rows) {
  return Buffer::Allocate(rows * int64_t(sizeof(T)));
}
template <typename T>
T* MutableValues(const std::shared_ptr<Buffer>& b) {
  return reinterpret_cast<T*>(b->mutable_data());
}

// Builds a utf8 (or binary) column row by row. Single-threaded.
class StringOutput {
 public:
  explicit StringOutput(int64_t rows);
  void Append(std::string_view s);
  void AppendNull();
  // Fails with ResourceExhausted past 2 GiB of string data.
  Result<std::shared_ptr<ArrayData>> Finish(DataType type = DataType(TypeId::kUtf8));

 private:
  int64_t rows_ = 0;
  std::shared_ptr<Buffer> validity_;
  std::shared_ptr<Buffer> offsets_;
  std::string data_;
  int64_t nulls_ = 0;
};

// ---- Shared kernels --------------------------------------------------------

// The output validity of a cast (fn_cast.cc, fn_decimal_cast.cc): the
// input's, with failed rows cleared under TRY_CAST. Fail() returns the error
// under CAST.
class RowStatus {
 public:
  RowStatus(const Datum& src, int64_t rows, bool try_cast) : try_(try_cast), rows_(rows) {
    int64_t nulls = 0;
    validity_ = AndValidity({&src}, rows, &nulls);
  }
  bool IsValid(int64_t i) const { return validity_ == nullptr || GetBit(validity_->data(), i); }
  Status Fail(int64_t i, Status error) {
    if (!try_) return error;
    if (validity_ == nullptr) validity_ = AllValidBitmap(rows_);
    ClearBit(validity_->mutable_data(), i);
    return Status::OK();
  }
  std::shared_ptr<Buffer> validity() const { return validity_; }

 private:
  bool try_;
  int64_t rows_;
  std::shared_ptr<Buffer> validity_;
};

// `d` converted to `to` with CAST's rules (fn_cast.cc): a scalar stays a
// scalar, a column of `rows` rows becomes a column. `d` is returned as is
// when its value type already is `to` (a dictionary column stays encoded:
// StringInput and ChooseRows read it). Errors as CAST (Overflow,
// InvalidArgument), or TypeError when no cast exists.
Result<Datum> CastDatum(const Datum& d, const DataType& to, int64_t rows);

// Row i of the result is row i of sources[pick[i]] (pick[i] < 0: NULL).
// Every source has type `type` (not dictionary-encoded unless `type` is utf8
// and the source is a dictionary column: strings are read through it); a
// scalar source stands for every row. The result is a column of `type`.
Result<Datum> ChooseRows(const DataType& type, const std::vector<Datum>& sources,
                         const std::vector<int32_t>& pick, int64_t rows);

// True when `a` and `b` can be compared by CompareBits (numbers with numbers,
// strings with strings, dates/timestamps with each other, bools).
bool Comparable(const DataType& a, const DataType& b);
// a op b for every row as bits from bit 0 (ceil(rows / 64) words), ignoring
// NULLs (a NULL row's bit is unspecified; combine with the validity).
// Numbers of mixed types compare exactly, NaN equals NaN and is larger than
// every other number (DuckDB's order), -0.0 equals 0.0; strings bytewise;
// date32 and timestamps by instant. At least one side may be a scalar.
Result<std::vector<uint64_t>> CompareBits(CompareOp op, const Datum& a, const Datum& b,
                                          int64_t rows);

// ---- Dictionaries ----------------------------------------------------------

// Runs `fn` once over the dictionary values of the dictionary-encoded column
// `d` (a plain utf8 column Datum of the dictionary's length) and maps its
// result through the indices: the result has d's rows, NULL where d is NULL
// or fn's result is NULL. Use it for any unary function of a string.
Result<Datum> MapDictionary(const Datum& d, const std::function<Result<Datum>(const Datum&)>& fn);

// ---- Registration ----------------------------------------------------------

void RegisterArithmetic(FunctionRegistry& r);
// Decimal arithmetic and math (fn_decimal.cc), which the binders of
// fn_arith.cc and fn_math.cc ask first when an argument is decimal128: `op`
// is "+", "-", "*", "%" or "neg"; `name` is abs, sign, round, floor, ceil
// or trunc. nullptr when no decimal signature matches.
Result<BoundFunctionPtr> BindDecimalArithmetic(std::string_view op,
                                               const std::vector<DataType>& types,
                                               const std::vector<const Scalar*>& constants);
Result<BoundFunctionPtr> BindDecimalMath(std::string_view name, const std::vector<DataType>& types,
                                         const std::vector<const Scalar*>& constants);
// BindCast's implementation (fn_cast.cc).
Result<BoundFunctionPtr> BindCastImpl(const DataType& from, const DataType& to, bool try_cast);
void RegisterLogic(FunctionRegistry& r);
void RegisterMath(FunctionRegistry& r);
void RegisterCast(FunctionRegistry& r);
void RegisterString(FunctionRegistry& r);
void RegisterRegex(FunctionRegistry& r);
void RegisterDate(FunctionRegistry& r);
void RegisterNested(FunctionRegistry& r);  // fn_nested.cc
void RegisterSortKeys(FunctionRegistry& r);  // fn_sort_key.cc

}  // namespace quiver::kernels::internal
