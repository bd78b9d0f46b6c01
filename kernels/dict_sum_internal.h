// KernelTable::dict_sum_* and dict_count (see dispatch_internal.h): GROUP BY
// a dictionary key of at most 8 entries (indices of 1, 2 or 4 bytes; CSV
// ingest writes 4), the rows and one sum of each entry in vector lanes
// instead of a store per row into per-entry cells.
//
// Why: the scalar loop adds each row into its entry's cell in memory. When
// the key is random, a row often updates the cell a row a few places before
// it updated, and the store-to-load forwarding and memory-order replays of
// those read-modify-writes bound it at about five cycles per row. Here each
// entry keeps its four lanes in a register and every row adds into every
// entry (its value where the key matches, +0.0 elsewhere), which is a compare,
// an AND and an add per entry and four rows.
//
// Exactness: lane c takes rows c, c + 4, c + 8, ... in row order, as copy c
// of the scalar loop does. Adding +0.0 changes no sum: a lane starts at +0.0,
// so it never holds -0.0, and x + 0.0 == x for every other x, NaN and ±Inf
// included. The sums are therefore the scalar loop's, bit for bit.
//
// Included only by simd_internal.h (the ISA units): everything sits in its
// unnamed namespace. GCC/Clang vector extensions, 32 bytes wide (one AVX
// register) on the AVX2 target; on AVX-512 (BW and VL) intrinsics, with two
// entries a register and masked adds. The SSE 4.2 target takes the counts
// only (see FillDictSum).
#pragma once

#include <cstdint>
#include <cstring>
#include <immintrin.h>
#include <type_traits>

#include "kernels/dispatch_internal.h"

namespace quiver::kernels::internal {
namespace {

typedef double DictVD __attribute__((vector_size(32)));
typedef int64_t DictVI __attribute__((vector_size(32)));
typedef float DictVF __attribute__((vector_size(16)));

// Lane j of kDictLanes[x] is all ones when bit j of x is set (the table
// holds the vectors themselves, so a lookup is one vector load).
#define QUIVER_DICT_LANE(x) \
  DictVI { -int64_t((x) & 1), -int64_t(((x) >> 1) & 1), -int64_t(((x) >> 2) & 1), -int64_t(((x) >> 3) & 1) }
alignas(32) const DictVI kDictLanes[16] = {
    QUIVER_DICT_LANE(0),  QUIVER_DICT_LANE(1),  QUIVER_DICT_LANE(2),  QUIVER_DICT_LANE(3),
    QUIVER_DICT_LANE(4),  QUIVER_DICT_LANE(5),  QUIVER_DICT_LANE(6),  QUIVER_DICT_LANE(7),
    QUIVER_DICT_LANE(8),  QUIVER_DICT_LANE(9),  QUIVER_DICT_LANE(10), QUIVER_DICT_LANE(11),
    QUIVER_DICT_LANE(12), QUIVER_DICT_LANE(13), QUIVER_DICT_LANE(14), QUIVER_DICT_LANE(15)};
#undef QUIVER_DICT_LANE

// rows[e] += the rows of entry e < entries among [0, n) (other indices are
// not counted): 32 bytes of indices per compare, in counters of the index's
// own width that are added out before they can wrap. I: uint8_t, uint16_t
// or uint32_t (signed indices read as unsigned: a negative one is no entry).
template <typename I>
void DictCountRowsOf(const I* idx, int64_t n, int entries, int64_t* rows) {
  typedef I V __attribute__((vector_size(32)));
  constexpr int64_t kLanes = 32 / sizeof(I);
  constexpr int64_t kMax = sizeof(I) == 1 ? 255 : sizeof(I) == 2 ? 65535 : int64_t(1) << 30;
  constexpr int64_t kStripe = kMax * kLanes;
  int64_t i = 0;
  for (; i + kLanes <= n;) {
    const int64_t whole = (n - i) & ~(kLanes - 1);
    const int64_t end = i + (whole < kStripe ? whole : kStripe);
    V c[8] = {};
    for (; i < end; i += kLanes) {
      V b;
      std::memcpy(&b, idx + i, 32);
      for (int e = 0; e < 8; ++e) c[e] -= (V)(b == I(e));
    }
    for (int e = 0; e < entries; ++e) {
      int64_t t = 0;
      for (int j = 0; j < int(kLanes); ++j) t += int64_t(c[e][j]);
      rows[e] += t;
    }
  }
  for (; i < n; ++i) {
    if (idx[i] < I(entries)) ++rows[idx[i]];
  }
}

inline void DictCountRows(const void* idx, int width, int64_t n, int entries, int64_t* rows) {
  if (width == 1) DictCountRowsOf(static_cast<const uint8_t*>(idx), n, entries, rows);
  else if (width == 2) DictCountRowsOf(static_cast<const uint16_t*>(idx), n, entries, rows);
  else DictCountRowsOf(static_cast<const uint32_t*>(idx), n, entries, rows);
}

#if defined(__AVX512BW__) && defined(__AVX512VL__)
// The AVX-512 form of DictSumE. One 512-bit register holds two entries'
// four lanes (entry 2p in lanes 0-3, entry 2p + 1 in lanes 4-7, as they lie
// in `sums`), the four values are broadcast to both halves, and one compare
// of the four indices with {2p x 4, 2p + 1 x 4} gives the mask of a masked
// add: two instructions per pair of entries and four rows, where DictSumE
// needs three per entry. Lane c of each entry still takes rows c, c + 4,
// ... in row order, and a row that does not match (or is NULL) adds
// nothing instead of +0.0, which changes no sum: the scalar loop's sums,
// bit for bit.

// Four indices, repeated to fill the register the compare takes.
template <size_t W>
struct DictKeysOfWidth {
  typedef __m128i type;
};
template <>
struct DictKeysOfWidth<4> {
  typedef __m256i type;
};
template <typename I>
using DictKeys512 = typename DictKeysOfWidth<sizeof(I)>::type;

template <typename I>
inline DictKeys512<I> DictKeysAt(const I* idx) {
  if constexpr (sizeof(I) == 1) {
    uint32_t w;
    std::memcpy(&w, idx, sizeof w);
    return _mm_set1_epi32(int32_t(w));
  } else if constexpr (sizeof(I) == 2) {
    uint64_t w;
    std::memcpy(&w, idx, sizeof w);
    return _mm_set1_epi64x(int64_t(w));
  } else {
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(idx)));
  }
}

// {2p x 4, 2p + 1 x 4}, the rest an index no row has (every index is below
// `entries` <= 8).
template <typename I>
inline DictKeys512<I> DictPairKeys(int p) {
  I lanes[sizeof(DictKeys512<I>) / sizeof(I)];
  for (I& l : lanes) l = I(~I(0));
  for (int j = 0; j < 4; ++j) {
    lanes[j] = I(2 * p);
    lanes[4 + j] = I(2 * p + 1);
  }
  DictKeys512<I> r;
  std::memcpy(&r, lanes, sizeof r);
  return r;
}

// Bit j (j < 4): row j has entry 2p; bit 4 + j: entry 2p + 1; both only
// where `ok` has the bit.
template <typename I>
inline __mmask8 DictPairMatch(DictKeys512<I> keys, DictKeys512<I> pair, __mmask8 ok) {
  if constexpr (sizeof(I) == 1) return __mmask8(_mm_mask_cmpeq_epi8_mask(__mmask16(ok), keys, pair));
  else if constexpr (sizeof(I) == 2) return _mm_mask_cmpeq_epi16_mask(ok, keys, pair);
  else return _mm256_mask_cmpeq_epi32_mask(ok, keys, pair);
}

// Four values as doubles, in both halves.
template <typename T>
inline __m512d DictValues512(const T* v) {
  if constexpr (std::is_same_v<T, double>) {
    return _mm512_broadcast_f64x4(_mm256_loadu_pd(v));
  } else {
    const __m128 f = _mm_loadu_ps(v);
    return _mm512_cvtps_pd(_mm256_set_m128(f, f));
  }
}

template <typename T, typename I, int E, bool kValid, bool kSeen>
void DictSumE(const I* idx, const T* v, const uint8_t* valid, int64_t n, double* sums, int64_t* values) {
  constexpr int P = E / 2;
  __m512d acc[P];
  __m512i seen[P];
  DictKeys512<I> pair[P];
  for (int p = 0; p < P; ++p) {
    acc[p] = _mm512_loadu_pd(sums + 8 * p);
    seen[p] = _mm512_setzero_si512();
    pair[p] = DictPairKeys<I>(p);
  }
  const __m512i one = _mm512_set1_epi64(1);
  for (int64_t k = 0; k < n; k += 8) {
    const unsigned vb = kValid ? valid[k >> 3] : 0xFFu;
    for (int h = 0; h < 2; ++h) {
      const int64_t r = k + 4 * h;
      const __mmask8 ok = __mmask8(((vb >> (4 * h)) & 15u) * 0x11u);
      const DictKeys512<I> keys = DictKeysAt(idx + r);
      const __m512d x = DictValues512(v + r);
      for (int p = 0; p < P; ++p) {
        const __mmask8 m = DictPairMatch<I>(keys, pair[p], ok);
        acc[p] = _mm512_mask_add_pd(acc[p], m, acc[p], x);
        if constexpr (kSeen) seen[p] = _mm512_mask_add_epi64(seen[p], m, seen[p], one);
      }
    }
  }
  for (int p = 0; p < P; ++p) {
    _mm512_storeu_pd(sums + 8 * p, acc[p]);
    if constexpr (kSeen) {
      alignas(64) int64_t s[8];
      _mm512_store_si512(s, seen[p]);
      values[2 * p] += s[0] + s[1] + s[2] + s[3];
      values[2 * p + 1] += s[4] + s[5] + s[6] + s[7];
    }
  }
}
#else
template <typename T, typename I, int E, bool kValid, bool kSeen>
void DictSumE(const I* idx, const T* v, const uint8_t* valid, int64_t n, double* sums, int64_t* values) {
  typedef I V4 __attribute__((vector_size(4 * sizeof(I))));
  DictVD acc[E];
  DictVI seen[E] = {};  // valid values per entry, as minus their count per lane
  for (int e = 0; e < E; ++e) std::memcpy(&acc[e], sums + 4 * e, sizeof(DictVD));
  for (int64_t k = 0; k < n; k += 4) {
    V4 b;
    std::memcpy(&b, idx + k, sizeof b);
    const DictVI key = __builtin_convertvector(b, DictVI);
    DictVD x;
    if constexpr (std::is_same_v<T, double>) {
      std::memcpy(&x, v + k, sizeof x);
    } else {
      DictVF f;
      std::memcpy(&f, v + k, sizeof f);
      x = __builtin_convertvector(f, DictVD);
    }
    DictVI bits = (DictVI)x;
    if constexpr (kValid) {
      const DictVI lanes = kDictLanes[(valid[k >> 3] >> (k & 4)) & 15];
      bits &= lanes;
      for (int e = 0; e < E; ++e) {
        const DictVI match = key == int64_t(e);
        acc[e] += (DictVD)(bits & match);
        if constexpr (kSeen) seen[e] += lanes & match;
      }
    } else {
      for (int e = 0; e < E; ++e) acc[e] += (DictVD)(bits & (key == int64_t(e)));
    }
  }
  for (int e = 0; e < E; ++e) {
    std::memcpy(sums + 4 * e, &acc[e], sizeof(DictVD));
    if constexpr (kSeen) values[e] -= seen[e][0] + seen[e][1] + seen[e][2] + seen[e][3];
  }
}
#endif

template <typename T, typename I>
void DictSumOf(const I* idx, const T* v, const uint8_t* valid, int64_t n, int entries, double* sums,
               int64_t* values) {
  // Entries past `entries` see no rows; their lanes (of a scratch copy
  // when E > entries) stay +0.0.
  double scratch[4 * 8] = {};
  int64_t seen[8] = {};
  std::memcpy(scratch, sums, sizeof(double) * 4 * size_t(entries));
  auto run = [&](auto e_tag) {
    constexpr int E = decltype(e_tag)::value;
    if (valid == nullptr) DictSumE<T, I, E, false, false>(idx, v, valid, n, scratch, seen);
    else if (values == nullptr) DictSumE<T, I, E, true, false>(idx, v, valid, n, scratch, seen);
    else DictSumE<T, I, E, true, true>(idx, v, valid, n, scratch, seen);
  };
  if (entries <= 2) run(std::integral_constant<int, 2>{});
  else if (entries <= 4) run(std::integral_constant<int, 4>{});
  else run(std::integral_constant<int, 8>{});
  std::memcpy(sums, scratch, sizeof(double) * 4 * size_t(entries));
  for (int e = 0; values != nullptr && e < entries; ++e) values[e] += seen[e];
}

template <typename T>
void DictSum(const void* idx, int width, const T* v, const uint8_t* valid, int64_t n, int entries,
             double* sums, int64_t* values) {
  if (width == 1) DictSumOf(static_cast<const uint8_t*>(idx), v, valid, n, entries, sums, values);
  else if (width == 2) DictSumOf(static_cast<const uint16_t*>(idx), v, valid, n, entries, sums, values);
  else DictSumOf(static_cast<const uint32_t*>(idx), v, valid, n, entries, sums, values);
}

inline void FillDictSum(KernelTable* t) {
#if defined(__AVX2__)
  // Not on SSE 4.2: there each 32-byte vector is two registers, eight
  // entries' sums spill, and the scalar loop is faster (kernels_bench).
  t->dict_sum_f64 = &DictSum<double>;
  t->dict_sum_f32 = &DictSum<float>;
#endif
  t->dict_count = &DictCountRows;
}

}  // namespace
}  // namespace quiver::kernels::internal
