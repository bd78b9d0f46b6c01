// The SQL spelling of a Query: statements (see sql_parser_internal.h for the
// grammar and the files of the parser).
#include <string>
#include <string_view>
#include <vector>

#include "store/query.h"
#include "store/sql_parser_internal.h"

namespace quiver::query {
namespace internal {

std::string Parser::Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd: return "end of input";
    case Tok::kString: {
      std::string s(t.raw.substr(0, 40));
      return "string " + s + (t.raw.size() > 40 ? "..." : "");
    }
    default: {
      std::string s(t.raw.substr(0, 40));
      return "'" + s + (t.raw.size() > 40 ? "..." : "") + "'";
    }
  }
}

Status Parser::Enter() {
  if (++depth_ > kMaxDepth) {
    return ErrorAt(Peek().offset, "expression nested too deeply (more than " +
                                      std::to_string(kMaxDepth) + " levels)");
  }
  return Status::OK();
}

Result<std::string> Parser::ParseIdentifier(const std::string& what) {
  const Token& t = Peek();
  if (t.kind == Tok::kQuotedIdent || (t.kind == Tok::kIdent && !IsReservedWord(t.text))) {
    return Next().text;
  }
  return Expected(what);
}

Result<int64_t> Parser::ParseNonNegativeInt(const std::string& what) {
  const Token& t = Peek();
  if (t.kind == Tok::kNumber) {
    std::optional<Value> v = ParseNumber(t.text, false, nullptr);
    if (v && std::holds_alternative<int64_t>(*v)) {
      Next();
      return std::get<int64_t>(*v);
    }
    return ErrorAt(t.offset, what + " must be an integer from 0 to 9223372036854775807, found " +
                                 Describe(t));
  }
  return Expected("a non-negative integer after " + what);
}

Result<std::vector<std::string>> Parser::ParseIdentifierList(const std::string& what) {
  std::vector<std::string> names;
  do {
    QUIVER_ASSIGN_OR_RETURN(std::string name, ParseIdentifier(what));
    names.push_back(std::move(name));
  } while (AcceptSymbol(","));
  return names;
}

Result<std::vector<SelectItem>> Parser::ParseSelectItems() {
  if (AcceptSymbol("*")) {
    if (!PeekSymbol(",")) return std::vector<SelectItem>{};
    // SELECT *, expr: the star stays an item, expanded by the planner.
    std::vector<SelectItem> items{SelectItem(AggFunc::kNone, "*")};
    while (AcceptSymbol(",")) {
      QUIVER_ASSIGN_OR_RETURN(SelectItem item, ParseSelectItem());
      items.push_back(std::move(item));
    }
    return items;
  }
  std::vector<SelectItem> items;
  do {
    QUIVER_ASSIGN_OR_RETURN(SelectItem item, ParseSelectItem());
    items.push_back(std::move(item));
  } while (AcceptSymbol(","));
  return items;
}

// The original simple forms (a column; an aggregate of a column or
// COUNT(*)) keep their fields, so that their text and JSON read as before.
SelectItem SelectItemOf(ExprPtr e) {
  SelectItem item;
  if (e->kind == ExprKind::kColumn) {
    item.column = e->column;
  } else if (e->kind == ExprKind::kAggregate &&
             (!e->negated || e->agg == AggFunc::kCountDistinct) && e->args.size() == 1 &&
             (e->args[0] == nullptr || e->args[0]->kind == ExprKind::kColumn)) {
    // An aggregate of a column (no FILTER): the select list's own form.
    item.agg = e->agg;
    if (e->args[0]) item.column = e->args[0]->column;
    if (std::holds_alternative<double>(e->value)) item.param = std::get<double>(e->value);
    if (std::holds_alternative<int64_t>(e->value)) item.param = double(std::get<int64_t>(e->value));
    if (std::holds_alternative<std::string>(e->value)) item.sep = std::get<std::string>(e->value);
  } else {
    item.expr = std::move(e);
  }
  return item;
}

Result<SelectItem> Parser::ParseSelectItem() {
  const Token& t = Peek();
  if (PeekSymbol("*")) return ErrorAt(t.offset, "'*' must be the whole select list");
  const bool can_start = t.kind == Tok::kNumber || t.kind == Tok::kString ||
                         t.kind == Tok::kQuotedIdent || PeekSymbol("(") || PeekSymbol("-") ||
                         PeekSymbol("+") ||
                         (t.kind == Tok::kIdent &&
                          (!IsReservedWord(t.text) || IsKeyword(t, "NOT") ||
                           IsKeyword(t, "NULL") || IsKeyword(t, "TRUE") ||
                           IsKeyword(t, "FALSE") || IsKeyword(t, "CASE")));
  if (!can_start) return Expected("column name, aggregate or *");
  QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
  SelectItem item = SelectItemOf(std::move(e));
  if (AcceptKeyword("AS")) {
    QUIVER_ASSIGN_OR_RETURN(item.alias, ParseIdentifier("alias after AS"));
  } else if (PeekBareAlias({",", ")", ";", "FROM", "UNION", "ORDER", "LIMIT", "OFFSET"})) {
    item.alias = Next().text;
  }
  return item;
}

bool Parser::PeekBareAlias(std::initializer_list<std::string_view> then) const {
  const Token& t = Peek();
  const bool name = t.kind == Tok::kQuotedIdent || (t.kind == Tok::kIdent && !IsReservedWord(t.text));
  if (!name) return false;
  const Token& after = Peek(1);
  if (after.kind == Tok::kEnd) return true;
  for (std::string_view w : then) {
    if (after.kind == Tok::kSymbol ? after.text == w : IsKeyword(after, w)) return true;
  }
  return false;
}

Result<std::vector<OrderItem>> Parser::ParseOrderItems() {
  std::vector<OrderItem> items;
  do {
    OrderItem item;
    const Token& t = Peek();
    if (t.kind == Tok::kEnd || (t.kind == Tok::kIdent && IsReservedWord(t.text) &&
                                !IsKeyword(t, "CASE") && !IsKeyword(t, "NOT"))) {
      return Expected("column name, alias or position");
    }
    QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
    if (e->kind == ExprKind::kLiteral && t.kind == Tok::kNumber &&
        std::holds_alternative<int64_t>(e->value)) {
      item.position = std::get<int64_t>(e->value);
      if (item.position == 0) return ErrorAt(t.offset, "ORDER BY position must be at least 1");
    } else {
      SelectItem s = SelectItemOf(std::move(e));
      item.name = std::move(s.column);
      item.agg = s.agg;
      item.expr = std::move(s.expr);
    }
    QUIVER_RETURN_NOT_OK(ParseDirection(&item));
    items.push_back(std::move(item));
  } while (AcceptSymbol(","));
  return items;
}

Status Parser::ParseDirection(OrderItem* item) {
  if (AcceptKeyword("DESC")) {
    item->descending = true;
  } else {
    AcceptKeyword("ASC");
  }
  if (!AcceptKeyword("NULLS")) return Status::OK();
  if (AcceptKeyword("FIRST")) {
    item->nulls = NullOrder::kFirst;
  } else if (AcceptKeyword("LAST")) {
    item->nulls = NullOrder::kLast;
  } else {
    return Expected("FIRST or LAST");
  }
  return Status::OK();
}

Status Parser::ParseOrderByAll(Query* q) {
  // DuckDB's ORDER BY ALL: by every column of the select list, left to
  // right, all ASC or all DESC (NULLS FIRST / LAST for all).
  const Token& t = Next();
  if (q->select.empty()) return ErrorAt(t.offset, "ORDER BY ALL needs a select list, not *");
  OrderItem item;
  QUIVER_RETURN_NOT_OK(ParseDirection(&item));
  for (size_t i = 0; i < q->select.size(); ++i) {
    item.position = int64_t(i) + 1;
    q->order_by.push_back(item);
  }
  return Status::OK();
}

Status Parser::ParseGroupBy(Query* q) {
  std::vector<ExprPtr> items;
  bool all_names = true;
  if (PeekKeyword("ALL")) {
    // DuckDB's GROUP BY ALL: every item of the select list that holds no
    // aggregate (none: one group of all rows, as with no GROUP BY).
    const Token& t = Next();
    if (q->select.empty()) return ErrorAt(t.offset, "GROUP BY ALL needs a select list, not *");
    for (const SelectItem& s : q->select) {
      if (s.agg != AggFunc::kNone || (s.expr && ContainsAggregate(*s.expr))) continue;
      ExprPtr e = s.expr ? s.expr : Expr::Column(s.column);
      all_names = all_names && e->kind == ExprKind::kColumn;
      items.push_back(std::move(e));
    }
  } else {
    do {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
      all_names = all_names && e->kind == ExprKind::kColumn;
      items.push_back(std::move(e));
    } while (AcceptSymbol(","));
  }
  if (all_names) {
    for (const auto& e : items) q->group_by.push_back(e->column);
  } else {
    q->group_by_exprs = std::move(items);
  }
  return Status::OK();
}

Status Parser::ParseFrom(Query* q) {
  if (AcceptSymbol("(")) {
    QUIVER_RETURN_NOT_OK(Enter());
    QUIVER_ASSIGN_OR_RETURN(Query inner, ParseQuery());
    Leave();
    QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
    q->from_query = std::make_shared<const Query>(std::move(inner));
    AcceptKeyword("AS");
    if (Peek().kind == Tok::kQuotedIdent ||
        (Peek().kind == Tok::kIdent && !IsReservedWord(Peek().text))) {
      q->table = Next().text;
    } else {
      q->table = "subquery";
    }
    return Status::OK();
  }
  QUIVER_ASSIGN_OR_RETURN(q->table, ParseIdentifier("table name"));
  // An alias (with AS, or bare) is accepted: columns may be qualified with
  // it (ScanQualifiers).
  if (AcceptKeyword("AS")) {
    QUIVER_ASSIGN_OR_RETURN(std::string alias, ParseIdentifier("alias after AS"));
    (void)alias;
  } else if (PeekBareAlias({")", ";", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET",
                            "UNION"})) {
    Next();
  }
  return Status::OK();
}

std::vector<std::string> Parser::ScanQualifiers() const {
  int depth = 0;
  for (size_t i = pos_; i < tokens_.size() && tokens_[i].kind != Tok::kEnd; ++i) {
    const Token& t = tokens_[i];
    if (t.kind == Tok::kSymbol && t.text == "(") ++depth;
    if (t.kind == Tok::kSymbol && t.text == ")" && --depth < 0) break;
    if (depth != 0) continue;
    if (IsKeyword(t, "UNION") || IsKeyword(t, "ORDER") || IsKeyword(t, "LIMIT")) break;
    if (!IsKeyword(t, "FROM")) continue;
    std::vector<std::string> names;
    size_t k = i + 1;
    auto at = [&](size_t j) -> const Token& { return j < tokens_.size() ? tokens_[j] : tokens_.back(); };
    if (at(k).kind == Tok::kSymbol && at(k).text == "(") {
      for (int d = 0; k < tokens_.size(); ++k) {  // past the subquery
        if (at(k).kind == Tok::kSymbol && at(k).text == "(") ++d;
        if (at(k).kind == Tok::kSymbol && at(k).text == ")" && --d == 0) break;
      }
      ++k;
    } else if (at(k).kind == Tok::kIdent || at(k).kind == Tok::kQuotedIdent) {
      names.push_back(at(k++).text);
    }
    if (IsKeyword(at(k), "AS")) ++k;
    if (at(k).kind == Tok::kQuotedIdent || (at(k).kind == Tok::kIdent && !IsReservedWord(at(k).text))) {
      names.push_back(at(k).text);
    }
    return names;
  }
  return {};
}

bool Parser::IsQualifier(const std::string& name) const {
  for (const std::string& q : qualifiers_) {
    if (EqualsIgnoreCase(q, name)) return true;
  }
  return false;
}

Result<Query> Parser::ParseCore() {
  Query q;
  qualifiers_ = ScanQualifiers();
  QUIVER_RETURN_NOT_OK(ExpectKeyword("SELECT"));
  q.distinct = AcceptKeyword("DISTINCT");
  if (!q.distinct) AcceptKeyword("ALL");
  QUIVER_ASSIGN_OR_RETURN(q.select, ParseSelectItems());
  if (AcceptKeyword("FROM")) QUIVER_RETURN_NOT_OK(ParseFrom(&q));
  if (AcceptKeyword("WHERE")) {
    QUIVER_ASSIGN_OR_RETURN(q.where, ParseExpr());
  }
  if (AcceptKeyword("GROUP")) {
    QUIVER_RETURN_NOT_OK(ExpectKeyword("BY"));
    QUIVER_RETURN_NOT_OK(ParseGroupBy(&q));
  }
  if (AcceptKeyword("HAVING")) {
    QUIVER_ASSIGN_OR_RETURN(q.having, ParseExpr());
  }
  return q;
}

Result<Query> Parser::ParseQuery() {
  // The enclosing core's qualifiers come back when this (sub)query ends.
  struct Restore {
    std::vector<std::string>& slot;
    std::vector<std::string> saved;
    ~Restore() { slot = std::move(saved); }
  } restore{qualifiers_, qualifiers_};
  std::vector<NamedQuery> with;
  if (AcceptKeyword("WITH")) {
    do {
      QUIVER_ASSIGN_OR_RETURN(std::string name, ParseIdentifier("name of a WITH query"));
      QUIVER_RETURN_NOT_OK(ExpectKeyword("AS"));
      QUIVER_RETURN_NOT_OK(ExpectSymbol("("));
      QUIVER_RETURN_NOT_OK(Enter());
      QUIVER_ASSIGN_OR_RETURN(Query inner, ParseQuery());
      Leave();
      QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
      with.push_back(NamedQuery{std::move(name), std::make_shared<const Query>(std::move(inner))});
    } while (AcceptSymbol(","));
  }
  QUIVER_ASSIGN_OR_RETURN(Query q, ParseCore());
  q.with = std::move(with);
  while (AcceptKeyword("UNION")) {
    QUIVER_RETURN_NOT_OK(ExpectKeyword("ALL"));
    QUIVER_ASSIGN_OR_RETURN(Query branch, ParseCore());
    q.union_all.push_back(std::make_shared<const Query>(std::move(branch)));
  }
  if (AcceptKeyword("ORDER")) {
    QUIVER_RETURN_NOT_OK(ExpectKeyword("BY"));
    if (PeekKeyword("ALL")) {
      QUIVER_RETURN_NOT_OK(ParseOrderByAll(&q));
    } else {
      QUIVER_ASSIGN_OR_RETURN(q.order_by, ParseOrderItems());
    }
  }
  // LIMIT and OFFSET, each at most once, in either order; LIMIT ALL is no
  // limit (PostgreSQL's).
  bool limited = false;
  while (true) {
    if (!limited && AcceptKeyword("LIMIT")) {
      limited = true;
      if (AcceptKeyword("ALL")) continue;
      QUIVER_ASSIGN_OR_RETURN(int64_t n, ParseNonNegativeInt("LIMIT"));
      q.limit = n;
    } else if (!q.offset && AcceptKeyword("OFFSET")) {
      QUIVER_ASSIGN_OR_RETURN(int64_t n, ParseNonNegativeInt("OFFSET"));
      q.offset = n;
    } else {
      break;
    }
  }
  limit_all_ = limited && !q.limit;
  return q;
}

Result<Query> Parser::ParseStatementText() {
  ExplainMode explain = ExplainMode::kNone;
  bool json = false;
  if (AcceptKeyword("EXPLAIN")) {
    explain = AcceptKeyword("ANALYZE") ? ExplainMode::kAnalyze : ExplainMode::kPlan;
    // EXPLAIN [ANALYZE] [(option, ...)]: ANALYZE, FORMAT TEXT|JSON
    // (PostgreSQL's spelling).
    if (AcceptSymbol("(")) {
      do {
        if (AcceptKeyword("ANALYZE")) {
          explain = ExplainMode::kAnalyze;
        } else if (AcceptKeyword("FORMAT")) {
          if (AcceptKeyword("JSON")) {
            json = true;
          } else if (AcceptKeyword("TEXT")) {
            json = false;
          } else {
            return Expected("JSON or TEXT");
          }
        } else {
          return Expected("an EXPLAIN option (ANALYZE or FORMAT)");
        }
      } while (AcceptSymbol(","));
      QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
    }
  }
  QUIVER_ASSIGN_OR_RETURN(Query q, ParseQuery());
  q.explain = explain;
  q.explain_json = json;
  if (q.table.empty() && !q.from_query && Peek().kind == Tok::kIdent && q.union_all.empty() &&
      !IsReservedWord(Peek().text)) {
    return Expected("FROM");  // SELECT a FORM t
  }
  // Name what could still come, so that a misspelt clause is easy to spot.
  const bool has_limit = q.limit.has_value() || limit_all_;
  std::string what;
  if (!q.where && q.group_by.empty() && q.group_by_exprs.empty() && !q.having &&
      q.order_by.empty() && !has_limit && !q.offset) {
    what = q.table.empty() && !q.from_query
               ? "FROM, WHERE, GROUP BY, ORDER BY, LIMIT, OFFSET or end of query"
               : "WHERE, GROUP BY, ORDER BY, LIMIT, OFFSET or end of query";
  } else if (q.group_by.empty() && q.group_by_exprs.empty() && !q.having && q.order_by.empty() &&
             !has_limit && !q.offset) {
    what = "AND, OR, GROUP BY, ORDER BY, LIMIT, OFFSET or end of query";
  } else if (q.order_by.empty() && !has_limit && !q.offset) {
    what = "ORDER BY, LIMIT, OFFSET or end of query";
  } else if (!has_limit || !q.offset) {
    what = !has_limit && !q.offset ? "LIMIT, OFFSET or end of query"
           : !has_limit            ? "LIMIT or end of query"
                                 : "OFFSET or end of query";
  } else {
    what = "end of query";
  }
  QUIVER_RETURN_NOT_OK(ExpectEnd(what));
  return q;
}

Result<ExprPtr> Parser::ParseFilterText() {
  QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
  QUIVER_RETURN_NOT_OK(ExpectEnd("AND, OR or end of filter"));
  return e;
}

Result<std::vector<OrderItem>> Parser::ParseOrderByText() {
  QUIVER_ASSIGN_OR_RETURN(std::vector<OrderItem> items, ParseOrderItems());
  QUIVER_RETURN_NOT_OK(ExpectEnd("',', ASC, DESC, NULLS or end of list"));
  return items;
}

Result<std::vector<SelectItem>> Parser::ParseSelectListText() {
  QUIVER_ASSIGN_OR_RETURN(std::vector<SelectItem> items, ParseSelectItems());
  QUIVER_RETURN_NOT_OK(ExpectEnd("',' or end of list"));
  return items;
}

Result<std::vector<std::string>> Parser::ParseColumnListText() {
  QUIVER_ASSIGN_OR_RETURN(std::vector<std::string> names, ParseIdentifierList("column name"));
  QUIVER_RETURN_NOT_OK(ExpectEnd("',' or end of list"));
  return names;
}

}  // namespace internal

using internal::Parser;

Result<Query> ParseSql(std::string_view text, TextPosition* error_pos) {
  Parser p(text, error_pos);
  QUIVER_RETURN_NOT_OK(p.Lex());
  return p.ParseStatementText();
}

Result<ExprPtr> ParseFilter(std::string_view text, TextPosition* error_pos) {
  Parser p(text, error_pos);
  QUIVER_RETURN_NOT_OK(p.Lex());
  return p.ParseFilterText();
}

Result<std::vector<OrderItem>> ParseOrderBy(std::string_view text, TextPosition* error_pos) {
  Parser p(text, error_pos);
  QUIVER_RETURN_NOT_OK(p.Lex());
  return p.ParseOrderByText();
}

Result<std::vector<SelectItem>> ParseSelectList(std::string_view text, TextPosition* error_pos) {
  Parser p(text, error_pos);
  QUIVER_RETURN_NOT_OK(p.Lex());
  return p.ParseSelectListText();
}

Result<std::vector<std::string>> ParseColumnList(std::string_view text, TextPosition* error_pos) {
  Parser p(text, error_pos);
  QUIVER_RETURN_NOT_OK(p.Lex());
  return p.ParseColumnListText();
}

}  // namespace quiver::query
