// WidenStoredTypes (store/plan_internal.h): the kernels compare, sort, sum
// and compute in float32 and float64, not in float16; a float16 column is
// widened (exactly) where a query computes with it, and returned as float16
// where it is only selected or grouped. Intervals compare and sort by
// interval_key (kernels/fn_interval.cc: a month is 30 days, a day 24 hours,
// as in DuckDB and PostgreSQL).
#include <string>
#include <utility>

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

  ExprPtr Widen(const std::string& column) {
    changed_ = true;
    return Expr::Cast(Expr::Column(column), "float32");
  }

  // What an interval column or INTERVAL literal compares and sorts by.
  ExprPtr Key(const ExprPtr& e) {
    changed_ = true;
    if (e->kind == ExprKind::kInterval) {
      return Expr::Call("interval_key", {Expr::Literal(query::Value(e->interval[0])),
                                         Expr::Literal(query::Value(e->interval[1])),
                                         Expr::Literal(query::Value(e->interval[2]))});
    }
    return Expr::Call("interval_key", {e});
  }

  bool IsIntervalOperand(const ExprPtr& e) const {
    return e != nullptr && e->kind == ExprKind::kColumn && IsInterval(e->column);
  }

  // The column an ORDER BY key names, or an interval column's key.
  ExprPtr OrderKey(const std::string& column) {
    return IsHalf(column) ? Widen(column) : Key(Expr::Column(column));
  }

  // `e` with every float16 column reference widened (subqueries are their
  // own SELECTs, planned with their own source).
  ExprPtr Rewrite(const ExprPtr& e) {
    if (e == nullptr || e->kind == ExprKind::kSubquery) return e;
    if (e->kind == ExprKind::kColumn) return IsHalf(e->column) ? Widen(e->column) : e;
    // A comparison with an interval column compares interval keys (the
    // INTERVAL literals in it too).
    const bool compares = e->kind == ExprKind::kCompare || e->kind == ExprKind::kBetween ||
                          e->kind == ExprKind::kIn;
    bool interval = false;
    for (const ExprPtr& a : e->args) interval = interval || (compares && IsIntervalOperand(a));
    bool any = false;
    std::vector<ExprPtr> args;
    args.reserve(e->args.size());
    for (const ExprPtr& a : e->args) {
      const bool keyed = interval && a != nullptr &&
                         (IsIntervalOperand(a) || a->kind == ExprKind::kInterval);
      args.push_back(keyed ? Key(a) : Rewrite(a));
      any = any || args.back() != a;
    }
    if (!any) return e;
    auto copy = std::make_shared<Expr>(*e);
    copy->args = std::move(args);
    return copy;
  }

  // The aggregate `s` stands for, over its widened column.
  ExprPtr WidenedAggregate(AggFunc agg, const std::string& column, const ExprPtr& filter,
                           double param) {
    auto e = std::const_pointer_cast<Expr>(Expr::Aggregate(agg, Widen(column), false, Rewrite(filter)));
    if (agg == AggFunc::kCountDistinct) e->negated = true;
    if (agg == AggFunc::kMedian || agg == AggFunc::kQuantileCont || agg == AggFunc::kQuantileDisc) {
      e->value = param;
    }
    return e;
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
  auto keyed = [&](const std::string& c) { return w.IsHalf(c) || w.IsInterval(c); };
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
          id == TypeId::kIntervalDayTime || id == TypeId::kIntervalMonthDayNano;
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
    } else if (s.agg != AggFunc::kNone && w.IsHalf(s.column)) {
      s.expr = w.WidenedAggregate(s.agg, s.column, s.filter, s.param);
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
      o.expr = o.expr->kind == ExprKind::kColumn && w.IsInterval(o.expr->column) ? w.Key(o.expr)
                                                                                 : w.Rewrite(o.expr);
    } else if (o.agg != AggFunc::kNone) {
      if (!w.IsHalf(o.name)) continue;
      o.expr = w.WidenedAggregate(o.agg, o.name, nullptr, 0.5);
      o.agg = AggFunc::kNone;
      o.name.clear();
    } else if (const std::string* column = BareKeyedItem(in, o, w)) {
      o.expr = w.OrderKey(*column);
      o.position = 0;
      o.name.clear();
    } else if (o.position == 0 && (w.IsHalf(o.name) || w.IsInterval(o.name))) {
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
