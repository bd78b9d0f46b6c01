// Substring search over string columns: one search over a column's whole
// value buffer instead of one per row (LIKE '%x%', contains). Used by
// kernels/predicate.cc; not an API for other layers.
//
// The search has one version per instruction set, chosen by the active
// kernel target (kernels/dispatch.h): a filter on two bytes of the needle
// (16 or 32 candidate starts at a time with SSE2 / avx2, memchr on the
// scalar target), then a compare of the whole needle for the survivors. The
// two bytes are the needle's rarest by a fixed guess of byte frequencies in
// text and URLs, so that few candidates survive.
//
// Thread-safety: pure functions over caller-owned memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace quiver::kernels::internal {

inline constexpr size_t kNotFound = ~size_t(0);

// The first and the last sizeof(T) bytes of a[0, m) and b[0, m) agree
// (sizeof(T) <= m <= 2 sizeof(T): together they cover all m).
template <typename T>
static inline bool SameEnds(const char* a, const char* b, size_t m) {
  T a0, b0, a1, b1;
  std::memcpy(&a0, a, sizeof(T));
  std::memcpy(&b0, b, sizeof(T));
  std::memcpy(&a1, a + m - sizeof(T), sizeof(T));
  std::memcpy(&b1, b + m - sizeof(T), sizeof(T));
  return a0 == b0 && a1 == b1;
}

// a[0, m) == b[0, m) without a call for needles of up to 16 bytes (two
// overlapping loads of 1, 2, 4 or 8 bytes), so that a search loop keeps its
// vectors in registers; memcmp past that. Static: each unit has its own
// copy, so the avx2 unit's (compiled with avx2 flags) reaches no other.
static inline bool SameBytes(const char* a, const char* b, size_t m) {
  if (m > 16) return std::memcmp(a, b, m) == 0;
  if (m >= 8) return SameEnds<uint64_t>(a, b, m);
  if (m >= 4) return SameEnds<uint32_t>(a, b, m);
  if (m >= 2) return SameEnds<uint16_t>(a, b, m);
  return m == 0 || a[0] == b[0];
}

// A needle (not empty) and the two positions of it the filter checks
// (rare < m, often < m; equal when m = 1). Plain data: the per-ISA units
// take it without instantiating anything.
struct NeedlePlan {
  const char* bytes = nullptr;
  size_t m = 0;
  size_t rare = 0;
  size_t often = 0;
};

NeedlePlan PlanNeedle(std::string_view needle);

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
size_t FindSubstringAvx2(const char* hay, size_t n, const NeedlePlan& p);

}  // namespace quiver::kernels::internal
