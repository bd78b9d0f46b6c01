// The process's one pool of CPU worker threads, shared by every running
// query (store/exec.h): N concurrent queries use at most the pool's threads
// plus their own calling threads, never N x cores.
//
// A small pool of our own rather than oneTBB: the executor needs only "run
// these loop bodies on idle threads", its loop (ParallelFor, exec_parallel.cc)
// lets the calling thread do all the work itself when the pool is busy (so a
// query never waits for another query's tasks, and loops may nest), and it
// adds no dependency.
//
// Thread-safety: Submit may be called from any thread, including a pool
// thread. The shared pool lives until the process exits (it is never
// destroyed, so no static destructor joins threads that a task still uses).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace quiver::store {

class ThreadPool {
 public:
  // The process's pool: one thread per hardware thread, started on first use.
  static ThreadPool& Shared();

  explicit ThreadPool(int threads);
  ~ThreadPool();  // finishes the queued tasks, then joins
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues task to run on a pool thread. Tasks must not block waiting for a
  // task queued after them (ParallelFor never does: it claims the tasks that
  // have not started and runs their share itself).
  void Submit(std::function<void()> task);
  int size() const { return int(threads_.size()); }

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace quiver::store
