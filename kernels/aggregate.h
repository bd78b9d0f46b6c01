// Aggregates over a selection: count(*), count(col), sum, min, max, avg.
//
// AggState is the partial state of all of these over one column: each thread
// (or chunk) Updates its own state with the selected rows, the states are
// Merged, and Finalize produces the value of one aggregate. Sums of integers
// are exact (128-bit accumulator); Finalize reports a total outside the
// result type as Status::Overflow rather than wrapping. Floats sum in double
// (the order of additions differs between SIMD targets, so the last bits may
// differ). NaN is larger than every number (as in PostgreSQL): max is NaN if
// any selected value is, min only if all are.
//
// Result types: count → int64; sum of signed integers → int64, of unsigned →
// uint64, of floats → float64, of decimal128(p, s) → decimal128(38, s) (exact,
// DuckDB's rule; beyond 38 digits is Status::Overflow); avg → float64 (for
// decimals, the exact sum divided as DuckDB does); min/max → the column's type
// (dictionary<utf8> → utf8). Empty input: count 0, others NULL. decimal256
// has no aggregates beyond count.
//
// Thread-safety: an AggState is not synchronised; use one per thread and
// Merge them.
#pragma once

#include <memory>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "kernels/mask.h"
#include "kernels/scalar.h"

namespace quiver::kernels {

enum class AggKind : int { kCountStar = 0, kCount, kSum, kMin, kMax, kAvg };
// "count_star", "count", "sum", "min", "max", "avg".
const char* AggKindName(AggKind k);

// The type Finalize(kind) produces for an input column type; TypeError if the
// aggregate does not apply (sum of utf8, avg of a timestamp, ...).
Result<DataType> AggResultType(AggKind kind, const DataType& input);

class AggState {
 public:
  // What Update computes beyond the counts.
  enum Needs : unsigned { kCounts = 0, kSum = 1, kMinMax = 2, kAll = 3 };

  explicit AggState(DataType type, unsigned needs = kAll);

  // Folds in the rows of col where filter is TRUE (nullptr: every row).
  Status Update(const ArrayView& col, const Mask* filter = nullptr);
  // Folds in the listed rows.
  Status Update(const ArrayView& col, const SelectionVector& rows);
  // Folds in another partial state over the same column type.
  Status Merge(const AggState& other);
  Result<Scalar> Finalize(AggKind kind) const;

  const DataType& type() const { return type_; }
  int64_t rows() const { return rows_; }
  int64_t count() const { return count_; }

 private:
  template <typename T>
  void UpdateFixed(const ArrayView& col, const uint64_t* sel);
  void UpdateMinMaxScalar(const Scalar& v);
  void UpdateOther(const ArrayView& col, const uint64_t* sel);
  void UpdateDecimal(const ArrayView& col, const uint64_t* sel);

  DataType type_;
  unsigned needs_;
  int64_t rows_ = 0;
  int64_t count_ = 0;
  __int128 int_sum_ = 0;  // integers, and decimal128's scaled integers
  bool sum_overflow_ = false;  // a decimal128 sum left 128 bits
  double float_sum_ = 0;
  bool has_min_max_ = false;
  bool saw_nan_ = false;
  Scalar min_, max_;
};

// Builds a column of `type` from scalars (NULL or values of CastLiteral's
// result kind for that type). dictionary types are built as their value type.
Result<std::shared_ptr<ArrayData>> ScalarsToArray(const std::vector<Scalar>& values,
                                                  const DataType& type);
// The value of row i as a Scalar (NULL if the row is NULL); a dictionary
// column gives its string.
Scalar ValueAt(const ArrayView& col, int64_t i);
// Total order of two scalars of the same kind (NaN largest, NULL smallest):
// <0, 0, >0.
int CompareScalars(const Scalar& a, const Scalar& b);

}  // namespace quiver::kernels
