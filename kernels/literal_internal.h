// Exact literal values in a column's units, behind CastLiteral and the
// comparison kernels' SQL semantics.
#pragma once

#include "columnar/types.h"
#include "kernels/scalar.h"

namespace quiver::kernels::internal {

// A literal as a real number in a numeric or temporal column's units (the
// value for numbers, days for date32, the column's unit for timestamps).
// `lo` and `hi` are floor and ceil of that number (equal when it is an
// integer); for float columns they are the value itself. long double holds
// every int64, uint64 and double exactly on x86-64.
struct ExactLiteral {
  bool is_null = false;
  bool is_nan = false;
  long double lo = 0;
  long double hi = 0;
  bool exact() const { return lo == hi; }
};

// Fails with TypeError when the literal's kind cannot be compared with a
// column of `type` (numeric, date32 or timestamp).
Result<ExactLiteral> ToExact(const Scalar& lit, const DataType& type);

// "cannot compare <type> column with <kind> literal <value>".
Status LiteralMismatch(const DataType& type, const Scalar& lit);

}  // namespace quiver::kernels::internal
