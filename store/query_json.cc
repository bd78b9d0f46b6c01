// The JSON spelling of a Query (see store/query.h). nlohmann-json parses the
// text; its exceptions never leave this file.

#include <cctype>
#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "store/query.h"
#include "store/query_internal.h"
#include "store/sql_parser_internal.h"

namespace quiver::query {
namespace {

using nlohmann::json;

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}
std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

Status PathError(const std::string& path, const std::string& problem) {
  return Status::Invalid(path.empty() ? problem : path + ": " + problem);
}

const char* JsonTypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

Status TypeMismatch(const std::string& path, const char* expected, const json& j) {
  return PathError(path, std::string("expected ") + expected + ", found " + JsonTypeName(j));
}

// A JSON scalar as a literal; nullopt for arrays and objects.
std::optional<Value> ScalarValue(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return Value();
    case json::value_t::boolean: return Value(j.get<bool>());
    case json::value_t::number_integer: return Value(j.get<int64_t>());
    case json::value_t::number_unsigned: {
      // nlohmann stores every non-negative integer as unsigned.
      uint64_t u = j.get<uint64_t>();
      if (u <= uint64_t(std::numeric_limits<int64_t>::max())) return Value(int64_t(u));
      return Value(u);
    }
    case json::value_t::number_float: return Value(j.get<double>());
    case json::value_t::string: return Value(j.get<std::string>());
    default: return std::nullopt;
  }
}

// Errors of the SQL-text parsers used for string-valued fields, prefixed
// with the JSON path.
template <typename T>
Result<T> WithPath(Result<T> r, const std::string& path) {
  if (r.ok()) return r;
  return PathError(path, r.status().message());
}

Status CheckKeys(const json& obj, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || it.key() == a;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      return PathError(path, "unknown key \"" + it.key() + "\" (expected " + list + ")");
    }
  }
  return Status::OK();
}

Result<std::string> GetString(const json& j, const std::string& path) {
  if (!j.is_string()) return TypeMismatch(path, "a string", j);
  return j.get<std::string>();
}

Result<int64_t> GetNonNegativeInt(const json& j, const std::string& path) {
  if (j.is_number_unsigned() && j.get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max())) {
    return int64_t(j.get<uint64_t>());
  }
  if (j.is_number_integer() && !j.is_number_unsigned() && j.get<int64_t>() >= 0) {
    return j.get<int64_t>();
  }
  return PathError(path, "expected an integer from 0 to 9223372036854775807, found " +
                             (j.is_number() ? j.dump() : std::string(JsonTypeName(j))));
}

// --- expressions ---

struct OpInfo {
  std::string_view name;  // normalised: lower case, '_' as ' '
  ExprKind kind;
  CompareOp op;
  bool negated;
};

constexpr OpInfo kOps[] = {
    {"=", ExprKind::kCompare, CompareOp::kEq, false},
    {"==", ExprKind::kCompare, CompareOp::kEq, false},
    {"!=", ExprKind::kCompare, CompareOp::kNe, false},
    {"<>", ExprKind::kCompare, CompareOp::kNe, false},
    {"<", ExprKind::kCompare, CompareOp::kLt, false},
    {"<=", ExprKind::kCompare, CompareOp::kLe, false},
    {">", ExprKind::kCompare, CompareOp::kGt, false},
    {">=", ExprKind::kCompare, CompareOp::kGe, false},
    {"between", ExprKind::kBetween, CompareOp::kEq, false},
    {"not between", ExprKind::kBetween, CompareOp::kEq, true},
    {"in", ExprKind::kIn, CompareOp::kEq, false},
    {"not in", ExprKind::kIn, CompareOp::kEq, true},
    {"is null", ExprKind::kIsNull, CompareOp::kEq, false},
    {"is not null", ExprKind::kIsNull, CompareOp::kEq, true},
    {"like", ExprKind::kLike, CompareOp::kEq, false},
    {"not like", ExprKind::kLike, CompareOp::kEq, true},
    {"and", ExprKind::kAnd, CompareOp::kEq, false},
    {"or", ExprKind::kOr, CompareOp::kEq, false},
    {"not", ExprKind::kNot, CompareOp::kEq, false},
};

const OpInfo* FindOp(const std::string& raw) {
  std::string name;
  for (char c : raw) {
    name += c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const OpInfo& info : kOps) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

Result<ExprPtr> ParseJsonExpr(const json& j, const std::string& path, int depth);


Result<std::vector<ExprPtr>> ParseJsonArgs(const json& j, const std::string& path, int depth) {
  if (!j.is_array()) return TypeMismatch(path, "an array", j);
  std::vector<ExprPtr> args;
  for (size_t i = 0; i < j.size(); ++i) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseJsonExpr(j[i], Index(path, i), depth + 1));
    args.push_back(std::move(e));
  }
  return args;
}

// The general forms: {"op": "+", "args": [...]}, {"fn": "lower", "args":
// [...]} (an aggregate too: "distinct", "filter", "q", "sep"), {"cast": x, "type":
// "bigint"}, {"case": [[when, then], ...], "else": x}.
Result<ExprPtr> ParseJsonGeneral(const json& j, const std::string& path, int depth) {
  if (j.contains("cast")) {
    QUIVER_RETURN_NOT_OK(CheckKeys(j, path, {"cast", "type", "try"}));
    QUIVER_ASSIGN_OR_RETURN(ExprPtr x, ParseJsonExpr(j["cast"], Join(path, "cast"), depth + 1));
    if (!j.contains("type")) return PathError(path, "missing \"type\"");
    QUIVER_ASSIGN_OR_RETURN(std::string type, GetString(j["type"], Join(path, "type")));
    // The SQL spelling of a type: words, and numbers in parentheses.
    auto typed = ParseSql("SELECT CAST(1 AS " + type + ")");
    if (!typed.ok() || typed->select.size() != 1 || !typed->select[0].expr ||
        typed->select[0].expr->kind != ExprKind::kCast) {
      return PathError(Join(path, "type"), "not a type name: \"" + type + "\"");
    }
    type = typed->select[0].expr->column;
    const bool try_cast = j.contains("try") && j["try"].is_boolean() && j["try"].get<bool>();
    return Expr::Cast(std::move(x), std::move(type), try_cast);
  }
  if (j.contains("case")) {
    QUIVER_RETURN_NOT_OK(CheckKeys(j, path, {"case", "else"}));
    const json& arms = j["case"];
    const std::string arms_path = Join(path, "case");
    if (!arms.is_array() || arms.empty()) return TypeMismatch(arms_path, "an array of [when, then]", arms);
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kCase;
    for (size_t i = 0; i < arms.size(); ++i) {
      if (!arms[i].is_array() || arms[i].size() != 2) {
        return TypeMismatch(Index(arms_path, i), "a [when, then] pair", arms[i]);
      }
      QUIVER_ASSIGN_OR_RETURN(std::vector<ExprPtr> pair,
                              ParseJsonArgs(arms[i], Index(arms_path, i), depth));
      e->args.push_back(pair[0]);
      e->args.push_back(pair[1]);
    }
    if (j.contains("else")) {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr other, ParseJsonExpr(j["else"], Join(path, "else"), depth + 1));
      e->args.push_back(std::move(other));
    }
    return ExprPtr(std::move(e));
  }
  const bool is_fn = j.contains("fn");
  QUIVER_RETURN_NOT_OK(is_fn ? CheckKeys(j, path, {"fn", "args", "distinct", "filter", "q", "sep"})
                             : CheckKeys(j, path, {"op", "args"}));
  const std::string key = is_fn ? "fn" : "op";
  QUIVER_ASSIGN_OR_RETURN(std::string name, GetString(j[key], Join(path, key)));
  std::vector<ExprPtr> args;
  if (j.contains("args")) {
    QUIVER_ASSIGN_OR_RETURN(args, ParseJsonArgs(j["args"], Join(path, "args"), depth));
  }
  if (!is_fn) {
    const size_t want = name == "neg" ? 1 : 2;
    if (args.size() != want) {
      return PathError(Join(path, "args"), "\"" + name + "\" takes " + std::to_string(want) +
                                               (want == 1 ? " argument" : " arguments") +
                                               ", found " + std::to_string(args.size()));
    }
  }
  if (is_fn) {
    bool ident = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) {  // as the SQL lexer reads a name: bytes >= 0x80 too
      const auto u = static_cast<unsigned char>(c);
      ident = ident && (std::isalnum(u) || c == '_' || u >= 0x80);
    }
    if (!ident) return PathError(Join(path, "fn"), "not a function name: \"" + name + "\"");
    // A reserved word names no function (in SQL it could not be called):
    // the JSON model and SQL stay one language.
    if (internal::IsReservedWord(name)) {
      return PathError(Join(path, "fn"), "not a function name: \"" + name + "\" is a reserved word");
    }
    if (internal::EqualsIgnoreCase(name, "neg")) {
      return PathError(Join(path, "fn"), "unknown function \"neg\" (use {\"op\": \"neg\"})");
    }
  }
  AggFunc f = is_fn ? internal::AggregateNamed(name) : AggFunc::kNone;
  if (f == AggFunc::kNone) {
    if (j.contains("distinct") || j.contains("filter") || j.contains("q") || j.contains("sep")) {
      return PathError(path, "\"distinct\", \"filter\", \"q\" and \"sep\" go only with aggregates");
    }
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return Expr::Call(std::move(name), std::move(args));
  }
  if (args.size() > 1) return PathError(Join(path, "args"), "an aggregate takes one argument");
  const bool distinct = j.contains("distinct") && j["distinct"].is_boolean() && j["distinct"].get<bool>();
  ExprPtr filter;
  if (j.contains("filter")) {
    QUIVER_ASSIGN_OR_RETURN(filter, ParseJsonExpr(j["filter"], Join(path, "filter"), depth + 1));
  }
  if (f == AggFunc::kCount && distinct) f = AggFunc::kCountDistinct;
  if (f == AggFunc::kCountDistinct && args.empty()) return PathError(path, "count_distinct needs an argument");
  auto e = std::const_pointer_cast<Expr>(
      Expr::Aggregate(f, args.empty() ? nullptr : args[0], false, std::move(filter)));
  e->negated = f == AggFunc::kCountDistinct;
  if (f == AggFunc::kMedian) e->value = 0.5;
  if (j.contains("q")) {
    if (!j["q"].is_number()) return TypeMismatch(Join(path, "q"), "a number", j["q"]);
    e->value = j["q"].get<double>();
  }
  if (j.contains("sep") && f != AggFunc::kStringAgg)
    return PathError(Join(path, "sep"), "\"sep\" goes only with string_agg");
  if (f == AggFunc::kStringAgg) {
    std::string sep = ",";
    if (j.contains("sep")) {
      QUIVER_ASSIGN_OR_RETURN(sep, GetString(j["sep"], Join(path, "sep")));
    }
    e->value = std::move(sep);
  }
  return ExprPtr(std::move(e));
}

// An operand of a comparison, BETWEEN, IN, LIKE or IS NULL: any expression.
Result<ExprPtr> ParseJsonValue(const json& j, const std::string& path, int depth) {
  if (std::optional<Value> v = ScalarValue(j)) return Expr::Literal(std::move(*v));
  if (j.is_array()) return TypeMismatch(path, "a column, a literal or an expression", j);
  return ParseJsonExpr(j, path, depth);
}

Result<ExprPtr> ParseJsonExpr(const json& j, const std::string& path, int depth) {
  if (depth > internal::kMaxDepth) {
    return PathError(path, "expression nested too deeply (more than " +
                               std::to_string(internal::kMaxDepth) + " levels)");
  }
  if (std::optional<Value> v = ScalarValue(j)) return Expr::Literal(std::move(*v));
  if (!j.is_object()) return TypeMismatch(path, "an expression object", j);
  if (j.contains("col")) {
    QUIVER_RETURN_NOT_OK(CheckKeys(j, path, {"col"}));
    QUIVER_ASSIGN_OR_RETURN(std::string name, GetString(j["col"], Join(path, "col")));
    if (name.empty()) return PathError(Join(path, "col"), "empty column name");
    return Expr::Column(std::move(name));
  }
  if (j.contains("fn") || j.contains("cast") || j.contains("case")) {
    return ParseJsonGeneral(j, path, depth);
  }
  if (!j.contains("op")) {
    return PathError(path, "expected an object with \"col\", \"op\", \"fn\", \"cast\" or \"case\"");
  }
  QUIVER_RETURN_NOT_OK(CheckKeys(j, path, {"op", "args"}));
  const std::string op_path = Join(path, "op");
  QUIVER_ASSIGN_OR_RETURN(std::string op_name, GetString(j["op"], op_path));
  if (internal::IsArithmeticOperator(op_name)) return ParseJsonGeneral(j, path, depth);
  const OpInfo* info = FindOp(op_name);
  if (info == nullptr) return PathError(op_path, "unknown operator \"" + op_name + "\"");

  const std::string args_path = Join(path, "args");
  if (!j.contains("args")) return PathError(path, "missing \"args\"");
  const json& args = j["args"];
  if (!args.is_array()) return TypeMismatch(args_path, "an array", args);

  auto arity = [&](size_t want) -> Status {
    if (args.size() == want) return Status::OK();
    return PathError(args_path, "\"" + op_name + "\" takes " + std::to_string(want) +
                                    (want == 1 ? " argument" : " arguments") + ", found " +
                                    std::to_string(args.size()));
  };
  auto value = [&](size_t i) { return ParseJsonValue(args[i], Index(args_path, i), depth + 1); };

  switch (info->kind) {
    case ExprKind::kCompare: {
      QUIVER_RETURN_NOT_OK(arity(2));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr lhs, value(0));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr rhs, value(1));
      return Expr::Compare(info->op, std::move(lhs), std::move(rhs));
    }
    case ExprKind::kBetween: {
      QUIVER_RETURN_NOT_OK(arity(3));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr x, value(0));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr lo, value(1));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr hi, value(2));
      return Expr::Between(std::move(x), std::move(lo), std::move(hi), info->negated);
    }
    case ExprKind::kIn: {
      QUIVER_RETURN_NOT_OK(arity(2));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr x, value(0));
      const std::string list_path = Index(args_path, 1);
      const json& list = args[1];
      if (!list.is_array()) return TypeMismatch(list_path, "an array of literals", list);
      if (list.empty()) return PathError(list_path, "the IN list is empty");
      std::vector<ExprPtr> items;
      for (size_t i = 0; i < list.size(); ++i) {  // as in SQL: any value, not only literals
        QUIVER_ASSIGN_OR_RETURN(ExprPtr item, ParseJsonValue(list[i], Index(list_path, i), depth + 1));
        items.push_back(std::move(item));
      }
      return Expr::In(std::move(x), std::move(items), info->negated);
    }
    case ExprKind::kIsNull: {
      QUIVER_RETURN_NOT_OK(arity(1));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr x, value(0));
      return Expr::IsNull(std::move(x), info->negated);
    }
    case ExprKind::kLike: {
      QUIVER_RETURN_NOT_OK(arity(2));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr x, value(0));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr pattern, value(1));
      return Expr::Like(std::move(x), std::move(pattern), info->negated);
    }
    case ExprKind::kNot: {
      QUIVER_RETURN_NOT_OK(arity(1));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr x, ParseJsonExpr(args[0], Index(args_path, 0), depth + 1));
      return Expr::Not(std::move(x));
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      if (args.empty()) {
        return PathError(args_path, "\"" + op_name + "\" takes at least one argument, found 0");
      }
      std::vector<ExprPtr> items;
      for (size_t i = 0; i < args.size(); ++i) {
        QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseJsonExpr(args[i], Index(args_path, i), depth + 1));
        items.push_back(std::move(e));
      }
      return info->kind == ExprKind::kAnd ? Expr::And(std::move(items)) : Expr::Or(std::move(items));
    }
    default:
      break;
  }
  return Status::Internal("unhandled operator " + op_name);
}

// --- clauses ---

Result<AggFunc> ParseAggName(const json& j, const std::string& path) {
  QUIVER_ASSIGN_OR_RETURN(std::string name, GetString(j, path));
  static constexpr std::pair<std::string_view, AggFunc> kAggs[] = {
      {"count", AggFunc::kCount},
      {"sum", AggFunc::kSum},
      {"min", AggFunc::kMin},
      {"max", AggFunc::kMax},
      {"avg", AggFunc::kAvg},
      {"mean", AggFunc::kAvg},
      {"count_distinct", AggFunc::kCountDistinct},
      {"stddev", AggFunc::kStddevSamp},
      {"stddev_samp", AggFunc::kStddevSamp},
      {"stddev_pop", AggFunc::kStddevPop},
      {"variance", AggFunc::kVarSamp},
      {"var_samp", AggFunc::kVarSamp},
      {"var_pop", AggFunc::kVarPop},
      {"median", AggFunc::kMedian},
      {"quantile_cont", AggFunc::kQuantileCont},
      {"quantile_disc", AggFunc::kQuantileDisc},
      {"approx_count_distinct", AggFunc::kApproxCountDistinct},
      {"bool_and", AggFunc::kBoolAnd},
      {"bool_or", AggFunc::kBoolOr},
      {"any_value", AggFunc::kAnyValue},
      {"array_agg", AggFunc::kList},
      {"list", AggFunc::kList},
      {"string_agg", AggFunc::kStringAgg}};
  for (const auto& [n, f] : kAggs) {
    if (internal::EqualsIgnoreCase(name, n)) return f;
  }
  std::string names;
  for (const auto& [n, f] : kAggs) names += std::string(names.empty() ? "" : ", ") + std::string(n);
  return PathError(path, "unknown aggregate \"" + name + "\" (expected one of " + names + ")");
}

Result<std::vector<SelectItem>> ParseJsonSelect(const json& j, const std::string& path) {
  if (j.is_string()) return WithPath(ParseSelectList(j.get<std::string>()), path);
  if (!j.is_array()) return TypeMismatch(path, "an array or a string", j);
  std::vector<SelectItem> items;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string item_path = Index(path, i);
    const json& e = j[i];
    SelectItem item;
    if (e.is_string()) {
      item.column = e.get<std::string>();
      if (item.column == "*") {
        if (j.size() != 1) return PathError(item_path, "\"*\" must be the whole select list");
        return std::vector<SelectItem>{};
      }
    } else if (e.is_object() && e.contains("expr")) {
      QUIVER_RETURN_NOT_OK(CheckKeys(e, item_path, {"expr", "as"}));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr x, ParseJsonExpr(e["expr"], Join(item_path, "expr"), 0));
      item = internal::SelectItemOf(std::move(x));
      if (e.contains("as")) {
        QUIVER_ASSIGN_OR_RETURN(item.alias, GetString(e["as"], Join(item_path, "as")));
      }
      items.push_back(std::move(item));
      continue;
    } else if (e.is_object()) {
      QUIVER_RETURN_NOT_OK(CheckKeys(e, item_path, {"col", "agg", "as", "q", "sep", "expr"}));
      if (e.contains("agg")) {
        QUIVER_ASSIGN_OR_RETURN(item.agg, ParseAggName(e["agg"], Join(item_path, "agg")));
      }
      if (e.contains("col")) {
        QUIVER_ASSIGN_OR_RETURN(item.column, GetString(e["col"], Join(item_path, "col")));
        if (item.column == "*") {
          if (item.agg != AggFunc::kCount) {
            return PathError(Join(item_path, "col"), "\"*\" is allowed only in count");
          }
          item.column.clear();
        }
      } else if (item.agg != AggFunc::kCount) {
        return PathError(item_path, "missing \"col\"");
      }
      if (e.contains("q") !=
          (item.agg == AggFunc::kQuantileCont || item.agg == AggFunc::kQuantileDisc)) {
        return PathError(item_path, e.contains("q")
                                        ? "\"q\" goes only with quantile_cont and quantile_disc"
                                        : "missing \"q\" (the quantile, from 0 to 1)");
      }
      if (e.contains("q")) {
        if (!e["q"].is_number()) return TypeMismatch(Join(item_path, "q"), "a number", e["q"]);
        item.param = e["q"].get<double>();
        if (!std::isfinite(item.param)) return PathError(Join(item_path, "q"), "not a finite number");
      }
      if (e.contains("sep")) {
        if (item.agg != AggFunc::kStringAgg)
          return PathError(Join(item_path, "sep"), "\"sep\" goes only with string_agg");
        QUIVER_ASSIGN_OR_RETURN(item.sep, GetString(e["sep"], Join(item_path, "sep")));
      }
      if (e.contains("as")) {
        QUIVER_ASSIGN_OR_RETURN(item.alias, GetString(e["as"], Join(item_path, "as")));
        if (item.alias.empty()) return PathError(Join(item_path, "as"), "empty alias");
      }
    } else {
      return TypeMismatch(item_path, "a column name or an object", e);
    }
    if (item.column.empty() && item.agg == AggFunc::kNone) {
      return PathError(item_path, "empty column name");
    }
    items.push_back(std::move(item));
  }
  if (items.empty()) return PathError(path, "the select list is empty (use \"*\" for all columns)");
  return items;
}

// GROUP BY: names (strings), or expression objects (then every item goes
// to group_by_exprs, names as columns).
Status ParseJsonGroupBy(const json& j, const std::string& path, Query* q) {
  if (j.is_string()) {
    // SQL text: "a, b" or "1, lower(c)".
    auto parsed = ParseSql("SELECT 1 FROM t GROUP BY " + j.get<std::string>());
    if (!parsed.ok()) return WithPath(ParseColumnList(j.get<std::string>()), path).status();
    q->group_by = parsed->group_by;
    q->group_by_exprs = parsed->group_by_exprs;
    return Status::OK();
  }
  if (!j.is_array()) return TypeMismatch(path, "an array or a string", j);
  bool names = true;
  for (const auto& e : j) names = names && e.is_string();
  for (size_t i = 0; i < j.size(); ++i) {
    if (!names && j[i].is_object()) {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseJsonExpr(j[i], Index(path, i), 0));
      q->group_by_exprs.push_back(std::move(e));
      continue;
    }
    if (!names && !j[i].is_string()) {  // a number is a position; other literals group by one value
      std::optional<Value> v = ScalarValue(j[i]);
      if (!v) return TypeMismatch(Index(path, i), "a name, a position or an expression", j[i]);
      q->group_by_exprs.push_back(Expr::Literal(std::move(*v)));
      continue;
    }
    QUIVER_ASSIGN_OR_RETURN(std::string name, GetString(j[i], Index(path, i)));
    if (name.empty()) return PathError(Index(path, i), "empty column name");
    if (names) {
      q->group_by.push_back(std::move(name));
    } else {
      q->group_by_exprs.push_back(Expr::Column(std::move(name)));
    }
  }
  return Status::OK();
}

Result<std::vector<OrderItem>> ParseJsonOrderBy(const json& j, const std::string& path) {
  if (j.is_string()) return WithPath(ParseOrderBy(j.get<std::string>()), path);
  if (!j.is_array()) return TypeMismatch(path, "an array or a string", j);
  std::vector<OrderItem> items;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string item_path = Index(path, i);
    const json& e = j[i];
    if (e.is_string()) {
      // "d desc nulls first" reads as one ORDER BY item.
      QUIVER_ASSIGN_OR_RETURN(std::vector<OrderItem> one,
                              WithPath(ParseOrderBy(e.get<std::string>()), item_path));
      if (one.size() != 1) return PathError(item_path, "expected one ORDER BY item");
      items.push_back(std::move(one[0]));
      continue;
    }
    if (e.is_object() && e.contains("expr")) {
      QUIVER_RETURN_NOT_OK(CheckKeys(e, item_path, {"expr", "desc", "nulls"}));
      OrderItem item;
      QUIVER_ASSIGN_OR_RETURN(item.expr, ParseJsonExpr(e["expr"], Join(item_path, "expr"), 0));
      if (e.contains("desc")) {
        if (!e["desc"].is_boolean()) return TypeMismatch(Join(item_path, "desc"), "a boolean", e["desc"]);
        item.descending = e["desc"].get<bool>();
      }
      if (e.contains("nulls")) {
        QUIVER_ASSIGN_OR_RETURN(std::string nulls, GetString(e["nulls"], Join(item_path, "nulls")));
        item.nulls = internal::EqualsIgnoreCase(nulls, "first") ? NullOrder::kFirst : NullOrder::kLast;
      }
      items.push_back(std::move(item));
      continue;
    }
    OrderItem item;
    if (e.is_number()) {
      QUIVER_ASSIGN_OR_RETURN(item.position, GetNonNegativeInt(e, item_path));
      if (item.position == 0) return PathError(item_path, "ORDER BY position must be at least 1");
      items.push_back(std::move(item));
      continue;
    }
    if (!e.is_object()) return TypeMismatch(item_path, "a column name, a position or an object", e);
    QUIVER_RETURN_NOT_OK(CheckKeys(e, item_path, {"col", "pos", "agg", "desc", "nulls"}));
    if (e.contains("agg")) {
      // An aggregate of the select list: {"agg": "count"} or
      // {"agg": "avg", "col": "x"}.
      if (e.contains("pos")) return PathError(item_path, "\"pos\" cannot go with \"agg\"");
      QUIVER_ASSIGN_OR_RETURN(item.agg, ParseAggName(e["agg"], Join(item_path, "agg")));
      if (e.contains("col")) {
        QUIVER_ASSIGN_OR_RETURN(item.name, GetString(e["col"], Join(item_path, "col")));
        if (item.name == "*" && item.agg == AggFunc::kCount) item.name.clear();
      }
      if (item.name.empty() && item.agg != AggFunc::kCount) {
        return PathError(item_path, "missing \"col\"");
      }
    } else if (e.contains("col") == e.contains("pos")) {
      return PathError(item_path, "expected exactly one of \"col\" and \"pos\"");
    } else if (e.contains("col")) {
      QUIVER_ASSIGN_OR_RETURN(item.name, GetString(e["col"], Join(item_path, "col")));
      if (item.name.empty()) return PathError(Join(item_path, "col"), "empty column name");
    } else {
      QUIVER_ASSIGN_OR_RETURN(item.position, GetNonNegativeInt(e["pos"], Join(item_path, "pos")));
      if (item.position == 0) {
        return PathError(Join(item_path, "pos"), "ORDER BY position must be at least 1");
      }
    }
    if (e.contains("desc")) {
      if (!e["desc"].is_boolean()) return TypeMismatch(Join(item_path, "desc"), "a boolean", e["desc"]);
      item.descending = e["desc"].get<bool>();
    }
    if (e.contains("nulls")) {
      QUIVER_ASSIGN_OR_RETURN(std::string nulls, GetString(e["nulls"], Join(item_path, "nulls")));
      if (internal::EqualsIgnoreCase(nulls, "first")) {
        item.nulls = NullOrder::kFirst;
      } else if (internal::EqualsIgnoreCase(nulls, "last")) {
        item.nulls = NullOrder::kLast;
      } else {
        return PathError(Join(item_path, "nulls"), "expected \"first\" or \"last\", found \"" + nulls + "\"");
      }
    }
    items.push_back(std::move(item));
  }
  return items;
}

Result<Query> QueryFromJson(const json& j) {
  if (!j.is_object()) return TypeMismatch("query", "an object", j);
  if (j.contains("sql")) {
    // The SQL spelling inside the JSON one (what ToJson writes for WITH,
    // subqueries, UNION ALL and EXPLAIN).
    QUIVER_RETURN_NOT_OK(CheckKeys(j, "", {"sql"}));
    QUIVER_ASSIGN_OR_RETURN(std::string sql, GetString(j["sql"], "sql"));
    return WithPath(ParseSql(sql), "sql");
  }
  QUIVER_RETURN_NOT_OK(CheckKeys(j, "", {"table", "select", "distinct", "where", "group_by",
                                         "having", "order_by", "limit", "offset"}));
  Query q;
  if (j.contains("distinct")) {
    if (!j["distinct"].is_boolean()) return TypeMismatch("distinct", "a boolean", j["distinct"]);
    q.distinct = j["distinct"].get<bool>();
  }
  if (j.contains("having") && !j["having"].is_null()) {
    const json& h = j["having"];
    if (h.is_string()) {
      QUIVER_ASSIGN_OR_RETURN(q.having, WithPath(ParseFilter(h.get<std::string>()), "having"));
    } else {
      QUIVER_ASSIGN_OR_RETURN(q.having, ParseJsonExpr(h, "having", 0));
    }
  }
  if (j.contains("table")) {
    QUIVER_ASSIGN_OR_RETURN(q.table, GetString(j["table"], "table"));
  }
  if (j.contains("select") && !j["select"].is_null()) {
    QUIVER_ASSIGN_OR_RETURN(q.select, ParseJsonSelect(j["select"], "select"));
  }
  if (j.contains("where") && !j["where"].is_null()) {
    const json& w = j["where"];
    if (w.is_string()) {
      QUIVER_ASSIGN_OR_RETURN(q.where, WithPath(ParseFilter(w.get<std::string>()), "where"));
    } else if (w.is_object() || w.is_boolean()) {
      QUIVER_ASSIGN_OR_RETURN(q.where, ParseJsonExpr(w, "where", 0));
    } else {
      return TypeMismatch("where", "an expression object or a string", w);
    }
  }
  if (j.contains("group_by") && !j["group_by"].is_null()) {
    QUIVER_RETURN_NOT_OK(ParseJsonGroupBy(j["group_by"], "group_by", &q));
  }
  if (j.contains("order_by") && !j["order_by"].is_null()) {
    QUIVER_ASSIGN_OR_RETURN(q.order_by, ParseJsonOrderBy(j["order_by"], "order_by"));
  }
  if (j.contains("limit") && !j["limit"].is_null()) {
    QUIVER_ASSIGN_OR_RETURN(int64_t n, GetNonNegativeInt(j["limit"], "limit"));
    q.limit = n;
  }
  if (j.contains("offset") && !j["offset"].is_null()) {
    QUIVER_ASSIGN_OR_RETURN(int64_t n, GetNonNegativeInt(j["offset"], "offset"));
    q.offset = n;
  }
  return q;
}

}  // namespace

Result<Query> ParseJsonQuery(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text.begin(), json_text.end());
  } catch (const json::exception& e) {
    // what() is "[json.exception.parse_error.101] parse error at line 1, ...";
    // the bracketed id means nothing to a client.
    std::string what = e.what();
    if (!what.empty() && what[0] == '[') {
      size_t close = what.find("] ");
      if (close != std::string::npos) what = what.substr(close + 2);
    }
    return Status::Invalid("invalid JSON: " + what);
  }
  try {
    return QueryFromJson(j);
  } catch (const json::exception& e) {
    // Not expected (every access above checks the type first); a bug if seen.
    return Status::Internal(std::string("JSON query conversion failed: ") + e.what());
  }
}

}  // namespace quiver::query
