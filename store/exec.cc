// The query executor's driver (see exec.h for the plan and exec_internal.h
// for the operator files): binds a query, folds a constant WHERE, prunes
// chunks with their statistics and hands the plan to one operator.
#include "store/exec.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "store/exec_internal.h"
#include "store/explain_internal.h"
#include "store/plan_internal.h"

namespace quiver::store {

namespace internal {

Result<ChunkColumns> Plan::Read(size_t chunk) const {
  RecordBatch b;
  if (memory) {
    b = memory->batches[chunk];
  } else {
    QUIVER_ASSIGN_OR_RETURN(b, table->ReadChunk(chunk, columns));
  }
  if (!computed.empty()) {
    b.columns.resize(num_source_fields);
    // Deferred columns are left out here (null) and evaluated by Complete.
    std::vector<bool> skip(computed.size(), false);
    for (size_t i = 0; i < computed.size(); ++i) {
      skip[i] = (i < skip_computed.size() && skip_computed[i]) || (i < deferred.size() && deferred[i]);
    }
    // With a WHERE, a column it reads that fails over the whole chunk is
    // left pending: only the rows the WHERE reaches decide (Eval).
    QUIVER_RETURN_NOT_OK(AddComputedColumns(computed, &b, &skip, bound.where != nullptr));
    b.schema = input;
  }
  // Statistics (for the sorted-column lookup) only for the table's own
  // columns: an in-memory source has none.
  return ChunkColumns(std::move(b), memory ? nullptr : &table->chunks()[chunk].stats,
                      options.cancel);
}

Result<ChunkColumns> Plan::ReadColumns(size_t chunk, const std::vector<size_t>& cols) const {
  if (memory || !computed.empty()) {
    return Status::Internal("Plan::ReadColumns needs a table source without computed columns");
  }
  QUIVER_ASSIGN_OR_RETURN(RecordBatch b, table->ReadChunk(chunk, cols));
  return ChunkColumns(std::move(b), &table->chunks()[chunk].stats, options.cancel);
}

namespace {

// The deferred computed columns over `views` (`rows` rows), on the TRUE
// rows of `m`: each new column's view replaces its null placeholder.
Status EvalDeferred(const Plan& p, std::vector<ArrayView>* views, int64_t rows, const kernels::Mask* m,
                    DeferredColumns* hold) {
  std::optional<SelectionVector> sel;
  if (m != nullptr && kernels::CountTrue(*m) < rows) sel = kernels::ToSelection(*m);
  const int64_t hits = sel ? int64_t(sel->size()) : rows;
  ExplainCounter* probe = ExplainCounterFor(p.computed[0].get());
  const int64_t t0 = probe ? ExplainNowNanos() : 0;
  for (size_t i = 0; i < p.computed.size(); ++i) {
    if (!p.Fills(i, *views)) continue;
    const query::BoundExpr& e = *p.computed[i];
    Result<std::shared_ptr<ArrayData>> col = Status::OK();
    // Most rows kept: the whole morsel at once (the same values on the kept
    // rows); only an error sends it to the kept rows alone, where the error
    // counts only if one of them raises it.
    if (!sel || hits * 2 >= rows) col = EvalColumn(e, *views, rows);
    if (sel && (hits * 2 < rows || !col.ok())) col = EvalColumnOn(e, *views, rows, *sel);
    if (!col.ok()) return col.status();
    hold->views.push_back(std::make_unique<ColumnViews>(std::vector<std::shared_ptr<ArrayData>>{*col}));
    hold->columns.push_back(std::move(*col));
    (*views)[p.num_source_fields + i] = (*hold->views.back())[0];
  }
  if (probe) {
    probe->nanos += ExplainNowNanos() - t0;
    probe->rows += hits;
  }
  return Status::OK();
}

// Whether a morsel or chunk with these views has a computed column to fill.
bool AnyLate(const Plan& p, const std::vector<ArrayView>& views) {
  for (size_t i = 0; i < p.computed.size(); ++i) {
    if (p.Fills(i, views)) return true;
  }
  return false;
}

}  // namespace

Status Plan::Complete(Morsel* c, const kernels::Mask* m, DeferredColumns* hold) const {
  if (!AnyLate(*this, c->views)) return Status::OK();
  return EvalDeferred(*this, &c->views, c->length, m, hold);
}

Status Plan::Complete(ChunkColumns* c, const kernels::Mask* m) const {
  if (!AnyLate(*this, c->views)) return Status::OK();
  DeferredColumns hold;
  std::vector<ArrayView> views = c->views;
  QUIVER_RETURN_NOT_OK(EvalDeferred(*this, &views, c->rows(), m, &hold));
  size_t k = 0;
  for (size_t i = 0; i < computed.size(); ++i) {
    if (c->batch.columns[num_source_fields + i] == nullptr && views[num_source_fields + i].type != nullptr) {
      c->batch.columns[num_source_fields + i] = std::move(hold.columns[k++]);
    }
  }
  c->columns = ColumnViews(c->batch);
  c->views = c->columns.views();
  return Status::OK();
}

int64_t Plan::ChunkRows(size_t chunk) const {
  return memory ? memory->batches[chunk].num_rows : table->chunks()[chunk].rows;
}

Result<std::optional<kernels::Mask>> Plan::Filter(const Morsel& c) const {
  if (bound.where == nullptr) return std::optional<kernels::Mask>();
  if (c.stats != nullptr) {
    if (auto m = SortedLookup(*bound.where, c, *c.stats)) return m;
  }
  Morsel with_computed = c;
  with_computed.computed = &computed;
  with_computed.num_source = num_source_fields;
  QUIVER_ASSIGN_OR_RETURN(kernels::Mask m, Eval(*bound.where, with_computed));
  return std::optional<kernels::Mask>(std::move(m));
}

Result<std::optional<kernels::Mask>> Plan::FilterWithin(const ChunkColumns& c,
                                                      const kernels::Mask& pre) const {
  if (bound.where == nullptr) return std::optional<kernels::Mask>(pre);
  const SelectionVector sel = kernels::ToSelection(pre);
  if (sel.empty()) return std::optional<kernels::Mask>(kernels::Mask::AllFalse(c.rows()));
  Morsel m = Morsel::Of(c);
  m.computed = &computed;
  m.num_source = num_source_fields;
  // Few rows: the WHERE sees them alone (as AND's later operands do).
  if (int64_t(sel.size()) * 4 <= c.rows()) {
    QUIVER_ASSIGN_OR_RETURN(kernels::Mask w, EvalOn(*bound.where, m, sel, false));
    return std::optional<kernels::Mask>(std::move(w));
  }
  QUIVER_ASSIGN_OR_RETURN(kernels::Mask w, Eval(*bound.where, m));
  QUIVER_ASSIGN_OR_RETURN(w, kernels::And(pre, w));
  return std::optional<kernels::Mask>(std::move(w));
}

int64_t Plan::Morsels() const {
  int64_t n = 0;
  for (size_t c : chunks) n += (ChunkRows(c) + kMorselRows - 1) / kMorselRows;
  return n;
}

int Plan::Workers() const {
  // Fewer chunks than threads: ScanMorsels shares out morsels instead.
  const int64_t units = chunks.size() >= size_t(threads) ? int64_t(chunks.size()) : Morsels();
  return int(std::max<int64_t>(1, std::min<int64_t>(threads, units)));
}

void Plan::CountScanned(const std::vector<int64_t>& rows_per_chunk) {
  stats.chunks_scanned = int64_t(chunks.size());
  for (int64_t s : rows_per_chunk) stats.rows_scanned += s;
}

Status Plan::ScanMorsels(const MorselFn& fn, const std::atomic<int64_t>* end_row) {
  std::vector<int64_t> scanned(chunks.size(), 0);
  // The source row number of each chunk's first row.
  const size_t num_chunks = memory ? memory->batches.size() : table->chunks().size();
  std::vector<int64_t> chunk_start(num_chunks + 1, 0);
  for (size_t i = 0; i < num_chunks; ++i) chunk_start[i + 1] = chunk_start[i] + ChunkRows(i);
  auto past_end = [end_row](int64_t row) {
    return end_row != nullptr && row >= end_row->load(std::memory_order_relaxed);
  };
  // kept_filters: the index of chunks[i]'s first morsel.
  std::vector<size_t> morsel_base;
  if (kept_filters != nullptr) {
    morsel_base.assign(chunks.size() + 1, 0);
    for (size_t i = 0; i < chunks.size(); ++i) {
      morsel_base[i + 1] =
          morsel_base[i] + size_t((ChunkRows(chunks[i]) + kMorselRows - 1) / kMorselRows);
    }
    kept_filters->resize(morsel_base.back());
  }
  auto filter = [&](const Morsel& c, size_t i, int64_t at) -> Result<std::optional<kernels::Mask>> {
    if (kept_filters == nullptr) return Filter(c);
    KeptFilter& k = (*kept_filters)[morsel_base[i] + size_t(at / kMorselRows)];
    if (!k.kept) {
      QUIVER_ASSIGN_OR_RETURN(std::optional<kernels::Mask> m, Filter(c));
      k.kept = true;
      k.every_row = !m.has_value();
      if (m) k.mask = std::move(*m);
    }
    if (k.every_row) return std::optional<kernels::Mask>();
    return std::optional<kernels::Mask>(k.mask);
  };
  auto run = [&](int w, const ChunkColumns& chunk, size_t i, int64_t at) -> Status {
    if (past_end(chunk_start[chunks[i]] + at)) return Status::OK();
    Morsel c = Morsel::Of(chunk, at, std::min(kMorselRows, chunk.rows() - at));
    c.first_row = chunk_start[chunks[i]] + at;
    QUIVER_ASSIGN_OR_RETURN(std::optional<kernels::Mask> m, filter(c, i, at));
    DeferredColumns hold;
    QUIVER_RETURN_NOT_OK(Complete(&c, m ? &*m : nullptr, &hold));
    return fn(w, c, m ? &*m : nullptr);
  };
  if (chunks.size() < size_t(threads)) {
    // Fewer chunks than threads (a small table, or most chunks pruned): read
    // them all, then share out their morsels, so that every thread works.
    std::vector<ChunkColumns> read;
    std::vector<std::pair<size_t, int64_t>> morsels;  // (chunk, first row in it)
    for (size_t i = 0; i < chunks.size(); ++i) {
      QUIVER_ASSIGN_OR_RETURN(ChunkColumns chunk, Read(chunks[i]));
      scanned[i] = chunk.rows();
      for (int64_t at = 0; at < chunk.rows(); at += kMorselRows) morsels.emplace_back(i, at);
      read.push_back(std::move(chunk));
    }
    QUIVER_RETURN_NOT_OK(ParallelFor(int64_t(morsels.size()), Workers(), options.cancel,
                                     [&](int w, int64_t k) -> Status {
                                       const auto [i, at] = morsels[size_t(k)];
                                       return run(w, read[i], i, at);
                                     }));
    CountScanned(scanned);
    return Status::OK();
  }
  QUIVER_RETURN_NOT_OK(ParallelFor(
      int64_t(chunks.size()), Workers(), options.cancel, [&](int w, int64_t i) -> Status {
        if (past_end(chunk_start[chunks[size_t(i)]])) return Status::OK();
        QUIVER_ASSIGN_OR_RETURN(ChunkColumns chunk, Read(chunks[size_t(i)]));
        scanned[size_t(i)] = chunk.rows();
        for (int64_t at = 0; at < chunk.rows(); at += kMorselRows) {
          QUIVER_RETURN_NOT_OK(run(w, chunk, size_t(i), at));
        }
        return Status::OK();
      }));
  CountScanned(scanned);
  return Status::OK();
}

namespace {

// A result held in memory, handed out batch by batch.
class MaterializedCursor : public QueryCursor {
 public:
  MaterializedCursor(Plan plan, std::shared_ptr<const Schema> schema,
                     std::vector<RecordBatch> batches, bool truncated)
      : plan_(std::move(plan)),
        schema_(std::move(schema)),
        batches_(batches.begin(), batches.end()),
        truncated_(truncated) {
    for (const auto& b : batches_) plan_.stats.rows_returned += b.num_rows;
    plan_.stats.elapsed_ms = MsSince(plan_.started);
  }
  const std::shared_ptr<const Schema>& schema() const override { return schema_; }
  Result<std::optional<RecordBatch>> Next() override {
    while (!batches_.empty()) {
      RecordBatch b = std::move(batches_.front());
      batches_.pop_front();
      if (b.num_rows > 0) return std::optional<RecordBatch>(std::move(b));
    }
    return std::optional<RecordBatch>();
  }
  const QueryStats& stats() const override { return plan_.stats; }
  bool truncated() const override { return truncated_; }
  const query::BoundQuery& bound() const override { return plan_.bound; }

 private:
  Plan plan_;
  std::shared_ptr<const Schema> schema_;
  std::deque<RecordBatch> batches_;
  bool truncated_;
};

}  // namespace

std::unique_ptr<QueryCursor> MakeMaterializedCursor(Plan plan, std::shared_ptr<const Schema> schema,
                                                    std::vector<RecordBatch> batches,
                                                    bool truncated) {
  return std::unique_ptr<QueryCursor>(
      new MaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated));
}

}  // namespace internal

using internal::Plan;
using internal::Tri;

bool IsFullScan(const query::Query& q) {
  return q.is_simple() && q.select.empty() && q.where == nullptr && q.group_by.empty() &&
         q.order_by.empty() && !q.limit && (!q.offset || *q.offset == 0);
}

namespace {

// The source fields a bound query reads: only these are validated and
// verified in each chunk. Computed columns count through what they read.
void AddColumns(const query::BoundExpr& e, const std::vector<query::BoundExprPtr>& computed,
                size_t num_source, std::vector<bool>* used);

void UseColumn(int c, const std::vector<query::BoundExprPtr>& computed, size_t num_source,
               std::vector<bool>* used) {
  if (c < 0) return;
  if (size_t(c) < num_source) {
    (*used)[size_t(c)] = true;
  } else if (size_t(c) - num_source < computed.size()) {
    AddColumns(*computed[size_t(c) - num_source], computed, num_source, used);
  }
}

void AddColumns(const query::BoundExpr& e, const std::vector<query::BoundExprPtr>& computed,
                size_t num_source, std::vector<bool>* used) {
  if (e.kind == query::ExprKind::kColumn) UseColumn(e.column, computed, num_source, used);
  for (const auto& a : e.args) AddColumns(*a, computed, num_source, used);
}

std::vector<size_t> ColumnsRead(const query::BoundQuery& b,
                                const std::vector<query::BoundExprPtr>& computed,
                                size_t num_source) {
  std::vector<bool> used(num_source, false);
  for (const auto& o : b.outputs) {
    UseColumn(o.column, computed, num_source, &used);
    if (o.filter) AddColumns(*o.filter, computed, num_source, &used);
  }
  if (b.where) AddColumns(*b.where, computed, num_source, &used);
  for (int c : b.group_by) UseColumn(c, computed, num_source, &used);
  for (const auto& k : b.order_by) UseColumn(k.column, computed, num_source, &used);
  std::vector<size_t> out;
  for (size_t c = 0; c < num_source; ++c) {
    if (used[c]) out.push_back(c);
  }
  return out;
}

void MarkComputed(const query::BoundExpr& e, const internal::Plan& p, std::vector<bool>* needed);

// Marks column `c` if computed, and the computed columns it reads.
void MarkColumn(int c, const internal::Plan& p, std::vector<bool>* needed) {
  if (c < int(p.num_source_fields)) return;
  const size_t i = size_t(c) - p.num_source_fields;
  if (i < needed->size() && !(*needed)[i]) {
    (*needed)[i] = true;
    if (p.computed[i]) MarkComputed(*p.computed[i], p, needed);
  }
}

// Marks the computed columns `e` reads, directly or through others.
void MarkComputed(const query::BoundExpr& e, const internal::Plan& p, std::vector<bool>* needed) {
  if (e.kind == query::ExprKind::kColumn) MarkColumn(e.column, p, needed);
  for (const auto& a : e.args) {
    if (a) MarkComputed(*a, p, needed);
  }
}

// Plan::deferred: with a WHERE, every computed column it does not read;
// Plan::read_after: those the operator reads after the WHERE.
void MarkDeferred(internal::Plan* plan) {
  const size_t n = plan->computed.size();
  plan->deferred.assign(n, false);
  plan->read_after.assign(n, false);
  if (plan->bound.where == nullptr) return;
  std::vector<bool> needed(n, false);
  MarkComputed(*plan->bound.where, *plan, &needed);
  const query::BoundQuery& b = plan->bound;
  auto use = [&](int c) { MarkColumn(c, *plan, &plan->read_after); };
  for (const auto& o : b.outputs) {
    use(o.column);
    if (o.filter) MarkComputed(*o.filter, *plan, &plan->read_after);
  }
  for (int c : b.group_by) use(c);
  for (const auto& k : b.order_by) use(k.column);
  for (size_t i = 0; i < n; ++i) {
    plan->deferred[i] = plan->computed[i] != nullptr && !needed[i];
  }
}

}  // namespace

namespace internal {

Result<std::unique_ptr<QueryCursor>> OpenPlanned(Plan plan, const query::Query& q) {
  QUIVER_RETURN_NOT_OK(PreparePlan(&plan, q));
  return RunPlan(std::move(plan));
}

Result<std::unique_ptr<QueryCursor>> OpenBound(std::shared_ptr<const Snapshot> snap,
                                               query::BoundQuery bound, QueryOptions options) {
  if (snap == nullptr) return Status::Invalid("OpenQuery: no snapshot");
  Plan plan;
  plan.started = Clock::now();
  plan.snap = std::move(snap);
  plan.options = options;
  plan.threads = ResolveThreads(options.threads);
  if (plan.options.batch_rows <= 0) plan.options.batch_rows = 64 * 1024;
  QUIVER_ASSIGN_OR_RETURN(plan.table, plan.snap->table(bound.table));
  plan.input = plan.table->schema();
  plan.num_source_fields = plan.input->num_fields();
  plan.bound = std::move(bound);
  QUIVER_RETURN_NOT_OK(PrepareBound(&plan));
  return RunPlan(std::move(plan));
}

Status PreparePlan(Plan* out, const query::Query& q) {
  QUIVER_ASSIGN_OR_RETURN(out->bound, query::Bind(q, *out->input));
  return PrepareBound(out);
}

Status PrepareBound(Plan* out) {
  Plan& plan = *out;
  if (plan.memory_use == nullptr) {
    plan.memory_use = std::make_shared<QueryMemory>(plan.options.memory_limit_bytes);
  }
  plan.columns = ColumnsRead(plan.bound, plan.computed, plan.num_source_fields);

  // Fold a constant WHERE; prune chunks with their statistics.
  bool nothing = false;
  if (plan.bound.where && internal::IsConstant(*plan.bound.where)) {
    if (internal::EvalConst(*plan.bound.where) == Tri::kTrue) {
      plan.bound.where = nullptr;
    } else {
      nothing = true;
    }
  }
  plan.bound.where = internal::OrderConjuncts(plan.bound.where, *plan.input, plan.num_source_fields,
                                              &plan.where_order);
  MarkDeferred(&plan);
  const size_t num_chunks = plan.memory ? plan.memory->batches.size() : plan.table->chunks().size();
  plan.stats.chunks_total = int64_t(num_chunks);
  std::optional<internal::ChunkPruner> pruner;
  if (plan.bound.where && plan.table) pruner.emplace(*plan.bound.where);
  for (size_t i = 0; i < num_chunks; ++i) {
    if (plan.ChunkRows(i) == 0) continue;
    bool keep = !nothing;
    if (keep && pruner) {
      const auto& chunk = plan.table->chunks()[i];
      keep = pruner->MayBeTrue(chunk.stats, chunk.rows);
    }
    if (keep) {
      plan.chunks.push_back(i);
    } else {
      plan.stats.chunks_pruned++;
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<QueryCursor>> RunPlan(Plan plan) {
  if (!plan.bound.group_by.empty()) return internal::RunGroupBy(std::move(plan));
  if (plan.bound.aggregate) return internal::RunAggregate(std::move(plan));
  if (!plan.bound.order_by.empty()) return internal::RunSorted(std::move(plan));
  return internal::OpenScan(std::move(plan));
}

}  // namespace internal

Result<std::unique_ptr<QueryCursor>> OpenQuery(std::shared_ptr<const Snapshot> snap,
                                               const query::Query& q, QueryOptions options) {
  if (snap == nullptr) return Status::Invalid("OpenQuery: no snapshot");
  if (!q.is_simple()) return internal::OpenGeneral(std::move(snap), q, options);
  Plan plan;
  plan.started = internal::Clock::now();
  plan.snap = std::move(snap);
  plan.options = options;
  plan.threads = internal::ResolveThreads(options.threads);
  if (plan.options.batch_rows <= 0) plan.options.batch_rows = 64 * 1024;
  QUIVER_ASSIGN_OR_RETURN(plan.table, plan.snap->table(q.table));
  // GROUP BY a select alias is the general planner's.
  for (const std::string& g : q.group_by) {
    if (plan.table->schema()->FieldIndex(g) >= 0) continue;
    for (const auto& s : q.select) {
      if (s.alias == g) return internal::OpenGeneral(plan.snap, q, options);
    }
  }
  // Computing with a float16 column (a comparison, a sort, an aggregate) or
  // comparing and sorting intervals is the general planner's
  // (store/plan_widen.cc).
  bool widened = false;
  internal::WidenStoredTypes(q, *plan.table->schema(), &widened);
  if (widened) return internal::OpenGeneral(plan.snap, q, options);
  plan.input = plan.table->schema();
  plan.num_source_fields = plan.input->num_fields();
  return internal::OpenPlanned(std::move(plan), q);
}

Result<QueryResult> ExecuteQuery(std::shared_ptr<const Snapshot> snap, const query::Query& q,
                                 QueryOptions options) {
  QUIVER_ASSIGN_OR_RETURN(auto cursor, OpenQuery(std::move(snap), q, options));
  QueryResult r;
  r.schema = cursor->schema();
  for (;;) {
    QUIVER_ASSIGN_OR_RETURN(std::optional<RecordBatch> b, cursor->Next());
    if (!b) break;
    r.num_rows += b->num_rows;
    r.batches.push_back(std::move(*b));
  }
  r.truncated = cursor->truncated();
  r.stats = cursor->stats();
  return r;
}

Result<QueryResult> ExecuteSql(std::shared_ptr<const Snapshot> snap, std::string_view sql,
                               QueryOptions options) {
  QUIVER_ASSIGN_OR_RETURN(query::Query q, query::ParseSql(sql));
  return ExecuteQuery(std::move(snap), q, options);
}

}  // namespace quiver::store
