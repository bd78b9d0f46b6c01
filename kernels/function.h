// Scalar functions and operators over columns: the vectorised half of SQL
// expressions (`fare + tip`, `lower(borough)`, `date_trunc('month', ts)`,
// `CAST(x AS double)`, `coalesce(a, b)`).
//
// The query layer binds an expression tree once per query: for every call it
// asks BindFunction for the function's implementation for the argument types
// (and the values of the arguments that are constants, so that a regular
// expression or a date_trunc unit is compiled once per query, not per row).
// The BoundFunction it gets is then run over each morsel of rows by many
// workers at once.
//
// Values: a Datum is either a column of `rows` rows (an ArrayView, borrowed
// from the pool mapping or owned through `keep`) or one Scalar that stands for
// every row. A function returns a scalar only when every argument is a scalar.
// Dictionary-encoded utf8 arguments are accepted by every function that takes
// utf8; a unary string function on a dictionary column runs once per
// dictionary entry, not once per row.
//
// SQL semantics (DuckDB's where SQL engines differ; store/query.h says so to
// users):
//  - NULL in, NULL out, except where a function says otherwise (coalesce,
//    concat, IS DISTINCT FROM, AND/OR with Kleene logic).
//  - Integer arithmetic is done in int64 (uint64 when both sides are unsigned);
//    overflow is an Overflow error naming the operation, never a wrapped value.
//  - `/` is floating-point division (int / int -> float64, as in DuckDB);
//    `//` is integer division; division or modulo by zero gives NULL.
//
// Registered names are lower-case; lookups are case-insensitive. Operators
// are registered under their SQL spelling: "+", "-", "*", "/", "//", "%",
// "neg" (unary minus), "=", "<>", "<", "<=", ">", ">=", "is_distinct_from",
// "is_not_distinct_from", "and", "or", "not", "||", "cast" (the target type is
// given to BindCast instead).
//
// Thread-safety: the registry is built once and read-only afterwards; a
// BoundFunction is immutable and its Exec may run on many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "kernels/scalar.h"

namespace quiver::kernels {

// A function argument or result: a column or a constant.
struct Datum {
  DataType type;                     // the logical type (also of a scalar)
  bool is_scalar = false;
  Scalar scalar;                     // is_scalar: the value (may be NULL)
  ArrayView view;                    // !is_scalar: the rows; view.type == &type
                                     // is not required, use `type`
  std::shared_ptr<const void> keep;  // keeps view's memory alive (null: borrowed)

  static Datum Of(Scalar s, DataType t);
  // A borrowed column: valid while the memory `v` points into is.
  static Datum Borrow(const ArrayView& v);
  // An owned column (dictionary views wired up inside).
  static Datum Own(std::shared_ptr<ArrayData> data);
};

// `d` as a column of `rows` rows that owns or shares its memory (a scalar is
// repeated, a borrowed view is copied).
Result<std::shared_ptr<ArrayData>> ToArray(const Datum& d, int64_t rows);

class BoundFunction {
 public:
  virtual ~BoundFunction() = default;
  const DataType& result_type() const { return result_type_; }
  // Evaluates the function on `rows` rows. args.size() and their types are
  // those given to BindFunction.
  virtual Result<Datum> Exec(const std::vector<Datum>& args, int64_t rows) const = 0;

 protected:
  explicit BoundFunction(DataType result) : result_type_(std::move(result)) {}

 private:
  DataType result_type_;
};
using BoundFunctionPtr = std::shared_ptr<const BoundFunction>;

// The implementation of `name` for arguments of `types`. constants[i] is the
// value of argument i when it is a constant, else nullptr (same size as
// types). Errors: NotFound "unknown function 'fo'" (with the closest names),
// TypeError listing the signatures: "no function matches round(utf8);
// candidates: round(numeric), round(numeric, int)", InvalidArgument for a bad
// constant ("date_trunc: unknown unit 'mnth'").
Result<BoundFunctionPtr> BindFunction(std::string_view name, const std::vector<DataType>& types,
                                      const std::vector<const Scalar*>& constants);

// CAST(x AS target), with SQL's rules: numbers to numbers (range-checked, a
// float to an integer rounds half away from zero), strings parsed (an
// unparsable string is an InvalidArgument naming the value), anything to utf8,
// dates <-> timestamps. TryCast (DuckDB's TRY_CAST) gives NULL instead of an
// error.
Result<BoundFunctionPtr> BindCast(const DataType& from, const DataType& to, bool try_cast = false);

// Every registered name (for error messages and the docs).
std::vector<std::string> FunctionNames();

}  // namespace quiver::kernels
