// The general query driver: WITH, subqueries, UNION ALL, DISTINCT, the two
// stages of store/plan_internal.h, and EXPLAIN.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "columnar/builder.h"
#include "columnar/civil_time.h"
#include "store/exec_internal.h"
#include "store/explain_internal.h"
#include "store/plan_internal.h"

namespace quiver::store::internal {

using query::Expr;
using query::ExprKind;
using query::ExprPtr;
using query::Query;
using query::Value;

namespace {

using Tables = std::map<std::string, std::shared_ptr<const QueryResult>>;

struct Context {
  std::shared_ptr<const Snapshot> snap;
  QueryOptions options;
  Tables ctes;
  std::vector<std::string>* explain = nullptr;  // EXPLAIN: lines of the plan
  bool analyze = false;
  // The query's memory limit, shared by all its stages.
  std::shared_ptr<QueryMemory> memory_use;
  // EXPLAIN: where a stage puts its operator tree (its consumer's inputs),
  // and ANALYZE's probe.
  std::vector<ExplainNodePtr>* nodes = nullptr;
  ExplainProbe* probe = nullptr;
};

// Adds the table scan's figures of an earlier stage to the final cursor's.
class StagedCursor : public QueryCursor {
 public:
  StagedCursor(std::unique_ptr<QueryCursor> inner, QueryStats first)
      : inner_(std::move(inner)), first_(first) {}
  const std::shared_ptr<const Schema>& schema() const override { return inner_->schema(); }
  Result<std::optional<RecordBatch>> Next() override { return inner_->Next(); }
  const QueryStats& stats() const override {
    stats_ = inner_->stats();
    stats_.chunks_total = first_.chunks_total;
    stats_.chunks_pruned = first_.chunks_pruned;
    stats_.chunks_scanned = first_.chunks_scanned;
    stats_.rows_scanned = first_.rows_scanned;
    stats_.elapsed_ms += first_.elapsed_ms;
    return stats_;
  }
  bool truncated() const override { return inner_->truncated(); }
  const query::BoundQuery& bound() const override { return inner_->bound(); }

 private:
  std::unique_ptr<QueryCursor> inner_;
  QueryStats first_;
  mutable QueryStats stats_;
};

Result<std::shared_ptr<const QueryResult>> Collect(QueryCursor& cursor) {
  auto r = std::make_shared<QueryResult>();
  r->schema = cursor.schema();
  for (;;) {
    QUIVER_ASSIGN_OR_RETURN(std::optional<RecordBatch> b, cursor.Next());
    if (!b) break;
    r->num_rows += b->num_rows;
    r->batches.push_back(std::move(*b));
  }
  r->truncated = cursor.truncated();
  r->stats = cursor.stats();
  return std::shared_ptr<const QueryResult>(std::move(r));
}

Result<std::unique_ptr<QueryCursor>> Open(Context& ctx, const Query& q);

Result<std::shared_ptr<const QueryResult>> RunToMemory(Context& ctx, const Query& q) {
  Context inner = ctx;
  inner.options.max_rows = -1;  // the cap applies to the outer result only
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<QueryCursor> c, Open(inner, q));
  return Collect(*c);
}

// A result value as a query literal (dates and timestamps as their text,
// which the binder casts back where they are compared).
Value ValueOf(const kernels::Scalar& s) {
  using K = kernels::Scalar::Kind;
  switch (s.kind()) {
    case K::kBool:
      return Value(s.bool_value());
    case K::kInt64:
      return Value(s.int64_value());
    case K::kUInt64:
      return Value(s.uint64_value());
    case K::kDouble:
      return Value(s.double_value());
    case K::kString:
      return Value(s.string_value());
    case K::kDecimal:
      return Value(FormatDecimal128(s.decimal_value(), s.scale()));
    case K::kDate32: {
      int64_t y;
      unsigned m, d;
      CivilFromDays(s.int64_value(), &y, &m, &d);
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
      return Value(std::string(buf));
    }
    case K::kTimestamp: {
      const int64_t per = UnitsPerSecond(s.unit());
      int64_t v = s.int64_value();
      int64_t secs = v / per, frac = v % per;
      if (frac < 0) {
        frac += per;
        --secs;
      }
      int64_t days = secs / 86400, rem = secs % 86400;
      if (rem < 0) {
        rem += 86400;
        --days;
      }
      int64_t y;
      unsigned m, d;
      CivilFromDays(days, &y, &m, &d);
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u %02d:%02d:%02d",
                            static_cast<long long>(y), m, d, int(rem / 3600), int(rem / 60 % 60),
                            int(rem % 60));
      std::string text(buf, size_t(n));
      if (frac != 0) {
        std::snprintf(buf, sizeof(buf), ".%0*lld", UnitDigits(s.unit()),
                      static_cast<long long>(frac));
        text += buf;
      }
      return Value(text);
    }
    default:
      return Value();
  }
}

// Runs the subqueries in `e` and puts their values in their place.
Result<ExprPtr> Substitute(Context& ctx, const ExprPtr& e) {
  if (e == nullptr) return e;
  if (e->kind == ExprKind::kSubquery) {
    QUIVER_ASSIGN_OR_RETURN(auto r, RunToMemory(ctx, *e->subquery));
    if (r->schema->num_fields() != 1) {
      return Status::Invalid("a scalar subquery must return one column, not " +
                             std::to_string(r->schema->num_fields()));
    }
    if (r->num_rows > 1) {
      return Status::Invalid("a scalar subquery returned more than one row (" +
                             std::to_string(r->num_rows) + ")");
    }
    for (const auto& b : r->batches) {
      if (b.num_rows == 0) continue;
      ColumnViews v(b);
      return Expr::Literal(ValueOf(kernels::ValueAt(v[0], 0)));
    }
    return Expr::Literal(Value());
  }
  auto copy = std::make_shared<Expr>(*e);
  if (e->kind == ExprKind::kIn && e->args.size() == 2 && e->args[1] &&
      e->args[1]->kind == ExprKind::kSubquery) {
    QUIVER_ASSIGN_OR_RETURN(auto r, RunToMemory(ctx, *e->args[1]->subquery));
    if (r->schema->num_fields() != 1) {
      return Status::Invalid("the subquery of IN must return one column, not " +
                             std::to_string(r->schema->num_fields()));
    }
    QUIVER_ASSIGN_OR_RETURN(ExprPtr x, Substitute(ctx, e->args[0]));
    copy->args = {x};
    for (const auto& b : r->batches) {
      ColumnViews v(b);
      for (int64_t i = 0; i < b.num_rows; ++i) {
        copy->args.push_back(Expr::Literal(ValueOf(kernels::ValueAt(v[0], i))));
      }
    }
    if (copy->args.size() == 1) {  // x IN (empty set) is FALSE, even for NULL x
      return Expr::Literal(Value(e->negated));
    }
    return ExprPtr(std::move(copy));
  }
  for (auto& a : copy->args) {
    QUIVER_ASSIGN_OR_RETURN(a, Substitute(ctx, a));
  }
  return ExprPtr(std::move(copy));
}

Status SubstituteAll(Context& ctx, Query* q) {
  for (auto& s : q->select) {
    QUIVER_ASSIGN_OR_RETURN(s.expr, Substitute(ctx, s.expr));
  }
  QUIVER_ASSIGN_OR_RETURN(q->where, Substitute(ctx, q->where));
  QUIVER_ASSIGN_OR_RETURN(q->having, Substitute(ctx, q->having));
  for (auto& g : q->group_by_exprs) {
    QUIVER_ASSIGN_OR_RETURN(g, Substitute(ctx, g));
  }
  for (auto& o : q->order_by) {
    QUIVER_ASSIGN_OR_RETURN(o.expr, Substitute(ctx, o.expr));
  }
  return Status::OK();
}

std::shared_ptr<const QueryResult> OneEmptyRow() {
  auto r = std::make_shared<QueryResult>();
  r->schema = std::make_shared<const Schema>();
  RecordBatch b;
  b.schema = r->schema;
  b.num_rows = 1;
  r->batches.push_back(std::move(b));
  r->num_rows = 1;
  return r;
}

// The WHERE as it runs: its top-level AND's operands in the plan's order
// (cheapest first, OrderConjuncts), a pair run as one BETWEEN in brackets.
std::string WhereText(const query::Expr& w, const Plan& plan) {
  const auto& order = plan.where_order;
  if (order.empty() || w.kind != query::ExprKind::kAnd || w.args.size() != order.size()) {
    return query::ToSql(w);
  }
  std::vector<std::string> parts;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k] & ~kFusedWithPrevious;
    const std::string part = query::ToSql(*w.args[i]);
    const bool wrap = w.args[i]->kind == query::ExprKind::kOr;
    if ((order[k] & kFusedWithPrevious) != 0 && !parts.empty()) {
      parts.back() = "(" + parts.back() + " AND " + part + ")";
    } else {
      parts.push_back(wrap ? "(" + part + ")" : part);
    }
  }
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : " AND ") + p;
  return text;
}

std::string Describe(const Query& q, const StagePlan& p, const Plan& plan, bool memory) {
  std::string line = memory ? "scan in-memory result" : "scan table " + q.table;
  line += ": " + std::to_string(plan.stats.chunks_total) + " chunks, " +
          std::to_string(plan.stats.chunks_pruned) + " pruned by statistics; columns read:";
  const Schema& in = *plan.input;
  const std::string shortcut = AggregateShortcut(plan);
  if (!shortcut.empty()) {
    line += " none";
  } else {
    for (size_t c : plan.columns) line += " " + in.field(c).name;
  }
  line += "; threads " + std::to_string(plan.threads);
  if (!p.computed.empty()) {
    line += "\n  compute:";
    for (size_t i = 0; i < p.computed.size(); ++i) {
      line += " " + in.field(p.num_source_fields + i).name + ":" +
              in.field(p.num_source_fields + i).type.ToString();
    }
  }
  if (p.simple.where) line += "\n  filter: " + WhereText(*p.simple.where, plan);
  const auto& b = plan.bound;
  if (!b.group_by.empty()) {
    line += "\n  hash group by " + GroupByDetail(plan);
  } else if (b.aggregate) {
    line += "\n  aggregate (one row)";
    if (!shortcut.empty()) line += ": " + shortcut;
  } else if (!b.order_by.empty()) {
    line += b.limit ? "\n  top-k " + std::to_string(*b.limit + b.offset) + TopKDetail(plan) : "\n  sort";
  } else {
    line += "\n  project " + std::to_string(b.outputs.size()) + " column(s)";
  }
  if (b.limit) line += "\n  limit " + std::to_string(*b.limit);
  if (b.offset) line += " offset " + std::to_string(b.offset);
  return line;
}

// The operator tree of one stage: op { filter { compute { scan { inputs } } } }.
struct StageTree {
  ExplainNodePtr op, filter, compute, scan;
  ExplainCounter* filter_counter = nullptr;
  ExplainCounter* compute_counter = nullptr;
  std::vector<ExplainNodePtr> inputs;
  // What the scan reads (for its bytes, counted once it has run).
  const TableView* table = nullptr;
  std::shared_ptr<const QueryResult> memory;
  std::vector<size_t> chunks, columns;
};

StageTree MakeStageTree(const Query& q, const StagePlan& p, const Plan& plan,
                        std::vector<ExplainNodePtr> inputs, ExplainProbe* probe) {
  StageTree t;
  auto node = [](std::string op, std::string detail) {
    auto n = std::make_shared<ExplainNode>();
    n->op = std::move(op);
    n->detail = std::move(detail);
    return n;
  };
  const Schema& in = *plan.input;
  std::string cols;
  for (size_t c : plan.columns) cols += (cols.empty() ? "" : " ") + in.field(c).name;
  t.scan = node("scan", (plan.memory ? std::string("in-memory result") : "table " + q.table) +
                            ": " + std::to_string(plan.stats.chunks_total) + " chunks, " +
                            std::to_string(plan.stats.chunks_pruned) +
                            " pruned; columns: " + cols + "; threads " +
                            std::to_string(plan.threads));
  t.scan->children = inputs;
  t.inputs = std::move(inputs);
  ExplainNodePtr below = t.scan;
  if (!p.computed.empty()) {
    std::string what;
    for (size_t i = 0; i < p.computed.size(); ++i) {
      const Field& f = in.field(p.num_source_fields + i);
      what += (what.empty() ? "" : " ") + f.name + ":" + f.type.ToString();
    }
    t.compute = node("compute", what);
    t.compute->children = {below};
    below = t.compute;
    if (probe) t.compute_counter = probe->Add(p.computed[0].get());
  }
  if (plan.bound.where && p.simple.where) {
    t.filter = node("filter", WhereText(*p.simple.where, plan));
    t.filter->children = {below};
    below = t.filter;
    if (probe) t.filter_counter = probe->Add(plan.bound.where.get());
  }
  const auto& b = plan.bound;
  if (!b.group_by.empty()) {
    t.op = node("hash group by", GroupByDetail(plan));
  } else if (b.aggregate) {
    t.op = node("aggregate", "one row");
  } else if (!b.order_by.empty()) {
    t.op = b.limit ? node("top-k", std::to_string(*b.limit + b.offset) + TopKDetail(plan))
                   : node("sort", "");
  } else {
    t.op = node("project", std::to_string(b.outputs.size()) + " column(s)");
  }
  if (b.limit) t.op->detail += (t.op->detail.empty() ? "" : ", ") + std::string("limit ") +
                               std::to_string(*b.limit);
  if (b.offset) t.op->detail += " offset " + std::to_string(b.offset);
  t.op->children = {below};
  t.table = plan.table;
  t.memory = plan.memory;
  t.chunks = plan.chunks;
  // A late top-k reads its keys' and WHERE's columns of every chunk (the
  // others of the chosen rows only, not counted).
  const bool sorted = b.group_by.empty() && !b.aggregate && !b.order_by.empty();
  t.columns = sorted ? SortedColumnsOfEveryChunk(plan) : plan.columns;
  return t;
}

// Fills in the figures of a stage's tree once its operator has run.
void FinishStageTree(const StageTree& t, const QueryStats& stats) {
  t.scan->rows = stats.rows_scanned;
  int64_t bytes = 0;
  const size_t n = std::min(t.chunks.size(), size_t(std::max<int64_t>(0, stats.chunks_scanned)));
  for (size_t i = 0; i < n; ++i) {
    RecordBatch b;
    if (t.memory) {
      b = t.memory->batches[t.chunks[i]];
    } else {
      auto r = t.table->ReadChunk(t.chunks[i], t.columns);
      if (!r.ok()) continue;  // the run read it: an error here is not the plan's
      b = std::move(*r);
    }
    RecordBatch used;
    for (size_t c : t.columns) used.columns.push_back(b.columns[c]);
    bytes += BatchBytes(used);
  }
  t.scan->bytes_read = bytes;
  double inputs_ms = 0;
  for (const auto& in : t.inputs) inputs_ms += std::max(0.0, in->time_ms);
  // The stage's own wall time includes its scan; its inputs ran before it.
  t.op->time_ms += inputs_ms;
  if (t.compute) {
    t.compute->rows = t.compute_counter ? t.compute_counter->rows.load() : stats.rows_scanned;
    if (t.compute_counter) t.compute->cpu_ms = double(t.compute_counter->nanos.load()) / 1e6;
  }
  if (t.filter && t.filter_counter) {
    t.filter->rows = t.filter_counter->rows.load();
    t.filter->cpu_ms = double(t.filter_counter->nanos.load()) / 1e6;
  }
}

// Runs `q` over one source: a table or an in-memory result.
Result<std::unique_ptr<QueryCursor>> OpenOver(Context& ctx, const Query& q,
                                              const TableView* table,
                                              std::shared_ptr<const QueryResult> memory,
                                              std::vector<ExplainNodePtr> inputs = {}) {
  const auto t0 = Clock::now();
  std::shared_ptr<const Schema> schema = table ? table->schema() : memory->schema;
  QUIVER_ASSIGN_OR_RETURN(StagePlan stages, PlanStages(q, schema));
  Plan plan;
  plan.started = Clock::now();
  plan.snap = ctx.snap;
  plan.options = ctx.options;
  if (stages.post) plan.options.max_rows = -1;
  plan.threads = ResolveThreads(ctx.options.threads);
  if (plan.options.batch_rows <= 0) plan.options.batch_rows = 64 * 1024;
  plan.table = table;
  plan.memory = memory;
  plan.memory_use = ctx.memory_use;
  plan.input = stages.schema;
  plan.num_source_fields = stages.num_source_fields;
  plan.computed = stages.computed;
  QUIVER_RETURN_NOT_OK(PreparePlan(&plan, stages.simple));
  std::optional<StageTree> tree;
  if (ctx.explain) {
    ctx.explain->push_back(Describe(stages.simple, stages, plan, memory != nullptr));
    tree = MakeStageTree(stages.simple, stages, plan, std::move(inputs),
                         ctx.analyze ? ctx.probe : nullptr);
    if (!stages.post && ctx.nodes) ctx.nodes->push_back(tree->op);
    if (!ctx.analyze && !stages.post) {
      // EXPLAIN alone: nothing runs but what a later stage needs to plan.
      auto schema = plan.input;
      return MakeMaterializedCursor(std::move(plan), schema, {}, false);
    }
  }
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<QueryCursor> cursor, RunPlan(std::move(plan)));
  if (tree && ctx.analyze) {
    tree->op->time_ms = MsSince(t0);
    StageTree t = *tree;
    cursor = MakeAnalyzedCursor(std::move(cursor), t.op,
                                [t](const QueryCursor& c) { FinishStageTree(t, c.stats()); });
  }
  if (!stages.post) return cursor;
  QUIVER_ASSIGN_OR_RETURN(auto first, Collect(*cursor));
  Query post = *stages.post;
  std::vector<ExplainNodePtr> first_node;
  if (tree) first_node.push_back(tree->op);
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<QueryCursor> second,
                          OpenOver(ctx, post, nullptr, first, std::move(first_node)));
  return std::unique_ptr<QueryCursor>(new StagedCursor(std::move(second), first->stats));
}

// The type UNION ALL gives a column whose branches differ: numbers widen
// (integers to int64, anything with a float to float64); else an error.
Result<DataType> UnionType(const DataType& a, const DataType& b, size_t column, size_t branch) {
  const DataType x = ResultType(a), y = ResultType(b);
  if (x == y) return x;
  if (IsNumeric(x.id) && IsNumeric(y.id)) {
    return DataType(IsFloating(x.id) || IsFloating(y.id) ? TypeId::kFloat64 : TypeId::kInt64);
  }
  if (x.value_type() == y.value_type()) return x.value_type();
  return Status::TypeError("UNION ALL column " + std::to_string(column + 1) + " is " +
                           a.ToString() + " in the first branch and " + b.ToString() +
                           " in branch " + std::to_string(branch + 1) + "; CAST one of them");
}

// `col` as `type` (a widening cast, or a dictionary decoded).
Result<std::shared_ptr<ArrayData>> CastColumn(const std::shared_ptr<ArrayData>& col,
                                              const DataType& type) {
  if (col->type == type) return col;
  QUIVER_ASSIGN_OR_RETURN(kernels::BoundFunctionPtr cast, kernels::BindCast(col->type, type));
  QUIVER_ASSIGN_OR_RETURN(kernels::Datum d, cast->Exec({kernels::Datum::Own(col)}, col->length));
  return kernels::ToArray(d, col->length);
}

Result<std::shared_ptr<const QueryResult>> UnionAll(Context& ctx, const Query& q) {
  std::vector<Query> branches;
  Query head = q;
  head.union_all.clear();
  head.order_by.clear();
  head.limit.reset();
  head.offset.reset();
  branches.push_back(std::move(head));
  for (const auto& b : q.union_all) branches.push_back(*b);
  std::vector<std::shared_ptr<const QueryResult>> parts;
  std::vector<Field> fields;
  for (size_t i = 0; i < branches.size(); ++i) {
    QUIVER_ASSIGN_OR_RETURN(auto r, RunToMemory(ctx, branches[i]));
    const Schema& b = *r->schema;
    if (i == 0) {
      fields = b.fields();
      for (Field& f : fields) f.type = ResultType(f.type);
    } else if (fields.size() != b.num_fields()) {
      return Status::Invalid("UNION ALL branch " + std::to_string(i + 1) + " has " +
                             std::to_string(b.num_fields()) + " columns; the first has " +
                             std::to_string(fields.size()));
    } else {
      for (size_t c = 0; c < fields.size(); ++c) {
        QUIVER_ASSIGN_OR_RETURN(fields[c].type, UnionType(fields[c].type, b.field(c).type, c, i));
        fields[c].nullable = fields[c].nullable || b.field(c).nullable;
      }
    }
    parts.push_back(std::move(r));
  }
  auto all = std::make_shared<QueryResult>();
  all->schema = std::make_shared<const Schema>(fields);
  for (const auto& r : parts) {
    for (RecordBatch batch : r->batches) {
      for (size_t c = 0; c < fields.size(); ++c) {
        if (batch.columns[c]->type.is_dictionary() && fields[c].type.is_dictionary()) continue;
        QUIVER_ASSIGN_OR_RETURN(batch.columns[c], CastColumn(batch.columns[c], fields[c].type));
      }
      batch.schema = all->schema;
      all->num_rows += batch.num_rows;
      all->batches.push_back(std::move(batch));
    }
  }
  return std::shared_ptr<const QueryResult>(std::move(all));
}

Result<std::unique_ptr<QueryCursor>> Open(Context& parent, const Query& in) {
  Context ctx = parent;
  // EXPLAIN: the stages that run first (WITH, subqueries, UNION ALL
  // branches, DISTINCT's input) are inputs of the one that reads them.
  std::vector<ExplainNodePtr> inputs;
  if (ctx.nodes) ctx.nodes = &inputs;
  for (const auto& w : in.with) {
    QUIVER_ASSIGN_OR_RETURN(auto r, RunToMemory(ctx, *w.query));
    ctx.ctes[w.name] = r;
  }
  Query q = in;
  q.with.clear();
  q.explain = query::ExplainMode::kNone;
  q.explain_json = false;
  QUIVER_RETURN_NOT_OK(SubstituteAll(ctx, &q));
  ctx.nodes = parent.nodes;

  if (!q.union_all.empty() || q.distinct) {
    std::shared_ptr<const QueryResult> rows;
    Query outer;
    outer.table = q.table;
    Context inner_ctx = ctx;
    std::vector<ExplainNodePtr> branches;
    if (ctx.nodes) inner_ctx.nodes = &branches;
    if (!q.union_all.empty()) {
      const auto t0 = Clock::now();
      QUIVER_ASSIGN_OR_RETURN(rows, UnionAll(inner_ctx, q));
      if (ctx.nodes) {
        auto u = std::make_shared<ExplainNode>();
        u->op = "union all";
        u->detail = std::to_string(branches.size()) + " branches";
        u->children = std::move(branches);
        if (ctx.analyze) {
          u->rows = rows->num_rows;
          u->time_ms = MsSince(t0);
          u->bytes_out = 0;
          for (const auto& b : rows->batches) u->bytes_out += BatchBytes(b);
        }
        branches = {u};
      }
    } else {
      Query inner = q;
      inner.distinct = false;
      inner.order_by.clear();
      inner.limit.reset();
      inner.offset.reset();
      QUIVER_ASSIGN_OR_RETURN(rows, RunToMemory(inner_ctx, inner));
      for (const Field& f : rows->schema->fields()) {
        query::SelectItem s;
        s.column = f.name;
        outer.select.push_back(s);
        outer.group_by.push_back(f.name);
      }
    }
    outer.order_by = q.order_by;
    outer.limit = q.limit;
    outer.offset = q.offset;
    for (auto& b : branches) inputs.push_back(std::move(b));
    return OpenOver(ctx, outer, nullptr, rows, std::move(inputs));
  }
  if (q.from_query) {
    Context inner_ctx = ctx;
    if (ctx.nodes) inner_ctx.nodes = &inputs;
    QUIVER_ASSIGN_OR_RETURN(auto rows, RunToMemory(inner_ctx, *q.from_query));
    return OpenOver(ctx, q, nullptr, rows, std::move(inputs));
  }
  if (auto it = ctx.ctes.find(q.table); it != ctx.ctes.end()) {
    return OpenOver(ctx, q, nullptr, it->second, std::move(inputs));
  }
  if (q.table.empty()) return OpenOver(ctx, q, nullptr, OneEmptyRow(), std::move(inputs));
  QUIVER_ASSIGN_OR_RETURN(const TableView* table, ctx.snap->table(q.table));
  return OpenOver(ctx, q, table, nullptr, std::move(inputs));
}

// EXPLAIN: the plan as rows of one utf8 column "plan"; EXPLAIN ANALYZE runs
// the query and adds what each stage did and, per operator, rows, time and
// bytes (store/explain_internal.h). With FORMAT JSON the column holds one
// row: {"analyze", "plan": the operator tree, "text": the text form's lines}.
Result<std::unique_ptr<QueryCursor>> OpenExplain(Context& ctx, const Query& q) {
  std::vector<std::string> lines;
  std::vector<ExplainNodePtr> roots;
  ExplainProbe probe;
  Context c = ctx;
  c.explain = &lines;
  c.analyze = q.explain == query::ExplainMode::kAnalyze;
  c.nodes = &roots;
  c.probe = c.analyze ? &probe : nullptr;
  ExplainProbeScope scope(c.probe);
  const auto t0 = Clock::now();
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<QueryCursor> cursor, Open(c, q));
  if (c.analyze) {
    QUIVER_ASSIGN_OR_RETURN(auto r, Collect(*cursor));
    const QueryStats& s = r->stats;
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "analyze: %lld rows returned, %lld rows scanned in %lld chunks, %.3f ms",
                  static_cast<long long>(r->num_rows), static_cast<long long>(s.rows_scanned),
                  static_cast<long long>(s.chunks_scanned), MsSince(t0));
    lines.push_back(buf);
  }
  ExplainNode root;
  if (roots.size() == 1) {
    root = *roots[0];
  } else {  // not expected: every query ends in one stage
    root.op = "query";
    root.children = roots;
  }
  if (c.analyze) {
    lines.push_back("operators:");
    AppendExplainText(root, 1, &lines);
  }
  auto schema = std::make_shared<const Schema>(
      std::vector<Field>{Field{"plan", DataType(TypeId::kUtf8), false, {}}});
  ArrayBuilder builder{DataType(TypeId::kUtf8)};
  int64_t rows = 0;
  if (q.explain_json) {
    std::vector<std::string> text;
    for (const std::string& l : lines) {
      size_t start = 0;
      while (start <= l.size()) {
        size_t nl = l.find('\n', start);
        if (nl == std::string::npos) nl = l.size();
        text.push_back(l.substr(start, nl - start));
        start = nl + 1;
      }
    }
    builder.AppendString(ExplainJson(root, text, c.analyze));
    rows = 1;
  } else {
    for (const std::string& text : lines) {
      size_t start = 0;
      while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        builder.AppendString(std::string_view(text).substr(start, nl - start));
        ++rows;
        start = nl + 1;
      }
    }
  }
  QUIVER_ASSIGN_OR_RETURN(auto col, builder.Finish());
  RecordBatch b{schema, rows, {col}};
  Plan plan;
  plan.started = t0;
  plan.stats = cursor->stats();
  plan.bound = cursor->bound();
  return MakeMaterializedCursor(std::move(plan), schema, {std::move(b)}, false);
}

}  // namespace

Result<std::unique_ptr<QueryCursor>> OpenGeneral(std::shared_ptr<const Snapshot> snap,
                                                 const Query& q, QueryOptions options) {
  Context ctx;
  ctx.snap = std::move(snap);
  ctx.options = options;
  ctx.memory_use = std::make_shared<QueryMemory>(options.memory_limit_bytes);
  if (q.explain != query::ExplainMode::kNone) return OpenExplain(ctx, q);
  return Open(ctx, q);
}

}  // namespace quiver::store::internal
