// The table of per-ISA kernel entry points behind dispatch.h.
//
// Every function works on raw pointers over a contiguous range of n rows
// (already adjusted for the view's offset, so the start may be unaligned) and
// on bitmaps of 64-bit words starting at bit 0 of word 0. Output bitmaps get
// ceil(n/64) words; bits at positions >= n are written as zero.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/compare_op.h"

namespace quiver::kernels::internal {

template <typename T>
using SumType = std::conditional_t<std::is_floating_point_v<T>, double, __int128>;

template <typename T>
struct TypedKernels {
  // out bit i = (v[i] op lit).
  void (*compare)(const T* v, int64_t n, CompareOp op, T lit, uint64_t* out) = nullptr;
  // out bit i = (lo <= v[i] && v[i] <= hi).
  void (*between)(const T* v, int64_t n, T lo, T hi, uint64_t* out) = nullptr;
  // *acc += sum of v[i] for the rows whose bit is set in sel (sel null: all).
  // Integers are summed exactly (the caller range-checks the 128-bit total).
  void (*sum)(const T* v, int64_t n, const uint64_t* sel, SumType<T>* acc) = nullptr;
  // Folds the selected rows into *min / *max; sets *found if any row was
  // selected. Floats: NaN rows are skipped and reported through *saw_nan.
  void (*min_max)(const T* v, int64_t n, const uint64_t* sel, T* min, T* max,
                  bool* found, bool* saw_nan) = nullptr;
};

struct KernelTable {
  TypedKernels<int8_t> i8;
  TypedKernels<int16_t> i16;
  TypedKernels<int32_t> i32;
  TypedKernels<int64_t> i64;
  TypedKernels<uint8_t> u8;
  TypedKernels<uint16_t> u16;
  TypedKernels<uint32_t> u32;
  TypedKernels<uint64_t> u64;
  TypedKernels<float> f32;
  TypedKernels<double> f64;
  // Number of set bits in words [0, n_words).
  int64_t (*count_bits)(const uint64_t* a, int64_t n_words) = nullptr;
  // Number of set bits of a & b.
  int64_t (*count_and)(const uint64_t* a, const uint64_t* b, int64_t n_words) = nullptr;
  // out bit i = table[idx[i]] != 0, 0 where idx[i] (as unsigned) is not
  // below table_size (null rows may hold any index).
  void (*lookup8)(const int8_t* idx, int64_t n, const uint8_t* table, int64_t table_size, uint64_t* out) = nullptr;
  void (*lookup16)(const int16_t* idx, int64_t n, const uint8_t* table, int64_t table_size, uint64_t* out) = nullptr;
  void (*lookup32)(const int32_t* idx, int64_t n, const uint8_t* table, int64_t table_size, uint64_t* out) = nullptr;
  // GROUP BY a dictionary key of `entries` <= 8 entries, in vector lanes
  // (kernels/group_by_small.cc, dict_sum_internal.h). idx: `width` bytes an
  // index (1, 2 or 4), read as unsigned. dict_count: rows[e] += the rows
  // among [0, n) whose index is e, for e < entries (rows of other indices
  // are not counted). dict_sum_*: rows [0, n), n a multiple of 8, every
  // index < entries; row i adds v[i] as a double, or +0.0 when bit i of
  // `valid` is clear (valid null: every row is valid), into
  // sums[4 * e + i % 4] (e its index), each of the four lanes in row order:
  // the additions of the scalar loop, bit for bit; with `valid` and
  // `values`, values[e] += entry e's rows whose bit is set. Null in the
  // scalar table (the scalar loop is its own baseline).
  void (*dict_sum_f64)(const void* idx, int width, const double* v, const uint8_t* valid, int64_t n,
                       int entries, double* sums, int64_t* values) = nullptr;
  void (*dict_sum_f32)(const void* idx, int width, const float* v, const uint8_t* valid, int64_t n,
                       int entries, double* sums, int64_t* values) = nullptr;
  void (*dict_count)(const void* idx, int width, int64_t n, int entries, int64_t* rows) = nullptr;
  // masks[b] bit k = byte 64 * b + k of p is a UTF-8 continuation byte
  // (10xxxxxx), for b in [0, blocks): length() in code points.
  void (*utf8_continuation_masks)(const uint8_t* p, size_t blocks, uint64_t* masks) = nullptr;

  template <typename T>
  const TypedKernels<T>& For() const {
    if constexpr (std::is_same_v<T, int8_t>) return i8;
    else if constexpr (std::is_same_v<T, int16_t>) return i16;
    else if constexpr (std::is_same_v<T, int32_t>) return i32;
    else if constexpr (std::is_same_v<T, int64_t>) return i64;
    else if constexpr (std::is_same_v<T, uint8_t>) return u8;
    else if constexpr (std::is_same_v<T, uint16_t>) return u16;
    else if constexpr (std::is_same_v<T, uint32_t>) return u32;
    else if constexpr (std::is_same_v<T, uint64_t>) return u64;
    else if constexpr (std::is_same_v<T, float>) return f32;
    else return f64;
  }
};

// The table of the active target (see dispatch.h).
const KernelTable& Kernels();

// Filled by the per-ISA translation units.
void FillScalarTable(KernelTable* t);
void FillSse42Table(KernelTable* t);
void FillAvx2Table(KernelTable* t);
void FillAvx512Table(KernelTable* t);

}  // namespace quiver::kernels::internal
