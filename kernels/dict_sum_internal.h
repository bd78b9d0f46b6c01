// KernelTable::dict_sum_* and dict_count (see dispatch_internal.h): GROUP BY
// a one-byte dictionary key of at most 8 entries, the rows and one sum of
// each entry in vector lanes instead of a store per row into per-entry cells.
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
// unnamed namespace. GCC/Clang vector extensions, 32 bytes wide: one AVX
// register, or two SSE registers on the SSE 4.2 target.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/dispatch_internal.h"

namespace quiver::kernels::internal {
namespace {

typedef double DictVD __attribute__((vector_size(32)));
typedef int64_t DictVI __attribute__((vector_size(32)));
typedef float DictVF __attribute__((vector_size(16)));
typedef uint8_t DictV4B __attribute__((vector_size(4)));
typedef uint8_t DictV32B __attribute__((vector_size(32)));

// Lane j of kDictLanes[x] is all ones when bit j of x is set.
struct DictLaneTable {
  alignas(32) int64_t lane[16][4];
};
constexpr DictLaneTable MakeDictLanes() {
  DictLaneTable t{};
  for (int x = 0; x < 16; ++x) {
    for (int j = 0; j < 4; ++j) t.lane[x][j] = -int64_t((x >> j) & 1);
  }
  return t;
}
constexpr DictLaneTable kDictLanes = MakeDictLanes();

// rows[e] += the rows of entry e < entries among [0, n) (other indices are
// not counted): 32 keys per compare, in byte counters that are added out
// before they can wrap.
inline void DictCountRows(const uint8_t* idx, int64_t n, int entries, int64_t* rows) {
  constexpr int64_t kStripe = 255 * 32;
  int64_t i = 0;
  for (; i + 32 <= n;) {
    const int64_t whole = (n - i) & ~int64_t(31);
    const int64_t end = i + (whole < kStripe ? whole : kStripe);
    DictV32B c[8] = {};
    for (; i < end; i += 32) {
      DictV32B b;
      std::memcpy(&b, idx + i, 32);
      for (int e = 0; e < 8; ++e) c[e] -= (DictV32B)(b == uint8_t(e));
    }
    for (int e = 0; e < entries; ++e) {
      int64_t t = 0;
      for (int j = 0; j < 32; ++j) t += c[e][j];
      rows[e] += t;
    }
  }
  for (; i < n; ++i) {
    if (idx[i] < entries) ++rows[idx[i]];
  }
}

template <typename T, int E, bool kValid>
void DictSumE(const uint8_t* idx, const T* v, const uint8_t* valid, int64_t n, double* sums) {
  DictVD acc[E];
  for (int e = 0; e < E; ++e) std::memcpy(&acc[e], sums + 4 * e, sizeof(DictVD));
  for (int64_t k = 0; k < n; k += 4) {
    DictV4B b;
    std::memcpy(&b, idx + k, 4);
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
      DictVI lanes;
      std::memcpy(&lanes, kDictLanes.lane[(valid[k >> 3] >> (k & 4)) & 15], sizeof lanes);
      bits &= lanes;
    }
    for (int e = 0; e < E; ++e) acc[e] += (DictVD)(bits & (key == int64_t(e)));
  }
  for (int e = 0; e < E; ++e) std::memcpy(sums + 4 * e, &acc[e], sizeof(DictVD));
}

template <typename T>
void DictSum(const uint8_t* idx, const T* v, const uint8_t* valid, int64_t n, int entries, double* sums) {
  // Entries past `entries` see no rows; their lanes (of a scratch copy
  // when E > entries) stay +0.0.
  double scratch[4 * 8] = {};
  std::memcpy(scratch, sums, sizeof(double) * 4 * size_t(entries));
  auto run = [&](auto e_tag) {
    constexpr int E = decltype(e_tag)::value;
    if (valid != nullptr) DictSumE<T, E, true>(idx, v, valid, n, scratch);
    else DictSumE<T, E, false>(idx, v, valid, n, scratch);
  };
  if (entries <= 2) run(std::integral_constant<int, 2>{});
  else if (entries <= 4) run(std::integral_constant<int, 4>{});
  else run(std::integral_constant<int, 8>{});
  std::memcpy(sums, scratch, sizeof(double) * 4 * size_t(entries));
}

inline void FillDictSum(KernelTable* t) {
  t->dict_sum_f64 = &DictSum<double>;
  t->dict_sum_f32 = &DictSum<float>;
  t->dict_count = &DictCountRows;
}

}  // namespace
}  // namespace quiver::kernels::internal
