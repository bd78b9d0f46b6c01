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
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hay + i + p.rare));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hay + i + p.often));
    uint32_t bits = uint32_t(_mm256_movemask_epi8(
        _mm256_and_si256(_mm256_cmpeq_epi8(a, rare), _mm256_cmpeq_epi8(b, often))));
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

}  // namespace quiver::kernels::internal
#endif
