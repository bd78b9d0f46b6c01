// WidenStoredTypes (store/plan_internal.h): the kernels compare, sort, sum
// and compute in float32 and float64, not in float16; a float16 column is
// widened (exactly) where a query computes with it, and returned as float16
// where it is only selected or grouped. Intervals compare and sort by
// interval_key (kernels/fn_sort_key.cc: a month is 30 days, a day 24 hours,
// as in DuckDB and PostgreSQL).
#include <string>
#include <utility>

#include "columnar/decimal.h"
#include "store/plan_internal.h"

namespace quiver::store::internal {

namespace {

using query::AggFunc;
using query::Expr;
using query::ExprKind;
using query::ExprPtr;
using query::Query;
using query::SelectItem;

class Widener {
 public:
  explicit Widener(const Schema& source) : source_(source) {}

  bool IsHalf(const std::string& column) const {
    const int i = source_.FieldIndex(column);
    return i >= 0 && source_.field(i).type.id == TypeId::kFloat16;
  }

  bool IsInterval(const std::string& column) const {
    const int i = source_.FieldIndex(column);
    if (i < 0) return false;
    const TypeId id = source_.field(i).type.id;
    return id == TypeId::kIntervalYearMonth || id == TypeId::kIntervalDayTime ||
           id == TypeId::kIntervalMonthDayNano;
  }
  bool IsDecimal256(const std::string& column) const {
    const int i = source_.FieldIndex(column);
    return i >= 0 && source_.field(i).type.id == TypeId::kDecimal256;
  }
  // Columns that compare and sort by a key: intervals and decimal256.
  bool IsKeyed(const std::string& column) const { return IsInterval(column) || IsDecimal256(column); }

  ExprPtr Widen(const std::string& column) {
    changed_ = true;
    return Expr::Cast(Expr::Column(column), "float32");
  }

  // The key of a keyed column.
  ExprPtr Key(const std::string& column) {
    changed_ = true;
    return Expr::Call(IsInterval(column) ? "interval_key" : "decimal256_key", {Expr::Column(column)});
  }

  // An operand of a comparison whose other side is the keyed column
  // `anchor`, as that column's key: a keyed column of the same type (and
  // scale), an INTERVAL literal next to an interval, a number that a
  // decimal256 of the anchor's scale holds exactly. Null: leave it (the
  // binder says what does not compare).
  // The keyed column `a` reads: a keyed column itself, or one whose
  // min/max `a` is (both compare as keys). Null otherwise.
  const Field* KeyedOperand(const ExprPtr& a) const {
    if (a == nullptr) return nullptr;
    if (a->kind == ExprKind::kColumn && IsKeyed(a->column)) return &source_.field(source_.FieldIndex(a->column));
    if (a->kind == ExprKind::kAggregate && !a->args.empty() && a->args[0] != nullptr &&
        a->args[0]->kind == ExprKind::kColumn && !a->negated && IsKeyedMinMax(a->agg, a->args[0]->column)) {
      return &source_.field(source_.FieldIndex(a->args[0]->column));
    }
    return nullptr;
  }

  ExprPtr OperandKey(const ExprPtr& a, const DataType& anchor) {
    if (a == nullptr) return nullptr;
    if (a->kind == ExprKind::kAggregate) {
      const Field* f = KeyedOperand(a);
      if (f == nullptr || !(f->type == anchor)) return nullptr;
      return Expr::Aggregate(a->agg, Key(f->name), false, Rewrite(a->args.size() > 1 ? a->args[1] : nullptr));
    }
    if (a->kind == ExprKind::kColumn && IsKeyed(a->column)) {
      const DataType& t = source_.field(source_.FieldIndex(a->column)).type;
      const bool same = anchor.id == TypeId::kDecimal256 ? t.id == anchor.id && t.scale == anchor.scale
                                                         : t.id != TypeId::kDecimal256;
      return same ? Key(a->column) : nullptr;
    }
    if (a->kind == ExprKind::kInterval && anchor.id != TypeId::kDecimal256) {
      changed_ = true;
      return Expr::Call("interval_key", {Expr::Literal(query::Value(a->interval[0])),
                                         Expr::Literal(query::Value(a->interval[1])),
                                         Expr::Literal(query::Value(a->interval[2]))});
    }
    if (a->kind == ExprKind::kLiteral && anchor.id == TypeId::kDecimal256) {
      std::string text = a->number_text;
      if (text.empty() && std::holds_alternative<int64_t>(a->value)) text = std::to_string(std::get<int64_t>(a->value));
      uint8_t le[32], key[32];
      if (text.empty() || !ParseDecimal256(text, anchor.precision, anchor.scale, le).ok()) return nullptr;
      Decimal256SortKey(le, key);
      static constexpr char kHex[] = "0123456789abcdef";
      std::string hex = "0x";
      for (uint8_t b : key) {
        hex.push_back(kHex[b >> 4]);
        hex.push_back(kHex[b & 15]);
      }
      changed_ = true;
      return Expr::Literal(query::Value(hex));
    }
    return nullptr;
  }

  // min/max of a decimal256 column: taken on its keys, turned back.
  ExprPtr KeyedMinMax(AggFunc agg, const std::string& column, const ExprPtr& filter) {
    changed_ = true;
    const DataType& t = source_.field(source_.FieldIndex(column)).type;
    return Expr::Call("decimal256_from_key",
                      {Expr::Aggregate(agg, Key(column), false, Rewrite(filter)),
                       Expr::Literal(query::Value(int64_t(t.precision))),
                       Expr::Literal(query::Value(int64_t(t.scale)))});
  }
  bool IsKeyedMinMax(AggFunc agg, const std::string& column) const {
    return (agg == AggFunc::kMin || agg == AggFunc::kMax) && IsDecimal256(column);
  }

  // The column an ORDER BY key names: float16 widened, or a keyed column's key.
  ExprPtr OrderKey(const std::string& column) { return IsHalf(column) ? Widen(column) : Key(column); }

  // `e` with every float16 column reference widened (subqueries are their
  // own SELECTs, planned with their own source), and comparisons with a
  // keyed column made on keys when every operand has one.
  ExprPtr Rewrite(const ExprPtr& e) {
    if (e == nullptr || e->kind == ExprKind::kSubquery) return e;
    if (e->kind == ExprKind::kColumn) return IsHalf(e->column) ? Widen(e->column) : e;
    if (e->kind == ExprKind::kAggregate && !e->args.empty() && e->args[0] != nullptr &&
        e->args[0]->kind == ExprKind::kColumn && !e->negated && IsKeyedMinMax(e->agg, e->args[0]->column)) {
      return KeyedMinMax(e->agg, e->args[0]->column, e->args.size() > 1 ? e->args[1] : nullptr);
    }
    if (e->kind == ExprKind::kCompare || e->kind == ExprKind::kBetween || e->kind == ExprKind::kIn) {
      for (const ExprPtr& a : e->args) {
        const Field* keyed = KeyedOperand(a);
        if (keyed == nullptr) continue;
        const DataType anchor = keyed->type;
        std::vector<ExprPtr> keys;
        for (const ExprPtr& b : e->args) keys.push_back(OperandKey(b, anchor));
        bool all = true;
        for (const ExprPtr& k : keys) all = all && k != nullptr;
        if (!all) break;
        auto copy = std::make_shared<Expr>(*e);
        copy->args = std::move(keys);
        return copy;
      }
    }
    bool any = false;
    std::vector<ExprPtr> args;
    args.reserve(e->args.size());
    for (const ExprPtr& a : e->args) {
      args.push_back(Rewrite(a));
      any = any || args.back() != a;
    }
    if (!any) return e;
    auto copy = std::make_shared<Expr>(*e);
    copy->args = std::move(args);
    return copy;
  }

  // The aggregate `s` stands for, over its widened column.
  ExprPtr WidenedAggregate(const SelectItem& s) {
    return AggregateOfItem(s, Widen(s.column), Rewrite(s.filter));
  }

  bool changed() const { return changed_; }

 private:
  const Schema& source_;
  bool changed_ = false;
};

// The select item a by-name or by-position ORDER BY key refers to, if it is
// a bare float16 or interval column: that column.
const std::string* BareKeyedItem(const Query& q, const query::OrderItem& o, const Widener& w) {
  const SelectItem* item = nullptr;
  if (o.position > 0 && size_t(o.position) <= q.select.size()) {
    item = &q.select[size_t(o.position - 1)];
  } else if (o.position == 0) {
    for (const SelectItem& s : q.select) {
      if (!s.alias.empty() && s.alias == o.name) item = &s;
    }
  }
  if (item == nullptr) return nullptr;
  auto keyed = [&](const std::string& c) { return w.IsHalf(c) || w.IsKeyed(c); };
  if (item->expr && item->expr->kind == ExprKind::kColumn && keyed(item->expr->column)) {
    return &item->expr->column;
  }
  if (!item->expr && item->agg == AggFunc::kNone && keyed(item->column)) return &item->column;
  return nullptr;
}

}  // namespace

Query WidenStoredTypes(const Query& in, const Schema& source, bool* changed) {
  *changed = false;
  bool any = false;
  for (const Field& f : source.fields()) {
    const TypeId id = f.type.id;
    any = any || id == TypeId::kFloat16 || id == TypeId::kIntervalYearMonth ||
          id == TypeId::kIntervalDayTime || id == TypeId::kIntervalMonthDayNano ||
          id == TypeId::kDecimal256;
  }
  if (!any) return in;
  Widener w(source);
  Query q = in;
  q.where = w.Rewrite(q.where);
  q.having = w.Rewrite(q.having);
  for (ExprPtr& g : q.group_by_exprs) {
    if (g->kind != ExprKind::kColumn) g = w.Rewrite(g);  // a bare key groups float16 by value
  }
  for (SelectItem& s : q.select) {
    const std::string name = OutputName(s);
    if (s.expr) {
      if (s.expr->kind == ExprKind::kColumn) continue;
      ExprPtr e = w.Rewrite(s.expr);
      if (e == s.expr) continue;
      s.expr = std::move(e);
    } else if (w.IsKeyedMinMax(s.agg, s.column)) {
      s.expr = w.KeyedMinMax(s.agg, s.column, s.filter);
      s.agg = AggFunc::kNone;
      s.column.clear();
      s.filter = nullptr;
    } else if (s.agg != AggFunc::kNone && w.IsHalf(s.column)) {
      s.expr = w.WidenedAggregate(s);
      s.agg = AggFunc::kNone;
      s.column.clear();
      s.filter = nullptr;
    } else {
      ExprPtr f = w.Rewrite(s.filter);
      if (f == s.filter) continue;
      s.filter = std::move(f);
    }
    s.alias = name;
  }
  for (query::OrderItem& o : q.order_by) {
    if (o.expr) {
      o.expr = o.expr->kind == ExprKind::kColumn && w.IsKeyed(o.expr->column) ? w.Key(o.expr->column)
                                                                              : w.Rewrite(o.expr);
    } else if (o.agg != AggFunc::kNone) {
      if (!w.IsHalf(o.name) && !w.IsKeyedMinMax(o.agg, o.name)) continue;
      o.expr = w.IsHalf(o.name) ? w.WidenedAggregate(SelectItem(o.agg, o.name))
                                : w.KeyedMinMax(o.agg, o.name, nullptr);
      o.agg = AggFunc::kNone;
      o.name.clear();
    } else if (const std::string* column = BareKeyedItem(in, o, w)) {
      o.expr = w.OrderKey(*column);
      o.position = 0;
      o.name.clear();
    } else if (o.position == 0 && (w.IsHalf(o.name) || w.IsKeyed(o.name))) {
      bool alias = false;
      for (const SelectItem& s : q.select) alias = alias || s.alias == o.name;
      if (!alias) {
        o.expr = w.OrderKey(o.name);
        o.name.clear();
      }
    }
  }
  *changed = w.changed();
  return q;
}

}  // namespace quiver::store::internal
