// Concatenation of arrays of one type into one array with new buffers:
// every type but dictionaries (whose parts may have different dictionaries:
// callers re-encode those), nested types included (children are cut to the
// rows their parents use).
#pragma once

#include <memory>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"

namespace quiver {

// One part: rows [begin, begin + length) of `data`.
struct ArraySlice {
  const ArrayData* data = nullptr;
  int64_t begin = 0;
  int64_t length = 0;
};

Result<std::shared_ptr<ArrayData>> ConcatenateArrays(const DataType& type, const std::vector<ArraySlice>& parts);

}  // namespace quiver
