// The query executor: runs a Query (store/query.h) against one table of a
// pinned Snapshot and produces record batches.
//
// Plan, in order:
//   1. Bind (store/query_bind.h): names, types and literals are resolved
//      once; every error names the column, type or position.
//   2. Prune: each chunk's statistics (catalog, no data touched) decide
//      whether the WHERE condition can be TRUE for any of its rows; chunks
//      that cannot are skipped (QueryStats::chunks_pruned).
//   3. Scan: the remaining chunks are read zero-copy from the mapping, in
//      parallel (QueryOptions::threads). Only the columns the query needs
//      are touched. WHERE evaluates into a three-valued Mask per chunk
//      (kernels/predicate.h, mask.h).
//   4. Then one of:
//      - a plain projection: the selected rows of each chunk are gathered
//        (kernels/take.h) into one output batch per chunk, in chunk order;
//        LIMIT stops the scan as soon as enough rows are out;
//      - ORDER BY ... LIMIT k: a top-k per chunk, merged (no full sort);
//      - ORDER BY without LIMIT: the selected rows of every chunk, sorted
//        (stable: ties keep table order);
//      - aggregates without GROUP BY: per-thread partial states merged into
//        exactly one row (COUNT(*) without WHERE reads only the catalog);
//      - GROUP BY: per-thread hash tables, merged in parallel by hash
//        partition, then ORDER BY / LIMIT on the groups. Unless ordered,
//        groups come out in the order of the first row (in table order) of
//        each group, whatever the number of threads.
//   Parallel work runs on one thread pool shared by all queries of the
//   process (store/thread_pool.h); QueryOptions::threads caps one query.
//
// Result types: as BoundOutput::type (store/query_bind.h), except that a
// dictionary-encoded utf8 column keeps its encoding in a plain projection
// but with int32 indices (so that batches from several chunks can share one
// result schema), and a dictionary group key or MIN/MAX comes out as utf8.
//
// Errors: those of Bind (InvalidArgument / NotFound / TypeError), Overflow
// for an integer SUM that does not fit 64 bits, IOError / Corruption for a
// damaged chunk, Cancelled when QueryOptions::cancel is set,
// ResourceExhausted past QueryOptions::memory_limit_bytes.
//
// Implementation: a driver (exec.cc) and one operator per file (op_*.cc);
// store/exec_internal.h lists the files and what each holds.
//
// Thread-safety: ExecuteQuery may be called from many threads at once on the
// same Snapshot. A QueryCursor is used by one thread at a time; it holds its
// Snapshot (and so its pool pin) until destroyed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"
#include "store/query.h"
#include "store/query_bind.h"
#include "store/store.h"

namespace quiver::store {

struct QueryOptions {
  // Worker threads for the scan; 0 = one per hardware thread.
  int threads = 0;
  // Stop after this many output rows (after OFFSET) and report truncation;
  // -1 = no cap. Applied on top of the query's own LIMIT.
  int64_t max_rows = -1;
  // Rows per output batch for materialised results (sorted, aggregated).
  int64_t batch_rows = 64 * 1024;
  // Set from another thread to stop a running query (Cancelled).
  const std::atomic<bool>* cancel = nullptr;
  // The most memory the query may hold in hash tables and materialised
  // results (GROUP BY, ORDER BY); past it the query fails with
  // ResourceExhausted naming the limit, rather than the process running out
  // of memory. <= 0 = no limit. The default, 4 GiB, leaves room for a few
  // such queries at once on a 16 GiB machine; quiverd sets it from its
  // max_query_memory setting.
  int64_t memory_limit_bytes = int64_t(4) << 30;
  // GROUP BY ... ORDER BY COUNT(*) DESC LIMIT k over at least this many
  // rows first sketches every key's count and then counts exactly only the
  // keys that may be among the k largest (kernels/heavy_keys.h); fewer
  // rows are counted in one pass. Tests lower it to reach the two passes
  // on small tables.
  int64_t heavy_keys_min_rows = int64_t(1) << 20;
};

struct QueryStats {
  int64_t chunks_total = 0;    // chunks of the table
  int64_t chunks_pruned = 0;   // skipped by their statistics
  int64_t chunks_scanned = 0;  // read
  int64_t rows_scanned = 0;    // rows of the chunks read
  int64_t rows_returned = 0;   // output rows produced so far
  double elapsed_ms = 0;       // wall time spent inside the executor so far
};

// A running query: batches come out one at a time, so that a large result
// can be streamed without holding it all.
class QueryCursor {
 public:
  virtual ~QueryCursor() = default;
  // The result's columns (known before the first batch).
  virtual const std::shared_ptr<const Schema>& schema() const = 0;
  // The next non-empty batch, or nullopt at the end.
  virtual Result<std::optional<RecordBatch>> Next() = 0;
  virtual const QueryStats& stats() const = 0;
  // True when QueryOptions::max_rows cut the result short.
  virtual bool truncated() const = 0;
  virtual const query::BoundQuery& bound() const = 0;
};

// Starts `q` on snapshot `snap` (q.table names the table). Binding errors are
// returned here; work that needs the whole input (aggregation, sorting) is
// done here too, so a cursor that opened fine fails later only for damaged
// data or cancellation.
Result<std::unique_ptr<QueryCursor>> OpenQuery(std::shared_ptr<const Snapshot> snap,
                                               const query::Query& q, QueryOptions options = {});

// A whole result in memory.
struct QueryResult {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatch> batches;
  int64_t num_rows = 0;
  bool truncated = false;
  QueryStats stats;
};

Result<QueryResult> ExecuteQuery(std::shared_ptr<const Snapshot> snap, const query::Query& q,
                                 QueryOptions options = {});
// ParseSql + ExecuteQuery; parse errors carry their line and column.
Result<QueryResult> ExecuteSql(std::shared_ptr<const Snapshot> snap, std::string_view sql,
                               QueryOptions options = {});

// True when `q` reads a whole table unchanged (SELECT * with no WHERE, GROUP
// BY, ORDER BY, LIMIT or OFFSET): the table's chunk bytes (TableView::
// ChunkBytes) are then already the answer in Arrow IPC form.
bool IsFullScan(const query::Query& q);

}  // namespace quiver::store
