// Take and Filter: gather selected rows of a column into new Arrow buffers.
//
// Take copies the rows listed in a SelectionVector (any order, repeats
// allowed, every index in [0, col.length)) into a new ArrayData with offset 0
// and freshly allocated 64-byte-aligned buffers (Buffer::Allocate). A
// validity bitmap is written only if some selected row is NULL. For a
// dictionary column the indices are gathered and the dictionary is shared
// (when given as an ArrayData) or copied (when only a view is known).
//
// Thread-safety: pure functions; the result owns its memory.
#pragma once

#include <memory>

#include "columnar/array.h"
#include "config/status.h"
#include "kernels/mask.h"

namespace quiver::kernels {

// `dictionary`: the ArrayData behind col.dictionary, to share instead of copy.
Result<std::shared_ptr<ArrayData>> Take(const ArrayView& col, const SelectionVector& rows,
                                        std::shared_ptr<ArrayData> dictionary = nullptr);
// Take of the TRUE rows of a mask.
Result<std::shared_ptr<ArrayData>> Filter(const ArrayView& col, const Mask& mask,
                                          std::shared_ptr<ArrayData> dictionary = nullptr);
// A compact copy of a whole view (offset 0).
Result<std::shared_ptr<ArrayData>> CopyArray(const ArrayView& col);

// The inverse of Take: a column of `length` rows whose row rows[i] is row i
// of `compact` and every other row NULL. `rows` is ascending, within
// [0, length), one per row of `compact`. String data and dictionaries are
// shared with `compact`, not copied. Nested types: NotSupported.
Result<std::shared_ptr<ArrayData>> Scatter(const std::shared_ptr<ArrayData>& compact,
                                           const SelectionVector& rows, int64_t length);

}  // namespace quiver::kernels
