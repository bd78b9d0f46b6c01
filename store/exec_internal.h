// Internals of the query executor (store/exec.h): the declarations its files
// share, also used by its tests. Not an API for other layers or folders.
//
// The executor is a set of operators, one per file:
//   exec.cc          the driver: OpenQuery (bind, fold a constant WHERE, prune
//                    chunks, pick an operator), the materialised cursor,
//                    ExecuteQuery / ExecuteSql
//   exec_filter.cc   literals, constant folding, WHERE over a morsel
//   exec_prune.cc    chunk pruning with chunk statistics
//   exec_columns.cc  result columns: dictionary widening, concatenation, batches
//   exec_parallel.cc the parallel loop over chunks, the thread count
//   op_scan.cc       a plain projection, streamed chunk by chunk (early LIMIT)
//   op_limit.cc      OFFSET / LIMIT / max_rows as a row window
//   op_sort.cc       ORDER BY: top-k per chunk or a full sort, then the window
//   op_aggregate.cc  aggregates without GROUP BY (exactly one row)
//   op_group_by.cc   GROUP BY: per-worker hash tables, merged
//   exec_lookup.cc   point and range lookups by binary search (sorted chunks)
//   expr_eval.cc     computed columns: value expressions over a chunk
//   exec_general.cc  the general driver: WITH, subqueries, UNION ALL,
//                    DISTINCT, the planner's stages (plan.cc, expr_bind.cc;
//                    store/plan_internal.h), EXPLAIN
//   exec_explain.cc  EXPLAIN ANALYZE's operator tree and its probe
//                    (store/explain_internal.h)
//
// Thread-safety: the functions here are safe to call from many threads on
// distinct arguments; a Plan is read-only while an operator's workers run.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "kernels/function.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "store/query_bind.h"
#include "store/store.h"

namespace quiver::store::internal {

// ---------------------------------------------------------------------------
// Literals and row-at-a-time comparison (exec_filter.cc).
// ---------------------------------------------------------------------------

// A bound literal as a kernel scalar (dates and timestamps keep their kind).
kernels::Scalar ToKernelScalar(const query::TypedScalar& t);

// a op b with SQL semantics on two values of comparable kinds (numbers of any
// kind, or two strings): nullopt (NULL) when either is NULL; NaN is unequal
// to everything.
std::optional<bool> CompareValues(const kernels::Scalar& a, kernels::CompareOp op,
                                  const kernels::Scalar& b);

inline kernels::CompareOp ToKernelOp(query::CompareOp op) {
  return static_cast<kernels::CompareOp>(static_cast<int>(op));
}

// Kleene three-valued truth.
enum class Tri { kFalse, kTrue, kNull };

// True when no operand of `e` (recursively) is a column.
bool IsConstant(const query::BoundExpr& e);
// The truth of a constant condition (IsConstant(e)).
Tri EvalConst(const query::BoundExpr& e);

// ---------------------------------------------------------------------------
// Chunks and morsels.
// ---------------------------------------------------------------------------

// The columns of one chunk as kernel views (dictionary views wired up). Owns
// the batch, whose buffers point into the snapshot's mapping.
struct ChunkColumns {
  RecordBatch batch;
  ColumnViews columns;
  std::vector<ArrayView> views;                     // columns.views(), as the morsels copy them
  const std::vector<ColumnStats>* stats = nullptr;  // the chunk's, when known (Plan::Read)
  const std::atomic<bool>* cancel = nullptr;        // the query's (Plan::Read)

  explicit ChunkColumns(RecordBatch b, const std::vector<ColumnStats>* s = nullptr,
                        const std::atomic<bool>* cancel_flag = nullptr)
      : batch(std::move(b)),
        columns(batch),
        views(columns.views()),
        stats(s),
        cancel(cancel_flag) {}
  int64_t rows() const { return batch.num_rows; }
};

// Rows [start, start + rows) of a chunk as kernel views: the unit the
// aggregation paths work on, so that masks and group ids stay in cache.
// Borrows the chunk's buffers: valid while its ChunkColumns lives.
struct Morsel {
  std::vector<ArrayView> views;
  int64_t length = 0;
  const std::vector<ColumnStats>* stats = nullptr;  // its chunk's, when known
  // The query's cancel flag: slow kernels (LIKE) check it between slices.
  const std::atomic<bool>* cancel = nullptr;
  // The table row number of the morsel's first row (ScanMorsels sets it):
  // orders rows as the table does, whichever thread reads them.
  int64_t first_row = 0;
  // The plan's computed columns (Plan::Filter sets them): one the WHERE
  // reads whose view is still empty (Read's whole-chunk evaluation failed)
  // is computed by Eval on the rows it is asked about (PendingColumns).
  const std::vector<query::BoundExprPtr>* computed = nullptr;
  size_t num_source = 0;
  int64_t rows() const { return length; }
  // Column `c` is a computed column not computed yet.
  bool Pending(int c) const {
    return computed != nullptr && c >= int(num_source) && size_t(c) - num_source < computed->size() &&
           views[size_t(c)].type == nullptr && (*computed)[size_t(c) - num_source] != nullptr;
  }

  static Morsel Of(const ChunkColumns& c) {
    return Morsel{c.views, c.rows(), c.stats, c.cancel, 0};
  }
  static Morsel Of(const ChunkColumns& c, int64_t start, int64_t n) {
    Morsel m{c.views, n, c.stats, c.cancel, 0};
    for (ArrayView& v : m.views) {
      v.offset += start;
      v.length = n;
    }
    return m;
  }
};

constexpr int64_t kMorselRows = 1 << 16;

// The computed columns a morsel's WHERE did not need, evaluated after it
// (Plan::Complete): they own what the morsel's views of them point to.
struct DeferredColumns {
  std::vector<std::shared_ptr<ArrayData>> columns;
  std::vector<std::unique_ptr<ColumnViews>> views;
};

// The three-valued truth of condition `e` for every row of `c` (exec_filter.cc).
Result<kernels::Mask> Eval(const query::BoundExpr& e, const Morsel& c);
// A WHERE whose top-level AND has its cheapest operands first (stable):
// comparisons of fixed-width columns, then of strings, then LIKE, so that
// each later operand runs only on the rows the earlier ones kept
// (EvalConnective); and x >= a with x <= b on one column fused into
// x BETWEEN a AND b (one pass). Only when no operand can raise an error, so
// that which rows each one reaches cannot change the result (query.h,
// evaluation order); otherwise, or when nothing changes, `where` itself
// (exec_filter.cc). *order gets the operands' positions as written, in
// their new order, a fused pair's two together, the second marked with
// kFusedWithPrevious (empty when nothing changes).
inline constexpr size_t kFusedWithPrevious = size_t(1) << 62;
query::BoundExprPtr OrderConjuncts(const query::BoundExprPtr& where, const Schema& input,
                                   size_t num_source, std::vector<size_t>* order);
// The columns `e` reads itself, appended to *out (expr_eval.cc; repeats kept).
void CollectColumns(const query::BoundExpr& e, std::vector<int>* out);
// Whether evaluating `e` cannot raise an error on any row (expr_eval.cc):
// it reads no column (its value or error is the same on every row), or it
// is integer + - * over columns and literals whose ranges keep every step
// within its type (ClientIP - 1 as int64: no overflow). False when not known.
bool CannotFail(const query::BoundExpr& e);
// The columns `e` reads, and through the pending computed columns among
// them what those read (expr_eval.cc).
void ColumnsOf(const query::BoundExpr& e, const Morsel& c, std::vector<int>* out);
// Computes the pending columns `e` reads (Morsel::Pending) over all of c's
// rows into c's views, `hold` owning them (expr_eval.cc).
Status FillPending(const query::BoundExpr& e, Morsel* c, DeferredColumns* hold);
// Eval on the rows `sel` of `c` only (ascending; expr_eval.cc): the other
// rows are TRUE when `fill`, else FALSE, and `e` never sees them.
Result<kernels::Mask> EvalOn(const query::BoundExpr& e, const Morsel& c, const SelectionVector& sel,
                             bool fill);

// The rows of `where` found by binary search when it compares an integer
// column that `stats` say is sorted with literals (exec_lookup.cc); nullopt
// when the lookup does not apply (then Eval).
std::optional<kernels::Mask> SortedLookup(const query::BoundExpr& where, const Morsel& c,
                                          const std::vector<ColumnStats>& stats);

// Can `e` be TRUE for some row of a chunk with these statistics and `rows`
// rows? False only when certain (exec_prune.cc).
bool MayBeTrue(const query::BoundExpr& e, const std::vector<ColumnStats>& stats, int64_t rows);

// MayBeTrue for the chunks of one query, `where` prepared once: a WHERE that
// is a conjunction of integer comparisons with integer literals (a point or
// range lookup) is checked against each chunk's int64 statistics directly,
// not walked as a tree per chunk — a table of thousands of chunks is pruned
// in microseconds. Any other WHERE, or a chunk whose statistics are not of
// integers, takes MayBeTrue. `where` must outlive the pruner.
class ChunkPruner {
 public:
  explicit ChunkPruner(const query::BoundExpr& where);
  bool MayBeTrue(const std::vector<ColumnStats>& stats, int64_t rows) const;

 private:
  struct IntTerm {
    int column;
    int64_t lo, hi;  // the term holds for values in [lo, hi]
  };
  const query::BoundExpr& where_;
  bool compiled_ = false;
  std::vector<IntTerm> terms_;
};

// ---------------------------------------------------------------------------
// Result columns (exec_columns.cc).
// ---------------------------------------------------------------------------

// The type a column has in a result: dictionaries get int32 indices.
DataType ResultType(const DataType& t);
// A dictionary column with int32 indices (the dictionary is shared); other
// columns unchanged.
Result<std::shared_ptr<ArrayData>> WidenDictionary(const std::shared_ptr<ArrayData>& col);
// Concatenates columns of one type. Dictionary columns get one dictionary
// (shared when every part shares it, else merged) and int32 indices.
Result<std::shared_ptr<ArrayData>> Concat(const DataType& type,
                                          const std::vector<std::shared_ptr<ArrayData>>& parts);
// Cuts columns into batches of at most batch_rows rows.
Result<std::vector<RecordBatch>> ToBatches(const std::shared_ptr<const Schema>& schema,
                                           std::vector<std::shared_ptr<ArrayData>> cols,
                                           int64_t rows, int64_t batch_rows);

// ---------------------------------------------------------------------------
// Parallelism (exec_parallel.cc).
// ---------------------------------------------------------------------------

// Runs fn(worker, item) for item in [0, n) on up to `threads` threads.
// Returns the first error (later items are then skipped), or Cancelled once
// *cancel is set.
Status ParallelFor(int64_t n, int threads, const std::atomic<bool>* cancel,
                   const std::function<Status(int, int64_t)>& fn);
// ParallelFor without the worker index, as the kernels take it
// (kernels::GroupedAgg::TaskRunner): merges of hash tables and sets.
std::function<Status(int64_t, const std::function<Status(int64_t)>&)> TaskRunner(
    int threads, const std::atomic<bool>* cancel);
// QueryOptions::threads resolved: 0 becomes the hardware thread count.
int ResolveThreads(int requested);

// ---------------------------------------------------------------------------
// Memory (exec_parallel.cc).
// ---------------------------------------------------------------------------

// A query's memory limit (QueryOptions::memory_limit_bytes): operators add
// the bytes their hash tables and materialised results hold, and the query
// fails with ResourceExhausted, naming the limit, once they pass it.
// Thread-safety: Add may be called from the query's workers at once.
class QueryMemory {
 public:
  explicit QueryMemory(int64_t limit) : limit_(limit) {}
  // Adds delta bytes (negative: released). `what` says what holds them, for
  // the error ("the group-by hash tables (2,000,000 groups)").
  Status Add(int64_t delta, const std::function<std::string()>& what);
  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

 private:
  const int64_t limit_;  // <= 0: no limit
  std::atomic<int64_t> used_{0};
};

// ---------------------------------------------------------------------------
// The plan every operator runs (built by OpenQuery, exec.cc).
// ---------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

inline double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// A bound query with the chunks left to scan. Holds the snapshot (and so the
// pool pin) that `table` points into.
struct Plan {
  std::shared_ptr<const Snapshot> snap;
  // The source: a table of the snapshot, or an in-memory result (a subquery,
  // a WITH query, stage A of an aggregate; see store/plan_internal.h).
  const TableView* table = nullptr;
  std::shared_ptr<const QueryResult> memory;
  // The fields the bound query refers to: the source's, then the computed
  // columns (evaluated per chunk, in order, by Read).
  std::shared_ptr<const Schema> input;
  size_t num_source_fields = 0;
  std::vector<query::BoundExprPtr> computed;
  // Per computed column: not evaluated per row, as the operator does not
  // read it (a group key computed per group instead; op_group_by.cc).
  std::vector<bool> skip_computed;
  // Per computed column: the WHERE does not read it, so Read leaves it out
  // and Complete evaluates it after the WHERE, only on the rows it keeps
  // (PrepareBound). As in DuckDB, an expression is not evaluated on, and
  // raises no error for, a row the WHERE drops; and a selective WHERE
  // saves the work.
  std::vector<bool> deferred;
  // Per computed column: the operator reads it after the WHERE (a WHERE
  // column left pending by Read is then computed by Complete).
  std::vector<bool> read_after;
  // The WHERE's top-level AND operands in the order they run, as positions
  // in the query's, kFusedWithPrevious marking the second of a pair run as
  // one BETWEEN (OrderConjuncts); empty: as written.
  std::vector<size_t> where_order;
  // Computed column i is evaluated by Complete (deferred, not skipped).
  bool Late(size_t i) const {
    return i < deferred.size() && deferred[i] && !(i < skip_computed.size() && skip_computed[i]);
  }
  // Complete fills computed column i of a morsel or chunk with `views`: a
  // Late one, or one the WHERE reads that Read left pending (its view
  // empty) and the operator reads after.
  bool Fills(size_t i, const std::vector<ArrayView>& views) const {
    if (Late(i)) return true;
    return computed[i] != nullptr && views[num_source_fields + i].type == nullptr &&
           !(i < skip_computed.size() && skip_computed[i]) && i < read_after.size() && read_after[i];
  }
  query::BoundQuery bound;
  QueryOptions options;
  int threads = 1;
  std::vector<size_t> chunks;  // not pruned, in table order
  QueryStats stats;
  // The bytes the query holds against QueryOptions::memory_limit_bytes.
  std::shared_ptr<QueryMemory> memory_use;
  Clock::time_point started;

  std::vector<size_t> columns;  // the source fields the query reads
  // Rows of chunk `chunk` of the source (catalog or batch; no data read).
  int64_t ChunkRows(size_t chunk) const;
  // Chunk `chunk` with only `columns` validated and verified (the others
  // stay null in the batch).
  Result<ChunkColumns> Read(size_t chunk) const;
  // Chunk `chunk` of a table source with only the source fields `cols`
  // (a plan without computed columns: nothing else is evaluated).
  Result<ChunkColumns> ReadColumns(size_t chunk, const std::vector<size_t>& cols) const;
  // The TRUE rows of the WHERE condition, or nullopt for every row.
  Result<std::optional<kernels::Mask>> Filter(const Morsel& c) const;
  Result<std::optional<kernels::Mask>> Filter(const ChunkColumns& c) const {
    return Filter(Morsel::Of(c));
  }
  // The TRUE rows of `pre` on which the WHERE condition holds, the WHERE
  // evaluated on those rows alone when they are few (an error it would raise
  // on another row is not raised).
  Result<std::optional<kernels::Mask>> FilterWithin(const ChunkColumns& c,
                                                    const kernels::Mask& pre) const;
  // Evaluates the deferred computed columns of a morsel or chunk whose
  // WHERE holds on the TRUE rows of `m` (nullptr: every row); the other rows
  // of those columns are NULL. After Filter, before the operator reads them.
  Status Complete(Morsel* c, const kernels::Mask* m, DeferredColumns* hold) const;
  Status Complete(ChunkColumns* c, const kernels::Mask* m) const;
  // Workers of ScanMorsels: threads, at most one per chunk (or per morsel
  // when there are fewer chunks than threads).
  int Workers() const;
  // Morsels of the chunks to scan.
  int64_t Morsels() const;
  // Counts chunks scanned (all of `chunks`) and the rows they held.
  void CountScanned(const std::vector<int64_t>& rows_per_chunk);

  // The per-morsel work of an aggregating operator: `m` holds the TRUE rows
  // of WHERE (nullptr = every row). Runs on Workers() threads at once, each
  // call with its worker's index.
  using MorselFn = std::function<Status(int worker, const Morsel& c, const kernels::Mask* m)>;
  // WHERE's result for one morsel, kept for a later scan of the same rows.
  struct KeptFilter {
    bool kept = false;
    bool every_row = false;  // WHERE held on every row (no mask)
    kernels::Mask mask;
  };
  // When set, ScanMorsels keeps each morsel's WHERE result here (by the
  // morsel's position in the scan) and, for a morsel whose result is kept,
  // uses it instead of evaluating WHERE again: an operator that scans the
  // rows twice (GROUP BY's heavy-keys passes) evaluates WHERE once.
  std::vector<KeptFilter>* kept_filters = nullptr;
  // Reads every chunk on Workers() threads, cuts it into morsels of
  // kMorselRows rows (each with its Morsel::first_row), evaluates WHERE on each and calls fn; then
  // counts the chunks and rows scanned. The first error (or Cancelled) stops the scan.
  // With `end_row`, morsels (and whole chunks) that start at or after the
  // table row *end_row are skipped: fn may lower it once it has seen enough.
  Status ScanMorsels(const MorselFn& fn, const std::atomic<int64_t>* end_row = nullptr);
};

// ---------------------------------------------------------------------------
// Computed columns (expr_eval.cc) and the general planner's driver
// (exec_general.cc).
// ---------------------------------------------------------------------------

// The value of `e` over `rows` rows of `views`.
Result<kernels::Datum> EvalValue(const query::BoundExpr& e, const std::vector<ArrayView>& views,
                                 int64_t rows);
// The value of `e` over `rows` rows of `views` as a column of e's type.
Result<std::shared_ptr<ArrayData>> EvalColumn(const query::BoundExpr& e,
                                              const std::vector<ArrayView>& views, int64_t rows);
// EvalColumn on the rows `sel` of `views` only (ascending): the other rows
// of the `rows`-row result are NULL and `e` never sees them.
Result<std::shared_ptr<ArrayData>> EvalColumnOn(const query::BoundExpr& e,
                                                const std::vector<ArrayView>& views, int64_t rows,
                                                const SelectionVector& sel);
// Evaluates each computed column over `batch` and appends it; those `skip`
// marks are not evaluated (null, as the source columns a query does not read).
// With `leave_failed`, a column whose evaluation fails (or that reads one
// left null) is left null instead of failing: pending (Morsel::Pending).
Status AddComputedColumns(const std::vector<query::BoundExprPtr>& computed, RecordBatch* batch,
                          const std::vector<bool>* skip = nullptr, bool leave_failed = false);

// Runs a query in the simple model over `plan`'s source (table or memory),
// with plan.input / computed set: bind, prune, pick an operator.
Result<std::unique_ptr<QueryCursor>> OpenPlanned(Plan plan, const query::Query& q);
// OpenPlanned in two steps: bind, the columns to read and chunk pruning;
// then the operator.
Status PreparePlan(Plan* plan, const query::Query& q);
// PreparePlan after binding: plan->bound is set.
Status PrepareBound(Plan* plan);
Result<std::unique_ptr<QueryCursor>> RunPlan(Plan plan);
// A query of any shape (store/plan_internal.h): WITH, subqueries, UNION ALL,
// DISTINCT, expressions, HAVING, EXPLAIN.
Result<std::unique_ptr<QueryCursor>> OpenGeneral(std::shared_ptr<const Snapshot> snap,
                                                 const query::Query& q, QueryOptions options);

// A result held in memory, handed out batch by batch (exec.cc).
std::unique_ptr<QueryCursor> MakeMaterializedCursor(Plan plan, std::shared_ptr<const Schema> schema,
                                                    std::vector<RecordBatch> batches,
                                                    bool truncated);

// ---------------------------------------------------------------------------
// OFFSET / LIMIT / max_rows (op_limit.cc).
// ---------------------------------------------------------------------------

// Output rows [offset, offset + limit) capped by max_rows.
struct RowWindow {
  int64_t skip = 0;
  int64_t take = -1;  // -1 = unbounded
  bool cap_is_max_rows = false;
  // The rows a top-k keeps for this window: skip + take, and one more when
  // max_rows set the take (it tells whether max_rows cut the result); -1
  // when unbounded.
  int64_t TopRows() const { return take < 0 ? -1 : skip + take + (cap_is_max_rows ? 1 : 0); }
};

RowWindow WindowFor(const query::BoundQuery& q, const QueryOptions& o);
// Applies the window to an ordered row list; sets *truncated when max_rows
// cut it.
SelectionVector ApplyWindow(const SelectionVector& order, const RowWindow& w, bool* truncated);

// ---------------------------------------------------------------------------
// Ordering (op_sort.cc).
// ---------------------------------------------------------------------------

// The query's ORDER BY as kernel sort keys; `col` maps a key to its column.
std::vector<kernels::SortKey> SortKeysFor(
    const query::BoundQuery& q, const std::function<int(const query::BoundOrderKey&)>& col);

// Orders (with `keys`, none = as is) and windows materialised columns; the
// first num_outputs columns are the result. Returns the output batches.
Result<std::vector<RecordBatch>> OrderAndWindow(const std::shared_ptr<const Schema>& schema,
                                                const std::vector<std::shared_ptr<ArrayData>>& cols,
                                                size_t num_outputs, int64_t rows,
                                                const std::vector<kernels::SortKey>& keys,
                                                const RowWindow& window, int64_t batch_rows,
                                                bool* truncated);

// ---------------------------------------------------------------------------
// Operators: each takes the plan and returns the query's cursor.
// ---------------------------------------------------------------------------

// The projection's result schema: output names, ResultType of their columns
// (op_scan.cc).
std::shared_ptr<const Schema> ProjectionSchema(const query::BoundQuery& q, const Schema& in);
// A plain projection, streamed (op_scan.cc).
std::unique_ptr<QueryCursor> OpenScan(Plan plan);
// ORDER BY on a plain projection (op_sort.cc).
Result<std::unique_ptr<QueryCursor>> RunSorted(Plan plan);
// What RunSorted's top-k does beyond ordering, for EXPLAIN ("" without a
// LIMIT): the running bound and late column reads, each as "; ...".
std::string TopKDetail(const Plan& plan);
// The source columns RunSorted reads of every chunk it scans (plan.columns,
// or a late top-k's fewer), for EXPLAIN ANALYZE's bytes.
std::vector<size_t> SortedColumnsOfEveryChunk(const Plan& plan);
// Aggregates without GROUP BY (op_aggregate.cc).
Result<std::unique_ptr<QueryCursor>> RunAggregate(Plan plan);
// How RunAggregate answers `plan` without reading a chunk, for EXPLAIN
// ("COUNT(*) from the catalog", "MIN/MAX from chunk statistics"), or "" when
// it reads them.
std::string AggregateShortcut(const Plan& plan);
// GROUP BY (op_group_by.cc).
Result<std::unique_ptr<QueryCursor>> RunGroupBy(Plan plan);
// GROUP BY keys that are functions of other keys (ClickBench's GROUP BY
// ClientIP, ClientIP - 1, ...) add nothing to the grouping: a computed key
// whose expression reads only other keys, each of a type whose group holds
// one value (integers, strings, bool, decimals: not floats, where -0 and 0
// are one group, nor dictionaries), is `dependent`. The tables group by the
// `base` keys; a dependent key is evaluated once per group, over every group
// (before any top-k), which meets the values — and so the errors, such as
// overflow — that evaluating it per row of the rows WHERE keeps would:
// every function is a function of its arguments (now() is fixed when
// bound). A candidate read by another candidate stays a base key.
struct GroupKeyPlan {
  std::vector<int> base;       // input fields grouped on, in GROUP BY order
  std::vector<int> dependent;  // input fields computed per group
};
GroupKeyPlan PlanGroupKeys(const Plan& plan);
// The groups a GROUP BY with LIMIT (or max_rows) and no ORDER BY outputs at
// most, offset included (RunGroupBy then keeps only the first that many
// groups), or -1.
int64_t FirstGroupsLimit(const query::BoundQuery& q, const QueryOptions& o);
// EXPLAIN's words for a group-by: "2 key(s), 5 output(s)", then ", 3 key(s)
// computed per group" (GroupKeyPlan) and ", first 10 groups in table order"
// (FirstGroupsLimit) when they apply.
std::string GroupByDetail(const Plan& plan);

// The kernel aggregate for an aggregate output (op_aggregate.cc).
kernels::AggKind ToAggKind(const query::BoundOutput& o);

// Runs a query that is already bound (OpenQuery after Bind): prunes, then
// hands the plan to an operator (exec.cc). Tests use it to run bound
// queries the parsers cannot spell yet (FILTER).
Result<std::unique_ptr<QueryCursor>> OpenBound(std::shared_ptr<const Snapshot> snap,
                                               query::BoundQuery bound, QueryOptions options);

}  // namespace quiver::store::internal
