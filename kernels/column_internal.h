// Helpers shared by the kernel families: type visitors and validity.
#pragma once

#include <cstdint>
#include <vector>

#include "columnar/array.h"
#include "kernels/mask.h"

namespace quiver::kernels::internal {

// True if the view has a validity bitmap with nulls to honour.
inline bool HasNulls(const ArrayView& v) { return v.validity != nullptr && v.null_count != 0; }

// The view's validity as words from bit 0 (empty if no nulls).
inline std::vector<uint64_t> ValidityWords(const ArrayView& v) {
  std::vector<uint64_t> w;
  if (HasNulls(v)) {
    w.resize(size_t(Mask::WordsFor(v.length)));
    CopyBitmap(v.validity, v.offset, v.length, w.data());
  }
  return w;
}

// Calls f(T{}) with the physical C type of a fixed-width column type
// (date32, time32 → int32_t; timestamp, date64, time64, duration → int64_t).
// Returns fallback() otherwise (float16, intervals, decimals: no C type here).
template <typename F, typename G>
auto VisitFixedWidth(TypeId id, F&& f, G&& fallback) {
  switch (id) {
    case TypeId::kInt8: return f(int8_t{});
    case TypeId::kInt16: return f(int16_t{});
    case TypeId::kInt32: return f(int32_t{});
    case TypeId::kInt64: return f(int64_t{});
    case TypeId::kUInt8: return f(uint8_t{});
    case TypeId::kUInt16: return f(uint16_t{});
    case TypeId::kUInt32: return f(uint32_t{});
    case TypeId::kUInt64: return f(uint64_t{});
    case TypeId::kFloat32: return f(float{});
    case TypeId::kFloat64: return f(double{});
    case TypeId::kDate32: return f(int32_t{});
    case TypeId::kTimestamp: return f(int64_t{});
    case TypeId::kTime32: return f(int32_t{});
    case TypeId::kDate64:
    case TypeId::kTime64:
    case TypeId::kDuration: return f(int64_t{});
    default: return fallback();
  }
}

// Same for dictionary index types.
template <typename F, typename G>
auto VisitIndex(TypeId id, F&& f, G&& fallback) {
  switch (id) {
    case TypeId::kInt8: return f(int8_t{});
    case TypeId::kInt16: return f(int16_t{});
    case TypeId::kInt32: return f(int32_t{});
    case TypeId::kInt64: return f(int64_t{});
    case TypeId::kUInt8: return f(uint8_t{});
    case TypeId::kUInt16: return f(uint16_t{});
    case TypeId::kUInt32: return f(uint32_t{});
    case TypeId::kUInt64: return f(uint64_t{});
    default: return fallback();
  }
}

}  // namespace quiver::kernels::internal
