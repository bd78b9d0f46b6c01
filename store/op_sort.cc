// ORDER BY: the ordering of materialised columns (a top-k with a LIMIT, else a
// stable sort) shared by every materialising operator, and ORDER BY on a plain
// projection.
#include <algorithm>
#include <map>

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
      // One row more than asked tells whether max_rows cut the result.
      const int64_t k = window.skip + window.take + (window.cap_is_max_rows ? 1 : 0);
      QUIVER_ASSIGN_OR_RETURN(order, kernels::TopK(views, keys, k));
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

// ORDER BY on a plain projection: gather the selected rows (top-k per chunk
// with a LIMIT), concatenate, order, window.
Result<std::unique_ptr<QueryCursor>> RunSorted(Plan plan) {
  const BoundQuery& q = plan.bound;
  const Schema& in = *plan.input;
  // Input columns needed: the outputs' then order-only ones.
  std::vector<int> needed;
  std::map<int, size_t> slot;
  auto need = [&](int c) {
    if (slot.count(c)) return slot[c];
    slot[c] = needed.size();
    needed.push_back(c);
    return needed.size() - 1;
  };
  std::vector<size_t> out_slots;
  for (const auto& o : q.outputs) out_slots.push_back(need(o.column));
  std::vector<kernels::SortKey> keys = SortKeysFor(q, [&](const query::BoundOrderKey& k) {
    return int(need(k.output >= 0 ? q.outputs[size_t(k.output)].column : k.column));
  });
  const RowWindow window = WindowFor(q, plan.options);
  const int64_t per_chunk_k =
      window.take >= 0 ? window.skip + window.take + (window.cap_is_max_rows ? 1 : 0) : -1;

  const size_t n = plan.chunks.size();
  std::vector<std::vector<std::shared_ptr<ArrayData>>> parts(n);
  std::vector<int64_t> scanned(n, 0);
  QUIVER_RETURN_NOT_OK(
      ParallelFor(int64_t(n), plan.threads, plan.options.cancel, [&](int, int64_t i) -> Status {
        QUIVER_ASSIGN_OR_RETURN(ChunkColumns c, plan.Read(plan.chunks[size_t(i)]));
        scanned[size_t(i)] = c.rows();
        QUIVER_ASSIGN_OR_RETURN(std::optional<Mask> m, plan.Filter(c));
        QUIVER_RETURN_NOT_OK(plan.Complete(&c, m ? &*m : nullptr));
        SelectionVector sel;
        if (m) {
          sel = kernels::ToSelection(*m);
        } else {
          sel.resize(size_t(c.rows()));
          for (int64_t r = 0; r < c.rows(); ++r) sel[size_t(r)] = int32_t(r);
        }
        if (sel.empty()) return Status::OK();
        if (per_chunk_k >= 0 && int64_t(sel.size()) > per_chunk_k) {
          std::vector<ArrayView> views;
          for (int col : needed) views.push_back(c.views[size_t(col)]);
          std::vector<kernels::SortKey> local = keys;
          QUIVER_ASSIGN_OR_RETURN(sel, kernels::TopK(views, local, per_chunk_k, &sel));
          // Keep table order among the survivors so that ties stay stable.
          std::sort(sel.begin(), sel.end());
        }
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
    const DataType& t = in.field(size_t(needed[j])).type;
    if (pieces.empty()) {
      ArrayBuilder b(ResultType(t));
      QUIVER_ASSIGN_OR_RETURN(auto empty, b.Finish());
      cols.push_back(std::move(empty));
    } else {
      QUIVER_ASSIGN_OR_RETURN(auto c, Concat(t, pieces));
      cols.push_back(std::move(c));
    }
  }
  // Reorder so that outputs come first (OrderAndWindow takes the first
  // num_outputs columns as the result).
  std::vector<std::shared_ptr<ArrayData>> ordered;
  for (size_t s : out_slots) ordered.push_back(cols[s]);
  std::vector<int> remap(cols.size(), -1);
  for (size_t i = 0; i < out_slots.size(); ++i) {
    if (remap[out_slots[i]] < 0) remap[out_slots[i]] = int(i);
  }
  for (size_t j = 0; j < cols.size(); ++j) {
    if (remap[j] < 0) {
      remap[j] = int(ordered.size());
      ordered.push_back(cols[j]);
    }
  }
  for (auto& k : keys) k.column = remap[size_t(k.column)];
  auto schema = ProjectionSchema(q, in);
  bool truncated = false;
  QUIVER_ASSIGN_OR_RETURN(auto batches,
                          OrderAndWindow(schema, ordered, q.outputs.size(), rows, keys, window,
                                         plan.options.batch_rows, &truncated));
  return MakeMaterializedCursor(std::move(plan), std::move(schema), std::move(batches), truncated);
}

}  // namespace quiver::store::internal
