// GROUP BY: per-worker hash tables, merged in parallel by hash partition,
// then ORDER BY / LIMIT on the groups (unless ordered, groups come out in the
// table order of their first row).
#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "kernels/heavy_keys.h"
#include "store/exec_internal.h"
#include "store/query_internal.h"

namespace quiver::store::internal {

using kernels::Mask;
using query::BoundQuery;

namespace {

// The group-by of a bound query: its keys, value columns and aggregates.
struct GroupBySpec {
  GroupKeyPlan keys;  // the tables group by keys.base
  std::vector<DataType> key_types, value_types;
  std::vector<int> value_cols;
  std::vector<kernels::AggregateSpec> specs;
  // Columns of the group-by's result: keys.base, the aggregates, then
  // keys.dependent (computed per group).
  std::vector<int> output_source;                   // per output: its result column
  std::vector<const query::BoundExpr*> agg_filter;  // per aggregate: its FILTER, or null
  bool any_filter = false;

  // The result column of group key `column` (an input field).
  int SourceOfKey(int column) const {
    auto b = std::find(keys.base.begin(), keys.base.end(), column);
    if (b != keys.base.end()) return int(b - keys.base.begin());
    auto d = std::find(keys.dependent.begin(), keys.dependent.end(), column);
    if (d == keys.dependent.end()) return -1;
    return int(keys.base.size() + specs.size()) + int(d - keys.dependent.begin());
  }
  bool IsDependent(int source) const { return source >= int(keys.base.size() + specs.size()); }
};

Result<GroupBySpec> MakeSpec(const Plan& plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.input;
  GroupBySpec g;
  g.keys = PlanGroupKeys(plan);
  for (int c : g.keys.base) g.key_types.push_back(in.field(size_t(c)).type);
  std::map<int, int> value_slot;
  std::vector<size_t> key_outputs;
  for (size_t i = 0; i < q.outputs.size(); ++i) {
    const auto& o = q.outputs[i];
    g.output_source.push_back(-1);
    if (o.agg == query::AggFunc::kNone) {
      key_outputs.push_back(i);
      continue;
    }
    kernels::AggregateSpec s;
    s.kind = ToAggKind(o);
    s.grouped = query::internal::GroupedAggOf(o.agg);
    s.param = o.param;
    s.sep = o.sep;
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
    g.output_source[i] = int(g.keys.base.size() + g.specs.size());
    g.specs.push_back(s);
  }
  for (size_t i : key_outputs) {
    g.output_source[i] = g.SourceOfKey(q.outputs[i].column);
    if (g.output_source[i] < 0) return Status::Internal("ungrouped output " + q.outputs[i].name);
  }
  for (int c : g.value_cols) g.value_types.push_back(in.field(size_t(c)).type);
  return g;
}

// Whether equal groups of a key of type t hold one value each: the key
// table's equality is the values' identity (not for floats, where -0 and 0,
// or NaNs, are one group; dictionaries come out as their value type).
bool GroupIsOneValue(const DataType& t) {
  if (t.is_dictionary()) return false;
  return IsInteger(t.id) || IsSignedIntStorage(t.id) || t.id == TypeId::kBool ||
         t.id == TypeId::kUtf8 || t.id == TypeId::kBinary || t.id == TypeId::kDecimal128;
}

// The key hashes pass 1 of the heavy-keys passes kept (ScanHeavyKeys), by
// morsel (its first row): those of the morsel's WHERE rows, in order.
using KeptHashes = std::map<int64_t, std::vector<uint64_t>>;

// Feeds every morsel of the scan into its worker's table in `states`
// (workers' tables report their growth against the query's memory limit in
// *held). With `first_k` >= 0 (the tables admit at most that many groups), a
// worker whose table is full lowers *end_row to the end of its morsel: no
// later row can start one of the first k groups (GroupByState::FirstGroups).
// With `sketch`, only the rows whose key's bound is at least `threshold`
// are consumed (ScanHeavyKeys), with the key hashes in `hashes` where it
// holds a morsel's.
Status ScanGroups(Plan& plan, const GroupBySpec& g, std::vector<kernels::GroupByState>* states,
                  std::vector<int64_t>* held, int64_t first_k = -1,
                  std::atomic<int64_t>* end_row = nullptr,
                  const kernels::CountSketch* sketch = nullptr, uint64_t threshold = 0,
                  const KeptHashes* hashes = nullptr) {
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
        for (int k : g.keys.base) keys.push_back(c.views[size_t(k)]);
        for (int v : g.value_cols) values.push_back(c.views[size_t(v)]);
        std::optional<Mask> admitted;
        if (sketch != nullptr) {
          const auto kept = hashes ? hashes->find(c.first_row) : KeptHashes::const_iterator();
          admitted = sketch->Admit(keys, c.rows(), m, threshold,
                                   hashes && kept != hashes->end() ? &kept->second : nullptr);
          m = &*admitted;
          if (kernels::CountTrue(*m) == 0) return Status::OK();
        }
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

// ORDER BY COUNT(...) DESC [, ...] LIMIT k (k = OFFSET + LIMIT, at most
// kHeavyMaxK) over at least QueryOptions::heavy_keys_min_rows rows: the
// output index of that count, else -1. COUNT(x), COUNT(DISTINCT x) and a
// filtered count are at most the group's rows, so the sketch's bound holds
// for them too (approx_count_distinct's estimate may exceed the rows).
constexpr int64_t kHeavyMaxK = 1000;
// The fewest rows a worker reads before it judges its sketch.
constexpr int64_t kHeavyProbeRows = int64_t(1) << 16;
int HeavyKeysCount(const Plan& plan) {
  const BoundQuery& q = plan.bound;
  const RowWindow w = WindowFor(q, plan.options);
  if (q.order_by.empty() || w.take < 0 || w.TopRows() > kHeavyMaxK) return -1;
  const query::BoundOrderKey& first = q.order_by[0];
  if (first.output < 0 || !first.descending) return -1;
  const query::AggFunc agg = q.outputs[size_t(first.output)].agg;
  if (agg != query::AggFunc::kCount && agg != query::AggFunc::kCountDistinct) return -1;
  int64_t rows = 0;
  for (size_t c : plan.chunks) rows += plan.ChunkRows(c);
  if (rows < plan.options.heavy_keys_min_rows || rows > kernels::CountSketch::kMaxRows) return -1;
  return first.output;
}

// The most bytes the heavy-keys passes keep from pass 1 for pass 2 (WHERE's
// masks, string keys' hashes): an eighth of the query's memory limit, at
// most 256 MiB. Past it pass 2 evaluates and hashes again, so that the
// passes never make a query fail that one pass would answer.
int64_t HeavyKeptBudget(const Plan& plan) {
  const int64_t cap = int64_t(256) << 20;
  const int64_t limit = plan.memory_use->limit();
  return limit > 0 ? std::min(cap, limit / 8) : cap;
}

// The heavy-keys passes (kernels/heavy_keys.h): pass 1 sketches the count
// of every row's key (WHERE's rows); pass 2 consumes only the rows whose
// key's bound reaches the sketch's threshold for the top k. Returns that
// threshold, which the caller checks against the k-th count; 0 when the
// sketch says a second pass does not pay (CountSketch::HeavyThreshold) and
// pass 2 consumed every row. Each worker judges its own sketch once it has
// read a 32nd of its share of the rows: when it says no, pass 1 stops
// there. `count`: the output the order is by (HeavyKeysCount).
Result<uint64_t> ScanHeavyKeys(Plan& plan, const GroupBySpec& g, int count, int64_t k,
                               int64_t rows, std::vector<kernels::GroupByState>* states,
                               std::vector<int64_t>* held) {
  const size_t workers = states->size();
  std::vector<kernels::CountSketch> sketches(workers);
  const int64_t sketch_bytes = int64_t(workers * sketches[0].memory_bytes());
  QueryMemory& memory = *plan.memory_use;
  QUIVER_RETURN_NOT_OK(memory.Add(sketch_bytes, [] { return "the group keys' count sketches"; }));
  const QueryStats before = plan.stats;
  const int64_t probe = std::max<int64_t>(kHeavyProbeRows, rows / int64_t(workers) / 32);
  std::vector<int64_t> scanned(workers, 0);
  std::vector<uint8_t> judged(workers, 0);
  // String keys cost a hash of their bytes: pass 1's are kept for pass 2
  // (8 bytes a row) while they fit HeavyKeptBudget; integers are hashed
  // again.
  bool strings = false;
  for (const DataType& t : g.key_types) strings = strings || kernels::internal::IsStringKey(t);
  strings = strings && rows * int64_t(sizeof(uint64_t)) <= HeavyKeptBudget(plan);
  KeptHashes kept;
  std::mutex kept_mu;
  // Rows that cost far more than a key probe: a grouped aggregate's own
  // set or list per group (COUNT(DISTINCT), quantiles, ...).
  kernels::CountSketch::Judgement judge;
  for (const kernels::AggregateSpec& a : g.specs) {
    judge.costly = judge.costly || a.grouped != kernels::GroupedAggKind::kNone;
  }
  if (plan.bound.outputs[size_t(count)].agg == query::AggFunc::kCountDistinct) judge.divisor = 4;
  std::atomic<int64_t> kept_bytes{0};
  std::atomic<int64_t> end_row{std::numeric_limits<int64_t>::max()};
  QUIVER_RETURN_NOT_OK(plan.ScanMorsels(
      [&](int w, const Morsel& c, const Mask* m) -> Status {
        kernels::CountSketch& sketch = sketches[size_t(w)];
        scanned[size_t(w)] += c.rows();
        if (!m || kernels::CountTrue(*m) > 0) {
          std::vector<ArrayView> keys;
          for (int key : g.keys.base) keys.push_back(c.views[size_t(key)]);
          if (!strings) {
            sketch.AddRows(keys, c.rows(), m);
          } else {
            std::vector<uint64_t> h;
            sketch.AddRows(keys, c.rows(), m, &h);
            const int64_t bytes = int64_t(h.size() * sizeof(uint64_t));
            QUIVER_RETURN_NOT_OK(memory.Add(bytes, [] { return "the group keys' hashes"; }));
            kept_bytes += bytes;
            std::lock_guard<std::mutex> lock(kept_mu);
            kept.emplace(c.first_row, std::move(h));
          }
        }
        if (!judged[size_t(w)] && scanned[size_t(w)] >= probe) {
          judged[size_t(w)] = 1;
          if (sketch.HeavyThreshold(k, scanned[size_t(w)], judge) == 0) {
            end_row.store(0);
          }
        }
        return Status::OK();
      },
      &end_row));
  uint64_t t = 0;
  if (end_row.load() != 0) {
    int64_t all = 0;
    for (size_t w = 0; w < workers; ++w) all += scanned[w];
    for (size_t w = 1; w < workers; ++w) sketches[0].Merge(sketches[w]);
    judge.final = true;
    t = sketches[0].HeavyThreshold(k, all, judge);
  }
  plan.stats = before;  // the rows of pass 2 are the rows the query scanned
  if (t == 0) {  // pass 1 stopped, or found no few heavy keys
    kept.clear();
    QUIVER_RETURN_NOT_OK(memory.Add(-kept_bytes.exchange(0), [] { return ""; }));
  }
  QUIVER_RETURN_NOT_OK(ScanGroups(plan, g, states, held, -1, nullptr,
                                  t > 0 ? &sketches[0] : nullptr, t, &kept));
  QUIVER_RETURN_NOT_OK(memory.Add(-sketch_bytes - kept_bytes.load(), [] { return ""; }));
  return t;
}

// Whether the heavy-keys pass's result is the answer: the top k groups
// hold k groups and the k-th count (the smallest, column `counts`) is at
// least the threshold, so that no key left out had as many rows.
bool HeavyKeysHold(const ArrayData& counts, int64_t groups, int64_t k, uint64_t threshold) {
  if (groups < k || k <= 0) return false;
  const ArrayView v = counts.View();
  std::vector<int64_t> c(v.data<int64_t>(), v.data<int64_t>() + groups);
  std::nth_element(c.begin(), c.begin() + (k - 1), c.end(), std::greater<int64_t>());
  return c[size_t(k - 1)] >= 0 && uint64_t(c[size_t(k - 1)]) >= threshold;
}

}  // namespace

GroupKeyPlan PlanGroupKeys(const Plan& plan) {
  const BoundQuery& q = plan.bound;
  const int nsf = int(plan.num_source_fields);
  auto reads = [&](int c) {
    std::vector<int> cols;
    if (c >= nsf && size_t(c - nsf) < plan.computed.size() && plan.computed[size_t(c - nsf)]) {
      CollectColumns(*plan.computed[size_t(c - nsf)], &cols);
    }
    return cols;
  };
  auto is_key = [&](int c) {
    return std::find(q.group_by.begin(), q.group_by.end(), c) != q.group_by.end();
  };
  // Candidates: computed keys (not dictionaries) that read only other keys
  // whose groups are single values. A candidate read by another stays a
  // base key (no chains).
  std::vector<int> candidates;
  for (int c : q.group_by) {
    if (c < nsf || plan.input->field(size_t(c)).type.is_dictionary()) continue;
    bool only_keys = true;
    for (int r : reads(c)) {
      only_keys = only_keys && r != c && is_key(r) &&
                  GroupIsOneValue(plan.input->field(size_t(r)).type);
    }
    if (only_keys) candidates.push_back(c);
  }
  GroupKeyPlan keys;
  for (int c : q.group_by) {
    bool dependent = std::find(candidates.begin(), candidates.end(), c) != candidates.end();
    for (int r : reads(c)) {
      dependent = dependent && std::find(candidates.begin(), candidates.end(), r) == candidates.end();
    }
    (dependent ? keys.dependent : keys.base).push_back(c);
  }
  if (keys.base.empty()) {  // constants only: group by them (no rows, no groups)
    keys.base = q.group_by;
    keys.dependent.clear();
  }
  return keys;
}

std::string GroupByDetail(const Plan& plan) {
  const GroupKeyPlan keys = PlanGroupKeys(plan);
  std::string d = std::to_string(keys.base.size()) + " key(s), " +
                  std::to_string(plan.bound.outputs.size()) + " output(s)";
  if (!keys.dependent.empty())
    d += ", " + std::to_string(keys.dependent.size()) + " key(s) computed per group";
  const int64_t k = FirstGroupsLimit(plan.bound, plan.options);
  if (k >= 0) d += ", first " + std::to_string(k) + " groups in table order";
  if (HeavyKeysCount(plan) >= 0) d += ", heavy keys first (count sketch, then exact counts)";
  return d;
}

int64_t FirstGroupsLimit(const BoundQuery& q, const QueryOptions& o) {
  const RowWindow w = WindowFor(q, o);
  if (!q.order_by.empty() || w.take < 0) return -1;
  return w.skip + w.take + (w.cap_is_max_rows ? 1 : 0);  // one more: was it cut?
}

namespace {

// Dependent keys read nothing per row (unless WHERE, an aggregate or another
// computed column reads them): their computed columns are not evaluated.
void SkipDependentKeys(Plan* plan, const GroupBySpec& g) {
  const int nsf = int(plan->num_source_fields);
  std::vector<bool> skip(plan->computed.size(), false);
  for (int c : g.keys.dependent) {
    if (c >= nsf) skip[size_t(c - nsf)] = true;
  }
  std::vector<int> read;
  const BoundQuery& q = plan->bound;
  if (q.where) CollectColumns(*q.where, &read);
  for (const auto& o : q.outputs) {
    if (o.agg != query::AggFunc::kNone) read.push_back(o.column);
    if (o.filter) CollectColumns(*o.filter, &read);
  }
  for (size_t i = 0; i < plan->computed.size(); ++i) {
    if (!skip[i] && plan->computed[i]) CollectColumns(*plan->computed[i], &read);
  }
  for (int c : read) {
    if (c >= nsf && size_t(c - nsf) < skip.size()) skip[size_t(c - nsf)] = false;
  }
  plan->skip_computed = std::move(skip);
}

// The dependent keys' columns for `rows` groups whose base keys are `base`
// (keys.base order): each expression evaluated once per group.
Result<std::vector<std::shared_ptr<ArrayData>>> DependentColumns(
    const Plan& plan, const GroupBySpec& g, const std::vector<std::shared_ptr<ArrayData>>& base,
    int64_t rows) {
  std::vector<ArrayView> views(plan.input->num_fields());
  for (size_t i = 0; i < g.keys.base.size(); ++i) views[size_t(g.keys.base[i])] = base[i]->View();
  std::vector<std::shared_ptr<ArrayData>> out;
  for (int c : g.keys.dependent) {
    const query::BoundExpr& e = *plan.computed[size_t(c) - plan.num_source_fields];
    QUIVER_ASSIGN_OR_RETURN(auto col, EvalColumn(e, views, rows));
    out.push_back(std::move(col));
  }
  return out;
}

// Whether no dependent key can fail on any group (CannotFail: a constant,
// as ClickBench's GROUP BY 1, URL, or ClientIP - 1 as int64 in its Q36):
// then evaluating them for the groups the top-k keeps is enough.
bool KeysCannotFail(const Plan& plan, const GroupBySpec& g) {
  const size_t nsf = plan.num_source_fields;
  for (int c : g.keys.dependent) {
    if (size_t(c) < nsf || !CannotFail(*plan.computed[size_t(c) - nsf])) return false;
  }
  return true;
}

// Merges the workers' tables into the result columns (GroupBySpec's order),
// with ORDER BY ... LIMIT pushed into the group-by: it builds every column
// only for the groups the top-k keeps (the order and window then run on
// those). Dependent keys that may fail are evaluated for every group even
// then, so that they fail (overflow) where a per-row evaluation would.
Result<std::vector<std::shared_ptr<ArrayData>>> FinalizeGroups(
    const Plan& plan, const GroupBySpec& g, std::vector<kernels::GroupByState>* states,
    int64_t scanned_bytes, int64_t* groups) {
  const BoundQuery& q = plan.bound;
  const RowWindow window = WindowFor(q, plan.options);
  const kernels::GroupByState::Runner run = TaskRunner(plan.threads, plan.options.cancel);
  std::optional<kernels::GroupByState::OutputLimit> limit;
  std::vector<std::shared_ptr<ArrayData>> every_group;  // limit->columns of every group
  if (!q.order_by.empty() && window.take >= 0) {
    limit.emplace();
    limit->k = window.TopRows();
    limit->keys = SortKeysFor(q, [&](const query::BoundOrderKey& k) -> int {
      const int source = k.output >= 0 ? g.output_source[size_t(k.output)] : g.SourceOfKey(k.column);
      limit->columns.push_back(size_t(source));
      return int(limit->columns.size() - 1);
    });
    bool reads_dependent = false;
    for (size_t c : limit->columns) reads_dependent = reads_dependent || g.IsDependent(int(c));
    if (reads_dependent) {
      limit.reset();  // the order needs the dependent keys of every group
    } else if (!KeysCannotFail(plan, g)) {
      for (size_t b = 0; b < g.keys.base.size(); ++b) limit->columns.push_back(b);
      limit->built = &every_group;
    }
  }
  int64_t merged_bytes = 0;
  Result<std::vector<std::shared_ptr<ArrayData>>> fin = kernels::GroupByState::FinalizeAll(
      states, run, groups, &merged_bytes, limit ? &*limit : nullptr);
  if (!fin.ok()) {
    if (fin.status().code() == StatusCode::kOverflow) {
      return Status::Overflow("a SUM does not fit in its result type: " + fin.status().message());
    }
    return fin.status();
  }
  std::vector<std::shared_ptr<ArrayData>> cols = std::move(*fin);
  if (!g.keys.dependent.empty()) {
    if (!every_group.empty()) {  // the top-k kept some groups: check them all
      const std::vector<std::shared_ptr<ArrayData>> base(every_group.end() - g.keys.base.size(),
                                                         every_group.end());
      QUIVER_RETURN_NOT_OK(DependentColumns(plan, g, base, base[0]->length));
    }
    QUIVER_ASSIGN_OR_RETURN(auto dep, DependentColumns(plan, g, cols, *groups));
    for (auto& c : dep) cols.push_back(std::move(c));
  }
  int64_t result_bytes = 0;
  for (const auto& col : cols) {
    for (const auto& buf : col->buffers) result_bytes += buf ? buf->size() : 0;
  }
  // The partial tables are gone; the merged ones were alive with the result.
  QUIVER_RETURN_NOT_OK(plan.memory_use->Add(merged_bytes + result_bytes - scanned_bytes, [&] {
    return "the merged group-by tables and the result (" + std::to_string(*groups) + " groups)";
  }));
  return cols;
}

}  // namespace

// GROUP BY: per-worker hash tables, merged, then ORDER BY / LIMIT on groups.
Result<std::unique_ptr<QueryCursor>> RunGroupBy(Plan plan) {
  const BoundQuery& q = plan.bound;
  QUIVER_ASSIGN_OR_RETURN(const GroupBySpec g, MakeSpec(plan));
  SkipDependentKeys(&plan, g);
  const int workers = plan.Workers();
  // Each worker's share of the rows, for tables that fill fast to size
  // themselves once.
  int64_t rows = 0;
  for (size_t c : plan.chunks) rows += plan.ChunkRows(c);
  std::vector<kernels::GroupByState> states;
  std::vector<int64_t> held(size_t(workers), 0);
  auto make_states = [&]() -> Status {
    states.clear();
    for (int w = 0; w < workers; ++w) {
      QUIVER_ASSIGN_OR_RETURN(auto s,
                              kernels::GroupByState::Make(g.key_types, g.value_types, g.specs));
      s.ExpectRows(rows / workers + 1);
      states.push_back(std::move(s));
    }
    return Status::OK();
  };
  QUIVER_RETURN_NOT_OK(make_states());
  const int64_t first_k = FirstGroupsLimit(q, plan.options);
  const int heavy = first_k < 0 ? HeavyKeysCount(plan) : -1;
  const int64_t heavy_k = WindowFor(q, plan.options).TopRows();
  uint64_t threshold = 0;
  // The heavy-keys passes and their fallback scan the rows up to three
  // times: WHERE is evaluated once (a bit per row kept).
  std::vector<Plan::KeptFilter> kept;
  if (heavy >= 0 && q.where != nullptr && rows / 8 <= HeavyKeptBudget(plan)) {
    QUIVER_RETURN_NOT_OK(plan.memory_use->Add(rows / 8, [] { return "WHERE's kept masks"; }));
    plan.kept_filters = &kept;
  }
  const int64_t base_use = plan.memory_use->used();
  if (first_k >= 0) {
    QUIVER_RETURN_NOT_OK(ScanFirstGroups(plan, g, first_k, &states, &held));
  } else if (heavy >= 0) {
    QUIVER_ASSIGN_OR_RETURN(threshold, ScanHeavyKeys(plan, g, heavy, heavy_k, rows, &states, &held));
  } else {
    QUIVER_RETURN_NOT_OK(ScanGroups(plan, g, &states, &held));
  }
  int64_t scanned_bytes = 0;
  for (int64_t b : held) scanned_bytes += b;
  int64_t groups = 0;
  QUIVER_ASSIGN_OR_RETURN(std::vector<std::shared_ptr<ArrayData>> group_cols,
                          FinalizeGroups(plan, g, &states, scanned_bytes, &groups));
  if (threshold > 0 &&
      !HeavyKeysHold(*group_cols[size_t(g.output_source[size_t(heavy)])], groups, heavy_k,
                     threshold)) {
    // Fewer than k keys reached the threshold: count every key.
    group_cols.clear();
    QUIVER_RETURN_NOT_OK(
        plan.memory_use->Add(base_use - plan.memory_use->used(), [] { return ""; }));
    QUIVER_RETURN_NOT_OK(make_states());
    std::fill(held.begin(), held.end(), 0);
    const QueryStats before = plan.stats;
    QUIVER_RETURN_NOT_OK(ScanGroups(plan, g, &states, &held));
    plan.stats = before;
    scanned_bytes = 0;
    for (int64_t b : held) scanned_bytes += b;
    QUIVER_ASSIGN_OR_RETURN(group_cols, FinalizeGroups(plan, g, &states, scanned_bytes, &groups));
  }
  plan.kept_filters = nullptr;
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
    cols.push_back(group_cols[size_t(g.SourceOfKey(k.column))]);
    return int(cols.size() - 1);
  });
  auto schema = std::make_shared<Schema>(std::move(fields));
  bool truncated = false;
  QUIVER_ASSIGN_OR_RETURN(auto batches,
                          OrderAndWindow(schema, cols, q.outputs.size(), groups, keys,
                                         WindowFor(q, plan.options), plan.options.batch_rows,
                                         &truncated));
  return MakeMaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated);
}

}  // namespace quiver::store::internal
