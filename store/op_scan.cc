// A plain projection (no aggregate, no ORDER BY), streamed chunk by chunk in
// table order: each window of chunks (`threads` of them under a LIMIT, four
// times as many without) is scanned, filtered and projected in parallel;
// LIMIT stops the scan as soon as enough rows are out.
// Without a LIMIT, the next window is scanned on the pool while the caller
// consumes the one before (quiverd writes it as JSON or CSV and sends it), so
// a large result's scan and its output overlap instead of taking turns.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "columnar/builder.h"
#include "store/exec_internal.h"
#include "store/explain_internal.h"
#include "store/thread_pool.h"

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

// Chunks [first, first + count) of a plan's chunks, scanned: each one's
// projected rows (none when the WHERE kept none) and the rows it held.
// A window scanned ahead is worked on by its pool task and, once the
// caller needs it, by the caller too: each takes the next chunk no one
// has claimed.
struct Window {
  const Plan* plan = nullptr;  // read only for a claimed chunk
  std::shared_ptr<const Schema> schema;
  size_t first = 0, count = 0;
  std::vector<std::optional<RecordBatch>> out;
  std::vector<int64_t> scanned;
  std::atomic<size_t> claim{0};  // the next chunk to take (may pass count)
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::condition_variable cv;
  size_t finished = 0;  // chunks done, under mu
  Status status;        // the first error, under mu
};

// A chunk's rows that pass m (all when m is null), as the output columns.
Result<std::optional<RecordBatch>> Project(const Plan& plan, std::shared_ptr<const Schema> schema,
                                           const ChunkColumns& c, const Mask* m) {
  RecordBatch out;
  out.schema = std::move(schema);
  std::optional<SelectionVector> sel;
  if (m != nullptr) {
    const int64_t hits = kernels::CountTrue(*m);
    if (hits == 0) return std::optional<RecordBatch>();
    if (hits < c.rows()) sel = kernels::ToSelection(*m);
  }
  if (c.rows() == 0) return std::optional<RecordBatch>();
  out.num_rows = sel ? int64_t(sel->size()) : c.rows();
  for (const auto& o : plan.bound.outputs) {
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

// Scans chunk k of a window. Reads only the plan (const) and writes only
// chunk k's place in w: it may run on a pool thread while the caller
// consumes earlier rows.
Status ScanChunk(Window& w, size_t k) {
  const Plan& plan = *w.plan;
  QUIVER_ASSIGN_OR_RETURN(ChunkColumns c, plan.Read(plan.chunks[w.first + k]));
  w.scanned[k] = c.rows();
  QUIVER_ASSIGN_OR_RETURN(std::optional<Mask> m, plan.Filter(c));
  QUIVER_RETURN_NOT_OK(plan.Complete(&c, m ? &*m : nullptr));
  QUIVER_ASSIGN_OR_RETURN(w.out[k], Project(plan, w.schema, c, m ? &*m : nullptr));
  return Status::OK();
}

// Scans chunks of w until none is left unclaimed.
// The cursor may be gone by the time a pool task gets here: then every
// chunk is claimed, and nothing but w is touched.
void Work(Window& w) {
  for (size_t k = w.claim.fetch_add(1); k < w.count; k = w.claim.fetch_add(1)) {
    Status st;
    const std::atomic<bool>* cancel = w.plan->options.cancel;
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      st = Status::Cancelled("query cancelled");
    } else if (!w.failed.load(std::memory_order_relaxed)) {
      st = ScanChunk(w, k);
    }
    std::lock_guard<std::mutex> lock(w.mu);
    if (!st.ok() && w.status.ok()) {
      w.status = std::move(st);
      w.failed = true;
    }
    ++w.finished;
    w.cv.notify_all();  // the caller waits for all, a closing cursor for those started
  }
}

// Chunks per thread in a window of a scan that reads every chunk.
constexpr size_t kChunksPerThread = 4;

// A plain projection, streamed chunk by chunk in table order.
class ScanCursor : public QueryCursor {
 public:
  explicit ScanCursor(Plan plan) : plan_(std::move(plan)) {
    schema_ = ProjectionSchema(plan_.bound, *plan_.input);
    window_ = WindowFor(plan_.bound, plan_.options);
    if (window_.take == 0 && !window_.cap_is_max_rows) done_ = true;  // LIMIT 0
    // A LIMIT usually ends in the first window: scanning the next one ahead
    // would be work thrown away (a max_rows cap is not a LIMIT).
    read_ahead_ = window_.take < 0 || window_.cap_is_max_rows;
    // Without LIMIT or cap every chunk is read: windows of several chunks
    // per thread, so that threads are woken and joined once per few chunks
    // instead of once per chunk (those hand-offs, in the kernel's scheduler,
    // were a quarter of the CPU of a 10M-row scan that keeps 5 % of its rows).
    window_chunks_ = size_t(plan_.threads) * (window_.take < 0 ? kChunksPerThread : 1);
  }
  // A window being scanned ahead uses plan_: its chunks that started
  // finish before the cursor goes; the others never start.
  ~ScanCursor() override {
    if (!ahead_) return;
    Window& w = *ahead_;
    const size_t started = std::min(w.claim.exchange(w.count), w.count);
    std::unique_lock<std::mutex> lock(w.mu);
    w.cv.wait(lock, [&] { return w.finished >= started; });
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
      if (ahead_) {
        std::shared_ptr<Window> w = std::move(ahead_);
        Work(*w);  // the chunks its task has not started
        {
          std::unique_lock<std::mutex> lock(w->mu);
          w->cv.wait(lock, [&] { return w->finished == w->count; });
          QUIVER_RETURN_NOT_OK(w->status);
        }
        QUIVER_RETURN_NOT_OK(Accept(*w));
        continue;
      }
      if (done_ || next_ >= plan_.chunks.size()) {
        done_ = true;
        return std::optional<RecordBatch>();
      }
      std::shared_ptr<Window> w = Take();
      QUIVER_RETURN_NOT_OK(ParallelFor(int64_t(w->count), plan_.threads, plan_.options.cancel,
                                       [&](int, int64_t k) { return ScanChunk(*w, size_t(k)); }));
      QUIVER_RETURN_NOT_OK(Accept(*w));
    }
    // The caller now works on what is ready (writes it out): the next
    // window is scanned meanwhile, by one pool thread, leaving the caller's
    // core to it; a caller that comes back for rows first helps.
    if (read_ahead_ && !ahead_ && !done_ && next_ < plan_.chunks.size()) {
      ahead_ = Take();
      // The task holds the window and not the cursor, which may be gone
      // when it runs (it then finds every chunk claimed).
      // An EXPLAIN ANALYZE's probe follows the work, as in ParallelFor.
      ThreadPool::Shared().Submit([w = ahead_, probe = CurrentExplainProbe()] {
        ExplainProbeScope scope(probe);
        Work(*w);
      });
    }
    RecordBatch b = std::move(ready_.front());
    ready_.pop_front();
    return std::optional<RecordBatch>(std::move(b));
  }

  // The next window of chunks, claimed for a scan.
  std::shared_ptr<Window> Take() {
    auto w = std::make_shared<Window>();
    w->plan = &plan_;
    w->schema = schema_;
    w->first = next_;
    w->count = std::min(plan_.chunks.size() - next_, window_chunks_);
    w->out.resize(w->count);
    w->scanned.assign(w->count, 0);
    next_ += w->count;
    return w;
  }

  // Counts a scanned window and queues its rows, OFFSET and LIMIT applied.
  Status Accept(Window& w) {
    const size_t count = w.count;
    std::vector<std::optional<RecordBatch>>& out = w.out;
    plan_.stats.chunks_scanned += int64_t(count);
    for (size_t k = 0; k < count; ++k) {
      plan_.stats.rows_scanned += w.scanned[k];
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

  Plan plan_;
  std::shared_ptr<const Schema> schema_;
  RowWindow window_;
  size_t next_ = 0;  // the first chunk no window has claimed
  bool done_ = false;
  bool truncated_ = false;
  bool read_ahead_ = false;
  size_t window_chunks_ = 1;  // chunks per window
  std::deque<RecordBatch> ready_;
  std::shared_ptr<Window> ahead_;  // scanned ahead on a pool thread
};

}  // namespace

std::unique_ptr<QueryCursor> OpenScan(Plan plan) {
  return std::unique_ptr<QueryCursor>(new ScanCursor(std::move(plan)));
}

}  // namespace quiver::store::internal
