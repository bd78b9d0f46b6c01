// PlanStages: a general query as computed columns plus at most two stages of
// the simple model (see store/plan_internal.h).
#include <map>
#include <optional>
#include <utility>

#include "store/plan_internal.h"
#include "store/query_internal.h"

namespace quiver::store::internal {

using query::AggFunc;
using query::Expr;
using query::ExprKind;
using query::ExprPtr;
using query::OrderItem;
using query::Query;
using query::SelectItem;
using query::Value;

ExprPtr AggregateOfItem(const SelectItem& s, ExprPtr arg, ExprPtr filter) {
  auto e = std::const_pointer_cast<Expr>(
      Expr::Aggregate(s.agg, std::move(arg), false, std::move(filter)));
  if (s.agg == AggFunc::kCountDistinct) e->negated = true;
  if (s.agg == AggFunc::kMedian || s.agg == AggFunc::kQuantileCont ||
      s.agg == AggFunc::kQuantileDisc) {
    e->value = s.param;
  }
  if (s.agg == AggFunc::kStringAgg) e->value = s.sep;
  return e;
}

namespace {

// The expression a select item stands for.
ExprPtr ItemExpr(const SelectItem& s) {
  if (s.expr) return s.expr;
  if (s.agg == AggFunc::kNone) return Expr::Column(s.column);
  return AggregateOfItem(s, s.column.empty() ? nullptr : Expr::Column(s.column), s.filter);
}

// Names in HAVING that are select aliases (and not columns) stand for the
// aliased expression, as in DuckDB.
ExprPtr ResolveAliases(const ExprPtr& e, const Query& q, const Schema& source) {
  if (e == nullptr) return e;
  if (e->kind == ExprKind::kColumn && source.FieldIndex(e->column) < 0) {
    for (const SelectItem& s : q.select) {
      if (!s.alias.empty() && s.alias == e->column) return ItemExpr(s);
    }
    return e;
  }
  auto copy = std::make_shared<Expr>(*e);
  for (auto& a : copy->args) a = ResolveAliases(a, q, source);
  return copy;
}

// SELECT *, x + 1: the star expanded to the source's columns.
Query ExpandStar(const Query& in, const Schema& source) {
  bool star = false;
  for (const SelectItem& s : in.select) star = star || (!s.expr && s.agg == AggFunc::kNone && s.column == "*");
  if (!star) return in;
  Query q = in;
  q.select.clear();
  for (const SelectItem& s : in.select) {
    if (!s.expr && s.agg == AggFunc::kNone && s.column == "*") {
      for (const Field& f : source.fields()) q.select.push_back(SelectItem(AggFunc::kNone, f.name));
    } else {
      q.select.push_back(s);
    }
  }
  return q;
}

SelectItem ColumnItem(std::string column, std::string alias) {
  SelectItem s;
  s.column = std::move(column);
  s.alias = std::move(alias);
  return s;
}

void CollectAggregates(const ExprPtr& e, std::vector<ExprPtr>* out) {
  if (e == nullptr) return;
  if (e->kind == ExprKind::kAggregate) {
    out->push_back(e);
    return;
  }
  for (const auto& a : e->args) CollectAggregates(a, out);
}

// Stage A's select item for one aggregate call of the query.
Result<SelectItem> PlanAggregate(const Expr& e, ExprLowering* low, std::string alias) {
  const std::string text = query::ToSql(e);
  SelectItem item;
  item.agg = e.agg;
  item.alias = std::move(alias);
  if (!e.args.empty() && e.args[0]) {
    if (query::ContainsAggregate(*e.args[0])) {
      return Status::Invalid(text + ": aggregates cannot be nested");
    }
    QUIVER_ASSIGN_OR_RETURN(item.column, low->Materialize(*e.args[0]));
  } else if (e.agg != AggFunc::kCount) {
    return Status::Invalid(text + " needs an argument");
  }
  if (e.args.size() > 1 && e.args[1]) {
    QUIVER_ASSIGN_OR_RETURN(item.filter, low->LowerCondition(*e.args[1]));
  }
  if (e.agg == AggFunc::kQuantileCont || e.agg == AggFunc::kQuantileDisc ||
      e.agg == AggFunc::kMedian) {
    const Value& v = e.value;
    double p = std::holds_alternative<double>(v)    ? std::get<double>(v)
               : std::holds_alternative<int64_t>(v) ? double(std::get<int64_t>(v))
                                                    : -1;
    if (!(p >= 0 && p <= 1)) {
      return Status::Invalid(text + ": the quantile must be a number from 0 to 1");
    }
    item.param = p;
  }
  if (e.agg == AggFunc::kStringAgg) {
    if (!std::holds_alternative<std::string>(e.value)) {
      return Status::Invalid(text + ": the separator must be a string");
    }
    item.sep = std::get<std::string>(e.value);
  }
  if (e.negated && e.agg != AggFunc::kCountDistinct) {
    return Status::NotSupported(text + ": DISTINCT is supported in COUNT only");
  }
  return item;
}

// The range of a signed integer type.
std::pair<__int128, __int128> SignedRange(TypeId id) {
  const int bits = 8 * ByteWidth(id);
  const __int128 max = (__int128(1) << (bits - 1)) - 1;
  return {-max - 1, max};
}

// SUM(x + c), SUM(c + x) and SUM(x - c), of a signed integer x and an integer
// literal c, without DISTINCT or FILTER, equal SUM(x) + c * COUNT(x): two
// aggregates shared by every such sum instead of a computed column each
// (ClickBench's Q30 has ninety). Taken only when x + c cannot overflow its
// type for any x of x's type, so the original could not fail row by row,
// and |c| < 2^31, so c * COUNT(x) stays inside int64 below 2^32 rows per
// group. Returns x and the shift c.
std::optional<std::pair<ExprPtr, int64_t>> SumOfShift(const Expr& e, ExprLowering* low) {
  if (e.agg != AggFunc::kSum || e.negated || e.args.empty() || !e.args[0] ||
      (e.args.size() > 1 && e.args[1])) {
    return std::nullopt;
  }
  const Expr& arg = *e.args[0];
  if (arg.kind != ExprKind::kCall || arg.args.size() != 2 ||
      (arg.column != "+" && arg.column != "-")) {
    return std::nullopt;
  }
  auto int_literal = [](const ExprPtr& x) {
    return x->kind == ExprKind::kLiteral && std::holds_alternative<int64_t>(x->value);
  };
  int side = int_literal(arg.args[1]) ? 1 : arg.column == "+" && int_literal(arg.args[0]) ? 0 : -1;
  if (side < 0) return std::nullopt;
  int64_t c = std::get<int64_t>(arg.args[size_t(side)]->value);
  if (c <= -(int64_t(1) << 31) || c >= (int64_t(1) << 31)) return std::nullopt;
  if (arg.column == "-") c = -c;
  const ExprPtr& x = arg.args[size_t(1 - side)];
  auto bx = low->BindValue(*x);
  auto bsum = low->BindValue(arg);
  if (!bx.ok() || !bsum.ok()) return std::nullopt;
  const DataType& sx = (*bx)->type;
  const DataType& st = (*bsum)->type;
  if (sx.is_dictionary() || st.is_dictionary() || !IsSignedInteger(sx.id) ||
      !IsSignedInteger(st.id)) {
    return std::nullopt;
  }
  auto [xmin, xmax] = SignedRange(sx.id);
  auto [tmin, tmax] = SignedRange(st.id);
  if (xmin + c < tmin || xmax + c > tmax) return std::nullopt;
  return std::make_pair(x, c);
}

// Stage B's view of an expression: aggregates and group keys replaced by
// the columns of stage A's result.
class Regrouper {
 public:
  Regrouper(const std::vector<ExprPtr>& keys, const std::map<std::string, ExprPtr>& aggs,
            const Schema& source)
      : keys_(keys), aggs_(aggs), source_(source) {}

  Result<ExprPtr> Replace(const ExprPtr& e) const {
    if (e == nullptr) return e;
    if (e->kind == ExprKind::kAggregate) {
      auto it = aggs_.find(query::ToSql(*e));
      if (it == aggs_.end()) return Status::Internal("aggregate not planned: " + query::ToSql(*e));
      return it->second;
    }
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (query::ExprEquals(keys_[i], e)) return Expr::Column("#g" + std::to_string(i));
    }
    if (e->kind == ExprKind::kColumn) {
      if (source_.FieldIndex(e->column) < 0) {
        return Status::NotFound("unknown column \"" + e->column + "\"");
      }
      return Status::Invalid("column \"" + e->column +
                             "\" must appear in GROUP BY or be used in an aggregate function");
    }
    auto copy = std::make_shared<Expr>(*e);
    for (auto& a : copy->args) {
      QUIVER_ASSIGN_OR_RETURN(a, Replace(a));
    }
    return ExprPtr(std::move(copy));
  }

 private:
  const std::vector<ExprPtr>& keys_;
  const std::map<std::string, ExprPtr>& aggs_;
  const Schema& source_;
};

Status PlanProjection(const Query& q, ExprLowering* low, Query* a) {
  // SELECT * (an empty list) is the source's columns, not the computed ones
  // an ORDER BY expression adds.
  if (q.select.empty()) {
    const auto schema = low->schema();
    for (size_t i = 0; i < low->num_source_fields(); ++i) {
      a->select.push_back(SelectItem(AggFunc::kNone, schema->field(int(i)).name));
    }
  }
  for (const SelectItem& s : q.select) {
    if (!s.expr) {
      a->select.push_back(s);
      continue;
    }
    QUIVER_ASSIGN_OR_RETURN(std::string col, low->Materialize(*s.expr));
    a->select.push_back(ColumnItem(col, OutputName(s)));
  }
  for (const OrderItem& o : q.order_by) {
    OrderItem k = o;
    if (o.agg != AggFunc::kNone || (o.expr && query::ContainsAggregate(*o.expr))) {
      return Status::Invalid("ORDER BY " + query::internal::OrderItemToSql(o) +
                             ": aggregates need GROUP BY or an aggregate select list");
    }
    if (o.expr) {
      k.expr = nullptr;
      for (size_t i = 0; i < q.select.size() && k.position == 0; ++i) {
        if (query::ExprEquals(q.select[i].expr, o.expr)) k.position = int64_t(i + 1);
      }
      if (k.position == 0) {
        QUIVER_ASSIGN_OR_RETURN(k.name, low->Materialize(*o.expr));
      }
    }
    a->order_by.push_back(std::move(k));
  }
  a->limit = q.limit;
  a->offset = q.offset;
  return Status::OK();
}

// The GROUP BY keys as expressions: ordinals and select aliases resolved.
Result<std::vector<ExprPtr>> GroupKeys(const Query& q, const Schema& source) {
  std::vector<ExprPtr> keys;
  std::vector<ExprPtr> items;
  for (const auto& n : q.group_by) items.push_back(Expr::Column(n));
  for (const auto& e : q.group_by_exprs) items.push_back(e);
  for (const ExprPtr& k : items) {
    ExprPtr key = k;
    if (k->kind == ExprKind::kLiteral && std::holds_alternative<int64_t>(k->value)) {
      const int64_t pos = std::get<int64_t>(k->value);
      if (pos < 1 || size_t(pos) > q.select.size()) {
        return Status::Invalid("GROUP BY position " + std::to_string(pos) +
                               " is out of range; the select list has " +
                               std::to_string(q.select.size()) + " columns");
      }
      key = ItemExpr(q.select[size_t(pos - 1)]);
    } else if (k->kind == ExprKind::kColumn && source.FieldIndex(k->column) < 0) {
      for (const SelectItem& s : q.select) {
        if (!s.alias.empty() && s.alias == k->column) key = ItemExpr(s);
      }
    }
    if (query::ContainsAggregate(*key)) {
      return Status::Invalid("GROUP BY " + query::ToSql(*key) + ": aggregates cannot be grouped by");
    }
    bool seen = false;
    for (const auto& x : keys) seen = seen || query::ExprEquals(x, key);
    if (!seen) keys.push_back(key);
  }
  return keys;
}

}  // namespace

std::string OutputName(const SelectItem& s) {
  if (!s.alias.empty()) return s.alias;
  if (!s.expr && s.agg == AggFunc::kNone) return s.column;
  if (!s.expr) return query::AggOutputName(s);
  if (s.expr->kind == ExprKind::kColumn) return s.expr->column;
  return query::ToSql(*s.expr);
}

Result<StagePlan> PlanStages(const Query& in, std::shared_ptr<const Schema> schema) {
  bool widened = false;
  Query q = WidenStoredTypes(ExpandStar(in, *schema), *schema, &widened);
  q.having = ResolveAliases(q.having, q, *schema);
  ExprLowering low(schema, q.table);
  StagePlan plan;
  Query a;
  a.table = q.table;
  if (q.where) {
    if (query::ContainsAggregate(*q.where)) {
      return Status::Invalid("aggregates are not allowed in WHERE (use HAVING)");
    }
    QUIVER_ASSIGN_OR_RETURN(a.where, low.LowerCondition(*q.where));
  }
  bool aggregate = !q.group_by.empty() || !q.group_by_exprs.empty() || q.having != nullptr;
  for (const SelectItem& s : q.select) {
    aggregate = aggregate || s.agg != AggFunc::kNone || (s.expr && query::ContainsAggregate(*s.expr));
  }
  auto finish = [&]() {
    plan.schema = low.schema();
    plan.num_source_fields = low.num_source_fields();
    plan.computed = low.computed();
    plan.simple = std::move(a);
  };
  if (!aggregate) {
    QUIVER_RETURN_NOT_OK(PlanProjection(q, &low, &a));
    finish();
    return plan;
  }
  if (q.select.empty()) return Status::Invalid("SELECT * cannot be used with GROUP BY");

  // Stage A: keys, then every distinct aggregate.
  QUIVER_ASSIGN_OR_RETURN(std::vector<ExprPtr> keys, GroupKeys(q, *schema));
  for (size_t i = 0; i < keys.size(); ++i) {
    QUIVER_ASSIGN_OR_RETURN(std::string col, low.Materialize(*keys[i]));
    a.select.push_back(ColumnItem(col, "#g" + std::to_string(i)));
    bool dup = false;
    for (const auto& g : a.group_by) dup = dup || g == col;
    if (!dup) a.group_by.push_back(col);
  }
  std::vector<ExprPtr> aggs;
  for (const SelectItem& s : q.select) CollectAggregates(ItemExpr(s), &aggs);
  CollectAggregates(q.having, &aggs);
  for (const OrderItem& o : q.order_by) {
    if (o.expr) CollectAggregates(o.expr, &aggs);
    if (o.agg != AggFunc::kNone) {
      CollectAggregates(Expr::Aggregate(o.agg, o.name.empty() ? nullptr : Expr::Column(o.name)),
                        &aggs);
    }
  }
  // Stage B reads each aggregate as a column of stage A (or an expression
  // over such columns, for a rewritten sum).
  std::map<std::string, ExprPtr> agg_columns;
  auto add = [&](const ExprPtr& e) -> Result<ExprPtr> {
    const std::string text = query::ToSql(*e);
    auto it = agg_columns.find(text);
    if (it != agg_columns.end()) return it->second;
    QUIVER_ASSIGN_OR_RETURN(SelectItem item,
                            PlanAggregate(*e, &low, "#a" + std::to_string(a.select.size())));
    ExprPtr column = Expr::Column(item.alias);
    agg_columns[text] = column;
    a.select.push_back(std::move(item));
    return column;
  };
  for (const ExprPtr& e : aggs) {
    if (auto shift = SumOfShift(*e, &low)) {
      const std::string text = query::ToSql(*e);
      if (agg_columns.count(text)) continue;
      QUIVER_ASSIGN_OR_RETURN(ExprPtr sum, add(Expr::Aggregate(AggFunc::kSum, shift->first)));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr count, add(Expr::Aggregate(AggFunc::kCount, shift->first)));
      agg_columns[text] =
          Expr::Call("+", {sum, Expr::Call("*", {Expr::Literal(Value(shift->second)), count})});
      continue;
    }
    QUIVER_ASSIGN_OR_RETURN(ExprPtr column, add(e));
    (void)column;
  }

  // Stage B: the select list, HAVING, ORDER BY and LIMIT over stage A.
  Regrouper regroup(keys, agg_columns, *schema);
  Query b;
  b.table = q.table;
  std::vector<ExprPtr> outputs;
  for (const SelectItem& s : q.select) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr e, regroup.Replace(ItemExpr(s)));
    SelectItem item;
    item.alias = OutputName(s);
    if (e->kind == ExprKind::kColumn) {
      item.column = e->column;
    } else {
      item.expr = e;
    }
    outputs.push_back(e);
    b.select.push_back(std::move(item));
  }
  if (q.having) {
    QUIVER_ASSIGN_OR_RETURN(b.where, regroup.Replace(q.having));
  }
  for (const OrderItem& o : q.order_by) {
    OrderItem k = o;
    ExprPtr e = o.expr;
    if (o.agg != AggFunc::kNone) {
      e = Expr::Aggregate(o.agg, o.name.empty() ? nullptr : Expr::Column(o.name));
    } else if (!e && o.position == 0) {
      bool is_output = false;
      for (const SelectItem& s : b.select) is_output = is_output || s.alias == o.name;
      if (!is_output) e = Expr::Column(o.name);
    }
    if (e) {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr r, regroup.Replace(e));
      k.agg = AggFunc::kNone;
      k.name.clear();
      k.expr = nullptr;
      for (size_t i = 0; i < outputs.size() && k.position == 0; ++i) {
        if (query::ExprEquals(outputs[i], r)) k.position = int64_t(i + 1);
      }
      if (k.position == 0) {
        if (r->kind == ExprKind::kColumn) {
          k.name = r->column;
        } else {
          k.expr = r;
        }
      }
    }
    b.order_by.push_back(std::move(k));
  }
  b.limit = q.limit;
  b.offset = q.offset;

  // When stage B only renames stage A's columns (no HAVING, no expression
  // over aggregates, ORDER BY on outputs), stage A answers alone: its group
  // operator keeps the top-k and streams, and nothing is materialised twice.
  bool trivial = b.where == nullptr;
  std::map<std::string, size_t> a_index;
  for (size_t i = 0; i < a.select.size(); ++i) a_index[a.select[i].alias] = i;
  for (const SelectItem& s : b.select) trivial = trivial && !s.expr && a_index.count(s.column);
  for (const OrderItem& o : b.order_by) {
    bool output = o.position > 0;
    for (const SelectItem& s : b.select) output = output || (!o.expr && o.name == s.alias);
    trivial = trivial && output;
  }
  if (trivial) {
    std::vector<SelectItem> select;
    for (const SelectItem& s : b.select) {
      SelectItem item = a.select[a_index[s.column]];
      item.alias = s.alias;
      select.push_back(std::move(item));
    }
    a.select = std::move(select);
    a.order_by = b.order_by;
    a.limit = b.limit;
    a.offset = b.offset;
    finish();
    return plan;
  }
  finish();
  plan.post = std::move(b);
  return plan;
}

}  // namespace quiver::store::internal
