// Chunk pruning: a chunk's statistics (catalog, no data touched) decide
// whether a WHERE condition can be TRUE for any of its rows.
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "columnar/decimal.h"
#include "store/exec_internal.h"

namespace quiver::store::internal {

using query::BoundExpr;
using query::ExprKind;

namespace {

// ---------------------------------------------------------------------------
// Pruning with chunk statistics. MayBeTrue answers "can the condition be TRUE
// for some row of a chunk with these statistics?"; false only when certain.
// ---------------------------------------------------------------------------

// A literal as a bound. Numbers compare as long double (exact for every
// int64 and uint64); bytes view the literal's own string, or `key` (a
// decimal's sort key, computed here) — a bound is computed per chunk, so it
// copies nothing it need not.
struct Bound {
  bool has = false;
  bool is_bytes = false;
  long double num = 0;
  std::string_view bytes;
  std::string key;
  std::string_view Bytes() const { return key.empty() ? bytes : std::string_view(key); }
};

// A literal against a decimal column: the column's statistics key
// (DecimalSortKey) when the literal is exact at the column's scale;
// otherwise a numeric bound, which never matches the statistics' kind and so
// never prunes.
Bound DecimalBound(const query::TypedScalar& t) {
  Bound b;
  b.has = true;
  const query::Value& v = t.value;
  std::string text;
  if (const int64_t* i = std::get_if<int64_t>(&v)) text = std::to_string(*i);
  else if (const uint64_t* u = std::get_if<uint64_t>(&v)) text = std::to_string(*u);
  else if (const double* d = std::get_if<double>(&v)) text = ShortestDouble(*d);
  else if (const std::string* s = std::get_if<std::string>(&v)) text = *s;
  Result<DecimalBounds> r = DecimalLiteralBounds(text, t.type.scale);
  if (!r.ok() || !r->exact()) return b;
  uint8_t bytes[32];
  StoreDecimal128(bytes, r->lo);
  std::memset(bytes + 16, r->lo < 0 ? 0xFF : 0, 16);
  b.is_bytes = true;
  b.key = DecimalSortKey(bytes, ByteWidth(t.type.id));
  return b;
}

// The literal as a comparable bound, or !has for NULL.
Bound LiteralBound(const query::TypedScalar& t) {
  Bound b;
  const query::Value& v = t.value;
  if (std::holds_alternative<std::monostate>(v)) return b;
  if (t.type.is_decimal()) return DecimalBound(t);
  b.has = true;
  if (const bool* x = std::get_if<bool>(&v))
    b.num = *x ? 1 : 0;
  else if (const int64_t* i = std::get_if<int64_t>(&v))
    b.num = static_cast<long double>(*i);
  else if (const uint64_t* u = std::get_if<uint64_t>(&v))
    b.num = static_cast<long double>(*u);
  else if (const double* d = std::get_if<double>(&v)) {
    if (std::isnan(*d)) b.has = false;  // NaN literal: do not reason about it
    b.num = static_cast<long double>(*d);
  } else {
    b.is_bytes = true;
    b.bytes = std::get<std::string>(v);  // a view of the literal, which outlives the bound
  }
  return b;
}

struct StatRange {
  bool usable = false;  // min and max known and of a comparable kind
  bool is_bytes = false;
  bool has_max = false;
  long double min_num = 0, max_num = 0;
  std::string_view min_bytes, max_bytes;  // views of the chunk's statistics
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
    const std::string_view x = against_max ? r.max_bytes : r.min_bytes;
    int c = b.Bytes().compare(x);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  long double x = against_max ? r.max_num : r.min_num;
  return b.num < x ? -1 : (b.num > x ? 1 : 0);
}

// A comparison's two sides with the column (if either is one) first, and
// the operator as seen from that side (`5 < x` is `x > 5`).
struct ColumnFirstCompare {
  const BoundExpr* col;
  const BoundExpr* other;
  query::CompareOp op;
};
ColumnFirstCompare ColumnFirst(const BoundExpr& e) {
  ColumnFirstCompare c{e.args[0].get(), e.args[1].get(), e.op};
  if (c.col->kind != ExprKind::kColumn) {
    std::swap(c.col, c.other);
    c.op = static_cast<query::CompareOp>(kernels::FlipCompareOp(ToKernelOp(c.op)));
  }
  return c;
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
      case ExprKind::kCompare:
        return MayCompare(e);
      case ExprKind::kBetween: {
        if (e.negated) return true;
        StatRange r;
        if (!ColumnRange(*e.args[0], &r)) return true;
        if (!AllNonNullLiterals(e, 1)) return true;
        if (AnyNullLiteral(e, 1)) return false;  // x BETWEEN NULL AND .. is never TRUE
        if (!r.usable) return NoValues(*e.args[0]) ? false : true;
        Bound lo = LiteralBound(e.args[1]->literal), hi = LiteralBound(e.args[2]->literal);
        if (!lo.has || !hi.has || lo.is_bytes != r.is_bytes || hi.is_bytes != r.is_bytes)
          return true;
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
      default:  // columns, literals, NOT, value expressions: cannot rule out
        return true;
    }
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
    auto [col, lit, op] = ColumnFirst(e);
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
    const int vs_min = Cmp(b, r, false);                  // lit vs min
    const int vs_max = r.has_max ? Cmp(b, r, true) : -1;  // lit vs max (unbounded: lit < max)
    bool may = true;
    switch (op) {
      case query::CompareOp::kEq:
        may = vs_min >= 0 && vs_max <= 0;
        break;
      case query::CompareOp::kNe: {
        const ColumnStats* s = Stats(col->column);
        may = !(s->min_exact && s->max_exact && r.has_max && vs_min == 0 && vs_max == 0);
        break;
      }
      case query::CompareOp::kLt:
        may = vs_min > 0;
        break;  // some v < lit needs min < lit
      case query::CompareOp::kLe:
        may = vs_min >= 0;
        break;
      case query::CompareOp::kGt:
        may = vs_max < 0;
        break;  // needs max > lit
      case query::CompareOp::kGe:
        may = vs_max <= 0;
        break;
    }
    return may || nan_true;
  }

  const std::vector<ColumnStats>& stats_;
  int64_t rows_;
};

}  // namespace

bool MayBeTrue(const BoundExpr& e, const std::vector<ColumnStats>& stats, int64_t rows) {
  return Pruner(stats, rows).MayBeTrue(e);
}

namespace {

// The int64 value of a literal, or nullopt (NULL, unsigned beyond int64,
// floating point, text: MayBeTrue's affair).
std::optional<int64_t> Int64Literal(const BoundExpr& e) {
  if (e.kind != ExprKind::kLiteral || e.literal.type.is_decimal()) return std::nullopt;
  if (const int64_t* i = std::get_if<int64_t>(&e.literal.value)) return *i;
  return std::nullopt;
}

// Adds `column op value` as a closed interval of the values for which it is
// TRUE; false when it is not such a term (or op is <>, which no interval
// states).
bool AddIntTerm(const BoundExpr& e, std::vector<std::pair<int, std::pair<int64_t, int64_t>>>* out) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (e.kind == ExprKind::kBetween && !e.negated && e.args.size() == 3 &&
      e.args[0]->kind == ExprKind::kColumn) {
    auto lo = Int64Literal(*e.args[1]), hi = Int64Literal(*e.args[2]);
    if (!lo || !hi) return false;
    out->push_back({e.args[0]->column, {*lo, *hi}});
    return true;
  }
  if (e.kind != ExprKind::kCompare || e.args.size() != 2) return false;
  const auto [col, lit, op] = ColumnFirst(e);
  if (col->kind != ExprKind::kColumn) return false;
  const std::optional<int64_t> v = Int64Literal(*lit);
  if (!v) return false;
  std::pair<int64_t, int64_t> r;
  switch (op) {
    case query::CompareOp::kEq: r = {*v, *v}; break;
    case query::CompareOp::kLt:
      if (*v == kMin) return false;
      r = {kMin, *v - 1};
      break;
    case query::CompareOp::kLe: r = {kMin, *v}; break;
    case query::CompareOp::kGt:
      if (*v == kMax) return false;
      r = {*v + 1, kMax};
      break;
    case query::CompareOp::kGe: r = {*v, kMax}; break;
    default: return false;
  }
  out->push_back({col->column, r});
  return true;
}

}  // namespace

ChunkPruner::ChunkPruner(const BoundExpr& where) : where_(where) {
  std::vector<std::pair<int, std::pair<int64_t, int64_t>>> terms;
  if (where.kind == ExprKind::kAnd) {
    for (const auto& a : where.args) {
      if (!AddIntTerm(*a, &terms)) return;
    }
  } else if (!AddIntTerm(where, &terms)) {
    return;
  }
  for (const auto& [column, r] : terms) terms_.push_back({column, r.first, r.second});
  compiled_ = !terms_.empty();
}

bool ChunkPruner::MayBeTrue(const std::vector<ColumnStats>& stats, int64_t rows) const {
  if (!compiled_) return internal::MayBeTrue(where_, stats, rows);
  bool may = true;
  for (const IntTerm& t : terms_) {
    if (t.column < 0 || size_t(t.column) >= stats.size()) return internal::MayBeTrue(where_, stats, rows);
    const ColumnStats& s = stats[size_t(t.column)];
    if (s.kind != ColumnStats::Kind::kInt || !s.has_min || !s.has_max || s.row_count != rows) {
      return internal::MayBeTrue(where_, stats, rows);  // the general rules decide
    }
    // An interval of TRUE values meets [min, max]: some row may match.
    if (t.hi < s.min_int || t.lo > s.max_int) may = false;
  }
  return may;
}

}  // namespace quiver::store::internal
