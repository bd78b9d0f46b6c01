// The SQL parser's expressions, by precedence (see sql_parser_internal.h).
#include <string>
#include <string_view>
#include <vector>

#include "columnar/interval_text.h"
#include "store/sql_parser_internal.h"

namespace quiver::query::internal {

AggFunc AggregateNamed(std::string_view name) {
  static constexpr std::pair<std::string_view, AggFunc> kAggs[] = {
      {"COUNT", AggFunc::kCount},
      {"SUM", AggFunc::kSum},
      {"MIN", AggFunc::kMin},
      {"MAX", AggFunc::kMax},
      {"AVG", AggFunc::kAvg},
      {"MEAN", AggFunc::kAvg},
      {"STDDEV", AggFunc::kStddevSamp},
      {"STDDEV_SAMP", AggFunc::kStddevSamp},
      {"STDDEV_POP", AggFunc::kStddevPop},
      {"VARIANCE", AggFunc::kVarSamp},
      {"VAR_SAMP", AggFunc::kVarSamp},
      {"VAR_POP", AggFunc::kVarPop},
      {"MEDIAN", AggFunc::kMedian},
      {"QUANTILE_CONT", AggFunc::kQuantileCont},
      {"QUANTILE", AggFunc::kQuantileCont},
      {"QUANTILE_DISC", AggFunc::kQuantileDisc},
      {"APPROX_COUNT_DISTINCT", AggFunc::kApproxCountDistinct},
      {"BOOL_AND", AggFunc::kBoolAnd},
      {"BOOL_OR", AggFunc::kBoolOr},
      {"ANY_VALUE", AggFunc::kAnyValue},
      {"ARBITRARY", AggFunc::kAnyValue},
      {"ARRAY_AGG", AggFunc::kList},
      {"LIST", AggFunc::kList},
      {"STRING_AGG", AggFunc::kStringAgg},
  };
  for (const auto& [n, f] : kAggs) {
    if (EqualsIgnoreCase(name, n)) return f;
  }
  return AggFunc::kNone;
}

namespace {

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

bool CompareOpOf(const Token& t, CompareOp* op) {
  if (t.kind != Tok::kSymbol) return false;
  const std::string& s = t.text;
  if (s == "=" || s == "==") {
    *op = CompareOp::kEq;
  } else if (s == "<>" || s == "!=") {
    *op = CompareOp::kNe;
  } else if (s == "<") {
    *op = CompareOp::kLt;
  } else if (s == "<=") {
    *op = CompareOp::kLe;
  } else if (s == ">") {
    *op = CompareOp::kGt;
  } else if (s == ">=") {
    *op = CompareOp::kGe;
  } else {
    return false;
  }
  return true;
}

}  // namespace

Result<ExprPtr> Parser::ParseOr() {
  QUIVER_RETURN_NOT_OK(Enter());
  std::vector<ExprPtr> args;
  do {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseAnd());
    args.push_back(std::move(e));
  } while (AcceptKeyword("OR"));
  Leave();
  return Expr::Or(std::move(args));
}

Result<ExprPtr> Parser::ParseAnd() {
  std::vector<ExprPtr> args;
  do {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseNot());
    args.push_back(std::move(e));
  } while (AcceptKeyword("AND"));
  return Expr::And(std::move(args));
}

Result<ExprPtr> Parser::ParseNot() {
  if (!PeekKeyword("NOT")) return ParsePredicate();
  QUIVER_RETURN_NOT_OK(Enter());
  Next();
  QUIVER_ASSIGN_OR_RETURN(ExprPtr inner, ParseNot());
  Leave();
  return Expr::Not(std::move(inner));
}

Result<ExprPtr> Parser::ParsePredicate() {
  QUIVER_ASSIGN_OR_RETURN(ExprPtr lhs, ParseConcat());
  CompareOp op = CompareOp::kEq;
  if (CompareOpOf(Peek(), &op)) {
    Next();
    QUIVER_ASSIGN_OR_RETURN(ExprPtr rhs, ParseConcat());
    return Expr::Compare(op, std::move(lhs), std::move(rhs));
  }
  if (AcceptKeyword("IS")) {
    const bool is_not = AcceptKeyword("NOT");
    if (AcceptKeyword("DISTINCT")) {
      QUIVER_RETURN_NOT_OK(ExpectKeyword("FROM"));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr rhs, ParseConcat());
      return Expr::Call(is_not ? "is_not_distinct_from" : "is_distinct_from",
                        {std::move(lhs), std::move(rhs)});
    }
    if (AcceptKeyword("TRUE")) {
      return Expr::Call(is_not ? "is_distinct_from" : "is_not_distinct_from",
                        {std::move(lhs), Expr::Literal(Value(true))});
    }
    if (AcceptKeyword("FALSE")) {
      return Expr::Call(is_not ? "is_distinct_from" : "is_not_distinct_from",
                        {std::move(lhs), Expr::Literal(Value(false))});
    }
    QUIVER_RETURN_NOT_OK(ExpectKeyword("NULL"));
    return Expr::IsNull(std::move(lhs), is_not);
  }
  const bool negated = PeekKeyword("NOT") && (PeekKeyword("BETWEEN", 1) || PeekKeyword("IN", 1) ||
                                              PeekKeyword("LIKE", 1) || PeekKeyword("ILIKE", 1));
  if (negated) Next();
  if (AcceptKeyword("BETWEEN")) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr lo, ParseConcat());
    QUIVER_RETURN_NOT_OK(ExpectKeyword("AND"));
    QUIVER_ASSIGN_OR_RETURN(ExprPtr hi, ParseConcat());
    return Expr::Between(std::move(lhs), std::move(lo), std::move(hi), negated);
  }
  if (AcceptKeyword("IN")) {
    QUIVER_RETURN_NOT_OK(ExpectSymbol("("));
    std::vector<ExprPtr> list;
    if (AtQueryStart()) {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr sub, ParseSubqueryBody());
      list.push_back(std::move(sub));
      return Expr::In(std::move(lhs), std::move(list), negated);
    }
    do {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseConcat());
      list.push_back(std::move(e));
    } while (AcceptSymbol(","));
    QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
    return Expr::In(std::move(lhs), std::move(list), negated);
  }
  if (AcceptKeyword("LIKE")) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr pattern, ParseConcat());
    return Expr::Like(std::move(lhs), std::move(pattern), negated);
  }
  if (AcceptKeyword("ILIKE")) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr pattern, ParseConcat());
    ExprPtr call = Expr::Call("ilike", {std::move(lhs), std::move(pattern)});
    return negated ? Expr::Not(std::move(call)) : call;
  }
  return lhs;
}

Result<ExprPtr> Parser::ParseConcat() {
  QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseAdditive());
  while (AcceptSymbol("||")) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr rhs, ParseAdditive());
    e = Expr::Call("||", {std::move(e), std::move(rhs)});
  }
  return e;
}

Result<ExprPtr> Parser::ParseAdditive() {
  QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseTerm());
  while (PeekSymbol("+") || PeekSymbol("-")) {
    std::string op = Next().text;
    QUIVER_ASSIGN_OR_RETURN(ExprPtr rhs, ParseTerm());
    e = Expr::Call(op, {std::move(e), std::move(rhs)});
  }
  return e;
}

Result<ExprPtr> Parser::ParseTerm() {
  QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseUnary());
  while (PeekSymbol("*") || PeekSymbol("/") || PeekSymbol("//") || PeekSymbol("%")) {
    std::string op = Next().text;
    QUIVER_ASSIGN_OR_RETURN(ExprPtr rhs, ParseUnary());
    e = Expr::Call(op, {std::move(e), std::move(rhs)});
  }
  return e;
}

Result<ExprPtr> Parser::ParseUnary() {
  if (PeekSymbol("-") || PeekSymbol("+")) {
    const bool minus = PeekSymbol("-");
    const size_t start = Peek().offset;
    // A signed number is one literal (so -9223372036854775808 fits).
    if (Peek(1).kind == Tok::kNumber && !PeekSymbol("::", 2)) {
      Next();
      const Token& num = Next();
      std::string why;
      std::optional<Value> v = ParseNumber((minus ? "-" : "") + num.text, true, &why);
      if (!v) return ErrorAt(start, why + ": " + (minus ? "-" : "") + num.text);
      return Expr::Number(std::move(*v), (minus ? "-" : "") + num.text);
    }
    QUIVER_RETURN_NOT_OK(Enter());
    Next();
    QUIVER_ASSIGN_OR_RETURN(ExprPtr inner, ParseUnary());
    Leave();
    return minus ? Expr::Call("neg", {std::move(inner)}) : inner;
  }
  return ParsePostfix();
}

Result<ExprPtr> Parser::ParsePostfix() {
  QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
  while (true) {
    if (AcceptSymbol("::")) {
      QUIVER_ASSIGN_OR_RETURN(std::string type, ParseTypeText());
      e = Expr::Cast(std::move(e), std::move(type));
    } else if (AcceptSymbol("[")) {  // x[k]: list element, map value, struct member
      QUIVER_RETURN_NOT_OK(Enter());
      auto index = ParseExpr();
      Leave();
      if (!index.ok()) return index.status();
      QUIVER_RETURN_NOT_OK(ExpectSymbol("]"));
      e = Expr::Call("list_extract", {std::move(e), std::move(*index)});
    } else if (PeekSymbol(".") && (Peek(1).kind == Tok::kIdent || Peek(1).kind == Tok::kQuotedIdent)) {
      Next();  // x[k].member
      e = Expr::Call("struct_extract", {std::move(e), Expr::Literal(Value(Next().text))});
    } else {
      return e;
    }
  }
}

Result<std::string> Parser::ParseTypeText() {
  const Token& t = Peek();
  if (t.kind != Tok::kIdent) return Expected("a type name");
  std::string type = LowerAscii(Next().text);
  // Multi-word names: DOUBLE PRECISION, TIMESTAMP WITH TIME ZONE.
  if (type == "double" && AcceptKeyword("PRECISION")) return type;
  if (AcceptKeyword("WITH")) {
    QUIVER_RETURN_NOT_OK(ExpectKeyword("TIME"));
    QUIVER_RETURN_NOT_OK(ExpectKeyword("ZONE"));
    type += " with time zone";
  }
  if (AcceptSymbol("(")) {
    type += '(';
    do {
      if (Peek().kind != Tok::kNumber) return Expected("a number in the type's parameters");
      type += Next().text;
      if (PeekSymbol(",")) type += ',';
    } while (AcceptSymbol(","));
    QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
    type += ')';
  }
  return type;
}

Result<ExprPtr> Parser::ParseLiteral(const std::string& what) {
  const Token& t = Peek();
  if (t.kind == Tok::kString) return Expr::Literal(Value(Next().text));
  if (AcceptKeyword("NULL")) return Expr::Literal(Value());
  if (AcceptKeyword("TRUE")) return Expr::Literal(Value(true));
  if (AcceptKeyword("FALSE")) return Expr::Literal(Value(false));
  if (t.kind == Tok::kNumber) {
    const Token& num = Next();
    std::string why;
    std::optional<Value> v = ParseNumber(num.text, false, &why);
    if (!v) return ErrorAt(num.offset, why + ": " + num.text);
    return Expr::Number(std::move(*v), num.text);
  }
  return Expected(what);
}

Result<ExprPtr> Parser::ParseSubqueryBody() {
  QUIVER_RETURN_NOT_OK(Enter());
  QUIVER_ASSIGN_OR_RETURN(Query q, ParseQuery());
  Leave();
  QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kSubquery;
  e->subquery = std::make_shared<const Query>(std::move(q));
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::ParseInterval() {
  // INTERVAL '3 days' | INTERVAL '1 month 2 days' | INTERVAL '3' DAY | INTERVAL 3 DAY
  const size_t at = Peek().offset;
  std::vector<std::string> words;
  auto split = [&](const std::string& text) {
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && text[i] == ' ') ++i;
      size_t j = i;
      while (j < text.size() && text[j] != ' ') ++j;
      if (j > i) words.push_back(text.substr(i, j - i));
      i = j;
    }
  };
  if (Peek().kind == Tok::kString || Peek().kind == Tok::kNumber) {
    split(Next().text);
  } else {
    return Expected("the amount of an INTERVAL");
  }
  if (words.size() % 2 == 1 && words.back().find(':') == std::string::npos) {
    // the unit follows the literal: INTERVAL '3' DAY
    if (Peek().kind != Tok::kIdent) return Expected("the unit of an INTERVAL (day, month, ...)");
    words.push_back(Next().text);
  }
  if (words.empty()) return ErrorAt(at, "empty INTERVAL");
  std::string text;
  for (const std::string& w : words) text += w + " ";
  IntervalParts parts;
  std::string why;
  if (!ParseIntervalText(text, &parts, &why)) return ErrorAt(at, "INTERVAL: " + why);
  if (parts.nanos % 1000 != 0) return ErrorAt(at, "INTERVAL: finer than a microsecond");
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kInterval;
  e->interval[0] = parts.months;
  e->interval[1] = parts.days;
  e->interval[2] = parts.nanos / 1000;
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::ParseCase() {
  // After CASE.
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCase;
  if (!PeekKeyword("WHEN")) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr operand, ParseExpr());
    e->args.push_back(std::move(operand));
    e->negated = true;  // simple CASE
  }
  if (!PeekKeyword("WHEN")) return Expected("WHEN");
  while (AcceptKeyword("WHEN")) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr when, ParseExpr());
    QUIVER_RETURN_NOT_OK(ExpectKeyword("THEN"));
    QUIVER_ASSIGN_OR_RETURN(ExprPtr then, ParseExpr());
    e->args.push_back(std::move(when));
    e->args.push_back(std::move(then));
  }
  if (AcceptKeyword("ELSE")) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr other, ParseExpr());
    e->args.push_back(std::move(other));
  }
  QUIVER_RETURN_NOT_OK(ExpectKeyword("END"));
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::ParseCastBody(bool try_cast) {
  // After CAST '('.
  QUIVER_ASSIGN_OR_RETURN(ExprPtr x, ParseExpr());
  QUIVER_RETURN_NOT_OK(ExpectKeyword("AS"));
  QUIVER_ASSIGN_OR_RETURN(std::string type, ParseTypeText());
  QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
  return Expr::Cast(std::move(x), std::move(type), try_cast);
}

Result<ExprPtr> Parser::ParseAggregate(AggFunc f, const Token& name) {
  // After NAME '('.
  const bool distinct = AcceptKeyword("DISTINCT");
  ExprPtr arg;
  if (AcceptSymbol("*")) {
    if (f != AggFunc::kCount || distinct) {
      return ErrorAt(name.offset, "only COUNT takes '*'");
    }
  } else {
    QUIVER_ASSIGN_OR_RETURN(arg, ParseExpr());
  }
  Value param;
  if (f == AggFunc::kQuantileCont || f == AggFunc::kQuantileDisc) {
    QUIVER_RETURN_NOT_OK(ExpectSymbol(","));
    QUIVER_ASSIGN_OR_RETURN(ExprPtr q, ParseUnary());
    if (q->kind != ExprKind::kLiteral) return ErrorAt(name.offset, "the quantile must be a number");
    param = q->value;
  } else if (f == AggFunc::kMedian) {
    param = 0.5;
  } else if (f == AggFunc::kStringAgg) {
    param = std::string(",");  // DuckDB's default
    if (AcceptSymbol(",")) {
      const Token& t = Peek();
      if (t.kind != Tok::kString) return Expected("the separator of STRING_AGG (a string literal)");
      param = Next().text;
    }
  }
  QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
  ExprPtr filter;
  if (PeekKeyword("FILTER") && PeekSymbol("(", 1)) {
    Next();
    Next();
    QUIVER_RETURN_NOT_OK(ExpectKeyword("WHERE"));
    QUIVER_ASSIGN_OR_RETURN(filter, ParseExpr());
    QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
  }
  if (f == AggFunc::kCount && distinct) f = AggFunc::kCountDistinct;
  auto e = std::const_pointer_cast<Expr>(
      Expr::Aggregate(f, std::move(arg), distinct && f != AggFunc::kCountDistinct, std::move(filter)));
  if (f == AggFunc::kCountDistinct) e->negated = true;
  e->value = std::move(param);
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::ParseCall(const Token& name) {
  // After NAME '('.
  const std::string fn = LowerAscii(name.text);
  if (AggFunc f = AggregateNamed(fn); f != AggFunc::kNone) return ParseAggregate(f, name);
  // "neg" names unary minus inside the tree; a function of that name would
  // read back as an operator.
  if (fn == "neg") return ErrorAt(name.offset, "unknown function 'neg' (write -x)");
  std::vector<ExprPtr> args;
  if (fn == "extract" || fn == "date_part") {
    if (fn == "extract") {
      if (Peek().kind != Tok::kIdent && Peek().kind != Tok::kString) {
        return Expected("a field name (year, month, day, hour, ...)");
      }
      args.push_back(Expr::Literal(Value(LowerAscii(Next().text))));
      QUIVER_RETURN_NOT_OK(ExpectKeyword("FROM"));
      QUIVER_ASSIGN_OR_RETURN(ExprPtr x, ParseExpr());
      args.push_back(std::move(x));
      QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
      return Expr::Call("date_part", std::move(args));
    }
  }
  if (fn == "position") {  // POSITION(needle IN haystack)
    QUIVER_ASSIGN_OR_RETURN(ExprPtr needle, ParseConcat());
    if (AcceptKeyword("IN")) {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr hay, ParseExpr());
      QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
      return Expr::Call("strpos", {std::move(hay), std::move(needle)});
    }
    args.push_back(std::move(needle));
    while (AcceptSymbol(",")) {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
      args.push_back(std::move(a));
    }
    QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
    return Expr::Call(fn, std::move(args));
  }
  if (!PeekSymbol(")")) {
    do {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
      args.push_back(std::move(a));
      if (fn == "substring" && (PeekKeyword("FROM") || PeekKeyword("FOR"))) {
        // SUBSTRING(s FROM a [FOR b])
        if (AcceptKeyword("FROM")) {
          QUIVER_ASSIGN_OR_RETURN(ExprPtr from, ParseExpr());
          args.push_back(std::move(from));
        } else {
          args.push_back(Expr::Literal(Value(int64_t(1))));
        }
        if (AcceptKeyword("FOR")) {
          QUIVER_ASSIGN_OR_RETURN(ExprPtr len, ParseExpr());
          args.push_back(std::move(len));
        }
        break;
      }
    } while (AcceptSymbol(","));
  }
  QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
  return Expr::Call(fn, std::move(args));
}

Result<ExprPtr> Parser::ParsePrimary() {
  const Token& t = Peek();
  if (AcceptSymbol("(")) {
    if (AtQueryStart()) return ParseSubqueryBody();
    QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());  // ParseOr counts the depth
    QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
    return e;
  }
  if (t.kind == Tok::kIdent) {
    if (IsKeyword(t, "CASE")) {
      Next();
      QUIVER_RETURN_NOT_OK(Enter());
      auto r = ParseCase();
      Leave();
      return r;
    }
    if ((IsKeyword(t, "CAST") || IsKeyword(t, "TRY_CAST")) && PeekSymbol("(", 1)) {
      const bool try_cast = IsKeyword(t, "TRY_CAST");
      Next();
      Next();
      return ParseCastBody(try_cast);
    }
    if ((IsKeyword(t, "DATE") || IsKeyword(t, "TIMESTAMP")) && Peek(1).kind == Tok::kString) {
      std::string type = LowerAscii(Next().text);
      return Expr::Cast(Expr::Literal(Value(Next().text)), type);
    }
    if (IsKeyword(t, "INTERVAL") &&
        (Peek(1).kind == Tok::kString || Peek(1).kind == Tok::kNumber)) {
      Next();
      return ParseInterval();
    }
    if (!IsReservedWord(t.text) && PeekSymbol("(", 1)) {
      const Token& name = Next();
      Next();
      QUIVER_RETURN_NOT_OK(Enter());
      auto r = ParseCall(name);
      Leave();
      return r;
    }
    if (IsKeyword(t, "CURRENT_DATE") || IsKeyword(t, "CURRENT_TIMESTAMP")) {
      return Expr::Call(LowerAscii(Next().text), {});
    }
  }
  if (t.kind == Tok::kQuotedIdent || (t.kind == Tok::kIdent && !IsReservedWord(t.text))) {
    std::string name = Next().text;
    // A qualified name (table.column, alias.column): the qualifier is
    // dropped (one table). Any other a.b is member b of struct column a
    // (ParsePostfix).
    if (PeekSymbol(".") && (Peek(1).kind == Tok::kIdent || Peek(1).kind == Tok::kQuotedIdent) &&
        IsQualifier(name)) {
      Next();
      name = Next().text;
    }
    return Expr::Column(std::move(name));
  }
  return ParseLiteral("a column, a literal or '('");
}

}  // namespace quiver::query::internal
