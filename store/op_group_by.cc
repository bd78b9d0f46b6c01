// GROUP BY: per-worker hash tables, merged in parallel by hash partition,
// then ORDER BY / LIMIT on the groups (unless ordered, groups come out in the
// table order of their first row).
#include <algorithm>
#include <map>
#include <optional>

#include "store/exec_internal.h"
#include "store/query_internal.h"

namespace quiver::store::internal {

using kernels::Mask;
using query::BoundQuery;

// GROUP BY: per-worker hash tables, merged, then ORDER BY / LIMIT on groups.
Result<std::unique_ptr<QueryCursor>> RunGroupBy(Plan plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.input;
  std::vector<DataType> key_types;
  for (int c : q.group_by) key_types.push_back(in.field(size_t(c)).type);
  std::vector<int> value_cols;
  std::map<int, int> value_slot;
  std::vector<kernels::AggregateSpec> specs;
  std::vector<int> output_source;                   // per output: key index, or nkeys + agg index
  std::vector<const query::BoundExpr*> agg_filter;  // per aggregate: its FILTER, or null
  for (const auto& o : q.outputs) {
    if (o.agg == query::AggFunc::kNone) {
      auto it = std::find(q.group_by.begin(), q.group_by.end(), o.column);
      if (it == q.group_by.end()) return Status::Internal("ungrouped output " + o.name);
      output_source.push_back(int(it - q.group_by.begin()));
      continue;
    }
    kernels::AggregateSpec s;
    s.kind = ToAggKind(o);
    s.grouped = query::internal::GroupedAggOf(o.agg);
    s.param = o.param;
    s.filtered = o.filter != nullptr;
    agg_filter.push_back(o.filter.get());
    if (o.column >= 0) {
      if (!value_slot.count(o.column)) {
        value_slot[o.column] = int(value_cols.size());
        value_cols.push_back(o.column);
      }
      s.value = value_slot[o.column];
    }
    output_source.push_back(int(q.group_by.size() + specs.size()));
    specs.push_back(s);
  }
  std::vector<DataType> value_types;
  for (int c : value_cols) value_types.push_back(in.field(size_t(c)).type);

  const bool any_filter =
      std::any_of(agg_filter.begin(), agg_filter.end(), [](auto* f) { return f != nullptr; });
  const int workers = plan.Workers();
  std::vector<kernels::GroupByState> states;
  for (int w = 0; w < workers; ++w) {
    QUIVER_ASSIGN_OR_RETURN(auto s, kernels::GroupByState::Make(key_types, value_types, specs));
    states.push_back(std::move(s));
  }
  // Each worker's table reports its growth against the memory limit.
  QueryMemory& memory = *plan.memory_use;
  std::vector<int64_t> held(size_t(workers), 0);
  auto tables = [&states] {
    int64_t groups = 0;
    for (const auto& s : states) groups += s.num_groups();
    return "the group-by hash tables (about " + std::to_string(groups) + " groups so far)";
  };
  QUIVER_RETURN_NOT_OK(plan.ScanMorsels([&](int w, const Morsel& c, const Mask* m) -> Status {
    if (m && kernels::CountTrue(*m) == 0) return Status::OK();
    std::vector<ArrayView> keys, values;
    for (int k : q.group_by) keys.push_back(c.views[size_t(k)]);
    for (int v : value_cols) values.push_back(c.views[size_t(v)]);
    kernels::GroupByState& state = states[size_t(w)];
    if (!any_filter) {
      QUIVER_RETURN_NOT_OK(state.Consume(keys, values, m, c.first_row));
    } else {
      // FILTER (WHERE ...): each aggregate's own rows (Consume keeps them
      // within WHERE's). One mask per distinct condition.
      std::map<const query::BoundExpr*, Mask> masks;
      std::vector<const Mask*> agg_masks(agg_filter.size(), nullptr);
      for (size_t a = 0; a < agg_filter.size(); ++a) {
        const query::BoundExpr* f = agg_filter[a];
        if (f == nullptr) continue;
        auto it = masks.find(f);
        if (it == masks.end()) {
          QUIVER_ASSIGN_OR_RETURN(Mask fm, Eval(*f, c));
          it = masks.emplace(f, std::move(fm)).first;
        }
        agg_masks[a] = &it->second;
      }
      QUIVER_RETURN_NOT_OK(state.Consume(keys, values, m, c.first_row, agg_masks));
    }
    // The table's growth (grouped states included) against the memory limit.
    const int64_t bytes = state.memory_bytes();
    const int64_t delta = bytes - held[size_t(w)];
    held[size_t(w)] = bytes;
    return memory.Add(delta, tables);
  }));
  int64_t scanned_bytes = 0;
  for (int64_t b : held) scanned_bytes += b;
  const int threads = plan.threads;
  const std::atomic<bool>* cancel = plan.options.cancel;
  kernels::GroupByState::Runner run = [threads, cancel](int64_t n,
                                                        const std::function<Status(int64_t)>& fn) {
    return ParallelFor(n, threads, cancel, [&fn](int, int64_t i) { return fn(i); });
  };
  // ORDER BY ... LIMIT: the group-by builds every column only for the
  // groups the top-k keeps (the order and window below then run on those).
  const RowWindow window = WindowFor(q, plan.options);
  std::optional<kernels::GroupByState::OutputLimit> limit;
  if (!q.order_by.empty() && window.take >= 0) {
    limit.emplace();
    limit->k = window.skip + window.take + (window.cap_is_max_rows ? 1 : 0);
    limit->keys = SortKeysFor(q, [&](const query::BoundOrderKey& k) -> int {
      size_t source;
      if (k.output >= 0) {
        source = size_t(output_source[size_t(k.output)]);
      } else {
        auto it = std::find(q.group_by.begin(), q.group_by.end(), k.column);
        source = size_t(it - q.group_by.begin());
      }
      limit->columns.push_back(source);
      return int(limit->columns.size() - 1);
    });
  }
  int64_t groups = 0, merged_bytes = 0;
  Result<std::vector<std::shared_ptr<ArrayData>>> fin = kernels::GroupByState::FinalizeAll(
      &states, run, &groups, &merged_bytes, limit ? &*limit : nullptr);
  if (!fin.ok()) {
    if (fin.status().code() == StatusCode::kOverflow) {
      return Status::Overflow("a SUM does not fit in its result type: " + fin.status().message());
    }
    return fin.status();
  }
  std::vector<std::shared_ptr<ArrayData>> group_cols = std::move(*fin);
  int64_t result_bytes = 0;
  for (const auto& col : group_cols) {
    for (const auto& buf : col->buffers) result_bytes += buf ? buf->size() : 0;
  }
  // The partial tables are gone; the merged ones were alive with the result.
  QUIVER_RETURN_NOT_OK(memory.Add(merged_bytes + result_bytes - scanned_bytes, [&] {
    return "the merged group-by tables and the result (" + std::to_string(groups) + " groups)";
  }));

  std::vector<std::shared_ptr<ArrayData>> cols;
  std::vector<Field> fields;
  for (size_t i = 0; i < q.outputs.size(); ++i) {
    auto a = group_cols[size_t(output_source[i])];
    fields.push_back(Field{q.outputs[i].name, a->type, true, {}});
    cols.push_back(std::move(a));
  }
  // Order keys: outputs, or group keys that are not selected.
  std::vector<kernels::SortKey> keys = SortKeysFor(q, [&](const query::BoundOrderKey& k) -> int {
    if (k.output >= 0) return k.output;
    auto it = std::find(q.group_by.begin(), q.group_by.end(), k.column);
    const size_t key_index = size_t(it - q.group_by.begin());
    cols.push_back(group_cols[key_index]);
    return int(cols.size() - 1);
  });
  auto schema = std::make_shared<Schema>(std::move(fields));
  bool truncated = false;
  QUIVER_ASSIGN_OR_RETURN(auto batches,
                          OrderAndWindow(schema, cols, q.outputs.size(), groups, keys, window,
                                         plan.options.batch_rows, &truncated));
  return MakeMaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated);
}

}  // namespace quiver::store::internal
