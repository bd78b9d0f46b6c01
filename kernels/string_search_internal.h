// Substring search over string columns: one search over a column's whole
// value buffer instead of one per row (LIKE '%x%', contains, strpos-like
// scans). Used by kernels/predicate.cc; not an API for other layers.
//
// The search itself has one version per instruction set (a first+last byte
// filter over 16 or 32 bytes at a time, then a compare of the bytes between),
// chosen by the active kernel target (kernels/dispatch.h): scalar uses
// memchr, sse42 and avx2/avx512 the SIMD filters.
//
// Thread-safety: pure functions over caller-owned memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace quiver::kernels::internal {

inline constexpr size_t kNotFound = ~size_t(0);

// The first position of `needle` (not empty) in [hay, hay + n), or kNotFound.
size_t FindSubstring(const char* hay, size_t n, std::string_view needle);

// Sets bit i of `out` (zeroed by the caller, ceil(n/64) words) when row i
// contains `needle` (not empty): rows are [data + offsets[i], data +
// offsets[i + 1]) for i in [0, n), offsets non-decreasing. One search runs
// over [offsets[0], offsets[n]); a match that crosses a row boundary counts
// for neither row. Rows are not checked for validity.
void ContainsRows(const char* data, const int32_t* offsets, int64_t n, std::string_view needle,
                  uint64_t* out);

// The avx2 search (string_search_avx2.cc, compiled with avx2 flags; entered
// only when the CPU has avx2).
size_t FindSubstringAvx2(const char* hay, size_t n, const char* needle, size_t m);

}  // namespace quiver::kernels::internal
