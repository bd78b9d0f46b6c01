// OFFSET / LIMIT / max_rows as a window over output rows.
#include <algorithm>

#include "store/exec_internal.h"

namespace quiver::store::internal {

using query::BoundQuery;

RowWindow WindowFor(const BoundQuery& q, const QueryOptions& o) {
  RowWindow w;
  w.skip = q.offset;
  if (q.limit) w.take = *q.limit;
  if (o.max_rows >= 0 && (w.take < 0 || o.max_rows < w.take)) {
    w.take = o.max_rows;
    w.cap_is_max_rows = true;
  }
  return w;
}

// Applies OFFSET / LIMIT / max_rows to an ordered row list.
SelectionVector ApplyWindow(const SelectionVector& order, const RowWindow& w, bool* truncated) {
  const int64_t n = int64_t(order.size());
  const int64_t begin = std::min(w.skip, n);
  int64_t end = n;
  if (w.take >= 0 && begin + w.take < n) {
    end = begin + w.take;
    if (w.cap_is_max_rows) *truncated = true;
  }
  return SelectionVector(order.begin() + begin, order.begin() + end);
}

}  // namespace quiver::store::internal
