#include "store/query.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "store/query_internal.h"

namespace quiver::query {

namespace internal {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = char(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = char(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

bool IsReservedWord(std::string_view word) {
  static constexpr std::string_view kWords[] = {
      "SELECT", "FROM", "WHERE", "GROUP", "BY",   "ORDER", "ASC",  "DESC",
      "NULLS",  "LIMIT", "OFFSET", "AND", "OR",   "NOT",   "BETWEEN", "IN",
      "IS",     "NULL",  "LIKE",  "TRUE", "FALSE", "AS",   "FIRST", "LAST",
      "DISTINCT", "HAVING", "UNION", "CASE", "WHEN", "THEN", "ELSE", "END", "WITH", "ILIKE"};
  for (std::string_view k : kWords) {
    if (EqualsIgnoreCase(word, k)) return true;
  }
  return false;
}

namespace {
bool IsPlainIdentifier(std::string_view s) {
  if (s.empty()) return false;
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(s[0])) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string Quote(std::string_view s, char q) {
  std::string out(1, q);
  for (char c : s) {
    out += c;
    if (c == q) out += q;
  }
  out += q;
  return out;
}
}  // namespace

std::string QuoteIdentifier(std::string_view name) {
  // Aggregate names are not reserved (they are recognised only before '('),
  // but quoting them too keeps the canonical text unambiguous to a reader.
  if (IsPlainIdentifier(name) && !IsReservedWord(name)) return std::string(name);
  return Quote(name, '"');
}

std::string QuoteString(std::string_view text) { return Quote(text, '\''); }

std::optional<Value> ParseNumber(std::string_view text, bool allow_sign, std::string* why) {
  auto fail = [&](const char* reason) -> std::optional<Value> {
    if (why) *why = reason;
    return std::nullopt;
  };
  std::string_view body = text;
  bool negative = false;
  if (allow_sign && !body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  // Validate the shape: digits [. digits] [e [+-] digits], at least one digit
  // in the mantissa.
  size_t i = 0, n = body.size();
  size_t mantissa_digits = 0;
  bool is_float = false;
  while (i < n && body[i] >= '0' && body[i] <= '9') ++i, ++mantissa_digits;
  if (i < n && body[i] == '.') {
    is_float = true;
    ++i;
    while (i < n && body[i] >= '0' && body[i] <= '9') ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return fail("not a number");
  if (i < n && (body[i] == 'e' || body[i] == 'E')) {
    is_float = true;
    ++i;
    if (i < n && (body[i] == '+' || body[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < n && body[i] >= '0' && body[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return fail("not a number");
  }
  if (i != n) return fail("not a number");

  // The result is built in place: returning a temporary Value through
  // optional trips GCC 12's -Wmaybe-uninitialized under the sanitizers.
  std::optional<Value> out(std::in_place);
  if (!is_float) {
    uint64_t u = 0;
    auto [p, ec] = std::from_chars(body.data(), body.data() + n, u);
    if (ec != std::errc() || p != body.data() + n) return fail("integer out of range");
    constexpr uint64_t kMax = uint64_t(std::numeric_limits<int64_t>::max());
    if (!negative) {
      if (u <= kMax) {
        out->emplace<int64_t>(int64_t(u));
      } else {
        out->emplace<uint64_t>(u);
      }
    } else if (u <= kMax) {
      out->emplace<int64_t>(-int64_t(u));
    } else if (u == kMax + 1) {
      out->emplace<int64_t>(std::numeric_limits<int64_t>::min());
    } else {
      return fail("integer out of range");
    }
    return out;
  }
  double d = 0;
  auto [p, ec] = std::from_chars(body.data(), body.data() + n, d);
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports underflow as out of range too; a literal that
    // rounds to zero is harmless, one that overflows is not.
    bool huge = false;
    size_t e = body.find_first_of("eE");
    if (e != std::string_view::npos) {
      std::string_view ex = body.substr(e + 1);
      huge = !ex.empty() && ex[0] != '-';
    } else {
      huge = true;
    }
    if (huge) return fail("number out of range");
    d = 0.0;
  } else if (ec != std::errc() || p != body.data() + n) {
    return fail("not a number");
  }
  out->emplace<double>(negative ? -d : d);
  return out;
}

std::string SelectItemToSql(const SelectItem& s) {
  std::string out;
  if (s.expr != nullptr) {
    out = ToSql(*s.expr);
  } else if (s.agg == AggFunc::kNone) {
    out = s.column == "*" ? std::string("*") : QuoteIdentifier(s.column);
  } else {
    out = AggFuncName(s.agg);
    out += '(';
    if (s.agg == AggFunc::kCountDistinct) out += "DISTINCT ";
    out += s.column.empty() ? std::string("*") : QuoteIdentifier(s.column);
    if (s.agg == AggFunc::kQuantileCont || s.agg == AggFunc::kQuantileDisc) {
      out += ", " + ValueToSql(Value(s.param));
    }
    if (s.agg == AggFunc::kStringAgg) out += ", " + ValueToSql(Value(s.sep));
    out += ')';
  }
  if (!s.alias.empty()) out += " AS " + QuoteIdentifier(s.alias);
  return out;
}

std::string OrderItemToSql(const OrderItem& o) {
  std::string out;
  if (o.expr != nullptr) {
    out = ToSql(*o.expr);
  } else if (o.position > 0) {
    out = std::to_string(o.position);
  } else if (o.agg != AggFunc::kNone) {
    out = SelectItemToSql(SelectItem(o.agg, o.name));
  } else {
    out = QuoteIdentifier(o.name);
  }
  if (o.descending) out += " DESC";
  if (o.nulls == NullOrder::kFirst) out += " NULLS FIRST";
  if (o.nulls == NullOrder::kLast) out += " NULLS LAST";
  return out;
}

}  // namespace internal

using internal::QuoteIdentifier;

std::string ValueToSql(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(bool b) const { return b ? "TRUE" : "FALSE"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(uint64_t u) const { return std::to_string(u); }
    std::string operator()(double d) const {
      if (std::isnan(d)) return "NULL";  // not producible by the parsers
      if (std::isinf(d)) return d > 0 ? "1e999" : "-1e999";
      char buf[64];
      auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
      std::string s(buf, ec == std::errc() ? p : buf);
      // A double must read back as a double: 2 -> 2.0.
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    std::string operator()(const std::string& s) const { return internal::QuoteString(s); }
  };
  return std::visit(Visitor{}, v);
}

const char* ValueTypeName(const Value& v) {
  switch (v.index()) {
    case 0: return "null";
    case 1: return "bool";
    case 2: return "int64";
    case 3: return "uint64";
    case 4: return "float64";
    default: return "utf8";
  }
}

const char* CompareOpSql(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "<>";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

const char* AggFuncName(AggFunc f) {
  switch (f) {
    case AggFunc::kNone: return "";
    case AggFunc::kCount: return "COUNT";
    case AggFunc::kSum: return "SUM";
    case AggFunc::kMin: return "MIN";
    case AggFunc::kMax: return "MAX";
    case AggFunc::kAvg: return "AVG";
    case AggFunc::kCountDistinct: return "COUNT";
    case AggFunc::kStddevSamp: return "STDDEV_SAMP";
    case AggFunc::kStddevPop: return "STDDEV_POP";
    case AggFunc::kVarSamp: return "VAR_SAMP";
    case AggFunc::kVarPop: return "VAR_POP";
    case AggFunc::kMedian: return "MEDIAN";
    case AggFunc::kQuantileCont: return "QUANTILE_CONT";
    case AggFunc::kQuantileDisc: return "QUANTILE_DISC";
    case AggFunc::kApproxCountDistinct: return "APPROX_COUNT_DISTINCT";
    case AggFunc::kBoolAnd: return "BOOL_AND";
    case AggFunc::kBoolOr: return "BOOL_OR";
    case AggFunc::kAnyValue: return "ANY_VALUE";
    case AggFunc::kList: return "ARRAY_AGG";
    case AggFunc::kStringAgg: return "STRING_AGG";
  }
  return "";
}

namespace {
std::shared_ptr<Expr> Node(ExprKind kind, std::vector<ExprPtr> args, bool negated = false) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->args = std::move(args);
  e->negated = negated;
  return e;
}
}  // namespace

ExprPtr Expr::Column(std::string name) {
  auto e = Node(ExprKind::kColumn, {});
  e->column = std::move(name);
  return e;
}
ExprPtr Expr::Literal(Value v) {
  auto e = Node(ExprKind::kLiteral, {});
  e->value = std::move(v);
  return e;
}
ExprPtr Expr::Number(Value v, std::string text) {
  auto e = Node(ExprKind::kLiteral, {});
  e->value = std::move(v);
  e->number_text = std::move(text);
  return e;
}
ExprPtr Expr::Compare(CompareOp op, ExprPtr lhs, ExprPtr rhs) {
  auto e = Node(ExprKind::kCompare, {std::move(lhs), std::move(rhs)});
  e->op = op;
  return e;
}
ExprPtr Expr::Between(ExprPtr x, ExprPtr lo, ExprPtr hi, bool negated) {
  return Node(ExprKind::kBetween, {std::move(x), std::move(lo), std::move(hi)}, negated);
}
ExprPtr Expr::In(ExprPtr x, std::vector<ExprPtr> list, bool negated) {
  list.insert(list.begin(), std::move(x));
  return Node(ExprKind::kIn, std::move(list), negated);
}
ExprPtr Expr::IsNull(ExprPtr x, bool negated) {
  return Node(ExprKind::kIsNull, {std::move(x)}, negated);
}
ExprPtr Expr::Like(ExprPtr x, ExprPtr pattern, bool negated) {
  return Node(ExprKind::kLike, {std::move(x), std::move(pattern)}, negated);
}
ExprPtr Expr::And(std::vector<ExprPtr> args) {
  if (args.size() == 1) return std::move(args[0]);
  return Node(ExprKind::kAnd, std::move(args));
}
ExprPtr Expr::Or(std::vector<ExprPtr> args) {
  if (args.size() == 1) return std::move(args[0]);
  return Node(ExprKind::kOr, std::move(args));
}
ExprPtr Expr::Not(ExprPtr x) { return Node(ExprKind::kNot, {std::move(x)}); }
ExprPtr Expr::Call(std::string name, std::vector<ExprPtr> args) {
  auto e = Node(ExprKind::kCall, std::move(args));
  e->column = std::move(name);
  return e;
}
ExprPtr Expr::Cast(ExprPtr x, std::string type_name, bool try_cast) {
  auto e = Node(ExprKind::kCast, {std::move(x)}, try_cast);
  e->column = std::move(type_name);
  return e;
}
ExprPtr Expr::Aggregate(AggFunc f, ExprPtr arg, bool distinct, ExprPtr filter) {
  std::vector<ExprPtr> args{std::move(arg)};
  if (filter) args.push_back(std::move(filter));
  auto e = Node(ExprKind::kAggregate, std::move(args), distinct);
  e->agg = f;
  return e;
}

bool ContainsAggregate(const Expr& e) {
  if (e.kind == ExprKind::kAggregate) return true;
  for (const auto& a : e.args) {
    if (a && ContainsAggregate(*a)) return true;
  }
  return false;
}

bool ExprEquals(const Expr* a, const Expr* b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr) return false;
  if (a->kind != b->kind || a->args.size() != b->args.size()) return false;
  switch (a->kind) {
    case ExprKind::kColumn:
      if (a->column != b->column) return false;
      break;
    case ExprKind::kLiteral:
      if (a->value != b->value) return false;
      break;
    case ExprKind::kCompare:
      if (a->op != b->op) return false;
      break;
    case ExprKind::kBetween:
    case ExprKind::kIn:
    case ExprKind::kIsNull:
    case ExprKind::kLike:
    case ExprKind::kCase:
      if (a->negated != b->negated) return false;
      break;
    case ExprKind::kCall:
    case ExprKind::kCast:
      if (a->column != b->column || a->negated != b->negated) return false;
      break;
    case ExprKind::kAggregate:
      if (a->agg != b->agg || a->negated != b->negated || a->value != b->value) return false;
      break;
    case ExprKind::kSubquery:
      if (a->subquery != b->subquery &&
          (a->subquery == nullptr || b->subquery == nullptr || !(*a->subquery == *b->subquery)))
        return false;
      break;
    case ExprKind::kInterval:
      for (int i = 0; i < 3; ++i) {
        if (a->interval[i] != b->interval[i]) return false;
      }
      break;
    default:
      break;
  }
  for (size_t i = 0; i < a->args.size(); ++i) {
    if (!ExprEquals(a->args[i].get(), b->args[i].get())) return false;
  }
  return true;
}

namespace {

bool IsJunction(const Expr& e) { return e.kind == ExprKind::kAnd || e.kind == ExprKind::kOr; }

void AppendSql(const Expr& e, std::string* out);
void AppendGeneralSql(const Expr& e, std::string* out);

// A child of AND, OR or NOT: junctions are parenthesised (the parser keeps
// a parenthesised junction as one node, so the tree reads back the same).
void AppendCondition(const Expr& e, std::string* out) {
  if (IsJunction(e)) {
    *out += '(';
    AppendSql(e, out);
    *out += ')';
  } else {
    AppendSql(e, out);
  }
}

void AppendSql(const Expr& e, std::string* out) {
  auto arg = [&](size_t i) { AppendSql(*e.args[i], out); };
  switch (e.kind) {
    case ExprKind::kColumn:
      *out += QuoteIdentifier(e.column);
      return;
    case ExprKind::kLiteral:
      *out += ValueToSql(e.value);
      return;
    case ExprKind::kCompare:
      arg(0);
      *out += ' ';
      *out += CompareOpSql(e.op);
      *out += ' ';
      arg(1);
      return;
    case ExprKind::kBetween:
      arg(0);
      *out += e.negated ? " NOT BETWEEN " : " BETWEEN ";
      arg(1);
      *out += " AND ";
      arg(2);
      return;
    case ExprKind::kIn:
      arg(0);
      *out += e.negated ? " NOT IN (" : " IN (";
      for (size_t i = 1; i < e.args.size(); ++i) {
        if (i > 1) *out += ", ";
        arg(i);
      }
      *out += ')';
      return;
    case ExprKind::kIsNull:
      arg(0);
      *out += e.negated ? " IS NOT NULL" : " IS NULL";
      return;
    case ExprKind::kLike:
      arg(0);
      *out += e.negated ? " NOT LIKE " : " LIKE ";
      arg(1);
      return;
    case ExprKind::kAnd:
    case ExprKind::kOr:
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) *out += e.kind == ExprKind::kAnd ? " AND " : " OR ";
        AppendCondition(*e.args[i], out);
      }
      return;
    case ExprKind::kNot:
      *out += "NOT ";
      AppendCondition(*e.args[0], out);
      return;
    default:
      AppendGeneralSql(e, out);
      return;
  }
}

bool IsOperatorName(const std::string& n) {
  static const char* const kOps[] = {"+", "-", "*", "/", "//", "%", "||", "=", "<>", "<",
                                     "<=", ">", ">="};
  for (const char* op : kOps) {
    if (n == op) return true;
  }
  return false;
}

// An operand of an operator: anything but a column, a literal or a call is
// parenthesised, so that the text reads back as the same tree.
void AppendOperand(const Expr& e, std::string* out) {
  const bool bare = e.is_value() || (e.kind == ExprKind::kCall && !IsOperatorName(e.column) &&
                                     e.column != "neg") ||
                    e.kind == ExprKind::kAggregate || e.kind == ExprKind::kCast ||
                    e.kind == ExprKind::kCase;
  if (bare && !(e.kind == ExprKind::kLiteral && ValueToSql(e.value)[0] == '-')) {
    AppendSql(e, out);
    return;
  }
  *out += '(';
  AppendSql(e, out);
  *out += ')';
}

// A column or a member/element access: what x.member and x[k] apply to
// without parentheses.
bool IsAccessPath(const Expr& e) {
  return e.kind == ExprKind::kColumn ||
         (e.kind == ExprKind::kCall && e.args.size() == 2 && (e.column == "struct_extract" || e.column == "list_extract") &&
          IsAccessPath(*e.args[0]));
}

void AppendGeneralSql(const Expr& e, std::string* out) {
  switch (e.kind) {
    case ExprKind::kCall:
      if (e.column == "struct_extract" && e.args.size() == 2 && IsAccessPath(*e.args[0]) &&
          e.args[1]->kind == ExprKind::kLiteral && std::holds_alternative<std::string>(e.args[1]->value)) {
        AppendSql(*e.args[0], out);  // st.member
        *out += '.' + QuoteIdentifier(std::get<std::string>(e.args[1]->value));
      } else if (e.column == "list_extract" && e.args.size() == 2 && IsAccessPath(*e.args[0])) {
        AppendSql(*e.args[0], out);  // x[k]
        *out += '[';
        AppendSql(*e.args[1], out);
        *out += ']';
      } else if (e.column == "neg" && e.args.size() == 1) {
        // -(22), not -22, for a literal: a minus sign before a number reads
        // back as one negative literal (`- + 22` parses as neg(22)).
        *out += '-';
        if (e.args[0]->kind == ExprKind::kLiteral) {
          *out += '(';
          AppendSql(*e.args[0], out);
          *out += ')';
        } else {
          AppendOperand(*e.args[0], out);
        }
      } else if (IsOperatorName(e.column) && e.args.size() == 2) {
        AppendOperand(*e.args[0], out);
        *out += ' ' + e.column + ' ';
        AppendOperand(*e.args[1], out);
      } else {
        *out += e.column + '(';
        for (size_t i = 0; i < e.args.size(); ++i) {
          if (i > 0) *out += ", ";
          AppendSql(*e.args[i], out);
        }
        *out += ')';
      }
      return;
    case ExprKind::kCast:
      *out += e.negated ? "TRY_CAST(" : "CAST(";
      AppendSql(*e.args[0], out);
      *out += " AS " + e.column + ')';
      return;
    case ExprKind::kCase: {
      *out += "CASE";
      size_t i = 0;
      if (e.negated) {
        *out += ' ';
        AppendSql(*e.args[0], out);
        i = 1;
      }
      for (; i + 1 < e.args.size(); i += 2) {
        *out += " WHEN ";
        AppendSql(*e.args[i], out);
        *out += " THEN ";
        AppendSql(*e.args[i + 1], out);
      }
      if (i < e.args.size()) {
        *out += " ELSE ";
        AppendSql(*e.args[i], out);
      }
      *out += " END";
      return;
    }
    case ExprKind::kAggregate:
      *out += AggFuncName(e.agg);
      *out += '(';
      if (e.negated) *out += "DISTINCT ";
      if (e.args.empty() || e.args[0] == nullptr) {
        *out += '*';
      } else {
        AppendSql(*e.args[0], out);
      }
      if (e.agg == AggFunc::kQuantileCont || e.agg == AggFunc::kQuantileDisc ||
          e.agg == AggFunc::kStringAgg) {
        *out += ", " + ValueToSql(e.value);
      }
      *out += ')';
      if (e.args.size() > 1 && e.args[1]) {
        *out += " FILTER (WHERE ";
        AppendSql(*e.args[1], out);
        *out += ')';
      }
      return;
    case ExprKind::kSubquery:
      *out += '(' + (e.subquery ? ToSql(*e.subquery) : std::string()) + ')';
      return;
    case ExprKind::kInterval: {
      static const char* const kUnits[] = {"months", "days", "microseconds"};
      std::string text;
      for (int i = 0; i < 3; ++i) {
        if (e.interval[i] == 0) continue;
        if (!text.empty()) text += ' ';
        text += std::to_string(e.interval[i]) + " " + kUnits[i];
      }
      *out += "INTERVAL '" + (text.empty() ? std::string("0 days") : text) + "'";
      return;
    }
    default:
      return;
  }
}

}  // namespace

std::string ToSql(const Expr& e) {
  std::string out;
  AppendSql(e, &out);
  return out;
}

namespace {
bool SameQuery(const std::shared_ptr<const Query>& a, const std::shared_ptr<const Query>& b) {
  return a == b || (a != nullptr && b != nullptr && *a == *b);
}
bool SameExprs(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!ExprEquals(a[i], b[i])) return false;
  }
  return true;
}
}  // namespace

namespace {
// A condition of the original model: predicates over columns and literals.
bool IsSimpleCondition(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kColumn:
    case ExprKind::kLiteral:
      return true;
    case ExprKind::kAnd:
    case ExprKind::kOr:
    case ExprKind::kNot:
      for (const auto& a : e.args) {
        if (a == nullptr || !IsSimpleCondition(*a)) return false;
      }
      return true;
    case ExprKind::kCompare:
    case ExprKind::kBetween:
    case ExprKind::kIn:
    case ExprKind::kIsNull:
    case ExprKind::kLike:
      for (const auto& a : e.args) {
        if (a == nullptr || !a->is_value()) return false;
      }
      return true;
    default:
      return false;
  }
}
}  // namespace

bool Query::is_simple() const {
  if (!with.empty() || from_query || distinct || !group_by_exprs.empty() || having ||
      !union_all.empty() || explain != ExplainMode::kNone || table.empty())
    return false;
  if (where && !IsSimpleCondition(*where)) return false;
  for (const auto& s : select) {
    if (s.expr || s.filter || (s.agg == AggFunc::kNone && s.column == "*")) return false;
  }
  for (const auto& o : order_by) {
    if (o.expr) return false;
    // ORDER BY an aggregate that is not selected is the planner's.
    if (o.agg != AggFunc::kNone) {
      bool selected = false;
      for (const auto& s : select) selected = selected || (s.agg == o.agg && s.column == o.name);
      if (!selected) return false;
    }
  }
  return true;
}

bool Query::operator==(const Query& o) const {
  if (with.size() != o.with.size() || union_all.size() != o.union_all.size()) return false;
  for (size_t i = 0; i < with.size(); ++i) {
    if (with[i].name != o.with[i].name || !SameQuery(with[i].query, o.with[i].query)) return false;
  }
  for (size_t i = 0; i < union_all.size(); ++i) {
    if (!SameQuery(union_all[i], o.union_all[i])) return false;
  }
  return table == o.table && SameQuery(from_query, o.from_query) && distinct == o.distinct &&
         select == o.select && ExprEquals(where, o.where) && group_by == o.group_by &&
         SameExprs(group_by_exprs, o.group_by_exprs) && ExprEquals(having, o.having) &&
         order_by == o.order_by && limit == o.limit && offset == o.offset &&
         explain == o.explain && explain_json == o.explain_json;
}

std::string ToSql(const Query& q) {
  std::string out;
  if (q.explain != ExplainMode::kNone) {
    out += q.explain == ExplainMode::kAnalyze ? "EXPLAIN ANALYZE " : "EXPLAIN ";
    if (q.explain_json) out += "(FORMAT JSON) ";
  }
  for (size_t i = 0; i < q.with.size(); ++i) {
    out += i == 0 ? "WITH " : ", ";
    out += QuoteIdentifier(q.with[i].name) + " AS (" + ToSql(*q.with[i].query) + ")";
    if (i + 1 == q.with.size()) out += ' ';
  }
  out += "SELECT ";
  if (q.distinct) out += "DISTINCT ";
  if (q.select.empty()) {
    out += '*';
  } else {
    for (size_t i = 0; i < q.select.size(); ++i) {
      if (i > 0) out += ", ";
      out += internal::SelectItemToSql(q.select[i]);
    }
  }
  if (q.from_query) {
    out += " FROM (" + ToSql(*q.from_query) + ") AS " + QuoteIdentifier(q.table);
  } else if (!q.table.empty()) {
    out += " FROM " + QuoteIdentifier(q.table);
  }
  if (q.where) out += " WHERE " + ToSql(*q.where);
  if (!q.group_by.empty() || !q.group_by_exprs.empty()) {
    out += " GROUP BY ";
    for (size_t i = 0; i < q.group_by.size(); ++i) {
      if (i > 0) out += ", ";
      out += QuoteIdentifier(q.group_by[i]);
    }
    for (size_t i = 0; i < q.group_by_exprs.size(); ++i) {
      if (i > 0 || !q.group_by.empty()) out += ", ";
      out += ToSql(*q.group_by_exprs[i]);
    }
  }
  if (q.having) out += " HAVING " + ToSql(*q.having);
  for (const auto& u : q.union_all) out += " UNION ALL " + ToSql(*u);
  if (!q.order_by.empty()) {
    out += " ORDER BY ";
    for (size_t i = 0; i < q.order_by.size(); ++i) {
      if (i > 0) out += ", ";
      out += internal::OrderItemToSql(q.order_by[i]);
    }
  }
  if (q.limit) out += " LIMIT " + std::to_string(*q.limit);
  if (q.offset) out += " OFFSET " + std::to_string(*q.offset);
  return out;
}

}  // namespace quiver::query
