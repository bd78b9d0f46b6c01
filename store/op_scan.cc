// A plain projection (no aggregate, no ORDER BY), streamed chunk by chunk in
// table order: each window of `threads` chunks is scanned, filtered and
// projected in parallel; LIMIT stops the scan as soon as enough rows are out.
#include <algorithm>
#include <deque>

#include "columnar/builder.h"
#include "store/exec_internal.h"

namespace quiver::store::internal {

using kernels::Mask;
using query::BoundQuery;

std::shared_ptr<const Schema> ProjectionSchema(const BoundQuery& q, const Schema& in) {
  std::vector<Field> fields;
  for (const auto& o : q.outputs) {
    const Field& f = in.field(size_t(o.column));
    fields.push_back(Field{o.name, ResultType(f.type), f.nullable, f.metadata});
  }
  return std::make_shared<Schema>(std::move(fields));
}

namespace {

// A plain projection, streamed chunk by chunk in table order.
class ScanCursor : public QueryCursor {
 public:
  explicit ScanCursor(Plan plan) : plan_(std::move(plan)) {
    schema_ = ProjectionSchema(plan_.bound, *plan_.input);
    window_ = WindowFor(plan_.bound, plan_.options);
    if (window_.take == 0 && !window_.cap_is_max_rows) done_ = true;  // LIMIT 0
  }
  const std::shared_ptr<const Schema>& schema() const override { return schema_; }
  const QueryStats& stats() const override { return plan_.stats; }
  bool truncated() const override { return truncated_; }
  const BoundQuery& bound() const override { return plan_.bound; }

  Result<std::optional<RecordBatch>> Next() override {
    const auto t0 = Clock::now();
    Result<std::optional<RecordBatch>> r = NextInner();
    plan_.stats.elapsed_ms += MsSince(t0);
    return r;
  }

 private:
  Result<std::optional<RecordBatch>> NextInner() {
    while (ready_.empty()) {
      if (done_ || next_ >= plan_.chunks.size()) {
        done_ = true;
        return std::optional<RecordBatch>();
      }
      QUIVER_RETURN_NOT_OK(RunWindow());
    }
    RecordBatch b = std::move(ready_.front());
    ready_.pop_front();
    return std::optional<RecordBatch>(std::move(b));
  }

  // Scans the next `threads` chunks in parallel and queues their rows.
  Status RunWindow() {
    const size_t count = std::min(plan_.chunks.size() - next_, size_t(plan_.threads));
    std::vector<std::optional<RecordBatch>> out(count);
    std::vector<int64_t> scanned(count, 0);
    QUIVER_RETURN_NOT_OK(ParallelFor(
        int64_t(count), plan_.threads, plan_.options.cancel, [&](int, int64_t k) -> Status {
          QUIVER_ASSIGN_OR_RETURN(ChunkColumns c, plan_.Read(plan_.chunks[next_ + size_t(k)]));
          scanned[size_t(k)] = c.rows();
          QUIVER_ASSIGN_OR_RETURN(std::optional<Mask> m, plan_.Filter(c));
          QUIVER_RETURN_NOT_OK(plan_.Complete(&c, m ? &*m : nullptr));
          QUIVER_ASSIGN_OR_RETURN(out[size_t(k)], Project(c, m ? &*m : nullptr));
          return Status::OK();
        }));
    next_ += count;
    plan_.stats.chunks_scanned += int64_t(count);
    for (size_t k = 0; k < count; ++k) {
      plan_.stats.rows_scanned += scanned[k];
      if (!out[k] || done_) continue;
      RecordBatch b = std::move(*out[k]);
      // OFFSET
      if (window_.skip > 0) {
        const int64_t s = std::min(window_.skip, b.num_rows);
        window_.skip -= s;
        if (s == b.num_rows) continue;
        QUIVER_ASSIGN_OR_RETURN(b, SliceBatch(b, s, b.num_rows - s));
      }
      // LIMIT / max_rows
      if (window_.take >= 0) {
        if (window_.take == 0) {
          if (window_.cap_is_max_rows && b.num_rows > 0) truncated_ = true;
          done_ = true;
          continue;
        }
        if (b.num_rows > window_.take) {
          QUIVER_ASSIGN_OR_RETURN(b, SliceBatch(b, 0, window_.take));
          if (window_.cap_is_max_rows) truncated_ = true;
          window_.take = 0;
          done_ = true;
        } else {
          window_.take -= b.num_rows;
          // With rows still owed to nobody, the next non-empty chunk decides
          // truncation (take == 0 keeps scanning until a row shows up).
          if (window_.take == 0 && !window_.cap_is_max_rows) done_ = true;
        }
      }
      plan_.stats.rows_returned += b.num_rows;
      ready_.push_back(std::move(b));
    }
    return Status::OK();
  }

  Result<std::optional<RecordBatch>> Project(const ChunkColumns& c, const Mask* m) const {
    RecordBatch out;
    out.schema = schema_;
    std::optional<SelectionVector> sel;
    if (m != nullptr) {
      const int64_t hits = kernels::CountTrue(*m);
      if (hits == 0) return std::optional<RecordBatch>();
      if (hits < c.rows()) sel = kernels::ToSelection(*m);
    }
    if (c.rows() == 0) return std::optional<RecordBatch>();
    out.num_rows = sel ? int64_t(sel->size()) : c.rows();
    for (const auto& o : plan_.bound.outputs) {
      const auto& col = c.batch.columns[size_t(o.column)];
      std::shared_ptr<ArrayData> a;
      if (sel) {
        QUIVER_ASSIGN_OR_RETURN(a, kernels::Take(c.views[size_t(o.column)], *sel, col->dictionary));
      } else {
        a = col;  // zero copy: the chunk's own buffers in the mapping
      }
      QUIVER_ASSIGN_OR_RETURN(a, WidenDictionary(a));
      out.columns.push_back(std::move(a));
    }
    return std::optional<RecordBatch>(std::move(out));
  }

  Plan plan_;
  std::shared_ptr<const Schema> schema_;
  RowWindow window_;
  size_t next_ = 0;
  bool done_ = false;
  bool truncated_ = false;
  std::deque<RecordBatch> ready_;
};

}  // namespace

std::unique_ptr<QueryCursor> OpenScan(Plan plan) {
  return std::unique_ptr<QueryCursor>(new ScanCursor(std::move(plan)));
}

}  // namespace quiver::store::internal
