// The avx2 substring search of kernels/string_search_internal.h. This unit is
// compiled with avx2 flags (kernels/CMakeLists.txt) and only entered after
// dispatch.cc has found avx2 on the CPU (the active target is avx2 or avx512).
// Raw pointers, no std types and only static functions of shared headers:
// templates or inline functions emitted here would carry avx2 code into
// other units (kernels/CMakeLists.txt).
#if defined(QUIVER_KERNELS_X86)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/string_search_internal.h"

namespace quiver::kernels::internal {
namespace {

// The candidate starts of [i, i + 32) whose two chosen bytes are the
// needle's, one bit each.
inline uint32_t Candidates(const char* hay, size_t i, const NeedlePlan& p, __m256i rare,
                           __m256i often) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hay + i + p.rare));
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hay + i + p.often));
  return uint32_t(_mm256_movemask_epi8(
      _mm256_and_si256(_mm256_cmpeq_epi8(a, rare), _mm256_cmpeq_epi8(b, often))));
}

}  // namespace

// 32 candidate starts per step, kept when the needle's two chosen bytes are
// where they would be; the whole needle is compared for the survivors. The
// last < 32 + m bytes are searched byte by byte.
size_t FindSubstringAvx2(const char* hay, size_t n, const NeedlePlan& p) {
  const size_t m = p.m;
  if (m > n) return kNotFound;
  const __m256i rare = _mm256_set1_epi8(p.bytes[p.rare]);
  const __m256i often = _mm256_set1_epi8(p.bytes[p.often]);
  size_t i = 0;
  for (; i + m + 31 <= n; i += 32) {
    uint32_t bits = Candidates(hay, i, p, rare, often);
    while (bits != 0) {
      const size_t at = i + size_t(__builtin_ctz(bits));
      if (SameBytes(hay + at, p.bytes, m)) return at;
      bits &= bits - 1;
    }
  }
  for (; i + m <= n; ++i) {
    if (hay[i + p.rare] == p.bytes[p.rare] && SameBytes(hay + i, p.bytes, m)) return i;
  }
  return kNotFound;
}

// ContainsRows in one pass over the rows' bytes: after a match the scan goes
// on from the next row's first byte without leaving the loop (a column
// where many rows match, such as URLs holding "google", would otherwise
// restart the search once per matching row).
void ContainsRowsAvx2(const char* data, const int32_t* offsets, int64_t n, const NeedlePlan& p,
                      uint64_t* out) {
  const int64_t m = int64_t(p.m);
  const int64_t end = offsets[n];
  const __m256i rare = _mm256_set1_epi8(p.bytes[p.rare]);
  const __m256i often = _mm256_set1_epi8(p.bytes[p.often]);
  int64_t row = 0;  // offsets[row] <= every position still to look at
  // A match at `at`: its row's bit when it lies within the row; returns
  // where to go on (the next row's start, or at + 1 for a match that crosses
  // into the next row), or `end` once every row is decided.
  auto matched = [&](int64_t at) -> int64_t {
    // The row holding byte `at`: a few rows on (a step at a time), or far
    // (a binary search for the last row starting at or before it).
    for (int step = 0; step < 8 && offsets[row + 1] <= at; ++step) ++row;
    if (offsets[row + 1] <= at) {
      int64_t lo = row + 1, hi = n;  // offsets[lo] <= at < offsets[hi + 1]
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo + 1) / 2;
        if (offsets[mid] <= at) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      row = lo;
    }
    if (at + m > offsets[row + 1]) return at + 1;
    out[row >> 6] |= uint64_t(1) << (row & 63);
    return ++row == n ? end : offsets[row];
  };
  int64_t i = offsets[0];
  while (i + m + 31 <= end) {
    uint32_t bits = Candidates(data, size_t(i), p, rare, often);
    int64_t next = i + 32;
    while (bits != 0) {
      const int64_t at = i + __builtin_ctz(bits);
      bits &= bits - 1;
      if (!SameBytes(data + at, p.bytes, size_t(m))) continue;
      const int64_t go = matched(at);
      if (go > at + 1) {  // the row is decided: on from the next one
        next = go;
        break;
      }
    }
    i = next;
  }
  while (i + m <= end) {
    if (data[i + int64_t(p.rare)] == p.bytes[p.rare] && SameBytes(data + i, p.bytes, size_t(m))) {
      i = matched(i);
    } else {
      ++i;
    }
  }
}

}  // namespace quiver::kernels::internal
#endif
