// ORDER BY: the ordering of materialised columns (a top-k with a LIMIT, else a
// stable sort) shared by every materialising operator, and ORDER BY on a plain
// projection.
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include "columnar/builder.h"
#include "store/exec_internal.h"

namespace quiver::store::internal {

using kernels::Mask;
using query::BoundQuery;

std::vector<kernels::SortKey> SortKeysFor(
    const BoundQuery& q, const std::function<int(const query::BoundOrderKey&)>& col) {
  std::vector<kernels::SortKey> keys;
  for (const auto& k : q.order_by) {
    kernels::SortKey s;
    s.column = col(k);
    s.descending = k.descending;
    s.nulls_first = k.nulls_first;
    keys.push_back(s);
  }
  return keys;
}

// Orders (and windows) materialised columns; returns the output batches.
Result<std::vector<RecordBatch>> OrderAndWindow(const std::shared_ptr<const Schema>& schema,
                                                const std::vector<std::shared_ptr<ArrayData>>& cols,
                                                size_t num_outputs, int64_t rows,
                                                const std::vector<kernels::SortKey>& keys,
                                                const RowWindow& window, int64_t batch_rows,
                                                bool* truncated) {
  const ColumnViews column_views(cols);
  const std::vector<ArrayView>& views = column_views.views();
  SelectionVector order;
  if (!keys.empty()) {
    if (window.take >= 0) {
      QUIVER_ASSIGN_OR_RETURN(order, kernels::TopK(views, keys, window.TopRows()));
    } else {
      QUIVER_ASSIGN_OR_RETURN(order, kernels::SortIndices(views, keys));
    }
  } else {
    order.resize(size_t(rows));
    for (int64_t i = 0; i < rows; ++i) order[size_t(i)] = int32_t(i);
  }
  SelectionVector picked = ApplyWindow(order, window, truncated);
  const bool identity =
      int64_t(picked.size()) == rows &&
      (picked.empty() || (picked.front() == 0 && std::is_sorted(picked.begin(), picked.end())));
  std::vector<std::shared_ptr<ArrayData>> out;
  for (size_t i = 0; i < num_outputs; ++i) {
    if (identity) {
      out.push_back(cols[i]);
    } else {
      QUIVER_ASSIGN_OR_RETURN(auto a, kernels::Take(views[i], picked, cols[i]->dictionary));
      out.push_back(std::move(a));
    }
  }
  return ToBatches(schema, std::move(out), int64_t(picked.size()), batch_rows);
}

namespace {

// Whether a first sort key of type t gets a running bound (TopKBound).
// Not strings: comparing every row's bytes with the bound cost more than it
// saved (ClickBench Q26, `WHERE s <> '' ORDER BY s LIMIT 10`, took twice as
// long).
bool BoundedKeyType(const DataType& t) {
  if (t.is_dictionary()) return false;
  return IsInteger(t.id) || t.id == TypeId::kDate32 || t.id == TypeId::kTimestamp;
}

// The running bound of a top-k (ORDER BY ... LIMIT) whose first key is a
// column of integers, dates or timestamps. Once one chunk
// has k rows that pass the WHERE, a row whose first key orders after the
// k-th of them can be in no result: the k rows come first. Later chunks then
// run the WHERE only on the rows within the bound; those ordered equal to it
// stay (ties are decided by table order, after). So `WHERE URL LIKE '%x%'
// ORDER BY EventTime LIMIT 10` matches URLs only on the few rows with an
// early enough time, once one chunk has given ten. DuckDB's top-N filter
// pushdown does the same. Shared by the chunk workers.
class TopKBound {
 public:
  TopKBound(const kernels::SortKey& key, const DataType& type, int64_t k)
      : key_(key), k_(k), enabled_(k > 0 && BoundedKeyType(type)) {}

  // The rows of first-key column `v` within the bound (NULL keys too when
  // they order first); nullopt while there is no bound.
  Result<std::optional<Mask>> Within(const ArrayView& v) const {
    if (!enabled_) return std::optional<Mask>();
    std::optional<kernels::Scalar> b;
    {
      std::lock_guard<std::mutex> g(mu_);
      b = bound_;
    }
    if (!b) return std::optional<Mask>();
    QUIVER_ASSIGN_OR_RETURN(
        Mask m, kernels::Compare(v, key_.descending ? kernels::CompareOp::kGe : kernels::CompareOp::kLe, *b));
    if (key_.nulls_first) {
      QUIVER_ASSIGN_OR_RETURN(m, kernels::Or(m, kernels::IsNull(v)));
    }
    return std::optional<Mask>(std::move(m));
  }

  // Offers a chunk's k first rows `top` (exactly k_, any order) of
  // first-key column `v`: the last of them in the ORDER BY bounds the result.
  void Offer(const ArrayView& v, const SelectionVector& top) {
    if (!enabled_ || int64_t(top.size()) != k_) return;
    std::optional<kernels::Scalar> last;  // the last non-NULL key in the order
    bool any_null = false;
    const kernels::CompareOp later = key_.descending ? kernels::CompareOp::kLt : kernels::CompareOp::kGt;
    for (int32_t r : top) {
      kernels::Scalar x = kernels::ValueAt(v, r);
      if (x.is_null()) {
        any_null = true;
      } else if (!last || CompareValues(x, later, *last).value_or(false)) {
        last = std::move(x);
      }
    }
    // NULLs ordered last among the k: the k-th is NULL, which bounds nothing.
    if (!last || (any_null && !key_.nulls_first)) return;
    std::lock_guard<std::mutex> g(mu_);
    if (!bound_ || CompareValues(*last, later, *bound_) == false) bound_ = std::move(last);
  }

 private:
  kernels::SortKey key_;
  int64_t k_;
  bool enabled_;
  mutable std::mutex mu_;
  std::optional<kernels::Scalar> bound_;
};

// The columns a sorted projection reads: the outputs' then order-only ones
// (`needed`, input columns), the output slots into it, and the sort keys
// with their columns as slots of `needed`.
struct SortedColumns {
  std::vector<int> needed;
  std::vector<size_t> out_slots;
  std::vector<kernels::SortKey> keys;

  explicit SortedColumns(const BoundQuery& q) {
    std::map<int, size_t> slot;
    auto need = [&](int c) {
      if (slot.count(c)) return slot[c];
      slot[c] = needed.size();
      needed.push_back(c);
      return needed.size() - 1;
    };
    for (const auto& o : q.outputs) out_slots.push_back(need(o.column));
    keys = SortKeysFor(q, [&](const query::BoundOrderKey& k) {
      return int(need(k.output >= 0 ? q.outputs[size_t(k.output)].column : k.column));
    });
  }
};

// The rows of a chunk that pass the WHERE, in table order: with a LIMIT
// (k >= 0), the chunk's k first in the ORDER BY, within and then offered to
// the running bound.
Result<SelectionVector> ChunkSurvivors(const Plan& plan, ChunkColumns* c, const SortedColumns& sc,
                                       int64_t k, TopKBound* bound) {
  const int first_key = sc.keys.empty() ? -1 : sc.needed[size_t(sc.keys[0].column)];
  std::optional<Mask> m;
  if (first_key >= 0 && c->views[size_t(first_key)].type != nullptr) {
    QUIVER_ASSIGN_OR_RETURN(m, bound->Within(c->views[size_t(first_key)]));
  }
  if (m) {
    QUIVER_ASSIGN_OR_RETURN(m, plan.FilterWithin(*c, *m));
  } else {
    QUIVER_ASSIGN_OR_RETURN(m, plan.Filter(*c));
  }
  QUIVER_RETURN_NOT_OK(plan.Complete(c, m ? &*m : nullptr));
  SelectionVector sel;
  if (m) {
    sel = kernels::ToSelection(*m);
  } else {
    sel.resize(size_t(c->rows()));
    for (int64_t r = 0; r < c->rows(); ++r) sel[size_t(r)] = int32_t(r);
  }
  if (sel.empty() || k < 0) return sel;
  if (int64_t(sel.size()) > k) {
    std::vector<ArrayView> views;
    for (int col : sc.needed) views.push_back(c->views[size_t(col)]);
    std::vector<kernels::SortKey> local = sc.keys;
    QUIVER_ASSIGN_OR_RETURN(sel, kernels::TopK(views, local, k, &sel));
    // Keep table order among the survivors so that ties stay stable.
    std::sort(sel.begin(), sel.end());
  }
  if (int64_t(sel.size()) == k) bound->Offer(c->views[size_t(first_key)], sel);
  return sel;
}

// The pieces of one column, concatenated (an empty column of its result type
// when there are none).
Result<std::shared_ptr<ArrayData>> ConcatPieces(const DataType& t,
                                                const std::vector<std::shared_ptr<ArrayData>>& pieces) {
  if (pieces.empty()) {
    ArrayBuilder b(ResultType(t));
    return b.Finish();
  }
  return Concat(t, pieces);
}

// Where a top-k candidate came from: its chunk (index into plan.chunks) and
// row.
struct Origin {
  size_t chunk;
  int32_t row;
};

// The output columns of rows `picked` (in that order) of the candidates
// `from`, each row read from its chunk: a top-k's result, late materialised.
Result<std::vector<std::shared_ptr<ArrayData>>> GatherPicked(const Plan& plan, const SortedColumns& sc,
                                                             const std::vector<Origin>& from,
                                                             const SelectionVector& picked) {
  std::map<size_t, std::vector<std::pair<int32_t, size_t>>> by_chunk;  // (row, place in picked)
  for (size_t j = 0; j < picked.size(); ++j) {
    const Origin& o = from[size_t(picked[j])];
    by_chunk[o.chunk].push_back({o.row, j});
  }
  std::vector<size_t> cols;
  for (size_t s : sc.out_slots) cols.push_back(size_t(sc.needed[s]));
  std::sort(cols.begin(), cols.end());
  cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  std::vector<std::vector<std::shared_ptr<ArrayData>>> pieces(sc.out_slots.size());
  SelectionVector place(picked.size());  // row j of the result in the concatenation
  int32_t at = 0;
  for (const auto& [chunk, rows] : by_chunk) {
    QUIVER_ASSIGN_OR_RETURN(ChunkColumns c, plan.ReadColumns(plan.chunks[chunk], cols));
    SelectionVector take;
    for (const auto& [row, j] : rows) {
      take.push_back(row);
      place[j] = at++;
    }
    for (size_t o = 0; o < sc.out_slots.size(); ++o) {
      const int col = sc.needed[sc.out_slots[o]];
      QUIVER_ASSIGN_OR_RETURN(auto a, kernels::Take(c.views[size_t(col)], take,
                                                    c.batch.columns[size_t(col)]->dictionary));
      pieces[o].push_back(std::move(a));
    }
  }
  std::vector<std::shared_ptr<ArrayData>> out;
  for (size_t o = 0; o < sc.out_slots.size(); ++o) {
    const int col = sc.needed[sc.out_slots[o]];
    QUIVER_ASSIGN_OR_RETURN(auto all, ConcatPieces(plan.input->field(size_t(col)).type, pieces[o]));
    const ColumnViews v(std::vector<std::shared_ptr<ArrayData>>{all});
    QUIVER_ASSIGN_OR_RETURN(auto a, kernels::Take(v.views()[0], place, all->dictionary));
    out.push_back(std::move(a));
  }
  return out;
}

// A top-k that reads only the WHERE's and the sort keys' columns of every
// chunk, keeps each chunk's candidates by their keys and origin, orders
// those, and reads the other output columns of the chosen rows alone:
// `SELECT * ... ORDER BY t LIMIT 10` reads 10 rows' worth of the other
// columns, not every survivor's of every chunk.
Result<std::unique_ptr<QueryCursor>> RunTopKLate(Plan plan, const SortedColumns& sc,
                                                const RowWindow& window, int64_t k,
                                                const std::vector<size_t>& first_columns) {
  const BoundQuery& q = plan.bound;
  const size_t n = plan.chunks.size();
  const int first_key = sc.needed[size_t(sc.keys[0].column)];
  TopKBound bound(sc.keys[0], plan.input->field(size_t(first_key)).type, k);
  std::vector<std::vector<std::shared_ptr<ArrayData>>> parts(n);  // per chunk, per key
  std::vector<SelectionVector> kept(n);
  std::vector<int64_t> scanned(n, 0);
  QUIVER_RETURN_NOT_OK(
      ParallelFor(int64_t(n), plan.threads, plan.options.cancel, [&](int, int64_t i) -> Status {
        QUIVER_ASSIGN_OR_RETURN(ChunkColumns c, plan.ReadColumns(plan.chunks[size_t(i)], first_columns));
        scanned[size_t(i)] = c.rows();
        QUIVER_ASSIGN_OR_RETURN(SelectionVector sel, ChunkSurvivors(plan, &c, sc, k, &bound));
        if (sel.empty()) return Status::OK();
        int64_t bytes = int64_t(sel.size()) * int64_t(sizeof(Origin));
        for (const kernels::SortKey& key : sc.keys) {
          const int col = sc.needed[size_t(key.column)];
          QUIVER_ASSIGN_OR_RETURN(auto a, kernels::Take(c.views[size_t(col)], sel,
                                                        c.batch.columns[size_t(col)]->dictionary));
          for (const auto& b : a->buffers) bytes += b ? b->size() : 0;
          parts[size_t(i)].push_back(std::move(a));
        }
        kept[size_t(i)] = std::move(sel);
        return plan.memory_use->Add(2 * bytes, [] { return std::string("the top-k candidates of ORDER BY"); });
      }));
  plan.CountScanned(scanned);

  std::vector<Origin> from;
  std::vector<std::shared_ptr<ArrayData>> key_cols;
  std::vector<kernels::SortKey> keys = sc.keys;
  for (size_t j = 0; j < keys.size(); ++j) {
    std::vector<std::shared_ptr<ArrayData>> pieces;
    for (const auto& p : parts) {
      if (!p.empty()) pieces.push_back(p[j]);
    }
    const int col = sc.needed[size_t(keys[j].column)];
    QUIVER_ASSIGN_OR_RETURN(auto all, ConcatPieces(plan.input->field(size_t(col)).type, pieces));
    key_cols.push_back(std::move(all));
    keys[j].column = int(j);
  }
  for (size_t i = 0; i < n; ++i) {
    for (int32_t r : kept[i]) from.push_back(Origin{i, r});
  }
  const ColumnViews key_views(key_cols);
  QUIVER_ASSIGN_OR_RETURN(SelectionVector order, kernels::TopK(key_views.views(), keys, k));
  bool truncated = false;
  const SelectionVector picked = ApplyWindow(order, window, &truncated);
  QUIVER_ASSIGN_OR_RETURN(auto out, GatherPicked(plan, sc, from, picked));
  auto schema = ProjectionSchema(q, *plan.input);
  QUIVER_ASSIGN_OR_RETURN(auto batches,
                          ToBatches(schema, std::move(out), int64_t(picked.size()), plan.options.batch_rows));
  return MakeMaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated);
}

// The columns a late top-k reads of every chunk (the WHERE's and the sort
// keys'), or nothing when that is every column the query reads (or the plan
// has computed columns or an in-memory source, which ReadColumns does not
// serve).
std::vector<size_t> LateTopKColumns(const Plan& plan, const SortedColumns& sc, int64_t k) {
  if (k < 0 || sc.keys.empty() || plan.memory || !plan.computed.empty()) return {};
  std::vector<int> cols;
  if (plan.bound.where) CollectColumns(*plan.bound.where, &cols);
  for (const kernels::SortKey& key : sc.keys) cols.push_back(sc.needed[size_t(key.column)]);
  std::sort(cols.begin(), cols.end());
  cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  // plan.columns: the outputs', the ORDER BY's and the WHERE's (ColumnsRead).
  if (cols.size() >= plan.columns.size()) return {};
  return std::vector<size_t>(cols.begin(), cols.end());
}
std::vector<size_t> LateTopKColumns(const Plan& plan) {
  return LateTopKColumns(plan, SortedColumns(plan.bound), WindowFor(plan.bound, plan.options).TopRows());
}

}  // namespace

std::string TopKDetail(const Plan& plan) {
  const SortedColumns sc(plan.bound);
  const int64_t k = WindowFor(plan.bound, plan.options).TopRows();
  if (k < 0 || sc.keys.empty()) return "";
  std::string out;
  const Field& first = plan.input->field(size_t(sc.needed[size_t(sc.keys[0].column)]));
  if (BoundedKeyType(first.type)) {
    out += "; once a chunk has " + std::to_string(k) + " rows, rows ordered after them by " +
           first.name + " are dropped before the filter";
  }
  const std::vector<size_t> late = LateTopKColumns(plan);
  if (!late.empty()) {
    out += "; reads";
    for (size_t c : late) out += " " + plan.input->field(c).name;
    out += " of every chunk, the other columns of the chosen rows only";
  }
  return out;
}

std::vector<size_t> SortedColumnsOfEveryChunk(const Plan& plan) {
  const std::vector<size_t> late = LateTopKColumns(plan);
  return late.empty() ? plan.columns : late;
}

// ORDER BY on a plain projection: gather the selected rows (top-k per chunk
// with a LIMIT, within the running TopKBound), concatenate, order, window.
// A top-k that needs other columns than its keys and WHERE reads those of
// the chosen rows alone (RunTopKLate).
Result<std::unique_ptr<QueryCursor>> RunSorted(Plan plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.input;
  const SortedColumns sc(q);
  const std::vector<int>& needed = sc.needed;
  const RowWindow window = WindowFor(q, plan.options);
  const int64_t per_chunk_k = window.TopRows();
  const std::vector<size_t> late = LateTopKColumns(plan, sc, per_chunk_k);
  if (!late.empty()) return RunTopKLate(std::move(plan), sc, window, per_chunk_k, late);

  const size_t n = plan.chunks.size();
  std::vector<std::vector<std::shared_ptr<ArrayData>>> parts(n);
  std::vector<int64_t> scanned(n, 0);
  const int first_key = sc.keys.empty() ? -1 : needed[size_t(sc.keys[0].column)];
  TopKBound bound(sc.keys.empty() ? kernels::SortKey{} : sc.keys[0],
                  first_key < 0 ? DataType() : in.field(size_t(first_key)).type, per_chunk_k);
  QUIVER_RETURN_NOT_OK(
      ParallelFor(int64_t(n), plan.threads, plan.options.cancel, [&](int, int64_t i) -> Status {
        QUIVER_ASSIGN_OR_RETURN(ChunkColumns c, plan.Read(plan.chunks[size_t(i)]));
        scanned[size_t(i)] = c.rows();
        QUIVER_ASSIGN_OR_RETURN(SelectionVector sel, ChunkSurvivors(plan, &c, sc, per_chunk_k, &bound));
        if (sel.empty()) return Status::OK();
        int64_t bytes = 0;
        for (int col : needed) {
          QUIVER_ASSIGN_OR_RETURN(auto a, kernels::Take(c.views[size_t(col)], sel,
                                                        c.batch.columns[size_t(col)]->dictionary));
          for (const auto& b : a->buffers) bytes += b ? b->size() : 0;
          parts[size_t(i)].push_back(std::move(a));
        }
        // The gathered rows, and their concatenated copy below.
        return plan.memory_use->Add(2 * bytes,
                                [] { return std::string("the rows gathered for ORDER BY"); });
      }));
  plan.CountScanned(scanned);

  std::vector<std::shared_ptr<ArrayData>> cols;
  int64_t rows = 0;
  for (const auto& p : parts) {
    if (!p.empty()) rows += p[0]->length;
  }
  for (size_t j = 0; j < needed.size(); ++j) {
    std::vector<std::shared_ptr<ArrayData>> pieces;
    for (const auto& p : parts) {
      if (!p.empty()) pieces.push_back(p[j]);
    }
    QUIVER_ASSIGN_OR_RETURN(auto c, ConcatPieces(in.field(size_t(needed[j])).type, pieces));
    cols.push_back(std::move(c));
  }
  // Reorder so that outputs come first (OrderAndWindow takes the first
  // num_outputs columns as the result).
  std::vector<std::shared_ptr<ArrayData>> ordered;
  for (size_t s : sc.out_slots) ordered.push_back(cols[s]);
  std::vector<int> remap(cols.size(), -1);
  for (size_t i = 0; i < sc.out_slots.size(); ++i) {
    if (remap[sc.out_slots[i]] < 0) remap[sc.out_slots[i]] = int(i);
  }
  for (size_t j = 0; j < cols.size(); ++j) {
    if (remap[j] < 0) {
      remap[j] = int(ordered.size());
      ordered.push_back(cols[j]);
    }
  }
  std::vector<kernels::SortKey> keys = sc.keys;
  for (auto& k : keys) k.column = remap[size_t(k.column)];
  auto schema = ProjectionSchema(q, in);
  bool truncated = false;
  QUIVER_ASSIGN_OR_RETURN(auto batches,
                          OrderAndWindow(schema, ordered, q.outputs.size(), rows, keys, window,
                                         plan.options.batch_rows, &truncated));
  return MakeMaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated);
}

}  // namespace quiver::store::internal
