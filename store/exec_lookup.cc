// Point and range lookups by binary search: a WHERE of the form
// `column op literal` (op one of = < <= > >=) or `column BETWEEN a AND b`
// over an integer column whose chunk statistics say it is sorted (no nulls,
// never decreasing; ColumnStats::sorted) finds its rows in O(log n) instead
// of comparing every row of the morsel. Anything else is left to Eval.
#include <algorithm>
#include <limits>

#include "store/exec_internal.h"
#include "store/explain_internal.h"

namespace quiver::store::internal {

namespace {

using kernels::Mask;
using kernels::Scalar;
using query::BoundExpr;
using query::ExprKind;

// The integer value of a literal the lookup can compare exactly with an
// integer column, or nullopt.
std::optional<int64_t> IntLiteral(const BoundExpr& e) {
  if (e.kind != ExprKind::kLiteral) return std::nullopt;
  Scalar s = ToKernelScalar(e.literal);
  if (s.kind() == Scalar::Kind::kInt64 || s.kind() == Scalar::Kind::kDate32) {
    return s.int64_value();
  }
  return std::nullopt;
}

// Rows [lo, hi) of a sorted column within [min, max] (inclusive bounds).
template <typename T>
std::pair<int64_t, int64_t> Range(const ArrayView& v, int64_t min, int64_t max) {
  const T* p = v.data<T>();
  const T* end = p + v.length;
  const T* lo =
      min <= int64_t(std::numeric_limits<T>::min())
          ? p
          : std::lower_bound(p, end, T(std::min<int64_t>(min, std::numeric_limits<T>::max())));
  if (min > int64_t(std::numeric_limits<T>::max())) lo = end;
  const T* hi =
      max >= int64_t(std::numeric_limits<T>::max())
          ? end
          : std::upper_bound(p, end, T(std::max<int64_t>(max, std::numeric_limits<T>::min())));
  if (max < int64_t(std::numeric_limits<T>::min())) hi = p;
  return {lo - p, std::max(lo, hi) - p};
}

}  // namespace

namespace {

std::optional<Mask> SortedLookupUnprobed(const BoundExpr& where, const Morsel& c,
                                         const std::vector<ColumnStats>& stats) {
  if (where.args.empty() || where.args[0]->kind != ExprKind::kColumn) return std::nullopt;
  const size_t col = size_t(where.args[0]->column);
  if (col >= stats.size() || col >= c.views.size() || !stats[col].sorted) return std::nullopt;
  int64_t min = std::numeric_limits<int64_t>::min(), max = std::numeric_limits<int64_t>::max();
  if (where.kind == ExprKind::kCompare && where.args.size() == 2) {
    std::optional<int64_t> x = IntLiteral(*where.args[1]);
    if (!x) return std::nullopt;
    switch (where.op) {
      case query::CompareOp::kEq:
        min = max = *x;
        break;
      case query::CompareOp::kLt:
        if (*x == min) return Mask::AllFalse(c.rows());
        max = *x - 1;
        break;
      case query::CompareOp::kLe:
        max = *x;
        break;
      case query::CompareOp::kGt:
        if (*x == max) return Mask::AllFalse(c.rows());
        min = *x + 1;
        break;
      case query::CompareOp::kGe:
        min = *x;
        break;
      case query::CompareOp::kNe:
        return std::nullopt;
    }
  } else if (where.kind == ExprKind::kBetween && !where.negated && where.args.size() == 3) {
    std::optional<int64_t> a = IntLiteral(*where.args[1]), b = IntLiteral(*where.args[2]);
    if (!a || !b) return std::nullopt;
    min = *a;
    max = *b;
  } else {
    return std::nullopt;
  }
  const ArrayView& v = c.views[col];
  std::pair<int64_t, int64_t> r;
  if (v.type == nullptr || v.type->is_dictionary()) return std::nullopt;
  switch (v.type->id) {
    case TypeId::kInt8:
      r = Range<int8_t>(v, min, max);
      break;
    case TypeId::kInt16:
      r = Range<int16_t>(v, min, max);
      break;
    case TypeId::kInt32:
    case TypeId::kDate32:
      r = Range<int32_t>(v, min, max);
      break;
    case TypeId::kInt64:
      r = Range<int64_t>(v, min, max);
      break;
    default:
      return std::nullopt;  // timestamps: the literal's unit is the binder's business
  }
  Mask m = Mask::AllFalse(c.rows());
  for (int64_t i = r.first; i < r.second; ++i) m.is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
  return m;
}

}  // namespace

// EXPLAIN ANALYZE's probe counts the rows found (store/explain_internal.h).
std::optional<Mask> SortedLookup(const BoundExpr& where, const Morsel& c,
                                 const std::vector<ColumnStats>& stats) {
  ExplainCounter* probe = ExplainCounterFor(&where);
  if (probe == nullptr) return SortedLookupUnprobed(where, c, stats);
  const int64_t t0 = ExplainNowNanos();
  std::optional<Mask> m = SortedLookupUnprobed(where, c, stats);
  if (m) {
    probe->nanos += ExplainNowNanos() - t0;
    probe->rows += kernels::CountTrue(*m);
  }
  return m;
}

}  // namespace quiver::store::internal
