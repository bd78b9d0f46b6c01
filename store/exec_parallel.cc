// The parallel loop the operators run their chunks on, and the thread count.
#include <algorithm>
#include <mutex>
#include <thread>

#include "store/exec_internal.h"
#include "store/explain_internal.h"

namespace quiver::store::internal {

// Runs fn(worker, item) for item in [0, n) on up to `threads` threads.
// Returns the first error (later items are then skipped).
Status ParallelFor(int64_t n, int threads, const std::atomic<bool>* cancel,
                   const std::function<Status(int, int64_t)>& fn) {
  std::atomic<int64_t> next{0};
  std::mutex mu;
  Status first;
  std::atomic<bool> failed{false};
  // An EXPLAIN ANALYZE's probe follows the work onto the worker threads.
  ExplainProbe* probe = CurrentExplainProbe();
  auto work = [&](int worker) {
    ExplainProbeScope scope(probe);
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
        std::lock_guard<std::mutex> g(mu);
        if (first.ok()) first = Status::Cancelled("query cancelled");
        failed = true;
        return;
      }
      const int64_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = fn(worker, i);
      if (!s.ok()) {
        std::lock_guard<std::mutex> g(mu);
        if (first.ok()) first = std::move(s);
        failed = true;
        return;
      }
    }
  };
  const int t = int(std::max<int64_t>(1, std::min<int64_t>(threads, n)));
  if (t == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(size_t(t - 1));
    for (int w = 1; w < t; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& th : pool) th.join();
  }
  return first;
}

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  // hardware_concurrency() reads sysfs (open, read, close) on every call;
  // a server opening many small queries asks once.
  static const int hw = int(std::max(1u, std::thread::hardware_concurrency()));
  return hw;
}

}  // namespace quiver::store::internal
