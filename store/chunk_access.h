// Per-chunk access for engines that distribute a table's chunks (Dask over
// quiverd, the C API's quiver_table_prune): which chunks a condition may
// match, decided by the executor's own pruner, and a snapshot that shows a
// contiguous run of one table's chunks as the whole table, so that the
// ordinary executor (filter, projection, the unfiltered Arrow shortcut)
// serves one partition.
//
// Thread-safety: pure functions over immutable snapshots. Ownership: a
// sliced snapshot holds the snapshot it came from (and so its pin).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/status.h"
#include "store/query.h"
#include "store/store.h"

namespace quiver::store {

// For each chunk of `t`, 1 when `where` may be TRUE for some of its rows and
// 0 when its statistics prove it never is (the pruning the executor does:
// three-valued logic, NaN, inexact string bounds, all-null chunks). A null
// `where` keeps every chunk; empty chunks are never kept. Errors: those of
// binding the condition to the table (NotFound names the column, TypeError
// the mismatch).
Result<std::vector<uint8_t>> PruneChunks(const TableView& t, const query::ExprPtr& where);

// A snapshot in which table `t` (of `base`) consists of chunks [first, first
// + count) only, and no other table exists. InvalidArgument when the range
// does not lie within the table's chunks.
Result<std::shared_ptr<const Snapshot>> SliceSnapshot(std::shared_ptr<const Snapshot> base,
                                                      const TableView& t, size_t first,
                                                      size_t count);

}  // namespace quiver::store
