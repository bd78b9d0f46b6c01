#include <algorithm>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/string_search_internal.h"

#if defined(QUIVER_KERNELS_X86)
#include <emmintrin.h>
#endif

namespace quiver::kernels::internal {
namespace {

// A guess of how common byte c is in text and URLs: 3 for spaces,
// punctuation of URLs, digits, the commonest letters and the lead bytes of
// Cyrillic; 2 other lower-case letters; 1 the rest.
int Commonness(unsigned char c) {
  if (c == ' ' || c == '.' || c == '/' || c == ':' || c == '-' || c == '_' || c == '=' ||
      c == '?' || c == '&' || (c >= '0' && c <= '9') || c == 0xD0 || c == 0xD1) {
    return 3;
  }
  if (std::strchr("etaoinsrhlcdmpw", c) != nullptr && c != 0) return 3;
  if (c >= 'a' && c <= 'z') return 2;
  return 1;
}

// memchr for the rare byte, then the other, then the whole needle.
size_t FindScalar(const char* hay, size_t n, const NeedlePlan& p) {
  const size_t m = p.m;
  if (m > n) return kNotFound;
  const char rare = p.bytes[p.rare], often = p.bytes[p.often];
  // Candidate starts are [0, n - m]; their rare bytes lie at + p.rare.
  const char* q = hay + p.rare;
  const char* stop = hay + (n - m) + 1 + p.rare;
  while (q < stop) {
    q = static_cast<const char*>(std::memchr(q, rare, size_t(stop - q)));
    if (q == nullptr) return kNotFound;
    const char* at = q - p.rare;
    if (at[p.often] == often && std::memcmp(at, p.bytes, m) == 0) return size_t(at - hay);
    ++q;
  }
  return kNotFound;
}

#if defined(QUIVER_KERNELS_X86)
// SSE2 (the x86-64 baseline): 16 candidate starts per step, kept when the
// needle's two chosen bytes are where they would be.
size_t FindSse2(const char* hay, size_t n, const NeedlePlan& p) {
  const size_t m = p.m;
  if (m > n) return kNotFound;
  const __m128i rare = _mm_set1_epi8(p.bytes[p.rare]);
  const __m128i often = _mm_set1_epi8(p.bytes[p.often]);
  size_t i = 0;
  for (; i + m + 15 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay + i + p.rare));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay + i + p.often));
    unsigned bits = unsigned(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, rare), _mm_cmpeq_epi8(b, often))));
    while (bits != 0) {
      const size_t at = i + size_t(__builtin_ctz(bits));
      if (SameBytes(hay + at, p.bytes, m)) return at;
      bits &= bits - 1;
    }
  }
  const size_t rest = FindScalar(hay + i, n - i, p);
  return rest == kNotFound ? kNotFound : i + rest;
}
#endif

using FindFn = size_t (*)(const char* hay, size_t n, const NeedlePlan& p);

// The search of the active target, looked up once per call of ContainsRows.
FindFn ActiveFind() {
#if defined(QUIVER_KERNELS_X86)
  switch (ActiveKernelTarget()) {
    case Target::kScalar:
      return FindScalar;
    case Target::kSse42:
      return FindSse2;
    case Target::kAvx2:
    case Target::kAvx512:
      return FindSubstringAvx2;
  }
#endif
  return FindScalar;
}

}  // namespace

NeedlePlan PlanNeedle(std::string_view needle) {
  NeedlePlan p;
  p.bytes = needle.data();
  p.m = needle.size();
  // The rarest byte (the first of equals), then the rarest other one
  // (preferring a different byte value, then the last of equals, so that
  // first and last are the default for a needle of common bytes).
  auto rank = [&](size_t i) { return Commonness(static_cast<unsigned char>(needle[i])); };
  for (size_t i = 1; i < p.m; ++i) {
    if (rank(i) < rank(p.rare)) p.rare = i;
  }
  p.often = p.m - 1;
  int best = 1 << 20;
  for (size_t i = 0; i < p.m; ++i) {
    if (i == p.rare && p.m > 1) continue;
    const int score = rank(i) * 2 + (needle[i] == needle[p.rare] ? 1 : 0);
    if (score <= best) {
      best = score;
      p.often = i;
    }
  }
  return p;
}

size_t FindSubstring(const char* hay, size_t n, std::string_view needle) {
  return ActiveFind()(hay, n, PlanNeedle(needle));
}

#if !defined(QUIVER_KERNELS_X86)
size_t FindSubstringAvx2(const char* hay, size_t n, const NeedlePlan& p) {
  return FindScalar(hay, n, p);
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
  const NeedlePlan plan = PlanNeedle(needle);
  while (end - pos >= int64_t(m)) {
    const size_t hit = find(data + pos, size_t(end - pos), plan);
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
