// xsimd kernels, instantiated once per instruction set.
//
// Included only by kernels_sse42.cc, kernels_avx2.cc and kernels_avx512.cc,
// each compiled with its ISA's flags and instantiating FillSimdTable<Arch>.
// Everything sits in an unnamed namespace so no inline function compiled for
// one ISA can be picked by the linker for another unit.
//
// Unsigned comparisons are done on the signed lane type with the sign bit
// flipped (x ^ MIN), which preserves order and needs no unsigned compare.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <limits>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/dict_sum_internal.h"
#include "kernels/loops_internal.h"

namespace quiver::kernels::internal {
namespace {

inline __m128i AsI128(__m128 r) { return _mm_castps_si128(r); }
inline __m128i AsI128(__m128d r) { return _mm_castpd_si128(r); }
inline __m128i AsI128(__m128i r) { return r; }

#if defined(__AVX2__)
inline __m256i AsI256(__m256 r) { return _mm256_castps_si256(r); }
inline __m256i AsI256(__m256d r) { return _mm256_castpd_si256(r); }
inline __m256i AsI256(__m256i r) { return r; }
#endif

// One bit per lane, lane 0 in bit 0.
template <class A, class T>
inline uint64_t MoveMask(const xsimd::batch_bool<T, A>& b) {
  using R = typename xsimd::batch_bool<T, A>::register_type;
  R r = b;
#if defined(__AVX512F__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
    return uint64_t(r);
  } else
#endif
#if defined(__AVX2__)
  if constexpr (std::is_base_of_v<xsimd::avx, A>) {
    __m256i x = AsI256(r);
    if constexpr (sizeof(T) == 1) return uint32_t(_mm256_movemask_epi8(x));
    else if constexpr (sizeof(T) == 2) return _pext_u32(uint32_t(_mm256_movemask_epi8(x)), 0xAAAAAAAAu);
    else if constexpr (sizeof(T) == 4) return uint32_t(_mm256_movemask_ps(_mm256_castsi256_ps(x)));
    else return uint32_t(_mm256_movemask_pd(_mm256_castsi256_pd(x)));
  } else
#endif
  {
    __m128i x = AsI128(r);
    if constexpr (sizeof(T) == 1) return uint32_t(_mm_movemask_epi8(x));
    else if constexpr (sizeof(T) == 2) return uint32_t(_mm_movemask_epi8(_mm_packs_epi16(x, _mm_setzero_si128())));
    else if constexpr (sizeof(T) == 4) return uint32_t(_mm_movemask_ps(_mm_castsi128_ps(x)));
    else return uint32_t(_mm_movemask_pd(_mm_castsi128_pd(x)));
  }
}

// The lane type a column type T is compared in.
template <class A, class T>
struct Lanes {
  static constexpr bool kFlip = std::is_unsigned_v<T>;
  using C = typename std::conditional_t<kFlip, std::make_signed<T>, std::type_identity<T>>::type;
  using B = xsimd::batch<C, A>;
  static constexpr int kWidth = int(B::size);
  static constexpr C kSign = kFlip ? std::numeric_limits<C>::min() : C(0);

  static B Load(const T* p) {
    B x = B::load_unaligned(reinterpret_cast<const C*>(p));
    if constexpr (kFlip) x = x ^ B(kSign);
    return x;
  }
  static C Lit(T x) {
    if constexpr (kFlip) return C(C(x) ^ kSign);
    else return x;
  }
};

template <class A, class T, class F, class SF>
inline void SimdBits(const T* v, int64_t n, uint64_t* out, F f, SF sf) {
  using L = Lanes<A, T>;
  int64_t full = n / 64;
  for (int64_t w = 0; w < full; ++w) {
    const T* p = v + w * 64;
    uint64_t word = 0;
    for (int j = 0; j < 64; j += L::kWidth) word |= MoveMask<A>(f(L::Load(p + j))) << j;
    out[w] = word;
  }
  int64_t rem = n - full * 64;
  if (rem > 0) {
    const T* p = v + full * 64;
    uint64_t word = 0;
    for (int64_t j = 0; j < rem; ++j) word |= uint64_t(sf(p[j])) << j;
    out[full] = word;
  }
}

template <class A, class T>
void SimdCompare(const T* v, int64_t n, CompareOp op, T lit, uint64_t* out) {
  using L = Lanes<A, T>;
  using B = typename L::B;
  const B b(L::Lit(lit));
  switch (op) {
    case CompareOp::kEq:
      SimdBits<A>(v, n, out, [b](B x) { return x == b; }, [lit](T x) { return x == lit; });
      break;
    case CompareOp::kNe:
      // Not x != b: xsimd's AVX != is an ordered compare, false for NaN.
      SimdBits<A>(v, n, out, [b](B x) { return ~(x == b); }, [lit](T x) { return x != lit; });
      break;
    case CompareOp::kLt:
      SimdBits<A>(v, n, out, [b](B x) { return x < b; }, [lit](T x) { return x < lit; });
      break;
    case CompareOp::kLe:
      SimdBits<A>(v, n, out, [b](B x) { return x <= b; }, [lit](T x) { return x <= lit; });
      break;
    case CompareOp::kGt:
      SimdBits<A>(v, n, out, [b](B x) { return x > b; }, [lit](T x) { return x > lit; });
      break;
    case CompareOp::kGe:
      SimdBits<A>(v, n, out, [b](B x) { return x >= b; }, [lit](T x) { return x >= lit; });
      break;
  }
}

template <class A, class T>
void SimdBetween(const T* v, int64_t n, T lo, T hi, uint64_t* out) {
  using L = Lanes<A, T>;
  using B = typename L::B;
  const B bl(L::Lit(lo)), bh(L::Lit(hi));
  SimdBits<A>(
      v, n, out, [bl, bh](B x) { return (x >= bl) && (x <= bh); },
      [lo, hi](T x) { return (lo <= x) & (x <= hi); });
}

// Lane masks for the selection bits of one 64-bit block: lane j of the
// result is all ones if bit (j0 + j) of word is set.
template <class A>
struct BitLanes {
  using BI = xsimd::batch<int64_t, A>;
  static constexpr int kWidth = int(BI::size);
  BI lane_bits;
  BitLanes() {
    alignas(64) int64_t bits[kWidth];
    for (int j = 0; j < kWidth; ++j) bits[j] = int64_t(1) << j;
    lane_bits = BI::load_aligned(bits);
  }
  BI Mask(uint64_t word, int j0) const {
    BI w(int64_t(word >> j0));
    return xsimd::bitwise_cast((w & lane_bits) != BI(0));
  }
};

// Exact int64 sum: lanes add with wrap-around and record signed overflow;
// if any lane overflowed, the block is redone exactly in 128 bits.
template <class A>
void SimdSumInt64(const int64_t* v, int64_t n, const uint64_t* sel, __int128* acc) {
  using BI = xsimd::batch<int64_t, A>;
  constexpr int W = int(BI::size);
  const BitLanes<A> lanes;
  __int128 total = 0;
  int64_t full = n / 64;
  for (int64_t w = 0; w < full; ++w) {
    uint64_t word = WordOf(sel, w);
    if (word == 0) continue;
    const int64_t* p = v + w * 64;
    BI s(int64_t(0)), ovf(int64_t(0));
    if (word == ~uint64_t(0)) {
      for (int j = 0; j < 64; j += W) {
        BI x = BI::load_unaligned(p + j);
        BI r = s + x;
        ovf = ovf | ((s ^ r) & (x ^ r));
        s = r;
      }
    } else {
      for (int j = 0; j < 64; j += W) {
        BI x = BI::load_unaligned(p + j) & lanes.Mask(word, j);
        BI r = s + x;
        ovf = ovf | ((s ^ r) & (x ^ r));
        s = r;
      }
    }
    alignas(64) int64_t sl[W], ol[W];
    s.store_aligned(sl);
    ovf.store_aligned(ol);
    bool overflowed = false;
    __int128 block = 0;
    for (int j = 0; j < W; ++j) {
      overflowed |= ol[j] < 0;
      block += sl[j];
    }
    total += overflowed ? SumBlock(p, 64, word) : block;
  }
  int64_t rem = n - full * 64;
  if (rem > 0) total += SumBlock(v + full * 64, rem, WordOf(sel, full));
  *acc += total;
}

template <class A>
void SimdSumDouble(const double* v, int64_t n, const uint64_t* sel, double* acc) {
  using BD = xsimd::batch<double, A>;
  using BI = xsimd::batch<int64_t, A>;
  constexpr int W = int(BD::size);
  const BitLanes<A> lanes;
  BD s0(0.0), s1(0.0);
  int64_t full = n / 64;
  for (int64_t w = 0; w < full; ++w) {
    uint64_t word = WordOf(sel, w);
    if (word == 0) continue;
    const double* p = v + w * 64;
    if (word == ~uint64_t(0)) {
      for (int j = 0; j < 64; j += 2 * W) {
        s0 += BD::load_unaligned(p + j);
        s1 += BD::load_unaligned(p + j + W);
      }
    } else {
      for (int j = 0; j < 64; j += W) {
        BI x = xsimd::bitwise_cast<BI>(BD::load_unaligned(p + j)) & lanes.Mask(word, j);
        s0 += xsimd::bitwise_cast<BD>(x);
      }
    }
  }
  double total = xsimd::hadd(s0 + s1);
  int64_t rem = n - full * 64;
  if (rem > 0) total += SumBlock(v + full * 64, rem, WordOf(sel, full));
  *acc += total;
}

inline int64_t PopcntCountBits(const uint64_t* a, int64_t n_words) {
  int64_t c0 = 0, c1 = 0;
  int64_t i = 0;
  for (; i + 2 <= n_words; i += 2) {
    c0 += __builtin_popcountll(a[i]);
    c1 += __builtin_popcountll(a[i + 1]);
  }
  if (i < n_words) c0 += __builtin_popcountll(a[i]);
  return c0 + c1;
}

inline int64_t PopcntCountAnd(const uint64_t* a, const uint64_t* b, int64_t n_words) {
  int64_t c0 = 0, c1 = 0;
  int64_t i = 0;
  for (; i + 2 <= n_words; i += 2) {
    c0 += __builtin_popcountll(a[i] & b[i]);
    c1 += __builtin_popcountll(a[i + 1] & b[i + 1]);
  }
  if (i < n_words) c0 += __builtin_popcountll(a[i] & b[i]);
  return c0 + c1;
}

template <class A, class T>
void FillSimdTyped(TypedKernels<T>* k) {
  FillTyped(k);  // plain loops, vectorised by the compiler for this ISA
  k->compare = &SimdCompare<A, T>;
  k->between = &SimdBetween<A, T>;
}

// KernelTable::utf8_continuation_masks: (byte & 0xC0) == 0x80 over whole
// vectors, 64 bytes a mask word (SimdBits).
template <class A>
void SimdContinuationMasks(const uint8_t* p, size_t blocks, uint64_t* masks) {
  using B = xsimd::batch<int8_t, A>;
  SimdBits<A>(
      reinterpret_cast<const int8_t*>(p), int64_t(blocks * 64), masks,
      [](const B& x) { return (x & B(int8_t(0xC0))) == B(int8_t(0x80)); },
      [](int8_t c) { return (uint8_t(c) & 0xC0) == 0x80; });
}

template <class A>
void FillSimdTable(KernelTable* t) {
  FillPlainTable(t);
  FillSimdTyped<A>(&t->i8);
  FillSimdTyped<A>(&t->i16);
  FillSimdTyped<A>(&t->i32);
  FillSimdTyped<A>(&t->i64);
  FillSimdTyped<A>(&t->u8);
  FillSimdTyped<A>(&t->u16);
  FillSimdTyped<A>(&t->u32);
  FillSimdTyped<A>(&t->u64);
  FillSimdTyped<A>(&t->f32);
  FillSimdTyped<A>(&t->f64);
  t->i64.sum = &SimdSumInt64<A>;
  t->f64.sum = &SimdSumDouble<A>;
  t->count_bits = &PopcntCountBits;
  t->count_and = &PopcntCountAnd;
  FillDictSum(t);
  t->utf8_continuation_masks = &SimdContinuationMasks<A>;
}

}  // namespace
}  // namespace quiver::kernels::internal
