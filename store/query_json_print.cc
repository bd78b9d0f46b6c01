// The JSON spelling of a Query, printing side (ToJson; see store/query.h).
// The parsing side is store/query_json.cc.
#include <cctype>
#include <string>

#include <nlohmann/json.hpp>

#include "store/query.h"
#include "store/query_internal.h"

namespace quiver::query {
namespace {

using nlohmann::json;


json ValueToJson(const Value& v) {
  switch (v.index()) {
    case 0: return nullptr;
    case 1: return std::get<bool>(v);
    case 2: return std::get<int64_t>(v);
    case 3: return std::get<uint64_t>(v);
    case 4: return std::get<double>(v);
    default: return std::get<std::string>(v);
  }
}

json ExprToJson(const Expr& e);
std::string LowerAggName(AggFunc f);

json GeneralToJson(const Expr& e) {
  json args = json::array();
  switch (e.kind) {
    case ExprKind::kCall:
      for (const ExprPtr& a : e.args) args.push_back(ExprToJson(*a));
      if (internal::IsArithmeticOperator(e.column)) return json{{"op", e.column}, {"args", std::move(args)}};
      return json{{"fn", e.column}, {"args", std::move(args)}};
    case ExprKind::kCast: {
      json c{{"cast", ExprToJson(*e.args[0])}, {"type", e.column}};
      if (e.negated) c["try"] = true;
      return c;
    }
    case ExprKind::kCase: {
      if (e.negated) break;  // a simple CASE: its SQL spelling below
      json arms = json::array();
      size_t i = 0;
      for (; i + 1 < e.args.size(); i += 2) {
        arms.push_back(json::array({ExprToJson(*e.args[i]), ExprToJson(*e.args[i + 1])}));
      }
      json c{{"case", std::move(arms)}};
      if (i < e.args.size()) c["else"] = ExprToJson(*e.args[i]);
      return c;
    }
    case ExprKind::kAggregate: {
      json a{{"fn", LowerAggName(e.agg == AggFunc::kCountDistinct ? AggFunc::kCount : e.agg)}};
      if (!e.args.empty() && e.args[0]) a["args"] = json::array({ExprToJson(*e.args[0])});
      if (e.agg == AggFunc::kCountDistinct) a["distinct"] = true;
      if (e.args.size() > 1 && e.args[1]) a["filter"] = ExprToJson(*e.args[1]);
      if (e.agg == AggFunc::kStringAgg && std::holds_alternative<std::string>(e.value)) {
        a["sep"] = std::get<std::string>(e.value);
      }
      if (e.agg == AggFunc::kQuantileCont || e.agg == AggFunc::kQuantileDisc) {
        a["q"] = std::holds_alternative<double>(e.value) ? std::get<double>(e.value)
                 : std::holds_alternative<int64_t>(e.value) ? double(std::get<int64_t>(e.value))
                                                             : 0.5;
      }
      return a;
    }
    default:
      break;
  }
  return json{{"sql_expr", ToSql(e)}};  // not reached for parser output but simple CASE
}

json ExprToJson(const Expr& e) {
  const char* op = nullptr;
  switch (e.kind) {
    case ExprKind::kColumn: return json{{"col", e.column}};
    case ExprKind::kLiteral: return ValueToJson(e.value);
    case ExprKind::kCompare: op = CompareOpSql(e.op); break;
    case ExprKind::kBetween: op = e.negated ? "not between" : "between"; break;
    case ExprKind::kIn: op = e.negated ? "not in" : "in"; break;
    case ExprKind::kIsNull: op = e.negated ? "is_not_null" : "is_null"; break;
    case ExprKind::kLike: op = e.negated ? "not like" : "like"; break;
    case ExprKind::kAnd: op = "and"; break;
    case ExprKind::kOr: op = "or"; break;
    case ExprKind::kNot: op = "not"; break;
    default: return GeneralToJson(e);
  }
  json args = json::array();
  if (e.kind == ExprKind::kIn) {
    args.push_back(ExprToJson(*e.args[0]));
    json list = json::array();
    for (size_t i = 1; i < e.args.size(); ++i) list.push_back(ExprToJson(*e.args[i]));
    args.push_back(std::move(list));
  } else {
    for (const ExprPtr& a : e.args) args.push_back(ExprToJson(*a));
  }
  return json{{"op", op}, {"args", std::move(args)}};
}

std::string LowerAggName(AggFunc f) {
  if (f == AggFunc::kCountDistinct) return "count_distinct";
  std::string s = AggFuncName(f);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

namespace {
// False for the forms the JSON model has no spelling of: INTERVAL literals,
// subqueries, a simple CASE.
bool JsonSpellable(const ExprPtr& e) {
  if (e == nullptr) return true;
  if (e->kind == ExprKind::kInterval || e->kind == ExprKind::kSubquery ||
      (e->kind == ExprKind::kCase && e->negated)) {
    return false;
  }
  for (const auto& a : e->args) {
    if (!JsonSpellable(a)) return false;
  }
  return true;
}
}  // namespace

std::string ToJson(const Query& q) {
  json j = json::object();
  bool sql_only = !q.with.empty() || q.from_query || !q.union_all.empty() ||
                  q.explain != ExplainMode::kNone || !JsonSpellable(q.where) ||
                  !JsonSpellable(q.having);
  for (const SelectItem& s : q.select) {
    sql_only = sql_only || !JsonSpellable(s.expr) || !JsonSpellable(s.filter) ||
               (s.agg == AggFunc::kNone && s.column == "*" && !s.expr);
  }
  for (const ExprPtr& g : q.group_by_exprs) sql_only = sql_only || !JsonSpellable(g);
  for (const OrderItem& o : q.order_by) sql_only = sql_only || !JsonSpellable(o.expr);
  if (sql_only) {
    j["sql"] = ToSql(q);
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  j["table"] = q.table;
  if (q.distinct) j["distinct"] = true;
  if (!q.select.empty()) {
    json select = json::array();
    for (const SelectItem& s : q.select) {
      if (s.expr) {
        json item{{"expr", ExprToJson(*s.expr)}};
        if (!s.alias.empty()) item["as"] = s.alias;
        select.push_back(std::move(item));
        continue;
      }
      if (s.agg == AggFunc::kNone && s.alias.empty()) {
        select.push_back(s.column);
        continue;
      }
      json item = json::object();
      if (s.agg != AggFunc::kNone) item["agg"] = LowerAggName(s.agg);
      if (!s.column.empty()) item["col"] = s.column;
      if (s.agg == AggFunc::kQuantileCont || s.agg == AggFunc::kQuantileDisc) item["q"] = s.param;
      if (s.agg == AggFunc::kStringAgg) item["sep"] = s.sep;
      if (!s.alias.empty()) item["as"] = s.alias;
      select.push_back(std::move(item));
    }
    j["select"] = std::move(select);
  }
  if (q.where) {
    // A bare non-boolean literal as the whole condition would read back as
    // SQL text (a string) or as "no where" (null): write it as SQL text.
    const bool odd_literal = q.where->kind == ExprKind::kLiteral &&
                             !std::holds_alternative<bool>(q.where->value);
    j["where"] = odd_literal ? json(ToSql(*q.where)) : ExprToJson(*q.where);
  }
  if (!q.group_by_exprs.empty()) {
    json g = json::array();
    for (const ExprPtr& e : q.group_by_exprs) {
      if (e->kind == ExprKind::kLiteral) {
        g.push_back(ValueToJson(e->value));
      } else if (e->kind == ExprKind::kColumn) {
        g.push_back(json{{"col", e->column}});
      } else {
        g.push_back(ExprToJson(*e));
      }
    }
    j["group_by"] = std::move(g);
  } else if (!q.group_by.empty()) {
    j["group_by"] = q.group_by;
  }
  if (q.having) j["having"] = ExprToJson(*q.having);
  if (!q.order_by.empty()) {
    json order = json::array();
    for (const OrderItem& o : q.order_by) {
      json item = json::object();
      if (o.expr) {
        item["expr"] = ExprToJson(*o.expr);
      } else if (o.position > 0) {
        item["pos"] = o.position;
      } else {
        if (o.agg != AggFunc::kNone) item["agg"] = LowerAggName(o.agg);
        if (!o.name.empty()) item["col"] = o.name;
      }
      if (o.descending) item["desc"] = true;
      if (o.nulls != NullOrder::kDefault) item["nulls"] = o.nulls == NullOrder::kFirst ? "first" : "last";
      order.push_back(std::move(item));
    }
    j["order_by"] = std::move(order);
  }
  if (q.limit) j["limit"] = *q.limit;
  if (q.offset) j["offset"] = *q.offset;
  // Replace invalid UTF-8 rather than throw.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace quiver::query
