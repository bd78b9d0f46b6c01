// Plain-C++ block loops shared by every target's translation unit.
//
// Included only by kernels_*.cc; everything is in an unnamed namespace so each
// target's copy is compiled with its own flags and never merged with another
// (the scalar unit builds them without vectorisation, the ISA units let the
// compiler vectorise them for that ISA).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/dispatch_internal.h"

namespace quiver::kernels::internal {
namespace {

template <typename T, typename F>
inline void ScalarBits(const T* v, int64_t n, uint64_t* out, F f) {
  int64_t full = n / 64;
  for (int64_t w = 0; w < full; ++w) {
    const T* p = v + w * 64;
    uint64_t word = 0;
    for (int j = 0; j < 64; ++j) word |= uint64_t(f(p[j])) << j;
    out[w] = word;
  }
  int64_t rem = n - full * 64;
  if (rem > 0) {
    const T* p = v + full * 64;
    uint64_t word = 0;
    for (int64_t j = 0; j < rem; ++j) word |= uint64_t(f(p[j])) << j;
    out[full] = word;
  }
}

template <typename T>
void ScalarCompare(const T* v, int64_t n, CompareOp op, T lit, uint64_t* out) {
  switch (op) {
    case CompareOp::kEq: ScalarBits(v, n, out, [lit](T x) { return x == lit; }); break;
    case CompareOp::kNe: ScalarBits(v, n, out, [lit](T x) { return x != lit; }); break;
    case CompareOp::kLt: ScalarBits(v, n, out, [lit](T x) { return x < lit; }); break;
    case CompareOp::kLe: ScalarBits(v, n, out, [lit](T x) { return x <= lit; }); break;
    case CompareOp::kGt: ScalarBits(v, n, out, [lit](T x) { return x > lit; }); break;
    case CompareOp::kGe: ScalarBits(v, n, out, [lit](T x) { return x >= lit; }); break;
  }
}

template <typename T>
void ScalarBetween(const T* v, int64_t n, T lo, T hi, uint64_t* out) {
  ScalarBits(v, n, out, [lo, hi](T x) { return (lo <= x) & (x <= hi); });
}

inline uint64_t WordOf(const uint64_t* sel, int64_t w) { return sel ? sel[w] : ~uint64_t(0); }

// Sums rows [begin, end) of the block whose selection word is `word`.
template <typename T>
inline SumType<T> SumBlock(const T* p, int64_t len, uint64_t word) {
  if constexpr (std::is_floating_point_v<T>) {
    double s = 0;
    for (int64_t j = 0; j < len; ++j) s += ((word >> j) & 1) ? double(p[j]) : 0.0;
    return s;
  } else if constexpr (sizeof(T) < 8) {
    // 64 narrow values cannot overflow 64 bits.
    int64_t s = 0;
    for (int64_t j = 0; j < len; ++j) s += int64_t(p[j]) & -int64_t((word >> j) & 1);
    return s;
  } else {
    __int128 s = 0;
    for (int64_t j = 0; j < len; ++j) {
      if ((word >> j) & 1) s += p[j];
    }
    return s;
  }
}

// An 8-, 16- or 32-bit integer word whose 64 rows are all selected adds
// them in a plain loop (64 values cannot overflow int64), which the ISA
// units' compilers widen into vector lanes; the masked SumBlock does not
// vectorise.
template <typename T>
void ScalarSum(const T* v, int64_t n, const uint64_t* sel, SumType<T>* acc) {
  constexpr bool kNarrowInt = std::is_integral_v<T> && sizeof(T) < 8;
  SumType<T> total = 0;
  for (int64_t w = 0; w * 64 < n; ++w) {
    uint64_t word = WordOf(sel, w);
    if (word == 0) continue;
    int64_t len = n - w * 64 < 64 ? n - w * 64 : 64;
    const T* p = v + w * 64;
    if constexpr (kNarrowInt) {
      if (len == 64 && word == ~uint64_t(0)) {
        int64_t t = 0;
        for (int j = 0; j < 64; ++j) t += int64_t(p[j]);
        total += t;
        continue;
      }
    }
    total += SumBlock(p, len, word);
  }
  *acc += total;
}

template <typename T>
void ScalarMinMax(const T* v, int64_t n, const uint64_t* sel, T* min, T* max,
                  bool* found, bool* saw_nan) {
  T mn = *min, mx = *max;
  bool any = *found, nan = *saw_nan;
  for (int64_t w = 0; w * 64 < n; ++w) {
    uint64_t word = WordOf(sel, w);
    if (word == 0) continue;
    int64_t len = n - w * 64 < 64 ? n - w * 64 : 64;
    const T* p = v + w * 64;
    for (int64_t j = 0; j < len; ++j) {
      if (!((word >> j) & 1)) continue;
      T x = p[j];
      if constexpr (std::is_floating_point_v<T>) {
        if (x != x) {
          nan = true;
          continue;
        }
      }
      if (!any) {
        mn = mx = x;
        any = true;
      } else {
        mn = x < mn ? x : mn;
        mx = x > mx ? x : mx;
      }
    }
  }
  *min = mn;
  *max = mx;
  *found = any;
  *saw_nan = nan;
}

inline int64_t ScalarCountBits(const uint64_t* a, int64_t n_words) {
  int64_t c = 0;
  for (int64_t i = 0; i < n_words; ++i) c += __builtin_popcountll(a[i]);
  return c;
}

inline int64_t ScalarCountAnd(const uint64_t* a, const uint64_t* b, int64_t n_words) {
  int64_t c = 0;
  for (int64_t i = 0; i < n_words; ++i) c += __builtin_popcountll(a[i] & b[i]);
  return c;
}

template <typename I>
void ScalarLookup(const I* idx, int64_t n, const uint8_t* table, int64_t table_size,
                  uint64_t* out) {
  using U = std::make_unsigned_t<I>;
  uint64_t size = uint64_t(table_size);
  ScalarBits(idx, n, out, [table, size](I i) { return uint64_t(U(i)) < size && table[U(i)] != 0; });
}

// KernelTable::utf8_continuation_masks: eight bytes at a time, bit 7 set
// and bit 6 clear, the eight flags gathered into one byte by a multiply
// (byte k's flag lands on bit 56 + k, no two terms share a bit). The SIMD
// targets compare whole vectors instead (simd_internal.h).
void PlainContinuationMasks(const uint8_t* p, size_t blocks, uint64_t* masks) {
  for (size_t b = 0; b < blocks; ++b) {
    uint64_t m = 0;
    for (size_t j = 0; j < 8; ++j) {
      uint64_t w;
      std::memcpy(&w, p + b * 64 + j * 8, 8);
      if constexpr (std::endian::native != std::endian::little) w = __builtin_bswap64(w);
      const uint64_t c = (w & ~(w << 1)) & 0x8080808080808080ull;
      m |= (((c >> 7) * 0x0102040810204080ull) >> 56) << (j * 8);
    }
    masks[b] = m;
  }
}

template <typename T>
void FillTyped(TypedKernels<T>* k) {
  k->compare = &ScalarCompare<T>;
  k->between = &ScalarBetween<T>;
  k->sum = &ScalarSum<T>;
  k->min_max = &ScalarMinMax<T>;
}

inline void FillPlainTable(KernelTable* t) {
  FillTyped(&t->i8);
  FillTyped(&t->i16);
  FillTyped(&t->i32);
  FillTyped(&t->i64);
  FillTyped(&t->u8);
  FillTyped(&t->u16);
  FillTyped(&t->u32);
  FillTyped(&t->u64);
  FillTyped(&t->f32);
  FillTyped(&t->f64);
  t->count_bits = &ScalarCountBits;
  t->count_and = &ScalarCountAnd;
  t->lookup8 = &ScalarLookup<int8_t>;
  t->lookup16 = &ScalarLookup<int16_t>;
  t->lookup32 = &ScalarLookup<int32_t>;
  t->utf8_continuation_masks = &PlainContinuationMasks;
}

}  // namespace
}  // namespace quiver::kernels::internal
