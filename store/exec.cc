// The query executor (see exec.h for the plan).
#include "store/exec.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "columnar/builder.h"
#include "kernels/kernels.h"
#include "store/exec_internal.h"

namespace quiver::store {

using kernels::Mask;
using kernels::Scalar;
using query::BoundExpr;
using query::BoundQuery;
using query::ExprKind;

namespace internal {

// ---------------------------------------------------------------------------
// Literals and row-at-a-time comparison (the general case: column against
// column, literal against literal).
// ---------------------------------------------------------------------------

Scalar ToKernelScalar(const query::TypedScalar& t) {
  const query::Value& v = t.value;
  if (std::holds_alternative<std::monostate>(v)) return Scalar::Null();
  if (const bool* b = std::get_if<bool>(&v)) return Scalar::Bool(*b);
  if (const int64_t* i = std::get_if<int64_t>(&v)) {
    if (t.type.id == TypeId::kDate32) return Scalar::Date32(int32_t(*i));
    if (t.type.id == TypeId::kTimestamp) return Scalar::Timestamp(*i, t.type.unit);
    return Scalar::Int64(*i);
  }
  if (const uint64_t* u = std::get_if<uint64_t>(&v)) return Scalar::UInt64(*u);
  if (const double* d = std::get_if<double>(&v)) return Scalar::Double(*d);
  return Scalar::String(std::get<std::string>(v));
}

namespace {

bool IsNumberKind(Scalar::Kind k) {
  return k == Scalar::Kind::kInt64 || k == Scalar::Kind::kUInt64 || k == Scalar::Kind::kDouble ||
         k == Scalar::Kind::kBool || k == Scalar::Kind::kDate32 || k == Scalar::Kind::kTimestamp;
}

long double AsLongDouble(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::kUInt64: return static_cast<long double>(s.uint64_value());
    case Scalar::Kind::kDouble: return static_cast<long double>(s.double_value());
    case Scalar::Kind::kBool: return s.bool_value() ? 1 : 0;
    default: return static_cast<long double>(s.int64_value());
  }
}

}  // namespace

// a op b in SQL: nullopt when either is NULL.
std::optional<bool> CompareValues(const Scalar& a, kernels::CompareOp op, const Scalar& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  int c = 0;
  if (a.kind() == Scalar::Kind::kString || b.kind() == Scalar::Kind::kString) {
    if (a.kind() != b.kind()) return std::nullopt;  // Bind rejects this
    c = a.string_value().compare(b.string_value());
  } else if (IsNumberKind(a.kind()) && IsNumberKind(b.kind())) {
    const bool nan = (a.kind() == Scalar::Kind::kDouble && std::isnan(a.double_value())) ||
                     (b.kind() == Scalar::Kind::kDouble && std::isnan(b.double_value()));
    if (nan) return op == kernels::CompareOp::kNe;
    const long double x = AsLongDouble(a), y = AsLongDouble(b);
    c = x < y ? -1 : (x > y ? 1 : 0);
  } else {
    return std::nullopt;
  }
  switch (op) {
    case kernels::CompareOp::kEq: return c == 0;
    case kernels::CompareOp::kNe: return c != 0;
    case kernels::CompareOp::kLt: return c < 0;
    case kernels::CompareOp::kLe: return c <= 0;
    case kernels::CompareOp::kGt: return c > 0;
    case kernels::CompareOp::kGe: return c >= 0;
  }
  return std::nullopt;
}

}  // namespace internal

namespace {

using internal::CompareValues;
using internal::ToKernelScalar;

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

kernels::CompareOp ToKernelOp(query::CompareOp op) {
  return static_cast<kernels::CompareOp>(static_cast<int>(op));
}

// Kleene three-valued truth.
enum class Tri { kFalse, kTrue, kNull };

Tri FromOptional(std::optional<bool> b) {
  if (!b) return Tri::kNull;
  return *b ? Tri::kTrue : Tri::kFalse;
}

Mask ConstMask(Tri t, int64_t n) {
  switch (t) {
    case Tri::kTrue: return Mask::AllTrue(n);
    case Tri::kFalse: return Mask::AllFalse(n);
    case Tri::kNull: return Mask::AllNull(n);
  }
  return Mask::AllNull(n);
}

Tri TriNot(Tri t) {
  if (t == Tri::kNull) return t;
  return t == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
}

// ---------------------------------------------------------------------------
// Constant folding: a condition whose operands are all literals.
// ---------------------------------------------------------------------------

bool IsConstant(const BoundExpr& e) {
  if (e.kind == ExprKind::kColumn) return false;
  for (const auto& a : e.args) {
    if (!IsConstant(*a)) return false;
  }
  return true;
}

Tri EvalConst(const BoundExpr& e) {
  auto lit = [](const query::BoundExprPtr& p) { return ToKernelScalar(p->literal); };
  switch (e.kind) {
    case ExprKind::kColumn: return Tri::kNull;  // not constant; never called
    case ExprKind::kLiteral: {
      Scalar s = ToKernelScalar(e.literal);
      if (s.is_null()) return Tri::kNull;
      return s.bool_value() ? Tri::kTrue : Tri::kFalse;
    }
    case ExprKind::kCompare:
      return FromOptional(CompareValues(lit(e.args[0]), ToKernelOp(e.op), lit(e.args[1])));
    case ExprKind::kBetween: {
      Tri lo = FromOptional(CompareValues(lit(e.args[0]), kernels::CompareOp::kGe, lit(e.args[1])));
      Tri hi = FromOptional(CompareValues(lit(e.args[0]), kernels::CompareOp::kLe, lit(e.args[2])));
      Tri r = (lo == Tri::kFalse || hi == Tri::kFalse)
                  ? Tri::kFalse
                  : (lo == Tri::kNull || hi == Tri::kNull ? Tri::kNull : Tri::kTrue);
      return e.negated ? TriNot(r) : r;
    }
    case ExprKind::kIn: {
      Tri r = Tri::kFalse;
      for (size_t i = 1; i < e.args.size(); ++i) {
        Tri t = FromOptional(CompareValues(lit(e.args[0]), kernels::CompareOp::kEq, lit(e.args[i])));
        if (t == Tri::kTrue) {
          r = Tri::kTrue;
          break;
        }
        if (t == Tri::kNull) r = Tri::kNull;
      }
      return e.negated ? TriNot(r) : r;
    }
    case ExprKind::kIsNull: {
      bool null = lit(e.args[0]).is_null();
      return (null != e.negated) ? Tri::kTrue : Tri::kFalse;
    }
    case ExprKind::kLike: {
      Scalar s = lit(e.args[0]), p = lit(e.args[1]);
      if (s.is_null() || p.is_null()) return Tri::kNull;
      bool m = query::LikeMatch(s.string_value(), p.string_value());
      return (m != e.negated) ? Tri::kTrue : Tri::kFalse;
    }
    case ExprKind::kAnd: {
      Tri r = Tri::kTrue;
      for (const auto& a : e.args) {
        Tri t = EvalConst(*a);
        if (t == Tri::kFalse) return Tri::kFalse;
        if (t == Tri::kNull) r = Tri::kNull;
      }
      return r;
    }
    case ExprKind::kOr: {
      Tri r = Tri::kFalse;
      for (const auto& a : e.args) {
        Tri t = EvalConst(*a);
        if (t == Tri::kTrue) return Tri::kTrue;
        if (t == Tri::kNull) r = Tri::kNull;
      }
      return r;
    }
    case ExprKind::kNot: return TriNot(EvalConst(*e.args[0]));
  }
  return Tri::kNull;
}

// ---------------------------------------------------------------------------
// Pruning with chunk statistics. MayBeTrue answers "can the condition be TRUE
// for some row of a chunk with these statistics?"; false only when certain.
// ---------------------------------------------------------------------------

struct Bound {
  bool has = false;
  bool is_bytes = false;
  long double num = 0;
  std::string bytes;
};

// The literal as a comparable bound, or !has for NULL.
Bound LiteralBound(const query::TypedScalar& t) {
  Bound b;
  const query::Value& v = t.value;
  if (std::holds_alternative<std::monostate>(v)) return b;
  b.has = true;
  if (const bool* x = std::get_if<bool>(&v)) b.num = *x ? 1 : 0;
  else if (const int64_t* i = std::get_if<int64_t>(&v)) b.num = static_cast<long double>(*i);
  else if (const uint64_t* u = std::get_if<uint64_t>(&v)) b.num = static_cast<long double>(*u);
  else if (const double* d = std::get_if<double>(&v)) {
    if (std::isnan(*d)) b.has = false;  // NaN literal: do not reason about it
    b.num = static_cast<long double>(*d);
  } else {
    b.is_bytes = true;
    b.bytes = std::get<std::string>(v);
  }
  return b;
}

struct StatRange {
  bool usable = false;  // min and max known and of a comparable kind
  bool is_bytes = false;
  bool has_max = false;
  long double min_num = 0, max_num = 0;
  std::string min_bytes, max_bytes;
  bool has_nan = false;
};

StatRange RangeOf(const ColumnStats& s) {
  StatRange r;
  r.has_nan = s.has_nan;
  if (!s.has_min) return r;
  switch (s.kind) {
    case ColumnStats::Kind::kInt:
      r.min_num = static_cast<long double>(s.min_int);
      r.max_num = static_cast<long double>(s.max_int);
      r.has_max = s.has_max;
      break;
    case ColumnStats::Kind::kUInt:
      r.min_num = static_cast<long double>(s.min_uint);
      r.max_num = static_cast<long double>(s.max_uint);
      r.has_max = s.has_max;
      break;
    case ColumnStats::Kind::kDouble:
      r.min_num = static_cast<long double>(s.min_double);
      r.max_num = static_cast<long double>(s.max_double);
      r.has_max = s.has_max;
      break;
    case ColumnStats::Kind::kBytes:
      r.is_bytes = true;
      r.min_bytes = s.min_bytes;
      r.max_bytes = s.max_bytes;
      r.has_max = s.has_max;
      break;
  }
  r.usable = true;
  return r;
}

// <0, 0, >0 for a literal against a statistics bound of the same kind.
int Cmp(const Bound& b, const StatRange& r, bool against_max) {
  if (b.is_bytes) {
    const std::string& x = against_max ? r.max_bytes : r.min_bytes;
    int c = b.bytes.compare(x);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  long double x = against_max ? r.max_num : r.min_num;
  return b.num < x ? -1 : (b.num > x ? 1 : 0);
}

class Pruner {
 public:
  Pruner(const std::vector<ColumnStats>& stats, int64_t rows) : stats_(stats), rows_(rows) {}

  bool MayBeTrue(const BoundExpr& e) const {
    switch (e.kind) {
      case ExprKind::kAnd:
        for (const auto& a : e.args) {
          if (!MayBeTrue(*a)) return false;
        }
        return true;
      case ExprKind::kOr:
        for (const auto& a : e.args) {
          if (MayBeTrue(*a)) return true;
        }
        return false;
      case ExprKind::kIsNull: {
        const BoundExpr& x = *e.args[0];
        if (x.kind != ExprKind::kColumn || x.type.is_dictionary()) return true;
        const ColumnStats* s = Stats(x.column);
        if (s == nullptr) return true;
        return e.negated ? s->null_count < rows_ : s->null_count > 0;
      }
      case ExprKind::kCompare: return MayCompare(e);
      case ExprKind::kBetween: {
        if (e.negated) return true;
        StatRange r;
        if (!ColumnRange(*e.args[0], &r)) return true;
        if (!AllNonNullLiterals(e, 1)) return true;
        if (AnyNullLiteral(e, 1)) return false;  // x BETWEEN NULL AND .. is never TRUE
        if (!r.usable) return NoValues(*e.args[0]) ? false : true;
        Bound lo = LiteralBound(e.args[1]->literal), hi = LiteralBound(e.args[2]->literal);
        if (!lo.has || !hi.has || lo.is_bytes != r.is_bytes || hi.is_bytes != r.is_bytes) return true;
        if (r.has_max && Cmp(lo, r, true) > 0) return false;  // lo > max
        if (Cmp(hi, r, false) < 0) return false;              // hi < min
        return true;
      }
      case ExprKind::kIn: {
        if (e.negated) return true;
        StatRange r;
        if (!ColumnRange(*e.args[0], &r)) return true;
        if (!AllNonNullLiterals(e, 1)) return true;
        if (!r.usable) return NoValues(*e.args[0]) ? false : true;
        for (size_t i = 1; i < e.args.size(); ++i) {
          Bound b = LiteralBound(e.args[i]->literal);
          if (!b.has) continue;  // NULL in the list never makes a row TRUE
          if (b.is_bytes != r.is_bytes) return true;
          if (Cmp(b, r, false) >= 0 && (!r.has_max || Cmp(b, r, true) <= 0)) return true;
        }
        return false;
      }
      case ExprKind::kLike: {
        if (e.negated) return true;
        StatRange r;
        if (!ColumnRange(*e.args[0], &r) || !r.usable || !r.is_bytes || !r.has_max) return true;
        const query::Value& p = e.args[1]->literal.value;
        if (!std::holds_alternative<std::string>(p)) return true;
        const std::string& pat = std::get<std::string>(p);
        std::string prefix = pat.substr(0, pat.find_first_of("%_"));
        if (prefix.empty()) return true;
        // Every match starts with `prefix`, so it is >= prefix.
        return !(r.max_bytes.compare(prefix) < 0);
      }
      case ExprKind::kColumn:
      case ExprKind::kLiteral:
      case ExprKind::kNot:
        return true;
    }
    return true;
  }

 private:
  const ColumnStats* Stats(int column) const {
    if (column < 0 || size_t(column) >= stats_.size()) return nullptr;
    return &stats_[size_t(column)];
  }
  // True when x is a column with statistics (filled into *r).
  bool ColumnRange(const BoundExpr& x, StatRange* r) const {
    if (x.kind != ExprKind::kColumn) return false;
    const ColumnStats* s = Stats(x.column);
    if (s == nullptr || s->row_count != rows_) return false;
    *r = RangeOf(*s);
    return true;
  }
  // The column holds no non-null, non-NaN value at all.
  bool NoValues(const BoundExpr& x) const {
    const ColumnStats* s = Stats(x.column);
    return s != nullptr && !s->has_min && !s->has_nan && !x.type.is_dictionary();
  }
  static bool AllNonNullLiterals(const BoundExpr& e, size_t from) {
    for (size_t i = from; i < e.args.size(); ++i) {
      if (e.args[i]->kind != ExprKind::kLiteral) return false;
    }
    return true;
  }
  static bool AnyNullLiteral(const BoundExpr& e, size_t from) {
    for (size_t i = from; i < e.args.size(); ++i) {
      if (e.args[i]->literal.is_null()) return true;
    }
    return false;
  }
  bool MayCompare(const BoundExpr& e) const {
    const BoundExpr* col = e.args[0].get();
    const BoundExpr* lit = e.args[1].get();
    query::CompareOp op = e.op;
    if (col->kind != ExprKind::kColumn) {
      std::swap(col, lit);
      op = static_cast<query::CompareOp>(kernels::FlipCompareOp(ToKernelOp(op)));
    }
    if (col->kind != ExprKind::kColumn || lit->kind != ExprKind::kLiteral) return true;
    if (lit->literal.is_null()) return false;  // comparison with NULL is never TRUE
    StatRange r;
    if (!ColumnRange(*col, &r)) return true;
    if (!r.usable) {
      // No ordinary value: only NaN != x can be TRUE.
      if (NoValues(*col)) return false;
      return true;
    }
    Bound b = LiteralBound(lit->literal);
    if (!b.has || b.is_bytes != r.is_bytes) return true;
    const bool nan_true = r.has_nan && op == query::CompareOp::kNe;
    const int vs_min = Cmp(b, r, false);                // lit vs min
    const int vs_max = r.has_max ? Cmp(b, r, true) : -1;  // lit vs max (unbounded: lit < max)
    bool may = true;
    switch (op) {
      case query::CompareOp::kEq: may = vs_min >= 0 && vs_max <= 0; break;
      case query::CompareOp::kNe: {
        const ColumnStats* s = Stats(col->column);
        may = !(s->min_exact && s->max_exact && r.has_max && vs_min == 0 && vs_max == 0);
        break;
      }
      case query::CompareOp::kLt: may = vs_min > 0; break;   // some v < lit needs min < lit
      case query::CompareOp::kLe: may = vs_min >= 0; break;
      case query::CompareOp::kGt: may = vs_max < 0; break;   // needs max > lit
      case query::CompareOp::kGe: may = vs_max <= 0; break;
    }
    return may || nan_true;
  }

  const std::vector<ColumnStats>& stats_;
  int64_t rows_;
};

// ---------------------------------------------------------------------------
// Evaluating a condition over one chunk.
// ---------------------------------------------------------------------------

// The columns of one chunk as kernel views (dictionary views wired up).
struct ChunkColumns {
  RecordBatch batch;
  ColumnViews columns;
  std::vector<ArrayView> views;  // columns.views(), as the morsels copy them

  explicit ChunkColumns(RecordBatch b) : batch(std::move(b)), columns(batch), views(columns.views()) {}
  int64_t rows() const { return batch.num_rows; }
};

// Rows [start, start + rows) of a chunk as kernel views: the unit the
// aggregation paths work on, so that masks and group ids stay in cache.
struct Morsel {
  std::vector<ArrayView> views;
  int64_t length = 0;
  int64_t rows() const { return length; }

  static Morsel Of(const ChunkColumns& c) { return Morsel{c.views, c.rows()}; }
  static Morsel Of(const ChunkColumns& c, int64_t start, int64_t n) {
    Morsel m{c.views, n};
    for (ArrayView& v : m.views) {
      v.offset += start;
      v.length = n;
    }
    return m;
  }
};

constexpr int64_t kMorselRows = 1 << 16;

Scalar OperandAt(const BoundExpr& x, const Morsel& c, int64_t i) {
  if (x.kind == ExprKind::kColumn) return kernels::ValueAt(c.views[size_t(x.column)], i);
  return ToKernelScalar(x.literal);
}

// a op b row by row, for operand shapes the kernels do not take.
Mask CompareRows(const BoundExpr& a, kernels::CompareOp op, const BoundExpr& b,
                 const Morsel& c) {
  const int64_t n = c.rows();
  Mask m = Mask::AllFalse(n);
  m.is_known.assign(size_t(Mask::WordsFor(n)), 0);
  for (int64_t i = 0; i < n; ++i) {
    std::optional<bool> r = CompareValues(OperandAt(a, c, i), op, OperandAt(b, c, i));
    if (!r) continue;
    m.is_known[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
    if (*r) m.is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
  }
  m.Normalize();
  return m;
}

Result<Mask> CompareOperands(const BoundExpr& a, kernels::CompareOp op, const BoundExpr& b,
                             const Morsel& c) {
  if (a.kind == ExprKind::kColumn && b.kind == ExprKind::kLiteral) {
    return kernels::Compare(c.views[size_t(a.column)], op, ToKernelScalar(b.literal));
  }
  if (a.kind == ExprKind::kLiteral && b.kind == ExprKind::kColumn) {
    return kernels::Compare(c.views[size_t(b.column)], kernels::FlipCompareOp(op),
                            ToKernelScalar(a.literal));
  }
  if (a.kind == ExprKind::kLiteral && b.kind == ExprKind::kLiteral) {
    return ConstMask(FromOptional(CompareValues(ToKernelScalar(a.literal), op,
                                                ToKernelScalar(b.literal))),
                     c.rows());
  }
  return CompareRows(a, op, b, c);
}

Result<Mask> Eval(const BoundExpr& e, const Morsel& c) {
  const int64_t n = c.rows();
  if (IsConstant(e)) return ConstMask(EvalConst(e), n);
  switch (e.kind) {
    case ExprKind::kLiteral: return ConstMask(EvalConst(e), n);
    case ExprKind::kColumn:  // a bool column as a condition
      return kernels::Compare(c.views[size_t(e.column)], kernels::CompareOp::kEq, Scalar::Bool(true));
    case ExprKind::kAnd: {
      QUIVER_ASSIGN_OR_RETURN(Mask acc, Eval(*e.args[0], c));
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (!acc.has_nulls() && kernels::CountTrue(acc) == 0) break;  // FALSE AND x = FALSE
        QUIVER_ASSIGN_OR_RETURN(Mask m, Eval(*e.args[i], c));
        QUIVER_ASSIGN_OR_RETURN(acc, kernels::And(acc, m));
      }
      return acc;
    }
    case ExprKind::kOr: {
      QUIVER_ASSIGN_OR_RETURN(Mask acc, Eval(*e.args[0], c));
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (!acc.has_nulls() && kernels::CountTrue(acc) == n) break;  // TRUE OR x = TRUE
        QUIVER_ASSIGN_OR_RETURN(Mask m, Eval(*e.args[i], c));
        QUIVER_ASSIGN_OR_RETURN(acc, kernels::Or(acc, m));
      }
      return acc;
    }
    case ExprKind::kNot: {
      QUIVER_ASSIGN_OR_RETURN(Mask m, Eval(*e.args[0], c));
      return kernels::Not(m);
    }
    case ExprKind::kIsNull: {
      const BoundExpr& x = *e.args[0];
      const ArrayView& v = c.views[size_t(x.column)];
      return e.negated ? kernels::IsNotNull(v) : kernels::IsNull(v);
    }
    case ExprKind::kCompare:
      return CompareOperands(*e.args[0], ToKernelOp(e.op), *e.args[1], c);
    case ExprKind::kBetween: {
      const BoundExpr& x = *e.args[0];
      const BoundExpr& lo = *e.args[1];
      const BoundExpr& hi = *e.args[2];
      Mask m;
      if (x.kind == ExprKind::kColumn && lo.kind == ExprKind::kLiteral &&
          hi.kind == ExprKind::kLiteral) {
        QUIVER_ASSIGN_OR_RETURN(m, kernels::Between(c.views[size_t(x.column)],
                                                    ToKernelScalar(lo.literal),
                                                    ToKernelScalar(hi.literal)));
      } else {
        QUIVER_ASSIGN_OR_RETURN(Mask a, CompareOperands(x, kernels::CompareOp::kGe, lo, c));
        QUIVER_ASSIGN_OR_RETURN(Mask b, CompareOperands(x, kernels::CompareOp::kLe, hi, c));
        QUIVER_ASSIGN_OR_RETURN(m, kernels::And(a, b));
      }
      return e.negated ? kernels::Not(m) : m;
    }
    case ExprKind::kIn: {
      const BoundExpr& x = *e.args[0];
      Mask m;
      bool literal_list = true;
      for (size_t i = 1; i < e.args.size(); ++i) literal_list &= e.args[i]->kind == ExprKind::kLiteral;
      if (x.kind == ExprKind::kColumn && literal_list) {
        std::vector<Scalar> values;
        values.reserve(e.args.size() - 1);
        for (size_t i = 1; i < e.args.size(); ++i) values.push_back(ToKernelScalar(e.args[i]->literal));
        QUIVER_ASSIGN_OR_RETURN(m, kernels::In(c.views[size_t(x.column)], values));
      } else {
        QUIVER_ASSIGN_OR_RETURN(m, CompareOperands(x, kernels::CompareOp::kEq, *e.args[1], c));
        for (size_t i = 2; i < e.args.size(); ++i) {
          QUIVER_ASSIGN_OR_RETURN(Mask k, CompareOperands(x, kernels::CompareOp::kEq, *e.args[i], c));
          QUIVER_ASSIGN_OR_RETURN(m, kernels::Or(m, k));
        }
      }
      return e.negated ? kernels::Not(m) : m;
    }
    case ExprKind::kLike: {
      const BoundExpr& x = *e.args[0];
      const query::TypedScalar& p = e.args[1]->literal;
      if (p.is_null()) return Mask::AllNull(n);
      const std::string& pattern = std::get<std::string>(p.value);
      Mask m;
      if (pattern.find('\0') == std::string::npos) {
        // The SQL grammar has no ESCAPE clause: NUL (never in a pattern here)
        // stands in for "no escape character".
        QUIVER_ASSIGN_OR_RETURN(m, kernels::Like(c.views[size_t(x.column)], pattern, '\0'));
      } else {
        const ArrayView& v = c.views[size_t(x.column)];
        m = Mask::AllFalse(n);
        m.is_known.assign(size_t(Mask::WordsFor(n)), 0);
        for (int64_t i = 0; i < n; ++i) {
          Scalar s = kernels::ValueAt(v, i);
          if (s.is_null()) continue;
          m.is_known[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
          if (query::LikeMatch(s.string_value(), pattern)) {
            m.is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
          }
        }
        m.Normalize();
      }
      return e.negated ? kernels::Not(m) : m;
    }
  }
  return Status::Internal("unhandled expression kind");
}

// ---------------------------------------------------------------------------
// Columns: widening dictionary indices, concatenation.
// ---------------------------------------------------------------------------

DataType ResultType(const DataType& t) {
  if (!t.is_dictionary()) return t;
  DataType r = DataType::Dictionary(TypeId::kInt32, t.id);
  return r;
}

// A dictionary column with int32 indices (the dictionary is shared).
Result<std::shared_ptr<ArrayData>> WidenDictionary(const std::shared_ptr<ArrayData>& col) {
  if (!col->type.is_dictionary() || col->type.dict_index == TypeId::kInt32) return col;
  ArrayView v = col->View();
  auto out = std::make_shared<ArrayData>();
  out->type = ResultType(col->type);
  out->length = col->length;
  out->null_count = col->null_count;
  out->dictionary = col->dictionary;
  std::shared_ptr<Buffer> validity;
  if (col->null_count > 0 && v.validity != nullptr) {
    validity = Buffer::Allocate(BytesForBits(col->length));
    kernels::CopyBitmap(v.validity, v.offset, col->length,
                        reinterpret_cast<uint64_t*>(validity->mutable_data()));
  }
  auto idx = Buffer::Allocate(col->length * 4);
  int32_t* p = reinterpret_cast<int32_t*>(idx->mutable_data());
  for (int64_t i = 0; i < col->length; ++i) p[i] = v.IsValid(i) ? int32_t(v.DictIndex(i)) : 0;
  out->buffers = {validity, idx};
  return out;
}

// Appends bits [off, off+n) of `src` (null = all set) at bit `at` of `dst`.
void AppendBits(const uint8_t* src, int64_t off, int64_t n, uint8_t* dst, int64_t at) {
  for (int64_t i = 0; i < n; ++i) {
    if (src == nullptr || GetBit(src, off + i)) SetBit(dst, at + i);
  }
}

// Concatenates columns of one type. Dictionary columns get one dictionary
// (shared when every part shares it, else merged) and int32 indices.
Result<std::shared_ptr<ArrayData>> Concat(const DataType& type,
                                          const std::vector<std::shared_ptr<ArrayData>>& parts) {
  int64_t n = 0, nulls = 0;
  for (const auto& p : parts) {
    n += p->length;
    nulls += p->null_count;
  }
  if (parts.size() == 1 && (!type.is_dictionary() || parts[0]->type.dict_index == TypeId::kInt32)) {
    return parts[0];
  }
  if (type.is_dictionary()) {
    bool shared = !parts.empty();
    for (const auto& p : parts) shared &= p->dictionary == parts[0]->dictionary;
    if (!shared) {
      ArrayBuilder b(ResultType(type));
      b.Reserve(n);
      for (const auto& p : parts) {
        ArrayView v = p->View();
        ArrayView d = p->dictionary->View();
        for (int64_t i = 0; i < v.length; ++i) {
          if (!v.IsValid(i)) {
            b.AppendNull();
            continue;
          }
          const int64_t x = v.DictIndex(i);
          if (x < 0 || x >= d.length || !d.IsValid(x)) {
            b.AppendNull();
          } else {
            b.AppendString(d.StringValue(x));
          }
        }
      }
      return b.Finish();
    }
  }
  auto out = std::make_shared<ArrayData>();
  out->type = type.is_dictionary() ? ResultType(type) : type;
  out->length = n;
  out->null_count = nulls;
  std::shared_ptr<Buffer> validity;
  if (nulls > 0) {
    validity = Buffer::Allocate(BytesForBits(n));
    int64_t at = 0;
    for (const auto& p : parts) {
      ArrayView v = p->View();
      AppendBits(p->null_count > 0 ? v.validity : nullptr, v.offset, v.length,
                 validity->mutable_data(), at);
      at += v.length;
    }
  }
  if (type.is_dictionary()) {
    auto idx = Buffer::Allocate(n * 4);
    int32_t* q = reinterpret_cast<int32_t*>(idx->mutable_data());
    for (const auto& p : parts) {
      ArrayView v = p->View();
      for (int64_t i = 0; i < v.length; ++i) *q++ = v.IsValid(i) ? int32_t(v.DictIndex(i)) : 0;
    }
    out->buffers = {validity, idx};
    out->dictionary = parts[0]->dictionary;
    return out;
  }
  if (type.id == TypeId::kBool) {
    auto bits = Buffer::Allocate(BytesForBits(n));
    int64_t at = 0;
    for (const auto& p : parts) {
      ArrayView v = p->View();
      for (int64_t i = 0; i < v.length; ++i) {
        if (v.BoolValue(i)) SetBit(bits->mutable_data(), at + i);
      }
      at += v.length;
    }
    out->buffers = {validity, bits};
    return out;
  }
  if (IsVarLength(type.id)) {
    int64_t bytes = 0;
    for (const auto& p : parts) {
      ArrayView v = p->View();
      if (v.length > 0) bytes += v.offsets[v.offset + v.length] - v.offsets[v.offset];
    }
    if (bytes > INT32_MAX) {
      return Status::ResourceExhausted("a result column holds more than 2 GiB of string data (" +
                                       std::to_string(bytes) + " bytes); add a LIMIT");
    }
    auto offs = Buffer::Allocate((n + 1) * 4);
    auto data = Buffer::Allocate(std::max<int64_t>(bytes, 1));
    int32_t* o = reinterpret_cast<int32_t*>(offs->mutable_data());
    uint8_t* d = data->mutable_data();
    int32_t pos = 0;
    int64_t row = 0;
    for (const auto& p : parts) {
      ArrayView v = p->View();
      if (v.length == 0) continue;
      const int32_t* src = v.offsets + v.offset;
      const int32_t base = src[0];
      const int32_t len = src[v.length] - base;
      std::memcpy(d + pos, v.values + base, size_t(len));
      for (int64_t i = 0; i < v.length; ++i) o[row + i] = pos + (src[i] - base);
      pos += len;
      row += v.length;
    }
    o[n] = pos;
    data->Truncate(bytes);
    out->buffers = {validity, offs, data};
    return out;
  }
  const int w = ByteWidth(type.id);
  auto values = Buffer::Allocate(n * w);
  int64_t at = 0;
  for (const auto& p : parts) {
    ArrayView v = p->View();
    if (v.length > 0) std::memcpy(values->mutable_data() + at * w, v.values + v.offset * w, size_t(v.length * w));
    at += v.length;
  }
  out->buffers = {validity, values};
  return out;
}

// ---------------------------------------------------------------------------
// Parallel loop over work items.
// ---------------------------------------------------------------------------

// Runs fn(worker, item) for item in [0, n) on up to `threads` threads.
// Returns the first error (later items are then skipped).
Status ParallelFor(int64_t n, int threads, const std::atomic<bool>* cancel,
                   const std::function<Status(int, int64_t)>& fn) {
  std::atomic<int64_t> next{0};
  std::mutex mu;
  Status first;
  std::atomic<bool> failed{false};
  auto work = [&](int worker) {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
        std::lock_guard<std::mutex> g(mu);
        if (first.ok()) first = Status::Cancelled("query cancelled");
        failed = true;
        return;
      }
      const int64_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = fn(worker, i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> g(mu);
        if (first.ok()) first = std::move(s);
        failed = true;
        return;
      }
    }
  };
  const int t = int(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
  if (t == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(size_t(t - 1));
    for (int w = 1; w < t; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& th : pool) th.join();
  }
  return first;
}

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  // hardware_concurrency() reads sysfs (open, read, close) on every call;
  // a server opening many small queries asks once.
  static const int hw = int(std::max(1u, std::thread::hardware_concurrency()));
  return hw;
}

// ---------------------------------------------------------------------------
// Cursors.
// ---------------------------------------------------------------------------

struct Plan {
  std::shared_ptr<const Snapshot> snap;
  const TableView* table = nullptr;
  BoundQuery bound;
  QueryOptions options;
  int threads = 1;
  std::vector<size_t> chunks;  // not pruned, in table order
  QueryStats stats;
  Clock::time_point started;

  std::vector<size_t> columns;  // the input fields the query reads
  Result<ChunkColumns> Read(size_t chunk) const {
    QUIVER_ASSIGN_OR_RETURN(RecordBatch b, table->ReadChunk(chunk, columns));
    return ChunkColumns(std::move(b));
  }
  // The TRUE rows of the WHERE condition, or nullopt for every row.
  Result<std::optional<Mask>> Filter(const Morsel& c) const {
    if (bound.where == nullptr) return std::optional<Mask>();
    QUIVER_ASSIGN_OR_RETURN(Mask m, Eval(*bound.where, c));
    return std::optional<Mask>(std::move(m));
  }
  Result<std::optional<Mask>> Filter(const ChunkColumns& c) const { return Filter(Morsel::Of(c)); }
};

// A result held in memory, handed out batch by batch.
class MaterializedCursor : public QueryCursor {
 public:
  MaterializedCursor(Plan plan, std::shared_ptr<const Schema> schema,
                     std::vector<RecordBatch> batches, bool truncated)
      : plan_(std::move(plan)), schema_(std::move(schema)), batches_(batches.begin(), batches.end()),
        truncated_(truncated) {
    for (const auto& b : batches_) plan_.stats.rows_returned += b.num_rows;
    plan_.stats.elapsed_ms = MsSince(plan_.started);
  }
  const std::shared_ptr<const Schema>& schema() const override { return schema_; }
  Result<std::optional<RecordBatch>> Next() override {
    while (!batches_.empty()) {
      RecordBatch b = std::move(batches_.front());
      batches_.pop_front();
      if (b.num_rows > 0) return std::optional<RecordBatch>(std::move(b));
    }
    return std::optional<RecordBatch>();
  }
  const QueryStats& stats() const override { return plan_.stats; }
  bool truncated() const override { return truncated_; }
  const BoundQuery& bound() const override { return plan_.bound; }

 private:
  Plan plan_;
  std::shared_ptr<const Schema> schema_;
  std::deque<RecordBatch> batches_;
  bool truncated_;
};

// Output rows [offset, offset + limit) capped by max_rows.
struct RowWindow {
  int64_t skip = 0;
  int64_t take = -1;  // -1 = unbounded
  bool cap_is_max_rows = false;
};

RowWindow WindowFor(const BoundQuery& q, const QueryOptions& o) {
  RowWindow w;
  w.skip = q.offset;
  if (q.limit) w.take = *q.limit;
  if (o.max_rows >= 0 && (w.take < 0 || o.max_rows < w.take)) {
    w.take = o.max_rows;
    w.cap_is_max_rows = true;
  }
  return w;
}

std::shared_ptr<const Schema> ProjectionSchema(const BoundQuery& q, const Schema& in) {
  std::vector<Field> fields;
  for (const auto& o : q.outputs) {
    const Field& f = in.field(size_t(o.column));
    fields.push_back(Field{o.name, ResultType(f.type), f.nullable, f.metadata});
  }
  return std::make_shared<Schema>(std::move(fields));
}

// A plain projection, streamed chunk by chunk in table order.
class ScanCursor : public QueryCursor {
 public:
  explicit ScanCursor(Plan plan) : plan_(std::move(plan)) {
    schema_ = ProjectionSchema(plan_.bound, *plan_.table->schema());
    window_ = WindowFor(plan_.bound, plan_.options);
    if (window_.take == 0 && !window_.cap_is_max_rows) done_ = true;  // LIMIT 0
  }
  const std::shared_ptr<const Schema>& schema() const override { return schema_; }
  const QueryStats& stats() const override { return plan_.stats; }
  bool truncated() const override { return truncated_; }
  const BoundQuery& bound() const override { return plan_.bound; }

  Result<std::optional<RecordBatch>> Next() override {
    const auto t0 = Clock::now();
    Result<std::optional<RecordBatch>> r = NextInner();
    plan_.stats.elapsed_ms += MsSince(t0);
    return r;
  }

 private:
  Result<std::optional<RecordBatch>> NextInner() {
    while (ready_.empty()) {
      if (done_ || next_ >= plan_.chunks.size()) {
        done_ = true;
        return std::optional<RecordBatch>();
      }
      QUIVER_RETURN_NOT_OK(RunWindow());
    }
    RecordBatch b = std::move(ready_.front());
    ready_.pop_front();
    return std::optional<RecordBatch>(std::move(b));
  }

  // Scans the next `threads` chunks in parallel and queues their rows.
  Status RunWindow() {
    const size_t count = std::min(plan_.chunks.size() - next_, size_t(plan_.threads));
    std::vector<std::optional<RecordBatch>> out(count);
    std::vector<int64_t> scanned(count, 0);
    QUIVER_RETURN_NOT_OK(ParallelFor(int64_t(count), plan_.threads, plan_.options.cancel,
                                     [&](int, int64_t k) -> Status {
      QUIVER_ASSIGN_OR_RETURN(ChunkColumns c, plan_.Read(plan_.chunks[next_ + size_t(k)]));
      scanned[size_t(k)] = c.rows();
      QUIVER_ASSIGN_OR_RETURN(std::optional<Mask> m, plan_.Filter(c));
      QUIVER_ASSIGN_OR_RETURN(out[size_t(k)], Project(c, m ? &*m : nullptr));
      return Status::OK();
    }));
    next_ += count;
    plan_.stats.chunks_scanned += int64_t(count);
    for (size_t k = 0; k < count; ++k) {
      plan_.stats.rows_scanned += scanned[k];
      if (!out[k] || done_) continue;
      RecordBatch b = std::move(*out[k]);
      // OFFSET
      if (window_.skip > 0) {
        const int64_t s = std::min(window_.skip, b.num_rows);
        window_.skip -= s;
        if (s == b.num_rows) continue;
        QUIVER_ASSIGN_OR_RETURN(b, SliceBatch(b, s, b.num_rows - s));
      }
      // LIMIT / max_rows
      if (window_.take >= 0) {
        if (window_.take == 0) {
          if (window_.cap_is_max_rows && b.num_rows > 0) truncated_ = true;
          done_ = true;
          continue;
        }
        if (b.num_rows > window_.take) {
          QUIVER_ASSIGN_OR_RETURN(b, SliceBatch(b, 0, window_.take));
          if (window_.cap_is_max_rows) truncated_ = true;
          window_.take = 0;
          done_ = true;
        } else {
          window_.take -= b.num_rows;
          // With rows still owed to nobody, the next non-empty chunk decides
          // truncation (take == 0 keeps scanning until a row shows up).
          if (window_.take == 0 && !window_.cap_is_max_rows) done_ = true;
        }
      }
      plan_.stats.rows_returned += b.num_rows;
      ready_.push_back(std::move(b));
    }
    return Status::OK();
  }

  Result<std::optional<RecordBatch>> Project(const ChunkColumns& c, const Mask* m) const {
    RecordBatch out;
    out.schema = schema_;
    std::optional<SelectionVector> sel;
    if (m != nullptr) {
      const int64_t hits = kernels::CountTrue(*m);
      if (hits == 0) return std::optional<RecordBatch>();
      if (hits < c.rows()) sel = kernels::ToSelection(*m);
    }
    if (c.rows() == 0) return std::optional<RecordBatch>();
    out.num_rows = sel ? int64_t(sel->size()) : c.rows();
    for (const auto& o : plan_.bound.outputs) {
      const auto& col = c.batch.columns[size_t(o.column)];
      std::shared_ptr<ArrayData> a;
      if (sel) {
        QUIVER_ASSIGN_OR_RETURN(a, kernels::Take(c.views[size_t(o.column)], *sel, col->dictionary));
      } else {
        a = col;  // zero copy: the chunk's own buffers in the mapping
      }
      QUIVER_ASSIGN_OR_RETURN(a, WidenDictionary(a));
      out.columns.push_back(std::move(a));
    }
    return std::optional<RecordBatch>(std::move(out));
  }

  Plan plan_;
  std::shared_ptr<const Schema> schema_;
  RowWindow window_;
  size_t next_ = 0;
  bool done_ = false;
  bool truncated_ = false;
  std::deque<RecordBatch> ready_;
};

// Cuts columns into batches of at most batch_rows rows.
Result<std::vector<RecordBatch>> ToBatches(const std::shared_ptr<const Schema>& schema,
                                           std::vector<std::shared_ptr<ArrayData>> cols,
                                           int64_t rows, int64_t batch_rows) {
  RecordBatch whole;
  whole.schema = schema;
  whole.num_rows = rows;
  whole.columns = std::move(cols);
  std::vector<RecordBatch> out;
  if (rows <= batch_rows) {
    if (rows > 0) out.push_back(std::move(whole));
    return out;
  }
  for (int64_t at = 0; at < rows; at += batch_rows) {
    QUIVER_ASSIGN_OR_RETURN(RecordBatch b, SliceBatch(whole, at, std::min(batch_rows, rows - at)));
    out.push_back(std::move(b));
  }
  return out;
}

// Applies OFFSET / LIMIT / max_rows to an ordered row list.
SelectionVector ApplyWindow(const SelectionVector& order, const RowWindow& w, bool* truncated) {
  const int64_t n = int64_t(order.size());
  const int64_t begin = std::min(w.skip, n);
  int64_t end = n;
  if (w.take >= 0 && begin + w.take < n) {
    end = begin + w.take;
    if (w.cap_is_max_rows) *truncated = true;
  }
  return SelectionVector(order.begin() + begin, order.begin() + end);
}

std::vector<kernels::SortKey> SortKeysFor(const BoundQuery& q,
                                          const std::function<int(const query::BoundOrderKey&)>& col) {
  std::vector<kernels::SortKey> keys;
  for (const auto& k : q.order_by) {
    kernels::SortKey s;
    s.column = col(k);
    s.descending = k.descending;
    s.nulls_first = k.nulls_first;
    keys.push_back(s);
  }
  return keys;
}

// Orders (and windows) materialised columns; returns the output batches.
Result<std::vector<RecordBatch>> OrderAndWindow(const std::shared_ptr<const Schema>& schema,
                                                const std::vector<std::shared_ptr<ArrayData>>& cols,
                                                size_t num_outputs, int64_t rows,
                                                const std::vector<kernels::SortKey>& keys,
                                                const RowWindow& window, int64_t batch_rows,
                                                bool* truncated) {
  const ColumnViews column_views(cols);
  const std::vector<ArrayView>& views = column_views.views();
  SelectionVector order;
  if (!keys.empty()) {
    if (window.take >= 0) {
      // One row more than asked tells whether max_rows cut the result.
      const int64_t k = window.skip + window.take + (window.cap_is_max_rows ? 1 : 0);
      QUIVER_ASSIGN_OR_RETURN(order, kernels::TopK(views, keys, k));
    } else {
      QUIVER_ASSIGN_OR_RETURN(order, kernels::SortIndices(views, keys));
    }
  } else {
    order.resize(size_t(rows));
    for (int64_t i = 0; i < rows; ++i) order[size_t(i)] = int32_t(i);
  }
  SelectionVector picked = ApplyWindow(order, window, truncated);
  const bool identity = int64_t(picked.size()) == rows &&
                        (picked.empty() || (picked.front() == 0 && std::is_sorted(picked.begin(), picked.end())));
  std::vector<std::shared_ptr<ArrayData>> out;
  for (size_t i = 0; i < num_outputs; ++i) {
    if (identity) {
      out.push_back(cols[i]);
    } else {
      QUIVER_ASSIGN_OR_RETURN(auto a, kernels::Take(views[i], picked, cols[i]->dictionary));
      out.push_back(std::move(a));
    }
  }
  return ToBatches(schema, std::move(out), int64_t(picked.size()), batch_rows);
}

// ORDER BY on a plain projection: gather the selected rows (top-k per chunk
// with a LIMIT), concatenate, order, window.
Result<std::unique_ptr<QueryCursor>> RunSorted(Plan plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.table->schema();
  // Input columns needed: the outputs' then order-only ones.
  std::vector<int> needed;
  std::map<int, size_t> slot;
  auto need = [&](int c) {
    if (slot.count(c)) return slot[c];
    slot[c] = needed.size();
    needed.push_back(c);
    return needed.size() - 1;
  };
  std::vector<size_t> out_slots;
  for (const auto& o : q.outputs) out_slots.push_back(need(o.column));
  std::vector<kernels::SortKey> keys = SortKeysFor(q, [&](const query::BoundOrderKey& k) {
    return int(need(k.output >= 0 ? q.outputs[size_t(k.output)].column : k.column));
  });
  const RowWindow window = WindowFor(q, plan.options);
  const int64_t per_chunk_k =
      window.take >= 0 ? window.skip + window.take + (window.cap_is_max_rows ? 1 : 0) : -1;

  const size_t n = plan.chunks.size();
  std::vector<std::vector<std::shared_ptr<ArrayData>>> parts(n);
  std::vector<int64_t> scanned(n, 0);
  QUIVER_RETURN_NOT_OK(ParallelFor(int64_t(n), plan.threads, plan.options.cancel,
                                   [&](int, int64_t i) -> Status {
    QUIVER_ASSIGN_OR_RETURN(ChunkColumns c, plan.Read(plan.chunks[size_t(i)]));
    scanned[size_t(i)] = c.rows();
    QUIVER_ASSIGN_OR_RETURN(std::optional<Mask> m, plan.Filter(c));
    SelectionVector sel;
    if (m) {
      sel = kernels::ToSelection(*m);
    } else {
      sel.resize(size_t(c.rows()));
      for (int64_t r = 0; r < c.rows(); ++r) sel[size_t(r)] = int32_t(r);
    }
    if (sel.empty()) return Status::OK();
    if (per_chunk_k >= 0 && int64_t(sel.size()) > per_chunk_k) {
      std::vector<ArrayView> views;
      for (int col : needed) views.push_back(c.views[size_t(col)]);
      std::vector<kernels::SortKey> local = keys;
      QUIVER_ASSIGN_OR_RETURN(sel, kernels::TopK(views, local, per_chunk_k, &sel));
      // Keep table order among the survivors so that ties stay stable.
      std::sort(sel.begin(), sel.end());
    }
    for (int col : needed) {
      QUIVER_ASSIGN_OR_RETURN(auto a, kernels::Take(c.views[size_t(col)], sel,
                                                    c.batch.columns[size_t(col)]->dictionary));
      parts[size_t(i)].push_back(std::move(a));
    }
    return Status::OK();
  }));
  plan.stats.chunks_scanned = int64_t(n);
  for (int64_t s : scanned) plan.stats.rows_scanned += s;

  std::vector<std::shared_ptr<ArrayData>> cols;
  int64_t rows = 0;
  for (const auto& p : parts) {
    if (!p.empty()) rows += p[0]->length;
  }
  for (size_t j = 0; j < needed.size(); ++j) {
    std::vector<std::shared_ptr<ArrayData>> pieces;
    for (const auto& p : parts) {
      if (!p.empty()) pieces.push_back(p[j]);
    }
    const DataType& t = in.field(size_t(needed[j])).type;
    if (pieces.empty()) {
      ArrayBuilder b(ResultType(t));
      QUIVER_ASSIGN_OR_RETURN(auto empty, b.Finish());
      cols.push_back(std::move(empty));
    } else {
      QUIVER_ASSIGN_OR_RETURN(auto c, Concat(t, pieces));
      cols.push_back(std::move(c));
    }
  }
  // Reorder so that outputs come first (OrderAndWindow takes the first
  // num_outputs columns as the result).
  std::vector<std::shared_ptr<ArrayData>> ordered;
  for (size_t s : out_slots) ordered.push_back(cols[s]);
  std::vector<int> remap(cols.size(), -1);
  for (size_t i = 0; i < out_slots.size(); ++i) {
    if (remap[out_slots[i]] < 0) remap[out_slots[i]] = int(i);
  }
  for (size_t j = 0; j < cols.size(); ++j) {
    if (remap[j] < 0) {
      remap[j] = int(ordered.size());
      ordered.push_back(cols[j]);
    }
  }
  for (auto& k : keys) k.column = remap[size_t(k.column)];
  auto schema = ProjectionSchema(q, in);
  bool truncated = false;
  QUIVER_ASSIGN_OR_RETURN(auto batches, OrderAndWindow(schema, ordered, q.outputs.size(), rows, keys,
                                                       window, plan.options.batch_rows, &truncated));
  return std::unique_ptr<QueryCursor>(
      new MaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated));
}

kernels::AggKind ToAggKind(const query::BoundOutput& o) {
  switch (o.agg) {
    case query::AggFunc::kCount: return o.column < 0 ? kernels::AggKind::kCountStar : kernels::AggKind::kCount;
    case query::AggFunc::kSum: return kernels::AggKind::kSum;
    case query::AggFunc::kMin: return kernels::AggKind::kMin;
    case query::AggFunc::kMax: return kernels::AggKind::kMax;
    case query::AggFunc::kAvg: return kernels::AggKind::kAvg;
    case query::AggFunc::kNone: break;
  }
  return kernels::AggKind::kCountStar;
}

// Aggregates without GROUP BY: exactly one row.
Result<std::unique_ptr<QueryCursor>> RunAggregate(Plan plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.table->schema();
  // One partial state per distinct input column, with what it must compute.
  std::vector<int> columns;
  std::vector<unsigned> needs;
  std::map<int, size_t> slot;
  bool only_count_star = true;
  for (const auto& o : q.outputs) {
    if (o.column < 0) continue;
    only_count_star = false;
    if (!slot.count(o.column)) {
      slot[o.column] = columns.size();
      columns.push_back(o.column);
      needs.push_back(kernels::AggState::kCounts);
    }
    unsigned& nd = needs[slot[o.column]];
    if (o.agg == query::AggFunc::kSum || o.agg == query::AggFunc::kAvg) nd |= kernels::AggState::kSum;
    if (o.agg == query::AggFunc::kMin || o.agg == query::AggFunc::kMax) nd |= kernels::AggState::kMinMax;
  }
  auto make_states = [&] {
    std::vector<kernels::AggState> s;
    for (size_t i = 0; i < columns.size(); ++i) {
      s.emplace_back(in.field(size_t(columns[i])).type, needs[i]);
    }
    return s;
  };
  int64_t count_star = 0;
  std::vector<kernels::AggState> total = make_states();
  if (only_count_star && q.where == nullptr) {
    // COUNT(*) of a whole table: the catalog knows.
    for (size_t c : plan.chunks) count_star += plan.table->chunks()[c].rows;
  } else {
    const int workers = int(std::max<size_t>(1, std::min<size_t>(size_t(plan.threads), plan.chunks.size())));
    std::vector<std::vector<kernels::AggState>> partial;
    for (int w = 0; w < workers; ++w) partial.push_back(make_states());
    std::vector<int64_t> partial_count(size_t(workers), 0);
    std::vector<int64_t> scanned(plan.chunks.size(), 0);
    QUIVER_RETURN_NOT_OK(ParallelFor(int64_t(plan.chunks.size()), workers, plan.options.cancel,
                                     [&](int w, int64_t i) -> Status {
      QUIVER_ASSIGN_OR_RETURN(ChunkColumns chunk, plan.Read(plan.chunks[size_t(i)]));
      scanned[size_t(i)] = chunk.rows();
      for (int64_t at = 0; at < chunk.rows(); at += kMorselRows) {
        const Morsel c = Morsel::Of(chunk, at, std::min(kMorselRows, chunk.rows() - at));
        QUIVER_ASSIGN_OR_RETURN(std::optional<Mask> m, plan.Filter(c));
        const int64_t hits = m ? kernels::CountTrue(*m) : c.rows();
        partial_count[size_t(w)] += hits;
        if (hits == 0) continue;
        for (size_t s = 0; s < columns.size(); ++s) {
          QUIVER_RETURN_NOT_OK(partial[size_t(w)][s].Update(c.views[size_t(columns[s])], m ? &*m : nullptr));
        }
      }
      return Status::OK();
    }));
    plan.stats.chunks_scanned = int64_t(plan.chunks.size());
    for (int64_t s : scanned) plan.stats.rows_scanned += s;
    for (int w = 0; w < workers; ++w) {
      count_star += partial_count[size_t(w)];
      for (size_t s = 0; s < columns.size(); ++s) QUIVER_RETURN_NOT_OK(total[s].Merge(partial[size_t(w)][s]));
    }
  }
  std::vector<Field> fields;
  std::vector<std::shared_ptr<ArrayData>> cols;
  for (const auto& o : q.outputs) {
    Scalar v;
    if (o.column < 0) {
      v = Scalar::Int64(count_star);
    } else {
      Result<Scalar> r = total[slot[o.column]].Finalize(ToAggKind(o));
      if (!r.ok()) {
        Status s = r.status();
        if (s.code() == StatusCode::kOverflow) {
          return Status::Overflow("SUM(\"" + in.field(size_t(o.column)).name +
                                  "\") does not fit in 64 bits: " + s.message());
        }
        return s;
      }
      v = *r;
    }
    QUIVER_ASSIGN_OR_RETURN(auto a, kernels::ScalarsToArray({v}, o.type));
    fields.push_back(Field{o.name, a->type, true, {}});
    cols.push_back(std::move(a));
  }
  auto schema = std::make_shared<Schema>(std::move(fields));
  bool truncated = false;
  const RowWindow window = WindowFor(q, plan.options);
  QUIVER_ASSIGN_OR_RETURN(auto batches, OrderAndWindow(schema, cols, cols.size(), 1, {}, window,
                                                       plan.options.batch_rows, &truncated));
  return std::unique_ptr<QueryCursor>(
      new MaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated));
}

// GROUP BY: per-worker hash tables, merged, then ORDER BY / LIMIT on groups.
Result<std::unique_ptr<QueryCursor>> RunGroupBy(Plan plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.table->schema();
  std::vector<DataType> key_types;
  for (int c : q.group_by) key_types.push_back(in.field(size_t(c)).type);
  std::vector<int> value_cols;
  std::map<int, int> value_slot;
  std::vector<kernels::AggregateSpec> specs;
  std::vector<int> output_source;  // per output: key index, or nkeys + agg index
  for (const auto& o : q.outputs) {
    if (o.agg == query::AggFunc::kNone) {
      auto it = std::find(q.group_by.begin(), q.group_by.end(), o.column);
      if (it == q.group_by.end()) return Status::Internal("ungrouped output " + o.name);
      output_source.push_back(int(it - q.group_by.begin()));
      continue;
    }
    kernels::AggregateSpec s;
    s.kind = ToAggKind(o);
    if (o.column >= 0) {
      if (!value_slot.count(o.column)) {
        value_slot[o.column] = int(value_cols.size());
        value_cols.push_back(o.column);
      }
      s.value = value_slot[o.column];
    }
    output_source.push_back(int(q.group_by.size() + specs.size()));
    specs.push_back(s);
  }
  std::vector<DataType> value_types;
  for (int c : value_cols) value_types.push_back(in.field(size_t(c)).type);

  const int workers = int(std::max<size_t>(1, std::min<size_t>(size_t(plan.threads), plan.chunks.size())));
  std::vector<kernels::GroupByState> states;
  for (int w = 0; w < workers; ++w) {
    QUIVER_ASSIGN_OR_RETURN(auto s, kernels::GroupByState::Make(key_types, value_types, specs));
    states.push_back(std::move(s));
  }
  std::vector<int64_t> scanned(plan.chunks.size(), 0);
  QUIVER_RETURN_NOT_OK(ParallelFor(int64_t(plan.chunks.size()), workers, plan.options.cancel,
                                   [&](int w, int64_t i) -> Status {
    QUIVER_ASSIGN_OR_RETURN(ChunkColumns chunk, plan.Read(plan.chunks[size_t(i)]));
    scanned[size_t(i)] = chunk.rows();
    for (int64_t at = 0; at < chunk.rows(); at += kMorselRows) {
      const Morsel c = Morsel::Of(chunk, at, std::min(kMorselRows, chunk.rows() - at));
      QUIVER_ASSIGN_OR_RETURN(std::optional<Mask> m, plan.Filter(c));
      if (m && kernels::CountTrue(*m) == 0) continue;
      std::vector<ArrayView> keys, values;
      for (int k : q.group_by) keys.push_back(c.views[size_t(k)]);
      for (int v : value_cols) values.push_back(c.views[size_t(v)]);
      QUIVER_RETURN_NOT_OK(states[size_t(w)].Consume(keys, values, m ? &*m : nullptr));
    }
    return Status::OK();
  }));
  plan.stats.chunks_scanned = int64_t(plan.chunks.size());
  for (int64_t s : scanned) plan.stats.rows_scanned += s;
  for (int w = 1; w < workers; ++w) QUIVER_RETURN_NOT_OK(states[0].Merge(states[size_t(w)]));
  Result<std::vector<std::shared_ptr<ArrayData>>> fin = states[0].Finalize();
  if (!fin.ok()) {
    if (fin.status().code() == StatusCode::kOverflow) {
      return Status::Overflow("a SUM does not fit in 64 bits: " + fin.status().message());
    }
    return fin.status();
  }
  std::vector<std::shared_ptr<ArrayData>> group_cols = std::move(*fin);
  const int64_t groups = states[0].num_groups();

  std::vector<std::shared_ptr<ArrayData>> cols;
  std::vector<Field> fields;
  for (size_t i = 0; i < q.outputs.size(); ++i) {
    auto a = group_cols[size_t(output_source[i])];
    fields.push_back(Field{q.outputs[i].name, a->type, true, {}});
    cols.push_back(std::move(a));
  }
  // Order keys: outputs, or group keys that are not selected.
  std::vector<kernels::SortKey> keys = SortKeysFor(q, [&](const query::BoundOrderKey& k) -> int {
    if (k.output >= 0) return k.output;
    auto it = std::find(q.group_by.begin(), q.group_by.end(), k.column);
    const size_t key_index = size_t(it - q.group_by.begin());
    cols.push_back(group_cols[key_index]);
    return int(cols.size() - 1);
  });
  auto schema = std::make_shared<Schema>(std::move(fields));
  bool truncated = false;
  const RowWindow window = WindowFor(q, plan.options);
  QUIVER_ASSIGN_OR_RETURN(auto batches, OrderAndWindow(schema, cols, q.outputs.size(), groups, keys,
                                                       window, plan.options.batch_rows, &truncated));
  return std::unique_ptr<QueryCursor>(
      new MaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated));
}

// The input fields a bound query reads: only these are validated and
// verified in each chunk (the others stay null in the batches).
void AddColumns(const query::BoundExpr& e, std::vector<bool>* used) {
  if (e.kind == query::ExprKind::kColumn && e.column >= 0) (*used)[size_t(e.column)] = true;
  for (const auto& a : e.args) AddColumns(*a, used);
}

std::vector<size_t> ColumnsRead(const query::BoundQuery& b, size_t num_fields) {
  std::vector<bool> used(num_fields, false);
  for (const auto& o : b.outputs) {
    if (o.column >= 0) used[size_t(o.column)] = true;
  }
  if (b.where) AddColumns(*b.where, &used);
  for (int c : b.group_by) used[size_t(c)] = true;
  for (const auto& k : b.order_by) {
    if (k.column >= 0) used[size_t(k.column)] = true;
  }
  std::vector<size_t> out;
  for (size_t c = 0; c < num_fields; ++c) {
    if (used[c]) out.push_back(c);
  }
  return out;
}

}  // namespace

bool IsFullScan(const query::Query& q) {
  return q.select.empty() && q.where == nullptr && q.group_by.empty() && q.order_by.empty() &&
         !q.limit && (!q.offset || *q.offset == 0);
}

Result<std::unique_ptr<QueryCursor>> OpenQuery(std::shared_ptr<const Snapshot> snap,
                                               const query::Query& q, QueryOptions options) {
  if (snap == nullptr) return Status::Invalid("OpenQuery: no snapshot");
  Plan plan;
  plan.started = Clock::now();
  plan.snap = std::move(snap);
  plan.options = options;
  plan.threads = ResolveThreads(options.threads);
  if (plan.options.batch_rows <= 0) plan.options.batch_rows = 64 * 1024;
  QUIVER_ASSIGN_OR_RETURN(plan.table, plan.snap->table(q.table));
  QUIVER_ASSIGN_OR_RETURN(plan.bound, query::Bind(q, *plan.table->schema()));
  plan.columns = ColumnsRead(plan.bound, plan.table->schema()->num_fields());

  // Fold a constant WHERE; prune chunks with their statistics.
  bool nothing = false;
  if (plan.bound.where && IsConstant(*plan.bound.where)) {
    if (EvalConst(*plan.bound.where) == Tri::kTrue) {
      plan.bound.where = nullptr;
    } else {
      nothing = true;
    }
  }
  const auto& chunks = plan.table->chunks();
  plan.stats.chunks_total = int64_t(chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].rows == 0) continue;
    bool keep = !nothing;
    if (keep && plan.bound.where) keep = Pruner(chunks[i].stats, chunks[i].rows).MayBeTrue(*plan.bound.where);
    if (keep) {
      plan.chunks.push_back(i);
    } else {
      plan.stats.chunks_pruned++;
    }
  }

  if (!plan.bound.group_by.empty()) return RunGroupBy(std::move(plan));
  if (plan.bound.aggregate) return RunAggregate(std::move(plan));
  if (!plan.bound.order_by.empty()) return RunSorted(std::move(plan));
  return std::unique_ptr<QueryCursor>(new ScanCursor(std::move(plan)));
}

Result<QueryResult> ExecuteQuery(std::shared_ptr<const Snapshot> snap, const query::Query& q,
                                 QueryOptions options) {
  QUIVER_ASSIGN_OR_RETURN(auto cursor, OpenQuery(std::move(snap), q, options));
  QueryResult r;
  r.schema = cursor->schema();
  for (;;) {
    QUIVER_ASSIGN_OR_RETURN(std::optional<RecordBatch> b, cursor->Next());
    if (!b) break;
    r.num_rows += b->num_rows;
    r.batches.push_back(std::move(*b));
  }
  r.truncated = cursor->truncated();
  r.stats = cursor->stats();
  return r;
}

Result<QueryResult> ExecuteSql(std::shared_ptr<const Snapshot> snap, std::string_view sql,
                               QueryOptions options) {
  QUIVER_ASSIGN_OR_RETURN(query::Query q, query::ParseSql(sql));
  return ExecuteQuery(std::move(snap), q, options);
}

}  // namespace quiver::store
