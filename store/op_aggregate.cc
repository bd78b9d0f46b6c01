// Aggregates without GROUP BY: per-thread partial states merged into exactly
// one row (COUNT(*) without WHERE reads only the catalog).
#include <algorithm>
#include <map>
#include <string>

#include "store/exec_internal.h"

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

// Aggregates without GROUP BY: exactly one row.
Result<std::unique_ptr<QueryCursor>> RunAggregate(Plan plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.input;
  // One partial state per distinct input column, with what it must compute.
  std::vector<int> columns;
  std::vector<unsigned> needs;
  std::map<int, size_t> slot;
  bool only_count_star = true;
  for (const auto& o : q.outputs) {
    if (o.column < 0) continue;
    only_count_star = false;
    if (!slot.count(o.column)) {
      slot[o.column] = columns.size();
      columns.push_back(o.column);
      needs.push_back(kernels::AggState::kCounts);
    }
    unsigned& nd = needs[slot[o.column]];
    if (o.agg == query::AggFunc::kSum || o.agg == query::AggFunc::kAvg)
      nd |= kernels::AggState::kSum;
    if (o.agg == query::AggFunc::kMin || o.agg == query::AggFunc::kMax)
      nd |= kernels::AggState::kMinMax;
  }
  auto make_states = [&] {
    std::vector<kernels::AggState> s;
    for (size_t i = 0; i < columns.size(); ++i) {
      s.emplace_back(in.field(size_t(columns[i])).type, needs[i]);
    }
    return s;
  };
  int64_t count_star = 0;
  std::vector<kernels::AggState> total = make_states();
  if (only_count_star && q.where == nullptr) {
    // COUNT(*) of a whole table: the catalog knows.
    for (size_t c : plan.chunks) count_star += plan.ChunkRows(c);
  } else {
    const int workers = plan.Workers();
    std::vector<std::vector<kernels::AggState>> partial;
    for (int w = 0; w < workers; ++w) partial.push_back(make_states());
    std::vector<int64_t> partial_count(size_t(workers), 0);
    QUIVER_RETURN_NOT_OK(plan.ScanMorsels([&](int w, const Morsel& c, const Mask* m) -> Status {
      const int64_t hits = m ? kernels::CountTrue(*m) : c.rows();
      partial_count[size_t(w)] += hits;
      if (hits == 0) return Status::OK();
      for (size_t s = 0; s < columns.size(); ++s) {
        QUIVER_RETURN_NOT_OK(partial[size_t(w)][s].Update(c.views[size_t(columns[s])], m));
      }
      return Status::OK();
    }));
    for (int w = 0; w < workers; ++w) {
      count_star += partial_count[size_t(w)];
      for (size_t s = 0; s < columns.size(); ++s)
        QUIVER_RETURN_NOT_OK(total[s].Merge(partial[size_t(w)][s]));
    }
  }
  std::vector<Field> fields;
  std::vector<std::shared_ptr<ArrayData>> cols;
  for (const auto& o : q.outputs) {
    Scalar v;
    if (o.column < 0) {
      v = Scalar::Int64(count_star);
    } else {
      Result<Scalar> r = total[slot[o.column]].Finalize(ToAggKind(o));
      if (!r.ok()) {
        Status s = r.status();
        if (s.code() == StatusCode::kOverflow) {
          return Status::Overflow("SUM(\"" + in.field(size_t(o.column)).name +
                                  "\") does not fit in 64 bits: " + s.message());
        }
        return s;
      }
      v = *r;
    }
    QUIVER_ASSIGN_OR_RETURN(auto a, kernels::ScalarsToArray({v}, o.type));
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
