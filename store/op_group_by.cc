// GROUP BY: per-worker hash tables, merged in parallel by hash partition,
// then ORDER BY / LIMIT on the groups (unless ordered, groups come out in the
// table order of their first row).
#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "store/exec_internal.h"
#include "store/query_internal.h"

namespace quiver::store::internal {

using kernels::Mask;
using query::BoundQuery;

namespace {

// The group-by of a bound query: its keys, value columns and aggregates.
struct GroupBySpec {
  std::vector<DataType> key_types, value_types;
  std::vector<int> value_cols;
  std::vector<kernels::AggregateSpec> specs;
  std::vector<int> output_source;                   // per output: key index, or nkeys + agg index
  std::vector<const query::BoundExpr*> agg_filter;  // per aggregate: its FILTER, or null
  bool any_filter = false;
};

Result<GroupBySpec> MakeSpec(const BoundQuery& q, const Schema& in) {
  GroupBySpec g;
  for (int c : q.group_by) g.key_types.push_back(in.field(size_t(c)).type);
  std::map<int, int> value_slot;
  for (const auto& o : q.outputs) {
    if (o.agg == query::AggFunc::kNone) {
      auto it = std::find(q.group_by.begin(), q.group_by.end(), o.column);
      if (it == q.group_by.end()) return Status::Internal("ungrouped output " + o.name);
      g.output_source.push_back(int(it - q.group_by.begin()));
      continue;
    }
    kernels::AggregateSpec s;
    s.kind = ToAggKind(o);
    s.grouped = query::internal::GroupedAggOf(o.agg);
    s.param = o.param;
    s.filtered = o.filter != nullptr;
    g.agg_filter.push_back(o.filter.get());
    g.any_filter = g.any_filter || o.filter != nullptr;
    if (o.column >= 0) {
      if (!value_slot.count(o.column)) {
        value_slot[o.column] = int(g.value_cols.size());
        g.value_cols.push_back(o.column);
      }
      s.value = value_slot[o.column];
    }
    g.output_source.push_back(int(q.group_by.size() + g.specs.size()));
    g.specs.push_back(s);
  }
  for (int c : g.value_cols) g.value_types.push_back(in.field(size_t(c)).type);
  return g;
}

// Feeds every morsel of the scan into its worker's table in `states`
// (workers' tables report their growth against the query's memory limit in
// *held). With `first_k` >= 0 (the tables admit at most that many groups), a
// worker whose table is full lowers *end_row to the end of its morsel: no
// later row can start one of the first k groups (GroupByState::FirstGroups).
Status ScanGroups(Plan& plan, const GroupBySpec& g, std::vector<kernels::GroupByState>* states,
                  std::vector<int64_t>* held, int64_t first_k = -1,
                  std::atomic<int64_t>* end_row = nullptr) {
  const BoundQuery& q = plan.bound;
  QueryMemory& memory = *plan.memory_use;
  auto tables = [states] {
    int64_t groups = 0;
    for (const auto& s : *states) groups += s.num_groups();
    return "the group-by hash tables (about " + std::to_string(groups) + " groups so far)";
  };
  return plan.ScanMorsels(
      [&](int w, const Morsel& c, const Mask* m) -> Status {
        if (m && kernels::CountTrue(*m) == 0) return Status::OK();
        std::vector<ArrayView> keys, values;
        for (int k : q.group_by) keys.push_back(c.views[size_t(k)]);
        for (int v : g.value_cols) values.push_back(c.views[size_t(v)]);
        kernels::GroupByState& state = (*states)[size_t(w)];
        if (!g.any_filter) {
          QUIVER_RETURN_NOT_OK(state.Consume(keys, values, m, c.first_row));
        } else {
          // FILTER (WHERE ...): each aggregate's own rows (Consume keeps them
          // within WHERE's). One mask per distinct condition.
          std::map<const query::BoundExpr*, Mask> masks;
          std::vector<const Mask*> agg_masks(g.agg_filter.size(), nullptr);
          for (size_t a = 0; a < g.agg_filter.size(); ++a) {
            const query::BoundExpr* f = g.agg_filter[a];
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
        if (end_row != nullptr && state.num_groups() >= first_k) {
          const int64_t end = c.first_row + c.rows();
          int64_t cur = end_row->load();
          while (end < cur && !end_row->compare_exchange_weak(cur, end)) {
          }
        }
        // The table's growth (grouped states included) against the memory limit.
        const int64_t bytes = state.memory_bytes();
        const int64_t delta = bytes - (*held)[size_t(w)];
        (*held)[size_t(w)] = bytes;
        return memory.Add(delta, tables);
      },
      end_row);
}

// GROUP BY ... LIMIT k without ORDER BY: any k groups will do, each with its
// full aggregates; these are the first k groups in table order (those a full
// group-by would put first). Pass 1: each worker's table admits at most k
// groups, and the scan stops early once some worker's table is full (later
// rows cannot start one of the first k). One worker, or no row left out:
// pass 1's tables are the answer. Otherwise FirstGroups picks the first k
// groups and pass 2 scans again with tables holding just those keys and
// admitting no other (rows of other keys are skipped after one probe of a
// tiny table), so each of the k groups gets every row of its own.
Status ScanFirstGroups(Plan& plan, const GroupBySpec& g, int64_t k,
                       std::vector<kernels::GroupByState>* states, std::vector<int64_t>* held) {
  for (auto& s : *states) s.AdmitAtMost(k);
  const bool one = states->size() == 1;
  std::atomic<int64_t> end_row{std::numeric_limits<int64_t>::max()};
  const QueryStats before = plan.stats;
  QUIVER_RETURN_NOT_OK(ScanGroups(plan, g, states, held, k, one ? nullptr : &end_row));
  bool complete = end_row.load() == std::numeric_limits<int64_t>::max();
  for (const auto& s : *states) complete = complete && s.rows_skipped() == 0;
  complete = complete || one;
  if (complete) return Status::OK();
  QUIVER_ASSIGN_OR_RETURN(kernels::GroupByState keys,
                          kernels::GroupByState::FirstGroups(states, k));
  for (size_t w = 0; w < held->size(); ++w) states->push_back(keys.KeysOnly());
  int64_t released = 0;
  for (int64_t& b : *held) released -= std::exchange(b, 0);
  QUIVER_RETURN_NOT_OK(plan.memory_use->Add(released, [] { return ""; }));
  plan.stats = before;  // the rows of pass 2 are the rows the query scanned
  return ScanGroups(plan, g, states, held);
}

}  // namespace

int64_t FirstGroupsLimit(const BoundQuery& q, const QueryOptions& o) {
  const RowWindow w = WindowFor(q, o);
  if (!q.order_by.empty() || w.take < 0) return -1;
  return w.skip + w.take + (w.cap_is_max_rows ? 1 : 0);  // one more: was it cut?
}

// GROUP BY: per-worker hash tables, merged, then ORDER BY / LIMIT on groups.
Result<std::unique_ptr<QueryCursor>> RunGroupBy(Plan plan) {
  const BoundQuery& q = plan.bound;
  QUIVER_ASSIGN_OR_RETURN(const GroupBySpec g, MakeSpec(q, *plan.input));
  const int workers = plan.Workers();
  std::vector<kernels::GroupByState> states;
  for (int w = 0; w < workers; ++w) {
    QUIVER_ASSIGN_OR_RETURN(auto s,
                            kernels::GroupByState::Make(g.key_types, g.value_types, g.specs));
    states.push_back(std::move(s));
  }
  QueryMemory& memory = *plan.memory_use;
  std::vector<int64_t> held(size_t(workers), 0);
  const RowWindow window = WindowFor(q, plan.options);
  const int64_t first_k = FirstGroupsLimit(q, plan.options);
  if (first_k >= 0) {
    QUIVER_RETURN_NOT_OK(ScanFirstGroups(plan, g, first_k, &states, &held));
  } else {
    QUIVER_RETURN_NOT_OK(ScanGroups(plan, g, &states, &held));
  }
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
  std::optional<kernels::GroupByState::OutputLimit> limit;
  if (!q.order_by.empty() && window.take >= 0) {
    limit.emplace();
    limit->k = window.skip + window.take + (window.cap_is_max_rows ? 1 : 0);
    limit->keys = SortKeysFor(q, [&](const query::BoundOrderKey& k) -> int {
      size_t source;
      if (k.output >= 0) {
        source = size_t(g.output_source[size_t(k.output)]);
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
    auto a = group_cols[size_t(g.output_source[i])];
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
