// Sort and top-k: row orders by one or more columns.
//
// SortIndices returns the rows (all, or those of a selection) in the order of
// the keys: each key ascending or descending, NULLs first or last (SQL's
// NULLS FIRST / LAST; the default here is PostgreSQL's: NULLS LAST when
// ascending, FIRST when descending). The sort is stable: rows that compare
// equal keep their input order. NaN sorts above every number. Strings compare
// bytewise; a dictionary column is ranked by sorting its dictionary once.
// TopK returns the first k rows of that same order without sorting the rest.
//
// Thread-safety: pure functions; the views must outlive the call.
#pragma once

#include <cstdint>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"

namespace quiver::kernels {

struct SortKey {
  int column = 0;  // index into the columns passed
  bool descending = false;
  // NULLS FIRST (true) or LAST (false); by default LAST when ascending.
  bool nulls_first = false;

  static SortKey Asc(int c) { return SortKey{c, false, false}; }
  static SortKey Desc(int c) { return SortKey{c, true, true}; }
};

// `rows`: the rows to order (nullptr: every row of the columns).
Result<SelectionVector> SortIndices(const std::vector<ArrayView>& columns,
                                    const std::vector<SortKey>& keys,
                                    const SelectionVector* rows = nullptr);
Result<SelectionVector> TopK(const std::vector<ArrayView>& columns, const std::vector<SortKey>& keys,
                             int64_t k, const SelectionVector* rows = nullptr);

}  // namespace quiver::kernels
