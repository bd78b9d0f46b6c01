// Binding: a Query (store/query.h) resolved against a table's Schema.
//
// Bind checks every name and type once, before planning, so that the planner
// and the executor work with field indices and typed literals only:
//  - column names resolve to field indices; an unknown name is NotFound with
//    the table's columns listed;
//  - SELECT * expands to every field; each output gets a unique name (its
//    alias, its column name, or e.g. "avg(dep_delay)" for an aggregate);
//  - with GROUP BY or any aggregate, every plain select column must be a
//    group key;
//  - aggregate result types: COUNT -> int64; SUM of signed integers -> int64,
//    of unsigned integers -> uint64, of floats -> float64 (SUM overflow is a
//    runtime error, never a silent wrap); AVG -> float64; MIN/MAX -> the input
//    type (a dictionary column gives its value type). SUM and AVG accept
//    numeric columns only;
//  - literals are cast to the type they are compared in, with SQL's rules
//    (see BoundExpr::operand_type); a literal that does not fit is a
//    TypeError naming both types;
//  - ORDER BY keys resolve to an output (by 1-based position, by alias or
//    output name, or by an aggregate that is in the select list) or else to
//    a table column (a group key in an aggregate query); NULLS FIRST/LAST
//    defaults are made explicit (LAST for ASC, FIRST for DESC).
//
// Thread-safety: plain values; bound trees are immutable and shareable.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/types.h"
#include "config/status.h"
#include "kernels/function.h"
#include "store/query.h"

namespace quiver::query {

// A literal cast to the type it is compared in. The value is held in the
// widest alternative of its family: bool; int64 for signed integers, date32
// (days since the epoch) and timestamps (in the type's unit, UTC); uint64
// for unsigned integers; double for float32/float64; std::string for utf8
// and binary; monostate for NULL (of any type).
// (kernels/ will grow a general Scalar; this one is the query layer's own
// until the two are unified.)
struct TypedScalar {
  Value value;
  DataType type;

  bool is_null() const { return std::holds_alternative<std::monostate>(value); }
  bool operator==(const TypedScalar& o) const { return value == o.value && type == o.type; }
};

struct BoundExpr;
using BoundExprPtr = std::shared_ptr<const BoundExpr>;

// A WHERE node with names resolved. Kinds and args follow Expr.
struct BoundExpr {
  ExprKind kind = ExprKind::kLiteral;
  CompareOp op = CompareOp::kEq;
  bool negated = false;
  // The node's value type: the field's type for kColumn (dictionary columns
  // keep their encoding), the literal's type for kLiteral, bool for every
  // condition.
  DataType type;
  int column = -1;      // kColumn: index into the schema's fields
  TypedScalar literal;  // kLiteral
  // kCompare, kBetween, kIn: the type in which the operands are compared.
  // Every literal argument is already cast to it. A column argument of a
  // different type (an int8 column against 1000, an int32 column against
  // 2.5, a float32 column against 0.1) is widened to it by the executor
  // before comparing. A dictionary-encoded utf8 column compares as utf8.
  // kLike: utf8 (or binary). kIsNull and junctions: unused.
  DataType operand_type;
  std::vector<BoundExprPtr> args;
  // kCall: the function, bound to the argument types (a value expression:
  // operators, functions, CASE as "case_when", CAST). Only computed columns
  // (store/plan_internal.h) hold kCall nodes; conditions never do.
  kernels::BoundFunctionPtr fn;
  std::string fn_name;  // kCall: the name it was bound by ("+", "lower"); may be empty
  // kCall of a CASE: a branch's value (and a WHEN after the first) is only
  // evaluated for the rows that reach it (store/expr_eval.cc).
  bool is_case = false;
};

// One output column of the result, in select-list order.
struct BoundOutput {
  std::string name;  // unique within the query
  AggFunc agg = AggFunc::kNone;
  // The input column: a field of the table, or (index >= the schema's field
  // count) a computed column of the plan (an expression evaluated per
  // morsel); -1 only for COUNT(*).
  int column = -1;
  DataType type;     // the result's type
  // kQuantileCont / kQuantileDisc: the fraction in [0, 1] (MEDIAN: 0.5).
  double param = 0.5;
  // FILTER (WHERE ...) of an aggregate: only rows where it is TRUE are
  // aggregated (null = every row of the group). Its columns index like
  // `column`.
  BoundExprPtr filter;
  std::string sep;  // kStringAgg: the separator
};

struct BoundOrderKey {
  int output = -1;  // index into BoundQuery::outputs, or -1
  int column = -1;  // else: an input field (not in the select list)
  bool descending = false;
  bool nulls_first = false;  // resolved: never "default"
};

struct BoundQuery {
  std::string table;
  std::vector<BoundOutput> outputs;
  BoundExprPtr where;  // null = every row
  // True when the query aggregates (any aggregate in the select list or a
  // GROUP BY): one output row per group, or exactly one row without GROUP BY.
  bool aggregate = false;
  std::vector<int> group_by;  // input fields, in GROUP BY order, no repeats
  std::vector<BoundOrderKey> order_by;
  std::optional<int64_t> limit;
  int64_t offset = 0;
};

// Resolves `query` against `schema` (the schema of table `query.table`).
// Errors: NotFound for unknown columns, TypeError for type mismatches,
// InvalidArgument for other misuse (ungrouped columns, bad positions,
// duplicate output names).
// The output name of a select item that is a plain aggregate (agg set, no
// expr): `count(*)`, `sum(fare)`, `count(DISTINCT vendor)`,
// `quantile_cont(fare, 0.25)`.
std::string AggOutputName(const SelectItem& s);

Result<BoundQuery> Bind(const Query& query, const Schema& schema);

// Binds a condition alone (a URL filter): names resolve against `schema`,
// `table` is used in messages. The result is a condition (bool).
Result<BoundExprPtr> BindFilter(const Expr& filter, const Schema& schema,
                                std::string_view table = {});

// SQL LIKE: `%` matches any run of characters, `_` one character (one UTF-8
// code point); everything else matches itself, case-sensitively. Runs in
// O(|text| * |pattern|) at worst, never exponentially.
bool LikeMatch(std::string_view text, std::string_view pattern);

// Parses 'YYYY-MM-DD' into days since 1970-01-01.
Result<int32_t> ParseDateLiteral(std::string_view text);
// Parses 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS[.fffffffff]]' or the ISO-8601
// form with 'T', optionally followed by 'Z' or '+HH:MM' / '-HH:MM', into a
// count of `unit`s since the epoch (UTC). A time without an offset is taken
// as UTC. Fails if the text has more fractional digits than `unit` holds or
// the instant is outside int64.
Result<int64_t> ParseTimestampLiteral(std::string_view text, TimeUnit unit);
// Parses 'HH:MM[:SS[.fffffffff]]' into a count of `type.unit`s since
// midnight (a time32/time64 column's value); more fractional digits than
// the unit holds fail, as for timestamps.
Result<int64_t> ParseTimeOfDayLiteral(std::string_view text, const DataType& type);

}  // namespace quiver::query
