// The SQL parser's parts, shared by its files (not an API for other files):
//   sql_lexer.cc        tokens and positions
//   sql_parser.cc       statements: WITH, SELECT, FROM, GROUP BY, HAVING,
//                       UNION ALL, ORDER BY, LIMIT, EXPLAIN; the entry points
//   sql_expr_parser.cc  expressions, by precedence
//
// Grammar (keywords case-insensitive; see store/query.h for the semantics):
//   statement  := [EXPLAIN [ANALYZE]] query [;]
//   query      := [WITH name AS '(' query ')' {, ...}] core {UNION ALL core}
//                 [ORDER BY order {, order}] [LIMIT int] [OFFSET int]
//   core       := SELECT [DISTINCT] ('*' | item {, item}) [FROM from]
//                 [WHERE expr] [GROUP BY expr {, expr}] [HAVING expr]
//   from       := name [[AS] alias] | '(' query ')' [AS] alias
//   item       := expr [[AS] alias]
//   order      := expr [ASC | DESC] [NULLS (FIRST | LAST)]
//   expr       := or;  or := and {OR and};  and := not {AND not}
//   not        := NOT not | predicate
//   predicate  := concat [cmp concat | IS [NOT] NULL | IS [NOT] DISTINCT FROM concat
//                 | [NOT] BETWEEN concat AND concat | [NOT] IN '(' (query | expr {, expr}) ')'
//                 | [NOT] (LIKE | ILIKE) concat]
//   concat     := additive {'||' additive}
//   additive   := term {('+' | '-') term}
//   term       := unary {('*' | '/' | '//' | '%') unary}
//   unary      := ('-' | '+') unary | postfix
//   postfix    := primary {'::' type}
//   primary    := literal | name ['.' name] | '(' expr ')' | '(' query ')'
//                 | name '(' [DISTINCT] [args] ')' [FILTER '(' WHERE expr ')']
//                 | CASE ... END | CAST '(' expr AS type ')' | TRY_CAST (...)
//                 | EXTRACT '(' field FROM expr ')' | POSITION '(' expr IN expr ')'
//                 | SUBSTRING '(' expr FROM expr [FOR expr] ')'
//                 | DATE string | TIMESTAMP string | INTERVAL (string | int unit)
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "store/query.h"
#include "store/query_internal.h"

namespace quiver::query::internal {

enum class Tok : uint8_t { kEnd, kIdent, kQuotedIdent, kString, kNumber, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view raw;  // the token's bytes in the text
  std::string text;      // identifier name, string contents, number or symbol
  size_t offset = 0;
};

TextPosition PositionOf(std::string_view text, size_t offset);

// Splits `text` into tokens (the last one is kEnd). Errors name the position.
Status Lex(std::string_view text, std::vector<Token>* tokens, TextPosition* error_pos);

// "syntax error at line L, column C: problem", with *error_pos set.
Status SyntaxError(std::string_view text, size_t offset, const std::string& problem,
                   TextPosition* error_pos);

class Parser {
 public:
  Parser(std::string_view text, TextPosition* error_pos) : text_(text), error_pos_(error_pos) {}

  Status Lex() { return internal::Lex(text_, &tokens_, error_pos_); }

  Result<Query> ParseStatementText();
  Result<ExprPtr> ParseFilterText();
  Result<std::vector<OrderItem>> ParseOrderByText();
  Result<std::vector<SelectItem>> ParseSelectListText();
  Result<std::vector<std::string>> ParseColumnListText();

 private:
  // --- errors ---
  Status ErrorAt(size_t offset, const std::string& problem) const {
    return SyntaxError(text_, offset, problem, error_pos_);
  }
  static std::string Describe(const Token& t);
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
  Status Enter();  // depth guard for recursive rules
  std::vector<std::string> qualifiers_;  // of the SELECT core being parsed
  void Leave() { --depth_; }

  // --- statements (sql_parser.cc) ---
  Result<std::string> ParseIdentifier(const std::string& what);
  Result<int64_t> ParseNonNegativeInt(const std::string& what);
  Result<Query> ParseQuery();
  Result<Query> ParseCore();
  Status ParseFrom(Query* q);
  Result<std::vector<SelectItem>> ParseSelectItems();
  Result<SelectItem> ParseSelectItem();
  Result<std::vector<OrderItem>> ParseOrderItems();
  Result<std::vector<std::string>> ParseIdentifierList(const std::string& what);
  Status ParseGroupBy(Query* q);
  // The names that may qualify a column in the SELECT core starting here:
  // its FROM table (or subquery) name and alias, found by scanning ahead
  // (the select list comes before FROM). `a.b` is column b when a is one
  // of them, else member b of struct column a.
  std::vector<std::string> ScanQualifiers() const;
  bool IsQualifier(const std::string& name) const;
  bool AtQueryStart() const { return PeekKeyword("SELECT") || PeekKeyword("WITH"); }
  // An alias without AS at the next token (PostgreSQL's and DuckDB's bare
  // alias): a name that is not a reserved word, followed by the end of the
  // query or one of `then` (keywords or symbols). A misspelt keyword is so
  // not taken for one: in `SELECT a FORM t` FORM is followed by t, and the
  // error still says "expected FROM, found 'FORM'".
  // ASC / DESC and NULLS FIRST / LAST after an ORDER BY key.
  Status ParseDirection(OrderItem* item);
  Status ParseOrderByAll(Query* q);
  bool PeekBareAlias(std::initializer_list<std::string_view> then) const;

  // --- expressions (sql_expr_parser.cc) ---
  Result<ExprPtr> ParseExpr() { return ParseOr(); }
  Result<ExprPtr> ParseOr();
  Result<ExprPtr> ParseAnd();
  Result<ExprPtr> ParseNot();
  Result<ExprPtr> ParsePredicate();
  Result<ExprPtr> ParseConcat();
  Result<ExprPtr> ParseAdditive();
  Result<ExprPtr> ParseTerm();
  Result<ExprPtr> ParseUnary();
  Result<ExprPtr> ParsePostfix();
  Result<ExprPtr> ParsePrimary();
  Result<ExprPtr> ParseLiteral(const std::string& what);
  Result<ExprPtr> ParseCall(const Token& name);
  Result<ExprPtr> ParseAggregate(AggFunc f, const Token& name);
  Result<ExprPtr> ParseCase();
  Result<ExprPtr> ParseCastBody(bool try_cast);
  Result<ExprPtr> ParseInterval();
  Result<std::string> ParseTypeText();
  Result<ExprPtr> ParseSubqueryBody();  // after '(' of a subquery, through ')'

  std::string_view text_;
  TextPosition* error_pos_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  // The query ParseQuery parsed last (the statement's, once it returns)
  // said LIMIT ALL, which leaves Query::limit unset.
  bool limit_all_ = false;
  int depth_ = 0;
};

// A select-list expression in the select list's own form: a column, or an
// aggregate of a column, keep `column`/`agg`; anything else goes in `expr`.
SelectItem SelectItemOf(ExprPtr e);

// The aggregate named `name` (COUNT, SUM, STDDEV, ...), kNone if it is not one.
AggFunc AggregateNamed(std::string_view name);

}  // namespace quiver::query::internal
