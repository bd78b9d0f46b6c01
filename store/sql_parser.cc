// The SQL spelling of a Query: a lexer and a recursive descent parser.
//
// Grammar (keywords case-insensitive):
//   query      := SELECT select_list FROM ident [WHERE or_expr]
//                 [GROUP BY ident {, ident}] [ORDER BY order {, order}]
//                 [LIMIT int] [OFFSET int] [;]          (LIMIT/OFFSET any order)
//   select_list:= '*' | item {, item}
//   item       := (ident | agg '(' ('*' | ident) ')') [AS ident]
//   order      := (ident | int) [ASC | DESC] [NULLS (FIRST | LAST)]
//   or_expr    := and_expr {OR and_expr}
//   and_expr   := not_expr {AND not_expr}
//   not_expr   := NOT not_expr | predicate
//   predicate  := operand [cmp operand | [NOT] BETWEEN operand AND operand
//                 | [NOT] IN '(' literal {, literal} ')' | IS [NOT] NULL
//                 | [NOT] LIKE operand]
//   operand    := ident | literal | '(' or_expr ')'
//   literal    := string | ['-'] number | TRUE | FALSE | NULL
// A parenthesised condition is an operand only where a condition may stand;
// comparisons take values (columns and literals) on both sides.

#include <string>
#include <string_view>
#include <vector>

#include "store/query.h"
#include "store/query_internal.h"

namespace quiver::query {
namespace {

using internal::EqualsIgnoreCase;
using internal::IsReservedWord;

enum class Tok : uint8_t { kEnd, kIdent, kQuotedIdent, kString, kNumber, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view raw;  // the token's bytes in the text
  std::string text;      // identifier name, string contents, number or symbol
  size_t offset = 0;
};

TextPosition PositionOf(std::string_view text, size_t offset) {
  TextPosition pos;
  pos.offset = offset;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {  // count code points, not bytes
      ++pos.column;
    }
  }
  return pos;
}

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

class Parser {
 public:
  Parser(std::string_view text, TextPosition* error_pos) : text_(text), error_pos_(error_pos) {}

  Status Lex();

  Result<Query> ParseQueryText();
  Result<ExprPtr> ParseFilterText();
  Result<std::vector<OrderItem>> ParseOrderByText();
  Result<std::vector<SelectItem>> ParseSelectListText();
  Result<std::vector<std::string>> ParseColumnListText();

 private:
  // --- errors ---
  Status ErrorAt(size_t offset, const std::string& problem) const {
    TextPosition pos = PositionOf(text_, offset);
    if (error_pos_) *error_pos_ = pos;
    return Status::Invalid("syntax error at line " + std::to_string(pos.line) + ", column " +
                           std::to_string(pos.column) + ": " + problem);
  }
  static std::string Describe(const Token& t) {
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
  Status Expected(const std::string& what) const {
    return ErrorAt(Peek().offset, "expected " + what + ", found " + Describe(Peek()));
  }

  // --- tokens ---
  const Token& Peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsKeyword(const Token& t, std::string_view kw) const {
    return t.kind == Tok::kIdent && EqualsIgnoreCase(t.text, kw);
  }
  bool PeekKeyword(std::string_view kw, size_t ahead = 0) const { return IsKeyword(Peek(ahead), kw); }
  bool AcceptKeyword(std::string_view kw) {
    if (!PeekKeyword(kw)) return false;
    Next();
    return true;
  }
  bool PeekSymbol(std::string_view s, size_t ahead = 0) const {
    return Peek(ahead).kind == Tok::kSymbol && Peek(ahead).text == s;
  }
  bool AcceptSymbol(std::string_view s) {
    if (!PeekSymbol(s)) return false;
    Next();
    return true;
  }
  Status ExpectKeyword(std::string_view kw) {
    if (AcceptKeyword(kw)) return Status::OK();
    return Expected(std::string(kw));
  }
  Status ExpectSymbol(std::string_view s) {
    if (AcceptSymbol(s)) return Status::OK();
    return Expected("'" + std::string(s) + "'");
  }
  Status ExpectEnd(const std::string& what) {
    AcceptSymbol(";");
    if (Peek().kind == Tok::kEnd) return Status::OK();
    return Expected(what);
  }

  // --- grammar ---
  Result<std::string> ParseIdentifier(const std::string& what);
  Result<int64_t> ParseNonNegativeInt(const std::string& what);
  Result<std::vector<SelectItem>> ParseSelectItems();
  Result<SelectItem> ParseSelectItem();
  Status ParseAggregateCall(SelectItem* item);
  Result<std::vector<OrderItem>> ParseOrderItems();
  Result<std::vector<std::string>> ParseIdentifierList(const std::string& what);
  Result<ExprPtr> ParseOr();
  Result<ExprPtr> ParseAnd();
  Result<ExprPtr> ParseNot();
  Result<ExprPtr> ParsePredicate();
  Result<ExprPtr> ParseOperand();
  Result<ExprPtr> ParseLiteral(const std::string& what);

  std::string_view text_;
  TextPosition* error_pos_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

Status Parser::Lex() {
  size_t i = 0, n = text_.size();
  auto at = [&](size_t k) -> unsigned char { return k < n ? static_cast<unsigned char>(text_[k]) : 0; };
  while (true) {
    // Whitespace and comments (-- to end of line, /* ... */).
    while (i < n) {
      unsigned char c = at(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++i;
      } else if (c == '-' && at(i + 1) == '-') {
        while (i < n && text_[i] != '\n') ++i;
      } else if (c == '/' && at(i + 1) == '*') {
        size_t end = text_.find("*/", i + 2);
        if (end == std::string_view::npos) return ErrorAt(i, "unterminated comment");
        i = end + 2;
      } else {
        break;
      }
    }
    Token t;
    t.offset = i;
    if (i >= n) {
      t.kind = Tok::kEnd;
      tokens_.push_back(std::move(t));
      return Status::OK();
    }
    unsigned char c = at(i);
    size_t start = i;
    if (IsIdentStart(c)) {
      while (i < n && IsIdentChar(at(i))) ++i;
      t.kind = Tok::kIdent;
      t.text = std::string(text_.substr(start, i - start));
    } else if (c == '"' || c == '\'') {
      const char q = static_cast<char>(c);
      ++i;
      std::string value;
      bool closed = false;
      while (i < n) {
        if (text_[i] == q) {
          if (at(i + 1) == c) {
            value += q;
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        value += text_[i++];
      }
      if (!closed) {
        return ErrorAt(start, q == '"' ? "unterminated quoted identifier"
                                       : "unterminated string literal");
      }
      if (q == '"' && value.empty()) return ErrorAt(start, "empty quoted identifier");
      t.kind = q == '"' ? Tok::kQuotedIdent : Tok::kString;
      t.text = std::move(value);
    } else if (IsDigit(c) || (c == '.' && IsDigit(at(i + 1)))) {
      while (i < n && IsDigit(at(i))) ++i;
      if (at(i) == '.') {
        ++i;
        while (i < n && IsDigit(at(i))) ++i;
      }
      if (at(i) == 'e' || at(i) == 'E') {
        size_t k = i + 1;
        if (at(k) == '+' || at(k) == '-') ++k;
        if (IsDigit(at(k))) {
          i = k;
          while (i < n && IsDigit(at(i))) ++i;
        }
      }
      // "12abc" or "1.2.3" is one bad token, not a number and a name.
      if (i < n && (IsIdentChar(at(i)) || at(i) == '.')) {
        while (i < n && (IsIdentChar(at(i)) || at(i) == '.')) ++i;
        return ErrorAt(start, "invalid number '" + std::string(text_.substr(start, i - start)) + "'");
      }
      t.kind = Tok::kNumber;
      t.text = std::string(text_.substr(start, i - start));
    } else {
      static constexpr std::string_view kTwo[] = {"<=", ">=", "<>", "!=", "=="};
      static constexpr std::string_view kOne = ",()*=<>;-+.";
      t.kind = Tok::kSymbol;
      bool matched = false;
      for (std::string_view two : kTwo) {
        if (text_.substr(i, 2) == two) {
          t.text = std::string(two);
          i += 2;
          matched = true;
          break;
        }
      }
      if (!matched) {
        if (kOne.find(static_cast<char>(c)) == std::string_view::npos) {
          std::string what;
          if (c >= 0x20 && c < 0x7f) {
            what = "unexpected character '" + std::string(1, static_cast<char>(c)) + "'";
          } else {
            static const char kHex[] = "0123456789abcdef";
            what = std::string("unexpected byte 0x") + kHex[c >> 4] + kHex[c & 15];
          }
          return ErrorAt(start, what);
        }
        t.text = std::string(1, static_cast<char>(c));
        ++i;
      }
    }
    t.raw = text_.substr(start, i - start);
    tokens_.push_back(std::move(t));
  }
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
    std::optional<Value> v = internal::ParseNumber(t.text, false, nullptr);
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
  if (AcceptSymbol("*")) return std::vector<SelectItem>{};
  std::vector<SelectItem> items;
  do {
    QUIVER_ASSIGN_OR_RETURN(SelectItem item, ParseSelectItem());
    items.push_back(std::move(item));
  } while (AcceptSymbol(","));
  return items;
}

// NAME '(' ('*' | column) ')' with NAME one of the aggregates; the current
// token is NAME.
Status Parser::ParseAggregateCall(SelectItem* item) {
  const Token& t = Peek();
  static constexpr std::pair<std::string_view, AggFunc> kAggs[] = {
      {"COUNT", AggFunc::kCount},
      {"SUM", AggFunc::kSum},
      {"MIN", AggFunc::kMin},
      {"MAX", AggFunc::kMax},
      {"AVG", AggFunc::kAvg},
      {"STDDEV", AggFunc::kStddevSamp},
      {"STDDEV_SAMP", AggFunc::kStddevSamp},
      {"STDDEV_POP", AggFunc::kStddevPop},
      {"VARIANCE", AggFunc::kVarSamp},
      {"VAR_SAMP", AggFunc::kVarSamp},
      {"VAR_POP", AggFunc::kVarPop},
      {"MEDIAN", AggFunc::kMedian},
      {"QUANTILE_CONT", AggFunc::kQuantileCont},
      {"QUANTILE_DISC", AggFunc::kQuantileDisc},
      {"APPROX_COUNT_DISTINCT", AggFunc::kApproxCountDistinct},
      {"BOOL_AND", AggFunc::kBoolAnd},
      {"BOOL_OR", AggFunc::kBoolOr},
      {"ANY_VALUE", AggFunc::kAnyValue}};
  for (const auto& [name, f] : kAggs) {
    if (EqualsIgnoreCase(t.text, name)) item->agg = f;
  }
  if (item->agg == AggFunc::kNone) {
    std::string names;
    for (const auto& [name, f] : kAggs)
      names += std::string(names.empty() ? "" : ", ") + std::string(name);
    return ErrorAt(t.offset,
                   "unknown aggregate function '" + t.text + "' (expected one of " + names + ")");
  }
  Next();
  Next();  // '('
  if (item->agg == AggFunc::kCount && AcceptKeyword("DISTINCT")) {
    item->agg = AggFunc::kCountDistinct;
    QUIVER_ASSIGN_OR_RETURN(item->column, ParseIdentifier("column name"));
  } else if (item->agg == AggFunc::kCount && AcceptSymbol("*")) {
    // COUNT(*): no column.
  } else {
    QUIVER_ASSIGN_OR_RETURN(item->column,
                            ParseIdentifier(item->agg == AggFunc::kCount ? "column name or *"
                                                                         : "column name"));
  }
  if (item->agg == AggFunc::kQuantileCont || item->agg == AggFunc::kQuantileDisc) {
    // The fraction: a number literal (checked against [0, 1] by Bind).
    QUIVER_RETURN_NOT_OK(ExpectSymbol(","));
    const bool negative = AcceptSymbol("-");
    const Token& q = Peek();
    std::string why;
    std::optional<Value> v;
    if (q.kind == Tok::kNumber) v = internal::ParseNumber(q.text, false, &why);
    if (!v)
      return ErrorAt(q.offset,
                     "expected the quantile (a number from 0 to 1), found '" + q.text + "'");
    item->param = std::holds_alternative<double>(*v)    ? std::get<double>(*v)
                  : std::holds_alternative<int64_t>(*v) ? double(std::get<int64_t>(*v))
                                                        : double(std::get<uint64_t>(*v));
    if (negative) item->param = -item->param;
    Next();
  }
  return ExpectSymbol(")");
}

Result<SelectItem> Parser::ParseSelectItem() {
  SelectItem item;
  const Token& t = Peek();
  if (t.kind == Tok::kIdent && PeekSymbol("(", 1)) {
    QUIVER_RETURN_NOT_OK(ParseAggregateCall(&item));
  } else {
    if (PeekSymbol("*")) {
      return ErrorAt(t.offset, "'*' must be the whole select list");
    }
    QUIVER_ASSIGN_OR_RETURN(item.column, ParseIdentifier("column name, aggregate or *"));
  }
  if (AcceptKeyword("AS")) {
    QUIVER_ASSIGN_OR_RETURN(item.alias, ParseIdentifier("alias after AS"));
  }
  return item;
}

Result<std::vector<OrderItem>> Parser::ParseOrderItems() {
  std::vector<OrderItem> items;
  do {
    OrderItem item;
    const Token& t = Peek();
    if (t.kind == Tok::kNumber) {
      QUIVER_ASSIGN_OR_RETURN(item.position, ParseNonNegativeInt("ORDER BY position"));
      if (item.position == 0) return ErrorAt(t.offset, "ORDER BY position must be at least 1");
    } else if (t.kind == Tok::kIdent && PeekSymbol("(", 1)) {
      SelectItem call;
      QUIVER_RETURN_NOT_OK(ParseAggregateCall(&call));
      item.agg = call.agg;
      item.name = std::move(call.column);
    } else {
      QUIVER_ASSIGN_OR_RETURN(item.name, ParseIdentifier("column name, alias or position"));
    }
    if (AcceptKeyword("DESC")) {
      item.descending = true;
    } else {
      AcceptKeyword("ASC");
    }
    if (AcceptKeyword("NULLS")) {
      if (AcceptKeyword("FIRST")) {
        item.nulls = NullOrder::kFirst;
      } else if (AcceptKeyword("LAST")) {
        item.nulls = NullOrder::kLast;
      } else {
        return Expected("FIRST or LAST");
      }
    }
    items.push_back(std::move(item));
  } while (AcceptSymbol(","));
  return items;
}

Result<ExprPtr> Parser::ParseOr() {
  if (++depth_ > internal::kMaxDepth) {
    return ErrorAt(Peek().offset, "expression nested too deeply (more than " +
                                      std::to_string(internal::kMaxDepth) + " levels)");
  }
  std::vector<ExprPtr> args;
  do {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseAnd());
    args.push_back(std::move(e));
  } while (AcceptKeyword("OR"));
  --depth_;
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
  if (++depth_ > internal::kMaxDepth) {
    return ErrorAt(Peek().offset, "expression nested too deeply (more than " +
                                      std::to_string(internal::kMaxDepth) + " levels)");
  }
  Next();
  QUIVER_ASSIGN_OR_RETURN(ExprPtr inner, ParseNot());
  --depth_;
  return Expr::Not(std::move(inner));
}

Result<ExprPtr> Parser::ParsePredicate() {
  const size_t lhs_offset = Peek().offset;
  QUIVER_ASSIGN_OR_RETURN(ExprPtr lhs, ParseOperand());

  const Token& op_token = Peek();
  CompareOp op = CompareOp::kEq;
  bool is_compare = false;
  if (op_token.kind == Tok::kSymbol) {
    const std::string& s = op_token.text;
    is_compare = true;
    if (s == "=" || s == "==") {
      op = CompareOp::kEq;
    } else if (s == "<>" || s == "!=") {
      op = CompareOp::kNe;
    } else if (s == "<") {
      op = CompareOp::kLt;
    } else if (s == "<=") {
      op = CompareOp::kLe;
    } else if (s == ">") {
      op = CompareOp::kGt;
    } else if (s == ">=") {
      op = CompareOp::kGe;
    } else {
      is_compare = false;
    }
  }
  const bool negated = PeekKeyword("NOT") &&
                       (PeekKeyword("BETWEEN", 1) || PeekKeyword("IN", 1) || PeekKeyword("LIKE", 1));
  const Token& kw = Peek(negated ? 1 : 0);
  const bool is_suffix = is_compare || IsKeyword(kw, "BETWEEN") || IsKeyword(kw, "IN") ||
                         IsKeyword(kw, "LIKE") || IsKeyword(kw, "IS");
  if (!is_suffix) return lhs;
  if (!lhs->is_value()) {
    (void)lhs_offset;
    return ErrorAt(op_token.offset, "the left side of " + Describe(op_token) +
                                        " must be a column or a literal, not a condition");
  }
  if (is_compare) {
    Next();
    const size_t rhs_offset = Peek().offset;
    QUIVER_ASSIGN_OR_RETURN(ExprPtr rhs, ParseOperand());
    if (!rhs->is_value()) {
      return ErrorAt(rhs_offset, "the right side of '" + std::string(CompareOpSql(op)) +
                                     "' must be a column or a literal, not a condition");
    }
    return Expr::Compare(op, std::move(lhs), std::move(rhs));
  }
  if (negated) Next();  // NOT
  if (AcceptKeyword("BETWEEN")) {
    auto value_operand = [&](const char* which) -> Result<ExprPtr> {
      const size_t at = Peek().offset;
      QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseOperand());
      if (!e->is_value()) {
        return ErrorAt(at, std::string("the ") + which +
                               " bound of BETWEEN must be a column or a literal, not a condition");
      }
      return e;
    };
    QUIVER_ASSIGN_OR_RETURN(ExprPtr lo, value_operand("lower"));
    QUIVER_RETURN_NOT_OK(ExpectKeyword("AND"));
    QUIVER_ASSIGN_OR_RETURN(ExprPtr hi, value_operand("upper"));
    return Expr::Between(std::move(lhs), std::move(lo), std::move(hi), negated);
  }
  if (AcceptKeyword("IN")) {
    QUIVER_RETURN_NOT_OK(ExpectSymbol("("));
    std::vector<ExprPtr> list;
    do {
      QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseLiteral("a literal in the IN list"));
      list.push_back(std::move(e));
    } while (AcceptSymbol(","));
    QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
    return Expr::In(std::move(lhs), std::move(list), negated);
  }
  if (AcceptKeyword("LIKE")) {
    const size_t at = Peek().offset;
    QUIVER_ASSIGN_OR_RETURN(ExprPtr pattern, ParseOperand());
    if (!pattern->is_value()) {
      return ErrorAt(at, "the pattern of LIKE must be a string, not a condition");
    }
    return Expr::Like(std::move(lhs), std::move(pattern), negated);
  }
  // IS [NOT] NULL
  Next();
  const bool is_not = AcceptKeyword("NOT");
  QUIVER_RETURN_NOT_OK(ExpectKeyword("NULL"));
  return Expr::IsNull(std::move(lhs), is_not);
}

Result<ExprPtr> Parser::ParseLiteral(const std::string& what) {
  const Token& t = Peek();
  if (t.kind == Tok::kString) return Expr::Literal(Value(Next().text));
  if (AcceptKeyword("NULL")) return Expr::Literal(Value());
  if (AcceptKeyword("TRUE")) return Expr::Literal(Value(true));
  if (AcceptKeyword("FALSE")) return Expr::Literal(Value(false));
  bool negative = false;
  size_t start = t.offset;
  if (PeekSymbol("-") && Peek(1).kind == Tok::kNumber) {
    Next();
    negative = true;
  }
  if (Peek().kind == Tok::kNumber) {
    const Token& num = Next();
    std::string why;
    std::optional<Value> v = internal::ParseNumber((negative ? "-" : "") + num.text, true, &why);
    if (!v) {
      return ErrorAt(start, why + ": " + (negative ? "-" : "") + num.text);
    }
    return Expr::Literal(std::move(*v));
  }
  return Expected(what);
}

Result<ExprPtr> Parser::ParseOperand() {
  const Token& t = Peek();
  if (AcceptSymbol("(")) {
    QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseOr());
    QUIVER_RETURN_NOT_OK(ExpectSymbol(")"));
    return e;
  }
  if (t.kind == Tok::kQuotedIdent || (t.kind == Tok::kIdent && !IsReservedWord(t.text))) {
    return Expr::Column(Next().text);
  }
  return ParseLiteral("a column, a literal or '('");
}

Result<Query> Parser::ParseQueryText() {
  Query q;
  QUIVER_RETURN_NOT_OK(ExpectKeyword("SELECT"));
  QUIVER_ASSIGN_OR_RETURN(q.select, ParseSelectItems());
  QUIVER_RETURN_NOT_OK(ExpectKeyword("FROM"));
  QUIVER_ASSIGN_OR_RETURN(q.table, ParseIdentifier("table name"));
  if (AcceptKeyword("WHERE")) {
    QUIVER_ASSIGN_OR_RETURN(q.where, ParseOr());
  }
  if (AcceptKeyword("GROUP")) {
    QUIVER_RETURN_NOT_OK(ExpectKeyword("BY"));
    QUIVER_ASSIGN_OR_RETURN(q.group_by, ParseIdentifierList("column name"));
  }
  if (AcceptKeyword("ORDER")) {
    QUIVER_RETURN_NOT_OK(ExpectKeyword("BY"));
    QUIVER_ASSIGN_OR_RETURN(q.order_by, ParseOrderItems());
  }
  // LIMIT and OFFSET, each at most once, in either order.
  while (true) {
    if (!q.limit && AcceptKeyword("LIMIT")) {
      QUIVER_ASSIGN_OR_RETURN(int64_t n, ParseNonNegativeInt("LIMIT"));
      q.limit = n;
    } else if (!q.offset && AcceptKeyword("OFFSET")) {
      QUIVER_ASSIGN_OR_RETURN(int64_t n, ParseNonNegativeInt("OFFSET"));
      q.offset = n;
    } else {
      break;
    }
  }
  // Name what could still come, so that a misspelt clause is easy to spot.
  std::string what;
  if (!q.where && q.group_by.empty() && q.order_by.empty() && !q.limit && !q.offset) {
    what = "WHERE, GROUP BY, ORDER BY, LIMIT, OFFSET or end of query";
  } else if (q.group_by.empty() && q.order_by.empty() && !q.limit && !q.offset) {
    what = "AND, OR, GROUP BY, ORDER BY, LIMIT, OFFSET or end of query";
  } else if (q.order_by.empty() && !q.limit && !q.offset) {
    what = "ORDER BY, LIMIT, OFFSET or end of query";
  } else if (!q.limit || !q.offset) {
    what = !q.limit && !q.offset ? "LIMIT, OFFSET or end of query"
           : !q.limit            ? "LIMIT or end of query"
                                 : "OFFSET or end of query";
  } else {
    what = "end of query";
  }
  QUIVER_RETURN_NOT_OK(ExpectEnd(what));
  return q;
}

Result<ExprPtr> Parser::ParseFilterText() {
  QUIVER_ASSIGN_OR_RETURN(ExprPtr e, ParseOr());
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

}  // namespace

Result<Query> ParseSql(std::string_view text, TextPosition* error_pos) {
  Parser p(text, error_pos);
  QUIVER_RETURN_NOT_OK(p.Lex());
  return p.ParseQueryText();
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
