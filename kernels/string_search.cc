#include "kernels/string_search_internal.h"

#include <algorithm>
#include <cstring>

#include "kernels/dispatch.h"

#if defined(QUIVER_KERNELS_X86)
#include <emmintrin.h>
#endif

namespace quiver::kernels::internal {
namespace {

// memchr for the first byte, then the last byte, then the rest.
size_t FindScalar(const char* hay, size_t n, std::string_view needle) {
  const size_t m = needle.size();
  if (m > n) return kNotFound;
  const char first = needle[0], last = needle[m - 1];
  const char* p = hay;
  const char* stop = hay + (n - m) + 1;  // a match starts before here
  while (p < stop) {
    p = static_cast<const char*>(std::memchr(p, first, size_t(stop - p)));
    if (p == nullptr) return kNotFound;
    if (p[m - 1] == last && std::memcmp(p, needle.data(), m) == 0) return size_t(p - hay);
    ++p;
  }
  return kNotFound;
}

#if defined(QUIVER_KERNELS_X86)
// SSE2 (the x86-64 baseline): 16 candidate starts per step, kept when both
// the first and the last byte of the needle are where they would be.
size_t FindSse2(const char* hay, size_t n, std::string_view needle) {
  const size_t m = needle.size();
  if (m > n) return kNotFound;
  const __m128i first = _mm_set1_epi8(needle[0]);
  const __m128i last = _mm_set1_epi8(needle[m - 1]);
  size_t i = 0;
  for (; i + m + 15 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay + i + m - 1));
    unsigned bits = unsigned(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
    while (bits != 0) {
      const size_t at = i + size_t(__builtin_ctz(bits));
      if (m <= 2 || std::memcmp(hay + at + 1, needle.data() + 1, m - 2) == 0) return at;
      bits &= bits - 1;
    }
  }
  const size_t rest = FindScalar(hay + i, n - i, needle);
  return rest == kNotFound ? kNotFound : i + rest;
}
#endif

using FindFn = size_t (*)(const char* hay, size_t n, const char* needle, size_t m);

size_t FindScalarRaw(const char* hay, size_t n, const char* needle, size_t m) {
  return FindScalar(hay, n, std::string_view(needle, m));
}

#if defined(QUIVER_KERNELS_X86)
size_t FindSse2Raw(const char* hay, size_t n, const char* needle, size_t m) {
  return FindSse2(hay, n, std::string_view(needle, m));
}
#endif

// The search of the active target, looked up once per call of ContainsRows.
FindFn ActiveFind() {
#if defined(QUIVER_KERNELS_X86)
  switch (ActiveKernelTarget()) {
    case Target::kScalar: return FindScalarRaw;
    case Target::kSse42: return FindSse2Raw;
    case Target::kAvx2:
    case Target::kAvx512: return FindSubstringAvx2;
  }
#endif
  return FindScalarRaw;
}

}  // namespace

size_t FindSubstring(const char* hay, size_t n, std::string_view needle) {
  return ActiveFind()(hay, n, needle.data(), needle.size());
}

#if !defined(QUIVER_KERNELS_X86)
size_t FindSubstringAvx2(const char* hay, size_t n, const char* needle, size_t m) {
  return FindScalar(hay, n, std::string_view(needle, m));
}
#endif

void ContainsRows(const char* data, const int32_t* offsets, int64_t n, std::string_view needle,
                  uint64_t* out) {
  if (n <= 0) return;
  const size_t m = needle.size();
  const int64_t end = offsets[n];
  int64_t pos = offsets[0];
  int64_t row = 0;  // offsets[row] <= pos
  const FindFn find = ActiveFind();
  while (end - pos >= int64_t(m)) {
    const size_t hit = find(data + pos, size_t(end - pos), needle.data(), m);
    if (hit == kNotFound) return;
    const int64_t at = pos + int64_t(hit);
    // The row holding byte `at`: the last row starting at or before it.
    // Matches are often a few rows on (a step at a time), sometimes far (a
    // binary search).
    for (int step = 0; step < 8 && offsets[row + 1] <= at; ++step) ++row;
    if (offsets[row + 1] <= at) {
      row = (std::upper_bound(offsets + row + 1, offsets + n + 1, at) - offsets) - 1;
    }
    if (at + int64_t(m) <= offsets[row + 1]) {
      out[row >> 6] |= uint64_t(1) << (row & 63);
      if (++row == n) return;
      pos = offsets[row];  // the rest of the matched row cannot change its bit
    } else {
      pos = at + 1;  // the match crosses into the next row: not a match of either
    }
  }
}

}  // namespace quiver::kernels::internal
