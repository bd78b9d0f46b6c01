// The general query planner: turns a Query that uses the full SQL of
// store/query.h (expressions, functions, CASE, HAVING, DISTINCT, subqueries,
// WITH, UNION ALL) into stages the operators of the executor already run.
//
// How:
//  - Computed columns. Every expression that must be evaluated per row (a
//    select item, a GROUP BY key, an aggregate's argument, an operand of a
//    comparison that is not a column or a literal, a boolean function used as
//    a condition) becomes a computed column: a field appended to the source's
//    schema ("#0", "#1", ..., names a user cannot write) with a bound value
//    expression. Computed columns are evaluated per chunk, vectorised
//    (store/expr_eval.cc), before WHERE and the operators run, so the
//    operators see them as ordinary columns. What remains is a query in the
//    original, simple model over the extended schema.
//  - Two stages for aggregates. Stage A groups and aggregates (keys "#g0..",
//    aggregates "#a0.."); stage B is an aggregate-free query over stage A's
//    result that computes the select list from them, HAVING (as its WHERE),
//    ORDER BY and LIMIT. Simple aggregate queries never take this path.
//  - DISTINCT is a GROUP BY on every output; UNION ALL concatenates the
//    branches' results; subqueries in FROM and WITH queries are run first
//    and read as in-memory tables; IN (SELECT ...) and scalar subqueries are
//    run first and replaced by their values.
//
// Thread-safety: planning is single-threaded; the bound computed columns are
// immutable and read by every worker.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "columnar/types.h"
#include "config/status.h"
#include "store/query.h"
#include "store/query_bind.h"

namespace quiver::store::internal {

// Computed columns over a source schema, built while lowering expressions.
class ExprLowering {
 public:
  explicit ExprLowering(std::shared_ptr<const Schema> source, std::string table);

  // The name of a column holding e's value: e's own name when e is a column,
  // else a computed column (one per distinct expression text).
  Result<std::string> Materialize(const query::Expr& e);
  // `e` with every operand of its predicates made a column or a literal, and
  // boolean expressions made (computed) bool columns.
  Result<query::ExprPtr> LowerCondition(const query::Expr& e);
  // A value expression bound against the extended schema (no aggregates).
  Result<query::BoundExprPtr> BindValue(const query::Expr& e, int depth = 0);

  // The source's fields followed by the computed columns.
  std::shared_ptr<const Schema> schema() const;
  size_t num_source_fields() const { return source_->num_fields(); }
  const std::vector<query::BoundExprPtr>& computed() const { return computed_; }

 private:
  Result<query::BoundExprPtr> BindCall(const query::Expr& e, int depth);
  Result<query::BoundExprPtr> BindCase(const query::Expr& e, int depth);
  // A CASE's WHEN: as a predicate, or, when it computes something that can
  // fail (a CAST, a function), as calls evaluated with the CASE, so that only
  // the rows that reach it compute it (comparisons, AND, OR, NOT).
  Result<query::BoundExprPtr> BindCaseCondition(const query::Expr& e, int depth);
  Result<query::BoundExprPtr> BindCast(const query::Expr& e, int depth);
  // BindValue with every number literal with a fraction an exact decimal.
  Result<query::BoundExprPtr> BindExact(const query::Expr& e, int depth);
  Result<query::BoundExprPtr> BindPredicate(const query::Expr& e);
  Result<int> Resolve(const std::string& name) const;

  std::shared_ptr<const Schema> source_;
  std::string table_;
  std::vector<Field> fields_;  // source + computed
  std::vector<query::BoundExprPtr> computed_;
  std::map<std::string, std::string> by_text_;  // expression text -> column name
  bool exact_fractions_ = false;                 // inside BindExact
};

// A query split into stages over one source.
struct StagePlan {
  // Stage A: a query in the simple model over `schema` (the source's fields
  // plus the computed columns).
  query::Query simple;
  std::shared_ptr<const Schema> schema;
  size_t num_source_fields = 0;
  std::vector<query::BoundExprPtr> computed;
  // Stage B, run over stage A's result when set.
  std::optional<query::Query> post;
};

// Plans `q` (no WITH, UNION ALL, DISTINCT or subqueries left: the executor
// resolves those first) over a source with `schema`.
Result<StagePlan> PlanStages(const query::Query& q, std::shared_ptr<const Schema> schema);

// A select item's output name: its alias, its column, or its SQL text.
std::string OutputName(const query::SelectItem& s);

// float16 columns of `source` read as float32 wherever a query computes with
// them (WHERE, HAVING, expressions, aggregates, ORDER BY): each such use
// becomes CAST(col AS float32). A column selected or grouped as it is keeps
// float16, and output names stay those of the query as written. Interval
// columns compare (with each other and with INTERVAL literals) and sort by
// interval_key(col). Sets *changed when anything was rewritten
// (store/plan_widen.cc).
query::Query WidenStoredTypes(const query::Query& q, const Schema& source, bool* changed);

// The aggregate call select item `s` (an aggregate in its lowered form)
// stands for, over `arg` and with FILTER `filter`: its DISTINCT, quantile
// fraction or separator as the item has them (store/plan.cc).
query::ExprPtr AggregateOfItem(const query::SelectItem& s, query::ExprPtr arg,
                               query::ExprPtr filter);

// A SQL type name (BIGINT, VARCHAR, DOUBLE, DECIMAL(12,2), TIMESTAMP, ...)
// as a column type.
Result<DataType> SqlTypeNamed(const std::string& name);

}  // namespace quiver::store::internal
