// Aggregates without GROUP BY: per-thread partial states merged into exactly
// one row (COUNT(*) without WHERE reads only the catalog).
#include <algorithm>
#include <map>
#include <string>

#include "columnar/builder.h"
#include "columnar/stats.h"
#include "store/exec_internal.h"
#include "store/query_internal.h"

namespace quiver::store::internal {

using kernels::Mask;
using kernels::Scalar;
using query::BoundQuery;

kernels::AggKind ToAggKind(const query::BoundOutput& o) {
  switch (o.agg) {
    case query::AggFunc::kCount:
      return o.column < 0 ? kernels::AggKind::kCountStar : kernels::AggKind::kCount;
    case query::AggFunc::kSum:
      return kernels::AggKind::kSum;
    case query::AggFunc::kMin:
      return kernels::AggKind::kMin;
    case query::AggFunc::kMax:
      return kernels::AggKind::kMax;
    case query::AggFunc::kAvg:
      return kernels::AggKind::kAvg;
    default:  // the aggregates kernels::AggState does not hold
      break;
  }
  return kernels::AggKind::kCountStar;
}

namespace {

// How the ungrouped path computes one output: COUNT(*) (of the WHERE rows,
// or of a FILTER's), an AggState slot shared by the outputs of one column
// and FILTER, or a grouped aggregate with one group.
struct OutputSource {
  enum class Kind { kCountStar, kState, kGrouped } kind = Kind::kCountStar;
  size_t index = 0;  // kState: slot; kGrouped: grouped state
  int filter = -1;   // index into the distinct FILTER conditions, -1 = none
};

// Per-worker partial results of the ungrouped path.
struct Partial {
  int64_t count_star = 0;
  std::vector<int64_t> filter_counts;  // TRUE rows of each FILTER (and WHERE)
  std::vector<kernels::AggState> states;
  std::vector<std::unique_ptr<kernels::GroupedAgg>> grouped;
};

// What the ungrouped path computes for a query's outputs.
struct AggPlan {
  std::vector<const query::BoundExpr*> filters;               // the distinct FILTER conditions
  std::vector<OutputSource> sources;                          // one per output
  std::vector<int> columns, slot_filter;                      // per AggState slot
  std::vector<unsigned> needs;                                // per AggState slot
  std::vector<int> grouped_column, grouped_filter;            // per grouped state
  std::vector<std::unique_ptr<kernels::GroupedAgg>> grouped;  // empty prototypes
  bool only_count_star = true;                                // no column and no FILTER is read

  // Empty partial results for one worker (or the total).
  Partial MakePartial(const Schema& in) const {
    Partial p;
    p.filter_counts.assign(filters.size(), 0);
    for (size_t i = 0; i < columns.size(); ++i) {
      p.states.emplace_back(in.field(size_t(columns[i])).type, needs[i]);
    }
    for (const auto& g : grouped) {
      p.grouped.push_back(g->NewEmpty());
      p.grouped.back()->Resize(1);
    }
    return p;
  }
};

Result<AggPlan> PlanOutputs(const BoundQuery& q, const Schema& in) {
  AggPlan ap;
  std::map<std::pair<int, int>, size_t> slot;  // (column, filter) -> slot
  for (const auto& o : q.outputs) {
    OutputSource src;
    if (o.filter) {
      auto it = std::find(ap.filters.begin(), ap.filters.end(), o.filter.get());
      src.filter = int(it - ap.filters.begin());
      if (it == ap.filters.end()) ap.filters.push_back(o.filter.get());
      ap.only_count_star = false;
    }
    if (o.column < 0) {
      ap.sources.push_back(src);
      continue;
    }
    ap.only_count_star = false;
    const kernels::GroupedAggKind gk = query::internal::GroupedAggOf(o.agg);
    if (gk != kernels::GroupedAggKind::kNone) {
      QUIVER_ASSIGN_OR_RETURN(
          auto g, kernels::GroupedAgg::Make(gk, in.field(size_t(o.column)).type, o.param, o.sep));
      src.kind = OutputSource::Kind::kGrouped;
      src.index = ap.grouped.size();
      ap.grouped.push_back(std::move(g));
      ap.grouped_column.push_back(o.column);
      ap.grouped_filter.push_back(src.filter);
      ap.sources.push_back(src);
      continue;
    }
    const auto key = std::make_pair(o.column, src.filter);
    if (!slot.count(key)) {
      slot[key] = ap.columns.size();
      ap.columns.push_back(o.column);
      ap.slot_filter.push_back(src.filter);
      ap.needs.push_back(kernels::AggState::kCounts);
    }
    src.kind = OutputSource::Kind::kState;
    src.index = slot[key];
    unsigned& nd = ap.needs[src.index];
    if (o.agg == query::AggFunc::kSum || o.agg == query::AggFunc::kAvg)
      nd |= kernels::AggState::kSum;
    if (o.agg == query::AggFunc::kMin || o.agg == query::AggFunc::kMax)
      nd |= kernels::AggState::kMinMax;
    ap.sources.push_back(src);
  }
  return ap;
}

// MIN and MAX of whole integer, date and timestamp columns (with COUNT(*)
// beside them) from each chunk's statistics, which hold the exact least and
// greatest value: nothing is read. False (nothing done) unless every output
// and every chunk allows it: no WHERE and no FILTER, statistics present and
// exact for each column in each chunk.
bool MinMaxStatsApply(const Plan& plan, const AggPlan& ap) {
  const BoundQuery& q = plan.bound;
  if (q.where != nullptr || plan.memory != nullptr || plan.table == nullptr ||
      !ap.filters.empty() || !ap.grouped.empty() || ap.columns.empty()) {
    return false;
  }
  for (size_t i = 0; i < q.outputs.size(); ++i) {
    const OutputSource& src = ap.sources[i];
    if (src.kind == OutputSource::Kind::kCountStar) continue;
    const query::AggFunc f = q.outputs[i].agg;
    if (src.kind != OutputSource::Kind::kState || (f != query::AggFunc::kMin && f != query::AggFunc::kMax))
      return false;
  }
  std::vector<ColumnStats::Kind> kinds;
  for (size_t s = 0; s < ap.columns.size(); ++s) {
    const int col = ap.columns[s];
    if (col < 0 || size_t(col) >= plan.num_source_fields) return false;
    const DataType& t = plan.input->field(size_t(col)).type;
    if (!IsInteger(t.id) && t.id != TypeId::kDate32 && t.id != TypeId::kTimestamp) return false;
    kinds.push_back(StatsKindFor(t));
  }
  const std::vector<ChunkInfo>& chunks = plan.table->chunks();
  for (size_t c : plan.chunks) {
    const std::vector<ColumnStats>& st = chunks[c].stats;
    for (size_t s = 0; s < ap.columns.size(); ++s) {
      if (size_t(ap.columns[s]) >= st.size()) return false;
      const ColumnStats& cs = st[size_t(ap.columns[s])];
      if (cs.kind != kinds[s] || !cs.min_exact || !cs.max_exact || cs.row_count != chunks[c].rows)
        return false;
      if (cs.null_count < cs.row_count && !(cs.has_min && cs.has_max)) return false;
    }
  }
  return true;
}

// Whether COUNT(*) of the whole table is all the query asks: the catalog
// knows each chunk's rows.
bool CountFromCatalog(const BoundQuery& q, const AggPlan& ap) {
  return ap.only_count_star && q.where == nullptr;
}

// MinMaxStatsApply, then the answer into *total.
bool MinMaxFromStats(const Plan& plan, const AggPlan& ap, Partial* total) {
  if (!MinMaxStatsApply(plan, ap)) return false;
  const std::vector<ChunkInfo>& chunks = plan.table->chunks();
  for (size_t c : plan.chunks) total->count_star += plan.ChunkRows(c);
  // Each column's bounds of every chunk, as one array the state takes in
  // one update (not an array per chunk: a query over a few hundred chunks
  // then took longer than its HTTP round trip).
  for (size_t s = 0; s < ap.columns.size(); ++s) {
    ArrayBuilder b(plan.input->field(size_t(ap.columns[s])).type);
    for (size_t c : plan.chunks) {
      const ColumnStats& cs = chunks[c].stats[size_t(ap.columns[s])];
      if (!cs.has_min) continue;  // no value in this chunk
      if (cs.kind == ColumnStats::Kind::kUInt) {
        b.AppendUInt(cs.min_uint);
        b.AppendUInt(cs.max_uint);
      } else {
        b.AppendInt(cs.min_int);
        b.AppendInt(cs.max_int);
      }
    }
    if (b.length() == 0) continue;  // no chunk holds a value
    Result<std::shared_ptr<ArrayData>> bounds = b.Finish();
    if (!bounds.ok() || !total->states[s].Update((*bounds)->View(), nullptr).ok()) return false;
  }
  return true;
}

}  // namespace

std::string AggregateShortcut(const Plan& plan) {
  const BoundQuery& q = plan.bound;
  if (!q.aggregate || !q.group_by.empty() || plan.input == nullptr) return "";
  Result<AggPlan> ap = PlanOutputs(q, *plan.input);
  if (!ap.ok()) return "";
  if (CountFromCatalog(q, *ap)) return "COUNT(*) from the catalog";
  if (MinMaxStatsApply(plan, *ap)) return "MIN/MAX from chunk statistics";
  return "";
}

// Aggregates without GROUP BY: exactly one row.
Result<std::unique_ptr<QueryCursor>> RunAggregate(Plan plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.input;
  QUIVER_ASSIGN_OR_RETURN(const AggPlan ap, PlanOutputs(q, in));
  const auto& filters = ap.filters;
  const auto& columns = ap.columns;
  auto make_partial = [&] { return ap.MakePartial(in); };
  Partial total = make_partial();
  if (CountFromCatalog(q, ap)) {
    for (size_t c : plan.chunks) total.count_star += plan.ChunkRows(c);
  } else if (MinMaxFromStats(plan, ap, &total)) {
    // MIN / MAX of whole columns: the chunks' statistics know.
  } else {
    const int workers = plan.Workers();
    std::vector<Partial> partial;
    for (int w = 0; w < workers; ++w) partial.push_back(make_partial());
    // The bytes each worker's distinct sets and value lists hold, counted
    // against the query's memory limit as they grow.
    std::vector<int64_t> held(size_t(workers), 0);
    auto account = [&](int w) -> Status {
      int64_t bytes = 0;
      for (const auto& g : partial[size_t(w)].grouped) bytes += int64_t(g->MemoryBytes());
      const int64_t delta = bytes - held[size_t(w)];
      held[size_t(w)] = bytes;
      if (delta == 0) return Status::OK();
      return plan.memory_use->Add(delta, [&] {
        return "the aggregates' distinct-value sets and value lists (" + std::to_string(bytes) +
               " bytes in one worker)";
      });
    };
    QUIVER_RETURN_NOT_OK(plan.ScanMorsels([&](int w, const Morsel& c, const Mask* m) -> Status {
      Partial& p = partial[size_t(w)];
      const int64_t hits = m ? kernels::CountTrue(*m) : c.rows();
      p.count_star += hits;
      if (hits == 0) return Status::OK();
      // Each FILTER's TRUE rows among WHERE's.
      std::vector<Mask> fmasks;
      for (size_t f = 0; f < filters.size(); ++f) {
        QUIVER_ASSIGN_OR_RETURN(Mask fm, Eval(*filters[f], c));
        if (m != nullptr) {
          QUIVER_ASSIGN_OR_RETURN(fm, kernels::And(*m, fm));
        }
        p.filter_counts[f] += kernels::CountTrue(fm);
        fmasks.push_back(std::move(fm));
      }
      auto mask_of = [&](int f) { return f < 0 ? m : &fmasks[size_t(f)]; };
      for (size_t s = 0; s < columns.size(); ++s) {
        QUIVER_RETURN_NOT_OK(
            p.states[s].Update(c.views[size_t(columns[s])], mask_of(ap.slot_filter[s])));
      }
      std::map<int, SelectionVector> rows;  // per filter (-1: WHERE)
      for (size_t g = 0; g < p.grouped.size(); ++g) {
        const int f = ap.grouped_filter[g];
        const Mask* mk = mask_of(f);
        const ArrayView& view = c.views[size_t(ap.grouped_column[g])];
        if (mk == nullptr) {
          p.grouped[g]->Update(view, nullptr, 0, c.rows(), nullptr);
          continue;
        }
        auto it = rows.find(f);
        if (it == rows.end()) it = rows.emplace(f, kernels::ToSelection(*mk)).first;
        p.grouped[g]->Update(view, it->second.data(), 0, int64_t(it->second.size()), nullptr);
      }
      return p.grouped.empty() ? Status::OK() : account(w);
    }));
    // Worker 0's partial becomes the total: its hash sets and value lists
    // are not copied again.
    total = std::move(partial[0]);
    const auto run = TaskRunner(plan.threads, plan.options.cancel);
    for (int w = 1; w < workers; ++w) {
      Partial& p = partial[size_t(w)];
      total.count_star += p.count_star;
      for (size_t f = 0; f < filters.size(); ++f) total.filter_counts[f] += p.filter_counts[f];
      for (size_t s = 0; s < columns.size(); ++s)
        QUIVER_RETURN_NOT_OK(total.states[s].Merge(p.states[s]));
      for (size_t g = 0; g < p.grouped.size(); ++g)
        QUIVER_RETURN_NOT_OK(total.grouped[g]->MergeParallel(*p.grouped[g], nullptr, run));
    }
  }
  std::vector<Field> fields;
  std::vector<std::shared_ptr<ArrayData>> cols;
  for (size_t i = 0; i < q.outputs.size(); ++i) {
    const query::BoundOutput& o = q.outputs[i];
    const OutputSource& src = ap.sources[i];
    std::shared_ptr<ArrayData> a;
    if (src.kind == OutputSource::Kind::kGrouped) {
      QUIVER_ASSIGN_OR_RETURN(a, total.grouped[src.index]->Finalize(1));
    } else {
      Scalar v;
      if (src.kind == OutputSource::Kind::kCountStar) {
        v = Scalar::Int64(src.filter < 0 ? total.count_star
                                         : total.filter_counts[size_t(src.filter)]);
      } else {
        Result<Scalar> r = total.states[src.index].Finalize(ToAggKind(o));
        if (!r.ok()) {
          Status s = r.status();
          if (s.code() == StatusCode::kOverflow) {
            return Status::Overflow("SUM(\"" + in.field(size_t(o.column)).name + "\") does not fit in " +
                                    (in.field(size_t(o.column)).type.is_decimal() ? "38 digits: " : "64 bits: ") +
                                    s.message());
          }
          return s;
        }
        v = *r;
      }
      QUIVER_ASSIGN_OR_RETURN(a, kernels::ScalarsToArray({v}, o.type));
    }
    fields.push_back(Field{o.name, a->type, true, {}});
    cols.push_back(std::move(a));
  }
  auto schema = std::make_shared<Schema>(std::move(fields));
  bool truncated = false;
  const RowWindow window = WindowFor(q, plan.options);
  QUIVER_ASSIGN_OR_RETURN(auto batches, OrderAndWindow(schema, cols, cols.size(), 1, {}, window,
                                                       plan.options.batch_rows, &truncated));
  return MakeMaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated);
}

}  // namespace quiver::store::internal
