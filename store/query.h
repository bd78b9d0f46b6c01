// The query model of the store layer and its two spellings, SQL and JSON.
//
// A Query is what a client asks of one table: a select list (columns, or
// aggregates, each with an optional alias; empty means `*`), a WHERE
// condition, GROUP BY columns, ORDER BY keys, LIMIT and OFFSET. HTTP, the CLI
// and the C++ API all produce a Query; Bind() (store/query_bind.h) resolves
// it against a table's schema before planning.
//
// Spellings (every parser here is a hand-written recursive descent parser):
//   SQL   SELECT carrier, AVG(dep_delay) AS d FROM flights
//         WHERE dep_delay > 30 AND origin IN ('JFK', 'LGA')
//         GROUP BY carrier ORDER BY d DESC LIMIT 10
//   JSON  {"table": "flights",
//          "select": ["carrier", {"agg": "avg", "col": "dep_delay", "as": "d"}],
//          "where": {"op": "and", "args": [
//              {"op": ">", "args": [{"col": "dep_delay"}, 30]},
//              {"op": "in", "args": [{"col": "origin"}, ["JFK", "LGA"]]}]},
//          "group_by": ["carrier"], "order_by": [{"col": "d", "desc": true}],
//          "limit": 10}
// `where` in JSON may also be a string holding SQL WHERE text (or a bare
// true/false); `select`,
// `group_by` and `order_by` may be strings in their SQL spelling
// ("a, b", "d desc nulls first").
//
// SQL semantics, kept by every consumer of this model:
//  - NULL follows three-valued logic: a comparison with NULL is NULL (not
//    true), NOT NULL is NULL, FALSE AND NULL is FALSE, TRUE OR NULL is TRUE;
//    WHERE keeps a row only if its condition is TRUE. `x IN (1, NULL)` is
//    TRUE for 1 and NULL otherwise; `x NOT IN (1, NULL)` is never TRUE.
//  - ORDER BY defaults to NULLS LAST for ASC and NULLS FIRST for DESC (as in
//    PostgreSQL: NULL sorts as the largest value). OrderItem keeps kDefault
//    so that ToSql reproduces what was written; Bind resolves it.
//  - LIKE is case-sensitive; `%` matches any run of characters, `_` exactly
//    one character (code point); there is no ESCAPE clause.
//  - Identifiers are case-sensitive exactly as written (no case folding);
//    keywords and aggregate names are case-insensitive. A column whose name
//    is a keyword or not a plain identifier is written in double quotes.
//  - Integer literals are exact: int64 when they fit, uint64 from 2^63 to
//    2^64-1; numbers with a '.' or an exponent are doubles.
//
// Parse errors name the position in the text, e.g.
//   syntax error at line 1, column 27: expected FROM, found 'FORM'
// Line and column are 1-based; the column counts characters (UTF-8 code
// points) from the start of the line. The same position with its byte offset
// is returned through the optional `error_pos` argument of each parser.
//
// Thread-safety: all types are plain values; Expr trees are immutable and
// shared through shared_ptr<const Expr>, so they may be read from many
// threads at once. The functions here keep no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/status.h"

namespace quiver::query {

// A literal as written in a query, before binding: NULL, a boolean, an exact
// integer (int64, or uint64 only above INT64_MAX), a double or a string.
using Value = std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string>;

// The SQL spelling of a literal: NULL, TRUE, 42, 2.5, 1e+300, 'it''s'.
// Doubles are printed so that they read back as the same double.
std::string ValueToSql(const Value& v);
// The name of a literal's natural type: null, bool, int64, uint64, float64, utf8.
const char* ValueTypeName(const Value& v);

enum class ExprKind : uint8_t {
  kColumn,   // column
  kLiteral,  // value
  kCompare,  // args[0] op args[1]
  kBetween,  // args[0] [NOT] BETWEEN args[1] AND args[2]
  kIn,       // args[0] [NOT] IN (args[1], ...); args[1..] are literals
  kIsNull,   // args[0] IS [NOT] NULL
  kLike,     // args[0] [NOT] LIKE args[1]
  kAnd,      // args[0] AND args[1] AND ...  (two or more)
  kOr,       // args[0] OR args[1] OR ...    (two or more)
  kNot,      // NOT args[0]
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
// "=", "<>", "<", "<=", ">", ">=".
const char* CompareOpSql(CompareOp op);

struct Expr;
// Expression trees are immutable once built and shared between copies of a
// Query.
using ExprPtr = std::shared_ptr<const Expr>;

// One node of a WHERE expression. Operands of comparisons, BETWEEN, IN, LIKE
// and IS NULL are columns or literals (a "value"); AND, OR and NOT take
// conditions, which include a bare boolean column or literal.
struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  CompareOp op = CompareOp::kEq;  // kCompare
  bool negated = false;           // kBetween, kIn, kIsNull, kLike: the NOT form
  std::string column;             // kColumn
  Value value;                    // kLiteral
  std::vector<ExprPtr> args;

  bool is_value() const { return kind == ExprKind::kColumn || kind == ExprKind::kLiteral; }

  static ExprPtr Column(std::string name);
  static ExprPtr Literal(Value v);
  static ExprPtr Compare(CompareOp op, ExprPtr lhs, ExprPtr rhs);
  static ExprPtr Between(ExprPtr x, ExprPtr lo, ExprPtr hi, bool negated = false);
  static ExprPtr In(ExprPtr x, std::vector<ExprPtr> list, bool negated = false);
  static ExprPtr IsNull(ExprPtr x, bool negated = false);
  static ExprPtr Like(ExprPtr x, ExprPtr pattern, bool negated = false);
  // With one argument these return it unchanged, so that a tree always reads
  // back the same from ToSql.
  static ExprPtr And(std::vector<ExprPtr> args);
  static ExprPtr Or(std::vector<ExprPtr> args);
  static ExprPtr Not(ExprPtr x);
};

// Deep structural equality (null pointers are equal to each other only).
bool ExprEquals(const Expr* a, const Expr* b);
inline bool ExprEquals(const ExprPtr& a, const ExprPtr& b) { return ExprEquals(a.get(), b.get()); }

// The condition in canonical SQL text, e.g. `a > 1 AND (b = 'x' OR c IS NULL)`.
std::string ToSql(const Expr& e);

enum class AggFunc : uint8_t {
  kNone,
  kCount,
  kSum,
  kMin,
  kMax,
  kAvg,
  kCountDistinct,        // COUNT(DISTINCT x)
  kStddevSamp,           // STDDEV / STDDEV_SAMP
  kStddevPop,            // STDDEV_POP
  kVarSamp,              // VARIANCE / VAR_SAMP
  kVarPop,               // VAR_POP
  kMedian,               // MEDIAN (= QUANTILE_CONT(x, 0.5))
  kQuantileCont,         // QUANTILE_CONT(x, q): linear interpolation
  kQuantileDisc,         // QUANTILE_DISC(x, q): the first value whose position >= q
  kApproxCountDistinct,  // APPROX_COUNT_DISTINCT: HyperLogLog
  kBoolAnd,              // BOOL_AND
  kBoolOr,               // BOOL_OR
  kAnyValue,             // ANY_VALUE: some non-NULL value of the group
};
// "COUNT", "SUM", ...; "" for kNone.
const char* AggFuncName(AggFunc f);

// One entry of the select list: a column, or an aggregate of a column, or
// COUNT(*) (agg kCount with an empty column).
struct SelectItem {
  AggFunc agg = AggFunc::kNone;
  std::string column;
  std::string alias;  // empty = none
  double param = 0.5;  // QUANTILE_CONT / QUANTILE_DISC: the fraction, in [0, 1]

  bool operator==(const SelectItem&) const = default;
};

enum class NullOrder : uint8_t { kDefault, kFirst, kLast };

// One ORDER BY key: a 1-based position in the select list, a name that is
// a select alias, an output column or a table column, or an aggregate that
// is in the select list (`ORDER BY COUNT(*) DESC`); resolved by Bind.
struct OrderItem {
  std::string name;      // used when position == 0; with agg, its column
  int64_t position = 0;  // 1-based; 0 = by name
  bool descending = false;
  NullOrder nulls = NullOrder::kDefault;
  AggFunc agg = AggFunc::kNone;  // with agg, an empty `name` means COUNT(*)

  bool operator==(const OrderItem&) const = default;
};

struct Query {
  std::string table;
  std::vector<SelectItem> select;  // empty = SELECT *
  ExprPtr where;                   // null = no WHERE
  std::vector<std::string> group_by;
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;   // >= 0
  std::optional<int64_t> offset;  // >= 0

  bool operator==(const Query& o) const;
};

// Canonical SQL text of a query; ParseSql(ToSql(q)) == q for every query the
// parsers produce (and every query with a non-empty table name whose WHERE
// operands are values).
std::string ToSql(const Query& q);

// Where a parse error was found: 1-based line and column (in code points),
// and the 0-based byte offset into the text.
struct TextPosition {
  int line = 1;
  int column = 1;
  size_t offset = 0;
};

// SELECT ... FROM table [WHERE ...] [GROUP BY ...] [ORDER BY ...] [LIMIT n]
// [OFFSET m] [;]
Result<Query> ParseSql(std::string_view text, TextPosition* error_pos = nullptr);
// The text of a WHERE clause alone: `fare > 30 and city in ('a', 'b')`.
Result<ExprPtr> ParseFilter(std::string_view text, TextPosition* error_pos = nullptr);
// An ORDER BY list alone: `a desc, b asc nulls first, 2`.
Result<std::vector<OrderItem>> ParseOrderBy(std::string_view text,
                                            TextPosition* error_pos = nullptr);
// A select list alone: `a, b, c`, `*` (an empty vector) or
// `carrier, count(*) as n`.
Result<std::vector<SelectItem>> ParseSelectList(std::string_view text,
                                                TextPosition* error_pos = nullptr);
// A list of column names: `a, b, "odd name"` (GROUP BY in a URL).
Result<std::vector<std::string>> ParseColumnList(std::string_view text,
                                                 TextPosition* error_pos = nullptr);

// A query in its JSON spelling (see the top of this file). Errors name the
// JSON path: `where.args[1].op: unknown operator "~"`. Never throws.
Result<Query> ParseJsonQuery(std::string_view json_text);
// The JSON spelling of a query (expression trees, not SQL strings);
// ParseJsonQuery(ToJson(q)) == q, except that invalid UTF-8 in names or
// strings is replaced by U+FFFD.
std::string ToJson(const Query& q);

}  // namespace quiver::query
