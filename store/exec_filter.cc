// Conditions: literals, row-at-a-time comparison, constant folding, and a
// WHERE condition evaluated over a morsel into a three-valued Mask.
#include <algorithm>
#include <atomic>
#include <cmath>

#include "columnar/decimal.h"
#include "store/exec_internal.h"
#include "store/explain_internal.h"

namespace quiver::store::internal {

using kernels::Mask;
using kernels::Scalar;
using query::BoundExpr;
using query::ExprKind;

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
  // A decimal literal is its exact text (store/query_bind.h); one exact at
  // the type's scale is a decimal value, any other (a comparison bound such
  // as 12.345 against decimal(12, 2)) stays text for kernels::DecimalLiteral.
  if (t.type.id == TypeId::kDecimal128) {
    Result<__int128> dec = ParseDecimal128(std::get<std::string>(v), t.type.precision, t.type.scale);
    if (dec.ok()) return Scalar::Decimal(*dec, t.type.precision, t.type.scale);
  }
  return Scalar::String(std::get<std::string>(v));
}

namespace {

bool IsNumberKind(Scalar::Kind k) {
  return k == Scalar::Kind::kInt64 || k == Scalar::Kind::kUInt64 || k == Scalar::Kind::kDouble ||
         k == Scalar::Kind::kBool || k == Scalar::Kind::kDate32 || k == Scalar::Kind::kTimestamp;
}

long double AsLongDouble(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::kUInt64:
      return static_cast<long double>(s.uint64_value());
    case Scalar::Kind::kDouble:
      return static_cast<long double>(s.double_value());
    case Scalar::Kind::kBool:
      return s.bool_value() ? 1 : 0;
    default:
      return static_cast<long double>(s.int64_value());
  }
}

}  // namespace

// a op b in SQL: nullopt when either is NULL.
std::optional<bool> CompareValues(const Scalar& a, kernels::CompareOp op, const Scalar& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  int c = 0;
  const bool da = a.kind() == Scalar::Kind::kDecimal, db = b.kind() == Scalar::Kind::kDecimal;
  // A decimal against a float compares as doubles (as DuckDB casts it).
  if (da && b.kind() == Scalar::Kind::kDouble) {
    return CompareValues(Scalar::Double(Decimal128ToDouble(a.decimal_value(), a.scale())), op, b);
  }
  if (db && a.kind() == Scalar::Kind::kDouble) {
    return CompareValues(a, op, Scalar::Double(Decimal128ToDouble(b.decimal_value(), b.scale())));
  }
  auto as_decimal = [](const Scalar& s, __int128* v) {  // integers at scale 0
    if (s.kind() == Scalar::Kind::kDecimal) *v = s.decimal_value();
    else if (s.kind() == Scalar::Kind::kInt64) *v = s.int64_value();
    else if (s.kind() == Scalar::Kind::kUInt64) *v = s.uint64_value();
    else return false;
    return true;
  };
  __int128 x = 0, y = 0;
  if ((da || db) && as_decimal(a, &x) && as_decimal(b, &y)) {
    // At the larger scale; a side that leaves 128 bits there is beyond the other.
    const int sa = da ? a.scale() : 0, sb = db ? b.scale() : 0;
    const bool up_a = sa < sb;
    __int128 up = 0;
    if (!RescaleDecimal128(up_a ? x : y, up_a ? sa : sb, std::max(sa, sb), &up)) {
      c = (up_a ? x : y) < 0 ? -1 : 1;
      if (!up_a) c = -c;
    } else {
      (up_a ? x : y) = up;
      c = x < y ? -1 : x > y ? 1 : 0;
    }
  } else if (da || db) {
    return std::nullopt;  // Bind rejects this
  } else if (a.kind() == Scalar::Kind::kString || b.kind() == Scalar::Kind::kString) {
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
    case kernels::CompareOp::kEq:
      return c == 0;
    case kernels::CompareOp::kNe:
      return c != 0;
    case kernels::CompareOp::kLt:
      return c < 0;
    case kernels::CompareOp::kLe:
      return c <= 0;
    case kernels::CompareOp::kGt:
      return c > 0;
    case kernels::CompareOp::kGe:
      return c >= 0;
  }
  return std::nullopt;
}

namespace {

Tri FromOptional(std::optional<bool> b) {
  if (!b) return Tri::kNull;
  return *b ? Tri::kTrue : Tri::kFalse;
}

Mask ConstMask(Tri t, int64_t n) {
  switch (t) {
    case Tri::kTrue:
      return Mask::AllTrue(n);
    case Tri::kFalse:
      return Mask::AllFalse(n);
    case Tri::kNull:
      return Mask::AllNull(n);
  }
  return Mask::AllNull(n);
}

Tri TriNot(Tri t) {
  if (t == Tri::kNull) return t;
  return t == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
}

// AND or OR of constant operands: the absorbing value (FALSE for AND, TRUE
// for OR) as soon as one operand has it, else NULL if one is NULL, else the
// identity.
Tri FoldJunction(const BoundExpr& e) {
  const Tri absorbing = e.kind == ExprKind::kAnd ? Tri::kFalse : Tri::kTrue;
  Tri r = TriNot(absorbing);
  for (const auto& a : e.args) {
    Tri t = EvalConst(*a);
    if (t == absorbing) return absorbing;
    if (t == Tri::kNull) r = Tri::kNull;
  }
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------
// Constant folding: a condition whose operands are all literals.
// ---------------------------------------------------------------------------

bool IsConstant(const BoundExpr& e) {
  // A call is evaluated by the expression evaluator, never folded here.
  if (e.kind == ExprKind::kColumn || e.kind == ExprKind::kCall) return false;
  for (const auto& a : e.args) {
    if (!IsConstant(*a)) return false;
  }
  return true;
}

Tri EvalConst(const BoundExpr& e) {
  auto lit = [](const query::BoundExprPtr& p) { return ToKernelScalar(p->literal); };
  switch (e.kind) {
    case ExprKind::kColumn:
      return Tri::kNull;  // not constant; never called
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
        Tri t =
            FromOptional(CompareValues(lit(e.args[0]), kernels::CompareOp::kEq, lit(e.args[i])));
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
    case ExprKind::kAnd:
    case ExprKind::kOr:
      return FoldJunction(e);
    case ExprKind::kNot:
      return TriNot(EvalConst(*e.args[0]));
    default:  // value expressions are computed columns, never conditions
      break;
  }
  return Tri::kNull;
}

// ---------------------------------------------------------------------------
// Evaluating a condition over one morsel.
// ---------------------------------------------------------------------------

namespace {

// LIKE over `v` in slices of LikeSliceRows rows, checking the query's cancel
// flag between them: LIKE costs up to (text length x pattern length) per
// row, and the query timeout must hold inside one morsel (issue 15). A
// dictionary column is matched once per entry, whole: slicing its rows
// would match the whole dictionary again for every slice.
constexpr int64_t kLikeSlice = 2048;  // a multiple of 64: slices fill whole mask words
// One slice's budget of byte steps (text bytes x pattern length).
constexpr int64_t kLikeSteps = int64_t(1) << 24;

// Rows per slice: kLikeSlice, fewer (a multiple of 64, at least 64) when the
// rows are long and so is the pattern, so that a slice stays within about
// kLikeSteps and a timeout is seen within milliseconds of passing.
int64_t LikeSliceRows(const ArrayView& v, size_t pattern_len) {
  if (v.offsets == nullptr || v.length <= 0) return kLikeSlice;
  const int32_t* o = v.offsets + v.offset;
  const int64_t avg = std::max<int64_t>(1, (int64_t(o[v.length]) - int64_t(o[0])) / v.length);
  const int64_t rows = kLikeSteps / (avg * int64_t(std::max<size_t>(1, pattern_len)));
  return std::clamp<int64_t>(rows / 64 * 64, 64, kLikeSlice);
}

Result<Mask> LikeSliced(const ArrayView& v, const std::string& pattern,
                        const std::atomic<bool>* cancel) {
  const int64_t slice = LikeSliceRows(v, pattern.size());
  if (cancel == nullptr || v.length <= slice || v.type->is_dictionary()) {
    return kernels::Like(v, pattern, '\0');
  }
  Mask m = Mask::AllFalse(v.length);
  m.is_known.assign(size_t(Mask::WordsFor(v.length)), ~uint64_t(0));
  for (int64_t at = 0; at < v.length; at += slice) {
    if (cancel->load(std::memory_order_relaxed)) return Status::Cancelled("query cancelled");
    ArrayView part = v;
    part.offset += at;
    part.length = std::min(slice, v.length - at);
    QUIVER_ASSIGN_OR_RETURN(Mask p, kernels::Like(part, pattern, '\0'));
    const size_t w0 = size_t(at / 64);
    for (size_t w = 0; w < p.is_true.size(); ++w) {
      m.is_true[w0 + w] = p.is_true[w];
      if (p.has_nulls()) m.is_known[w0 + w] = p.is_known[w];
    }
  }
  if (v.length % 64 != 0) m.is_known.back() &= (uint64_t(1) << (v.length % 64)) - 1;
  m.Normalize();
  return m;
}

Scalar OperandAt(const BoundExpr& x, const Morsel& c, int64_t i) {
  if (x.kind == ExprKind::kColumn) return kernels::ValueAt(c.views[size_t(x.column)], i);
  return ToKernelScalar(x.literal);
}

// a op b row by row, for operand shapes the kernels do not take.
Mask CompareRows(const BoundExpr& a, kernels::CompareOp op, const BoundExpr& b, const Morsel& c) {
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
    return ConstMask(
        FromOptional(CompareValues(ToKernelScalar(a.literal), op, ToKernelScalar(b.literal))),
        c.rows());
  }
  return CompareRows(a, op, b, c);
}

// The divisor d such that operand e runs on the undecided rows alone (taken
// apart) when at most 1/d of the morsel's rows are undecided: 2 when it
// reads a computed column left pending (the work per row is the
// function's); 4 when it reads the bytes of a plain string column (taking
// rows apart copies their bytes, but a row's match costs more); 8 otherwise
// (numbers, dictionary indices); 0, never, for `s = ''` and `s <> ''` on a
// plain string column, decided from its offsets alone.
int ApartDivisor(const BoundExpr& e, const Morsel& c) {
  if (e.kind == ExprKind::kColumn) {
    if (c.Pending(e.column)) return 2;
    const DataType* t = c.views[size_t(e.column)].type;
    return t != nullptr && IsBinaryLike(t->id) && !t->is_dictionary() ? 4 : 8;
  }
  if (e.kind == ExprKind::kCompare && (e.op == query::CompareOp::kEq || e.op == query::CompareOp::kNe) &&
      e.args.size() == 2 && e.args[0] && e.args[1] && e.args[0]->kind == ExprKind::kColumn &&
      !c.Pending(e.args[0]->column) && e.args[1]->kind == ExprKind::kLiteral) {
    const DataType* t = c.views[size_t(e.args[0]->column)].type;
    const auto* s = std::get_if<std::string>(&e.args[1]->literal.value);
    if (t != nullptr && !t->is_dictionary() && s != nullptr && s->empty()) return 0;
  }
  // A fixed-width column against literals (a SIMD compare over the morsel
  // at a fraction of a nanosecond a row): apart only below 1/64, where its
  // rows' cache lines are no longer all read anyway.
  if ((e.kind == ExprKind::kCompare || e.kind == ExprKind::kBetween || e.kind == ExprKind::kIn) &&
      !e.args.empty() && e.args[0] && e.args[0]->kind == ExprKind::kColumn && !c.Pending(e.args[0]->column) &&
      std::all_of(e.args.begin() + 1, e.args.end(),
                  [](const query::BoundExprPtr& a) { return a && a->kind == ExprKind::kLiteral; })) {
    const DataType* t = c.views[size_t(e.args[0]->column)].type;
    if (t != nullptr && !t->is_dictionary() &&
        (IsNumeric(t->id) || t->id == TypeId::kDate32 || t->id == TypeId::kTimestamp)) {
      return 64;
    }
  }
  int d = 8;
  for (const auto& a : e.args) {
    if (!a) continue;
    const int k = ApartDivisor(*a, c);
    if (k == 2) return 2;
    if (k != 0) d = std::min(d, k);
  }
  return d;
}

// AND / OR, each operand after the first evaluated only on the rows the
// earlier ones left undecided (not FALSE for AND, not TRUE for OR), as a
// selection vector does in DuckDB: `s <> '' AND CAST(s AS int) > 1` casts
// only the non-empty strings, and `CounterID = 62 AND URL LIKE '%x%'` scans
// only the URLs of counter 62. Few rows undecided (ApartDivisor): they are
// taken apart; many: the operand runs over the morsel, and an error it raises counts
// only if an undecided row raises it too.
Result<Mask> EvalConnective(const BoundExpr& e, const Morsel& c) {
  const bool is_and = e.kind == ExprKind::kAnd;
  const int64_t n = c.rows();
  QUIVER_ASSIGN_OR_RETURN(Mask acc, Eval(*e.args[0], c));
  for (size_t i = 1; i < e.args.size(); ++i) {
    // The undecided rows: for AND TRUE or NULL, for OR FALSE or NULL.
    Mask open = is_and ? acc : kernels::Not(acc);
    if (acc.has_nulls()) {
      for (size_t w = 0; w < open.is_true.size(); ++w) open.is_true[w] |= ~acc.is_known[w];
      const int64_t tail = n & 63;
      if (tail) open.is_true.back() &= (uint64_t(1) << tail) - 1;
      open.is_known.clear();
    }
    const int64_t undecided = kernels::CountTrue(open);
    if (undecided == 0) break;
    const BoundExpr& next = *e.args[i];
    const int divisor = ApartDivisor(next, c);
    const bool apart = undecided < n && divisor > 0 && undecided * divisor <= n;
    Mask m;
    if (apart) {
      QUIVER_ASSIGN_OR_RETURN(m, EvalOn(next, c, kernels::ToSelection(open), is_and));
    } else {
      Result<Mask> whole = Eval(next, c);
      if (!whole.ok() && undecided < n) whole = EvalOn(next, c, kernels::ToSelection(open), is_and);
      if (!whole.ok()) return whole.status();
      m = std::move(*whole);
    }
    QUIVER_ASSIGN_OR_RETURN(acc, is_and ? kernels::And(acc, m) : kernels::Or(acc, m));
  }
  return acc;
}

}  // namespace

// Eval without EXPLAIN ANALYZE's probe (below).
Result<Mask> EvalUnprobed(const BoundExpr& e, const Morsel& c) {
  const int64_t n = c.rows();
  if (IsConstant(e)) return ConstMask(EvalConst(e), n);
  if (c.computed != nullptr && e.kind != ExprKind::kAnd && e.kind != ExprKind::kOr &&
      e.kind != ExprKind::kNot) {
    // A computed column this condition reads and Read left pending: over
    // this morsel's rows (a subset of the chunk's under AND / OR).
    std::vector<int> cols;
    ColumnsOf(e, c, &cols);
    if (std::any_of(cols.begin(), cols.end(), [&](int k) { return c.Pending(k); })) {
      Morsel filled = c;
      DeferredColumns hold;
      QUIVER_RETURN_NOT_OK(FillPending(e, &filled, &hold));
      return EvalUnprobed(e, filled);
    }
  }
  switch (e.kind) {
    case ExprKind::kLiteral:
      return ConstMask(EvalConst(e), n);
    case ExprKind::kColumn:  // a bool column as a condition
      return kernels::Compare(c.views[size_t(e.column)], kernels::CompareOp::kEq,
                              Scalar::Bool(true));
    case ExprKind::kAnd:
    case ExprKind::kOr:
      return EvalConnective(e, c);
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
        QUIVER_ASSIGN_OR_RETURN(
            m, kernels::Between(c.views[size_t(x.column)], ToKernelScalar(lo.literal),
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
      for (size_t i = 1; i < e.args.size(); ++i)
        literal_list &= e.args[i]->kind == ExprKind::kLiteral;
      if (x.kind == ExprKind::kColumn && literal_list) {
        std::vector<Scalar> values;
        values.reserve(e.args.size() - 1);
        for (size_t i = 1; i < e.args.size(); ++i)
          values.push_back(ToKernelScalar(e.args[i]->literal));
        QUIVER_ASSIGN_OR_RETURN(m, kernels::In(c.views[size_t(x.column)], values));
      } else {
        QUIVER_ASSIGN_OR_RETURN(m, CompareOperands(x, kernels::CompareOp::kEq, *e.args[1], c));
        for (size_t i = 2; i < e.args.size(); ++i) {
          QUIVER_ASSIGN_OR_RETURN(Mask k,
                                  CompareOperands(x, kernels::CompareOp::kEq, *e.args[i], c));
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
        QUIVER_ASSIGN_OR_RETURN(m, LikeSliced(c.views[size_t(x.column)], pattern, c.cancel));
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
    default:
      break;
  }
  return Status::Internal("a value expression reached the condition evaluator");
}

// The probe counts the TRUE rows of the WHERE condition an EXPLAIN ANALYZE
// measures (store/explain_internal.h), and the time spent evaluating it.
Result<Mask> Eval(const BoundExpr& e, const Morsel& c) {
  ExplainCounter* probe = ExplainCounterFor(&e);
  if (probe == nullptr) return EvalUnprobed(e, c);
  const int64_t t0 = ExplainNowNanos();
  Result<Mask> m = EvalUnprobed(e, c);
  probe->nanos += ExplainNowNanos() - t0;
  if (m.ok()) probe->rows += kernels::CountTrue(*m);
  return m;
}

namespace {

// The cost class of condition `e` over a morsel: 0 fixed-width columns
// against literals or each other, 1 string columns, 2 LIKE; -1 when it
// reads a computed column or is a form that may raise an error.
int ConditionCost(const BoundExpr& e, const Schema& in, size_t num_source) {
  auto operand = [&](const BoundExpr* a) -> int {
    if (a == nullptr) return -1;
    if (a->kind == ExprKind::kLiteral) return 0;
    if (a->kind != ExprKind::kColumn || a->column < 0 || size_t(a->column) >= num_source) return -1;
    const DataType& t = in.field(size_t(a->column)).type;
    return t.is_dictionary() || IsBinaryLike(t.id) ? 1 : 0;
  };
  int cost = 0;
  switch (e.kind) {
    case ExprKind::kLiteral:
      return 0;
    case ExprKind::kColumn:
      return operand(&e);
    case ExprKind::kCompare:
    case ExprKind::kBetween:
    case ExprKind::kIn:
    case ExprKind::kIsNull:
      for (const auto& a : e.args) {
        const int c = operand(a.get());
        if (c < 0) return -1;
        cost = std::max(cost, c);
      }
      return cost;
    case ExprKind::kLike:
      return e.args.size() == 2 && operand(e.args[0].get()) >= 0 && e.args[1] &&
                     e.args[1]->kind == ExprKind::kLiteral
                 ? 2
                 : -1;
    case ExprKind::kNot:
    case ExprKind::kAnd:
    case ExprKind::kOr:
      for (const auto& a : e.args) {
        const int c = a ? ConditionCost(*a, in, num_source) : -1;
        if (c < 0) return -1;
        cost = std::max(cost, c);
      }
      return cost;
    default:
      return -1;
  }
}

// x >= a (ge) or x <= b (le) of a source column and a literal that is not
// NULL: the column, else -1.
int RangeEnd(const BoundExpr& e, bool ge, size_t num_source) {
  if (e.kind != ExprKind::kCompare || e.op != (ge ? query::CompareOp::kGe : query::CompareOp::kLe) ||
      e.args.size() != 2 || !e.args[0] || !e.args[1] || e.args[0]->kind != ExprKind::kColumn ||
      e.args[1]->kind != ExprKind::kLiteral || e.args[1]->literal.is_null() ||
      e.args[0]->column < 0 || size_t(e.args[0]->column) >= num_source) {
    return -1;
  }
  return e.args[0]->column;
}

}  // namespace

query::BoundExprPtr OrderConjuncts(const query::BoundExprPtr& where, const Schema& input,
                                   size_t num_source, std::vector<size_t>* positions) {
  positions->clear();
  if (!where || where->kind != ExprKind::kAnd) return where;
  struct Item {
    query::BoundExprPtr e;
    int cost;
    std::vector<size_t> from;  // its positions in `where`
  };
  std::vector<Item> items;
  for (size_t i = 0; i < where->args.size(); ++i) {
    const int c = where->args[i] ? ConditionCost(*where->args[i], input, num_source) : -1;
    if (c < 0) return where;
    items.push_back({where->args[i], c, {i}});
  }
  // x >= a AND x <= b (either order, anywhere in the AND) is x BETWEEN a
  // AND b: one pass over x instead of two.
  bool merged = false;
  for (size_t i = 0; i < items.size(); ++i) {
    for (bool ge : {true, false}) {
      const int col = RangeEnd(*items[i].e, ge, num_source);
      if (col < 0) continue;
      for (size_t k = i + 1; k < items.size(); ++k) {
        const BoundExpr& other = *items[k].e;
        if (RangeEnd(other, !ge, num_source) != col ||
            !(other.operand_type == items[i].e->operand_type)) {
          continue;
        }
        auto between = std::make_shared<BoundExpr>(*items[i].e);
        between->kind = ExprKind::kBetween;
        const query::BoundExprPtr lo = ge ? items[i].e->args[1] : other.args[1];
        const query::BoundExprPtr hi = ge ? other.args[1] : items[i].e->args[1];
        between->args = {items[i].e->args[0], lo, hi};
        items[i].e = between;
        items[i].from.push_back(items[k].from[0]);
        items.erase(items.begin() + std::ptrdiff_t(k));
        merged = true;
        break;
      }
      if (items[i].e->kind == ExprKind::kBetween) break;
    }
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.cost < b.cost; });
  bool moved = merged;
  for (size_t i = 0; i < items.size(); ++i) moved |= items[i].from[0] != i;
  if (!moved) return where;
  // A fused pair's second position is marked (kFusedWithPrevious).
  for (const Item& it : items) {
    for (size_t k = 0; k < it.from.size(); ++k)
      positions->push_back(it.from[k] | (k > 0 ? kFusedWithPrevious : 0));
  }
  if (items.size() == 1) return items[0].e;  // an AND has two operands or more
  auto out = std::make_shared<BoundExpr>(*where);
  out->args.clear();
  for (const Item& it : items) out->args.push_back(it.e);
  return out;
}

}  // namespace quiver::store::internal
