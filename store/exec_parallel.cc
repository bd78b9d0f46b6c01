// The parallel loop the operators run their chunks on (on the process's
// shared thread pool, store/thread_pool.h), and the thread count.
#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "config/units.h"
#include "store/exec_internal.h"
#include "store/explain_internal.h"
#include "store/thread_pool.h"

namespace quiver::store::internal {

namespace {

// What a ParallelFor shares with its pool tasks. A task may start after the
// loop has returned (the pool was busy): it then finds its claim taken and
// touches nothing but this block, which it keeps alive.
struct LoopControl {
  enum : int { kQueued = 0, kRunning = 1, kSkipped = 2, kDone = 3 };
  explicit LoopControl(int helpers) : claim(size_t(helpers)) {}
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::atomic<int>> claim;  // per helper task
};

}  // namespace

// Runs fn(worker, item) for item in [0, n) on up to `threads` threads: the
// caller is worker 0, workers 1.. are tasks on the shared pool. When the
// loop's own work is done, helpers that have not started are skipped (the
// items went to the threads that ran), so the loop never waits for a busy
// pool. Returns the first error (later items are then skipped).
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
    return first;
  }
  auto ctl = std::make_shared<LoopControl>(t - 1);
  ThreadPool& pool = ThreadPool::Shared();
  for (int w = 1; w < t; ++w) {
    pool.Submit([ctl, w, &work] {
      int queued = LoopControl::kQueued;
      if (!ctl->claim[size_t(w - 1)].compare_exchange_strong(queued, LoopControl::kRunning)) return;
      work(w);
      {
        std::lock_guard<std::mutex> g(ctl->mu);
        ctl->claim[size_t(w - 1)] = LoopControl::kDone;
      }
      ctl->cv.notify_all();
    });
  }
  work(0);
  for (auto& c : ctl->claim) {
    int queued = LoopControl::kQueued;
    c.compare_exchange_strong(queued, LoopControl::kSkipped);
  }
  std::unique_lock<std::mutex> lk(ctl->mu);
  ctl->cv.wait(lk, [&] {
    for (const auto& c : ctl->claim) {
      if (c.load() == LoopControl::kRunning) return false;
    }
    return true;
  });
  return first;
}

Status QueryMemory::Add(int64_t delta, const std::function<std::string()>& what) {
  const int64_t now = used_.fetch_add(delta, std::memory_order_relaxed) + delta;
  if (limit_ <= 0 || delta <= 0 || now <= limit_) return Status::OK();
  return Status::ResourceExhausted(
      "query needs more than " + FormatBytes(uint64_t(limit_)) + " (memory_limit): " + what() +
      " hold " + FormatBytes(uint64_t(now)) +
      "; raise the limit (QueryOptions::memory_limit_bytes, quiverd's "
      "max_query_memory, quiver query --memory-limit) or narrow the query");
}

std::function<Status(int64_t, const std::function<Status(int64_t)>&)> TaskRunner(
    int threads, const std::atomic<bool>* cancel) {
  return [threads, cancel](int64_t n, const std::function<Status(int64_t)>& fn) {
    return ParallelFor(n, threads, cancel, [&fn](int, int64_t i) { return fn(i); });
  };
}

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  // hardware_concurrency() reads sysfs (open, read, close) on every call;
  // a server opening many small queries asks once.
  static const int hw = int(std::max(1u, std::thread::hardware_concurrency()));
  return hw;
}

}  // namespace quiver::store::internal
