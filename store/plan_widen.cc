// WidenHalfFloats (store/plan_internal.h): the kernels compare, sort, sum
// and compute in float32 and float64, not in float16; a float16 column is
// widened (exactly) where a query computes with it, and returned as float16
// where it is only selected or grouped.
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

  ExprPtr Widen(const std::string& column) {
    changed_ = true;
    return Expr::Cast(Expr::Column(column), "float32");
  }

  // `e` with every float16 column reference widened (subqueries are their
  // own SELECTs, planned with their own source).
  ExprPtr Rewrite(const ExprPtr& e) {
    if (e == nullptr || e->kind == ExprKind::kSubquery) return e;
    if (e->kind == ExprKind::kColumn) return IsHalf(e->column) ? Widen(e->column) : e;
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
// a bare float16 column: that column.
const std::string* BareHalfItem(const Query& q, const query::OrderItem& o, const Widener& w) {
  const SelectItem* item = nullptr;
  if (o.position > 0 && size_t(o.position) <= q.select.size()) {
    item = &q.select[size_t(o.position - 1)];
  } else if (o.position == 0) {
    for (const SelectItem& s : q.select) {
      if (!s.alias.empty() && s.alias == o.name) item = &s;
    }
  }
  if (item == nullptr) return nullptr;
  if (item->expr && item->expr->kind == ExprKind::kColumn && w.IsHalf(item->expr->column)) {
    return &item->expr->column;
  }
  if (!item->expr && item->agg == AggFunc::kNone && w.IsHalf(item->column)) return &item->column;
  return nullptr;
}

}  // namespace

Query WidenHalfFloats(const Query& in, const Schema& source, bool* changed) {
  *changed = false;
  bool any = false;
  for (const Field& f : source.fields()) any = any || f.type.id == TypeId::kFloat16;
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
      o.expr = w.Rewrite(o.expr);
    } else if (o.agg != AggFunc::kNone) {
      if (!w.IsHalf(o.name)) continue;
      o.expr = w.WidenedAggregate(o.agg, o.name, nullptr, 0.5);
      o.agg = AggFunc::kNone;
      o.name.clear();
    } else if (const std::string* column = BareHalfItem(in, o, w)) {
      o.expr = w.Widen(*column);
      o.position = 0;
      o.name.clear();
    } else if (o.position == 0 && w.IsHalf(o.name)) {
      bool alias = false;
      for (const SelectItem& s : q.select) alias = alias || s.alias == o.name;
      if (!alias) {
        o.expr = w.Widen(o.name);
        o.name.clear();
      }
    }
  }
  *changed = w.changed();
  return q;
}

}  // namespace quiver::store::internal
