// EXPLAIN ANALYZE's operator tree: what each operator of a plan did (rows
// out, wall time, bytes read and produced), and the probe that measures the
// parts the operators run inside their workers (the WHERE filter, computed
// columns). Used by the general driver (exec_general.cc); rendered as text
// lines and as a JSON tree (EXPLAIN [ANALYZE] (FORMAT JSON), store/query.h).
//
// What each figure means:
//  - rows: rows the operator handed on (a scan: rows of the chunks read; a
//    filter: rows for which WHERE was TRUE; a stage's operator: its output).
//  - time_ms: wall time of the operator including its inputs (a stage that
//    reads the result of another includes that stage's time).
//  - cpu_ms: for the filter and computed columns, which run inside the
//    scan's workers: time summed over the worker threads (it may exceed the
//    wall time of the stage when several threads ran).
//  - bytes_read: bytes of the column buffers a scan read (only the columns
//    the query uses, only the chunks not pruned); bytes_out: bytes of the
//    buffers of the batches an operator produced.
// Unknown figures (EXPLAIN without ANALYZE) are -1 and print as null.
//
// Thread-safety: the probe's counters are atomics, added to by the workers;
// nodes are built and read on the thread that runs the EXPLAIN.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "store/exec.h"

namespace quiver::store::internal {

struct ExplainNode {
  std::string op;      // "scan", "filter", "compute", "hash group by", ...
  std::string detail;  // the table, the condition, the keys, ...
  int64_t rows = -1;
  double time_ms = -1;
  double cpu_ms = -1;
  int64_t bytes_read = -1;
  int64_t bytes_out = -1;
  std::vector<std::shared_ptr<ExplainNode>> children;
};
using ExplainNodePtr = std::shared_ptr<ExplainNode>;

// Counters of one measured part (a WHERE condition, a set of computed
// columns), keyed by the address of what the part evaluates.
struct ExplainCounter {
  const void* key = nullptr;
  std::atomic<int64_t> rows{0};
  std::atomic<int64_t> nanos{0};
};

// The counters of one EXPLAIN ANALYZE. Counters are added on the driving
// thread only while no worker runs; workers only add to them.
class ExplainProbe {
 public:
  ExplainCounter* Add(const void* key);
  ExplainCounter* Find(const void* key);

 private:
  std::deque<ExplainCounter> counters_;  // stable addresses
};

// The probe of the EXPLAIN ANALYZE running on this thread (null otherwise).
// ParallelFor hands it on to its worker threads.
ExplainProbe*& CurrentExplainProbe();

// Sets CurrentExplainProbe() for a scope.
class ExplainProbeScope {
 public:
  explicit ExplainProbeScope(ExplainProbe* p) : saved_(CurrentExplainProbe()) {
    CurrentExplainProbe() = p;
  }
  ~ExplainProbeScope() { CurrentExplainProbe() = saved_; }
  ExplainProbeScope(const ExplainProbeScope&) = delete;
  ExplainProbeScope& operator=(const ExplainProbeScope&) = delete;

 private:
  ExplainProbe* saved_;
};

// The counter for `key` when an EXPLAIN ANALYZE measures it, else null (one
// thread-local read on the normal path).
inline ExplainCounter* ExplainCounterFor(const void* key) {
  ExplainProbe* p = CurrentExplainProbe();
  return p == nullptr ? nullptr : p->Find(key);
}

// Nanoseconds on the steady clock, for the probe's timings.
int64_t ExplainNowNanos();

// Bytes of the buffers of `batch` (dictionaries included).
int64_t BatchBytes(const RecordBatch& batch);

// A cursor that records into `node` the rows and bytes it hands out and the
// wall time spent in Next (added to `node->time_ms`, which starts at the
// time spent opening it), and calls `finish` with the inner cursor once it
// has handed out its last batch.
std::unique_ptr<QueryCursor> MakeAnalyzedCursor(std::unique_ptr<QueryCursor> inner,
                                                ExplainNodePtr node,
                                                std::function<void(const QueryCursor&)> finish);

// The tree as indented text lines ("hash group by 1 key(s): 6 rows, 1.2 ms, ...").
void AppendExplainText(const ExplainNode& node, int depth, std::vector<std::string>* lines);
// The tree as JSON: {"op", "detail", "rows", "time_ms", "cpu_ms",
// "bytes_read", "bytes_out", "children": [...]}, unknown figures null.
std::string ExplainJson(const ExplainNode& root, const std::vector<std::string>& text,
                        bool analyze);

}  // namespace quiver::store::internal
