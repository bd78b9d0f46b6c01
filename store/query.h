// The query model of the store layer and its two spellings, SQL and JSON.
//
// A Query is what a client asks: a select list (columns, aggregates or any
// expression, each with an optional alias; empty means `*`), FROM a table, a
// subquery or a WITH query, a WHERE condition, GROUP BY items, HAVING, ORDER
// BY keys, LIMIT and OFFSET, DISTINCT, UNION ALL branches and EXPLAIN.
// HTTP, the CLI and the C++ API all produce a Query. Queries of the original
// model (Query::is_simple) are bound by Bind() (store/query_bind.h) and run by
// the operators directly; the others are planned first (store/plan_internal.h:
// expressions become computed columns, aggregates two stages).
//
// Spellings (both parsers are hand-written recursive descent parsers; both
// give the same Query, so they bind to one plan):
//   SQL   SELECT carrier, AVG(dep_delay + 5) AS d FROM flights
//         WHERE dep_delay > 30 AND origin IN ('JFK', 'LGA')
//         GROUP BY carrier HAVING count(*) > 10 ORDER BY d DESC LIMIT 10
//   JSON  {"table": "flights",
//          "select": ["carrier", {"expr": {"fn": "avg", "args": [
//              {"op": "+", "args": [{"col": "dep_delay"}, 5]}]}, "as": "d"}],
//          "where": {"op": "and", "args": [
//              {"op": ">", "args": [{"col": "dep_delay"}, 30]},
//              {"op": "in", "args": [{"col": "origin"}, ["JFK", "LGA"]]}]},
//          "group_by": ["carrier"],
//          "having": {"op": ">", "args": [{"fn": "count"}, 10]},
//          "order_by": [{"col": "d", "desc": true}], "limit": 10}
// In JSON an expression is a literal, {"col"}, {"op": "+"|"-"|"*"|"/"|"//"|
// "%"|"||"|"neg"|"="|...|"and"|"in"|..., "args"}, {"fn": name, "args",
// ["distinct", "filter", "q" for aggregates]}, {"cast": x, "type": "bigint"}
// or {"case": [[when, then], ...], "else": x}. `where`, `having`, `select`,
// `group_by` and `order_by` may also be strings in their SQL spelling;
// {"sql": "..."} carries what the JSON keys cannot (WITH, subqueries,
// UNION ALL, EXPLAIN).
//
// SQL semantics, kept by every consumer of this model. Where SQL engines
// differ Quiver follows DuckDB, except where said:
//  - Evaluation order: an expression the WHERE does not need is computed
//    only on the rows the WHERE keeps, and AND / OR compute each operand only
//    on the rows the earlier ones left undecided (not FALSE / not TRUE), so
//    an error (an overflow, a failed CAST) in a row that is not reached is
//    not raised (store/exec.cc Plan::Complete, exec_filter.cc).
//  - NULL follows three-valued logic: a comparison with NULL is NULL (not
//    true), NOT NULL is NULL, FALSE AND NULL is FALSE, TRUE OR NULL is TRUE;
//    WHERE and HAVING keep a row only if the condition is TRUE. `x IN (1,
//    NULL)` is TRUE for 1 and NULL otherwise; `x NOT IN (1, NULL)` is never
//    TRUE. Functions return NULL for a NULL argument, except coalesce,
//    concat, IS [NOT] DISTINCT FROM and the Kleene AND/OR.
//  - Arithmetic: integers compute in int64 (uint64 when both sides are
//    unsigned; DuckDB keeps the narrower type) and an overflow is an error
//    ("integer overflow in ..."), never a wrapped value; `/` is floating-point
//    division (int / int is float64, as in DuckDB), `//` integer division;
//    division or modulo by zero is NULL (DuckDB 1.5 gives +-Infinity for
//    floats). Float comparisons follow IEEE: NaN is unequal to everything and
//    neither greater nor smaller (DuckDB and PostgreSQL sort NaN above every
//    number and call NaN = NaN true).
//  - Decimal arithmetic (decimal128; DuckDB's rules and result types, in
//    kernels/fn_decimal.cc): + - * % and unary minus on decimals with
//    decimals or integers are exact, an integer counting as decimal(w, 0)
//    with w = 3, 5, 10, 19 (int8..int64; 20 for uint64) and an integer
//    literal that fits int32 as w = 10 (DuckDB's INTEGER literal). With
//    S = max(s1, s2): + and - give decimal(max(p1 - s1, p2 - s2) + S + 1, S),
//    % the same without the + 1, * gives decimal(p1 + p2, s1 + s2) (a scale
//    above 38 is an error); a precision above 18 from operands of at most 18
//    digits is lowered to 18, any above 38 to 38, and a result (or an operand
//    of + - % at the result's scale) that does not fit is an Overflow error
//    naming the operation. `/` and `//` on decimals, and a decimal with a
//    float, are float64 (as DuckDB's decimal / decimal is DOUBLE). abs and
//    unary minus keep the type; floor, ceil, trunc and round(x) give
//    decimal(p, 0), round(x, n) decimal(p, min(n, s)) (n a constant, as in
//    DuckDB), rounding half away from zero; sign is int8. CAST between
//    decimals rounds half away from zero when the scale drops; text, integers
//    and floats convert as DuckDB does (kernels/fn_decimal_cast.cc). A SQL
//    number with a fraction and no exponent (2.5, 0.05) is an exact
//    decimal(digits, fraction digits) where it meets a decimal (an operator
//    or function argument, a CASE value, a CAST to decimal; also inside a
//    constant expression there: price * (1 + 0.5)); elsewhere it is
//    a double, so `fare * 1.5` on a float64 column stays float64 (DuckDB
//    types every such literal DECIMAL). Decimals compare exactly with
//    decimals of any scale and with integers, as doubles with floats; CASE,
//    coalesce, greatest and least take DuckDB's common decimal type (every
//    integer digit, then as many fraction digits as 38 digits leave).
//  - ORDER BY defaults to NULLS LAST for ASC and NULLS FIRST for DESC (as in
//    PostgreSQL: NULL sorts as the largest value; DuckDB puts NULLs last for
//    both). OrderItem keeps kDefault so that ToSql reproduces what was
//    written; Bind resolves it.
//  - LIKE is case-sensitive (ILIKE is not); `%` matches any run of
//    characters, `_` exactly one character (code point); there is no ESCAPE
//    clause. Regular expressions are RE2's (linear time), compiled once per
//    query.
//  - GROUP BY items may be columns, select aliases, 1-based select positions
//    or expressions; ORDER BY items likewise, and aggregates that are not
//    selected; HAVING may name select aliases.
//  - Identifiers are case-sensitive exactly as written (no case folding);
//    keywords and function names are case-insensitive. A column whose name
//    is a keyword or not a plain identifier is written in double quotes. An
//    alias needs AS (so that a misspelt keyword is not taken for one).
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
  kList,                 // ARRAY_AGG / LIST: the group's values (NULLs too) as a list
  kStringAgg,            // STRING_AGG(x[, sep]): the non-NULL strings joined by sep (',')
};
// "COUNT", "SUM", ...; "" for kNone.
const char* AggFuncName(AggFunc f);

struct Query;

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
  // The general expression forms (SQL expressions beyond conditions):
  kCall,      // function or operator `name`(args...): "+", "lower", "case_when", ...
  kCast,      // CAST(args[0] AS type_name); negated = TRY_CAST
  kCase,      // CASE: args = [when1, then1, when2, then2, ..., else?]; `negated`
              // marks a simple CASE (`CASE x WHEN ...`) whose operand is args[0]
  kAggregate, // aggregate `agg`(args[0]) [FILTER (WHERE args[1])]; COUNT(*)
              // has no args[0] (a null pointer); `negated` = DISTINCT
  kSubquery,  // (SELECT ...): a scalar subquery, or the list of IN (SELECT ...)
  kInterval,  // INTERVAL literal: months, days, micros in `interval`
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
  std::string column;             // kColumn; kCall: the function name (lower
                                  // case); kCast: the type name as written
  Value value;                    // kLiteral; kAggregate: the quantile fraction
  // kLiteral parsed from a SQL number: its text as written ("-12.3456"), so
  // a decimal column compares with every digit, not the double's.
  std::string number_text;
  std::vector<ExprPtr> args;
  AggFunc agg = AggFunc::kNone;   // kAggregate
  std::shared_ptr<const Query> subquery;  // kSubquery
  int64_t interval[3] = {0, 0, 0};        // kInterval: months, days, microseconds

  bool is_value() const { return kind == ExprKind::kColumn || kind == ExprKind::kLiteral; }

  static ExprPtr Column(std::string name);
  static ExprPtr Literal(Value v);
  // A literal from a SQL number token, with its text (number_text).
  static ExprPtr Number(Value v, std::string text);
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
  static ExprPtr Call(std::string name, std::vector<ExprPtr> args);
  static ExprPtr Cast(ExprPtr x, std::string type_name, bool try_cast = false);
  static ExprPtr Aggregate(AggFunc f, ExprPtr arg, bool distinct = false, ExprPtr filter = nullptr);
};

// True when `e` holds an aggregate call anywhere (outside subqueries).
bool ContainsAggregate(const Expr& e);

// Deep structural equality (null pointers are equal to each other only).
bool ExprEquals(const Expr* a, const Expr* b);
inline bool ExprEquals(const ExprPtr& a, const ExprPtr& b) { return ExprEquals(a.get(), b.get()); }

// The condition in canonical SQL text, e.g. `a > 1 AND (b = 'x' OR c IS NULL)`.
std::string ToSql(const Expr& e);



// One entry of the select list: a column, or an aggregate of a column, or
// COUNT(*) (agg kCount with an empty column).
// The simple forms keep `agg` and `column` (so that their canonical text and
// JSON stay as they were); anything else is an expression in `expr`.
struct SelectItem {
  SelectItem() = default;
  SelectItem(AggFunc a, std::string col, std::string as = {})
      : agg(a), column(std::move(col)), alias(std::move(as)) {}

  AggFunc agg = AggFunc::kNone;
  std::string column;
  std::string alias;  // empty = none
  ExprPtr expr;       // set: the item is this expression (agg/column unused)
  // With agg (the planner's lowered form of a general aggregate): FILTER
  // (WHERE filter), and the fraction of QUANTILE_CONT / QUANTILE_DISC.
  ExprPtr filter;
  double param = 0.5;
  // STRING_AGG: the separator (an aggregate Expr holds it as its value).
  std::string sep = ",";

  bool operator==(const SelectItem& o) const {
    return agg == o.agg && column == o.column && alias == o.alias && ExprEquals(expr, o.expr) &&
           ExprEquals(filter, o.filter) && param == o.param && sep == o.sep;
  }
};

enum class NullOrder : uint8_t { kDefault, kFirst, kLast };

// One ORDER BY key: a 1-based position in the select list, a name that is
// a select alias, an output column or a table column, or an aggregate that
// is in the select list (`ORDER BY COUNT(*) DESC`); resolved by Bind.
struct OrderItem {
  OrderItem() = default;
  OrderItem(std::string n, int64_t pos, bool desc, NullOrder no, AggFunc a = AggFunc::kNone)
      : name(std::move(n)), position(pos), descending(desc), nulls(no), agg(a) {}

  std::string name;      // used when position == 0; with agg, its column
  int64_t position = 0;  // 1-based; 0 = by name
  bool descending = false;
  NullOrder nulls = NullOrder::kDefault;
  AggFunc agg = AggFunc::kNone;  // with agg, an empty `name` means COUNT(*)
  ExprPtr expr;                  // set: order by this expression instead

  bool operator==(const OrderItem& o) const {
    return name == o.name && position == o.position && descending == o.descending &&
           nulls == o.nulls && agg == o.agg && ExprEquals(expr, o.expr);
  }
};

// A named subquery: a WITH entry, or FROM (SELECT ...) AS name.
struct NamedQuery {
  std::string name;
  std::shared_ptr<const Query> query;
};

enum class ExplainMode : uint8_t { kNone, kPlan, kAnalyze };

struct Query {
  std::vector<NamedQuery> with;    // WITH name AS (SELECT ...), ...
  std::string table;               // FROM table (or a WITH name)
  std::shared_ptr<const Query> from_query;  // FROM (SELECT ...) [AS alias]: table = alias
  bool distinct = false;           // SELECT DISTINCT
  std::vector<SelectItem> select;  // empty = SELECT *
  ExprPtr where;                   // null = no WHERE
  std::vector<std::string> group_by;  // plain column names
  // GROUP BY items that are not plain names (expressions, ordinals, aliases
  // are names too); kept apart so that the simple form reads as before.
  std::vector<ExprPtr> group_by_exprs;
  ExprPtr having;                  // null = no HAVING
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;   // >= 0
  std::optional<int64_t> offset;  // >= 0
  std::vector<std::shared_ptr<const Query>> union_all;  // ... UNION ALL SELECT ...
  ExplainMode explain = ExplainMode::kNone;
  // EXPLAIN [ANALYZE] (FORMAT JSON): the plan as one JSON document
  // (store/explain_internal.h) instead of text lines.
  bool explain_json = false;

  // True when only a table, select, where, group_by, order_by, limit and
  // offset are used (the original query model).
  bool is_simple() const;
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

// Where identifier `name` (a column, table or function a later error names)
// first appears in `text` as a name (not inside a string literal):
// exact spelling first, else ignoring case; nullopt when it does not.
std::optional<TextPosition> FindIdentifier(std::string_view text, std::string_view name);

// A statement: [EXPLAIN [ANALYZE] [(ANALYZE, FORMAT TEXT|JSON)]] [WITH ...]
// SELECT ... [UNION ALL SELECT ...] [ORDER BY ...] [LIMIT n] [OFFSET m] [;]
// (the grammar is in store/sql_parser_internal.h). FORMAT JSON: the plan
// as one JSON document (store/explain_internal.h).
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
