// Row-at-a-time reference implementations of the kernels.
//
// Deliberately naive (one row at a time, no bitmaps, no SIMD, no dispatch),
// so the tests can check every target's kernels against them and the
// benchmarks can report speed-ups over them. Not for production paths.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "kernels/compare_op.h"
#include "kernels/mask.h"
#include "kernels/scalar.h"

namespace quiver::kernels::reference {

// One SQL truth value per row.
enum Tri : int8_t { kFalse = 0, kTrue = 1, kUnknown = -1 };
using Tris = std::vector<Tri>;

Tris FromMask(const Mask& m);
Tris And(const Tris& a, const Tris& b);
Tris Or(const Tris& a, const Tris& b);
Tris Not(const Tris& a);

Result<Tris> Compare(const ArrayView& col, CompareOp op, const Scalar& lit);
Result<Tris> Between(const ArrayView& col, const Scalar& lo, const Scalar& hi);
Result<Tris> In(const ArrayView& col, const std::vector<Scalar>& values);
Tris IsNull(const ArrayView& col);
Result<Tris> StartsWith(const ArrayView& col, std::string_view prefix);
Result<Tris> Contains(const ArrayView& col, std::string_view needle);
Result<Tris> Like(const ArrayView& col, std::string_view pattern, char escape = '\\');
// A recursive LIKE matcher (independent of LikeMatch).
bool LikeMatch(std::string_view s, std::string_view p, char escape = '\\');

// Exact sums: integers in 128 bits, floats in long double.
struct Sums {
  int64_t rows = 0;
  int64_t count = 0;
  __int128 int_sum = 0;
  long double float_sum = 0;
};
Sums Sum(const ArrayView& col, const std::vector<int32_t>& rows);
// Count of non-NULL selected values; sum in the column's integer domain.
int64_t CountTrue(const Tris& t);

}  // namespace quiver::kernels::reference
