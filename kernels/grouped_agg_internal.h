// Internals shared by the grouped aggregate files (grouped_agg.cc,
// agg_count_distinct.cc, agg_distinct.cc, agg_quantile.cc): row visiting in
// canonical value kinds and the factories of each family.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>
#include <type_traits>

#include "kernels/column_internal.h"
#include "kernels/group_key_table_internal.h"
#include "kernels/grouped_agg.h"

namespace quiver::kernels::internal {

// Row k of a batch: rows[k], or base + k.
inline int64_t BatchRow(const int32_t* rows, int64_t base, int64_t k) {
  return rows ? rows[k] : base + k;
}
// Group of row k of a batch: gids[k], or 0.
inline size_t BatchGroup(const int32_t* gids, int64_t k) { return gids ? size_t(gids[k]) : 0; }

// Calls fn(k, r, valid, v) for row k in [0, n) of a batch of an integer
// column (r = BatchRow(rows, base, k)): v is the value as int64 (a uint64's
// bits), 0 when the row is NULL (valid false). Float columns: no call.
template <typename F>
void ForEachIntKey(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n, F&& fn) {
  const bool nulls = HasNulls(col);
  VisitFixedWidth(
      col.type->id,
      [&](auto tag) {
        using T = decltype(tag);
        if constexpr (!std::is_floating_point_v<T>) {
          const T* data = col.data<T>();
          for (int64_t k = 0; k < n; ++k) {
            const int64_t r = BatchRow(rows, base, k);
            if (nulls && col.IsNull(r)) {
              fn(k, r, false, int64_t(0));
            } else {
              fn(k, r, true, int64_t(data[r]));
            }
          }
        }
        return 0;
      },
      [] { return 0; });
}

// Calls fn(k, x) for row k in [0, n) of a batch of dictionary column col:
// x is the row's dictionary entry, or -1 when the row, its index or the
// entry is NULL or the index is out of range. Invalid for a column without
// its dictionary, TypeError for an index type that is not an integer.
template <typename F>
Status ForEachDictEntry(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                        F&& fn) {
  if (col.dictionary == nullptr) return Status::Invalid("group-by: dictionary key without dictionary");
  const ArrayView& dict = *col.dictionary;
  const bool nulls = HasNulls(col);
  const int64_t dn = dict.length;
  return VisitIndex(
      col.type->dict_index,
      [&](auto tag) -> Status {
        using I = decltype(tag);
        const I* idx = col.data<I>();
        for (int64_t k = 0; k < n; ++k) {
          const int64_t r = BatchRow(rows, base, k);
          const int64_t x = int64_t(idx[r]);
          fn(k, (nulls && col.IsNull(r)) || x < 0 || x >= dn || dict.IsNull(x) ? int64_t(-1) : x);
        }
        return Status::OK();
      },
      [&]() -> Status { return Status::TypeError("group-by: bad dictionary index type"); });
}

// Calls fn(k, v) for every non-NULL row k in [0, n) of a batch, with v in
// its canonical kind: int64_t for signed integers, date32 and timestamps;
// uint64_t for unsigned integers; double for floats; bool; std::string_view
// for utf8, binary and dictionary values (a dictionary entry that is NULL
// makes its rows NULL), and for the stored bytes of decimals, intervals and
// float16 (RawKeyWidth; float16 with -0 and NaN canonical), so that distinct
// counts see equal values as equal.
template <typename Fn>
void ForEachValue(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n, Fn&& fn) {
  const bool nulls = HasNulls(col);
  if (col.type->is_dictionary()) {
    if (col.dictionary == nullptr) return;
    const ArrayView& d = *col.dictionary;
    const bool dict_nulls = HasNulls(d);
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (nulls && col.IsNull(r)) continue;
      const int64_t x = col.DictIndex(r);
      if (x < 0 || x >= d.length || (dict_nulls && d.IsNull(x))) continue;
      fn(k, d.StringValue(x));
    }
    return;
  }
  const TypeId id = col.type->id;
  if (id == TypeId::kBool) {
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (!(nulls && col.IsNull(r))) fn(k, col.BoolValue(r));
    }
    return;
  }
  if (IsBinaryLike(id)) {
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (!(nulls && col.IsNull(r))) fn(k, col.StringValue(r));
    }
    return;
  }
  if (const uint32_t w = RawKeyWidth(id); w != 0) {
    const char* data = reinterpret_cast<const char*>(col.values) + col.offset * w;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (nulls && col.IsNull(r)) continue;
      if (id == TypeId::kFloat16) {
        uint16_t h;
        std::memcpy(&h, data + r * 2, 2);
        if (h == 0x8000) h = 0;
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) h = 0x7e00;
        fn(k, std::string_view(reinterpret_cast<const char*>(&h), 2));
      } else {
        fn(k, std::string_view(data + r * w, w));
      }
    }
    return;
  }
  VisitFixedWidth(
      id,
      [&](auto tag) {
        using T = decltype(tag);
        const T* data = col.data<T>();
        for (int64_t k = 0; k < n; ++k) {
          const int64_t r = BatchRow(rows, base, k);
          if (nulls && col.IsNull(r)) continue;
          if constexpr (std::is_floating_point_v<T>) {
            fn(k, double(data[r]));
          } else if constexpr (std::is_signed_v<T>) {
            fn(k, int64_t(data[r]));
          } else {
            fn(k, uint64_t(data[r]));
          }
        }
        return 0;
      },
      [] { return 0; });
}

// The 64-bit pattern two equal values share: -0.0 is 0.0, every NaN one NaN.
inline uint64_t CanonicalBits(double d) {
  if (d == 0) d = 0;
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}
inline uint64_t CanonicalBits(int64_t v) { return uint64_t(v); }
inline uint64_t CanonicalBits(uint64_t v) { return v; }
inline uint64_t CanonicalBits(bool v) { return v ? 1 : 0; }

// A 64-bit mix of an integer (splitmix64's finaliser).
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// The families, one file each.
std::unique_ptr<GroupedAgg> MakeCountDistinct(const DataType& input);  // agg_count_distinct.cc
std::unique_ptr<GroupedAgg> MakeApproxCountDistinct(const DataType& input);  // agg_distinct.cc
std::unique_ptr<GroupedAgg> MakeQuantile(GroupedAggKind kind, const DataType& input,
                                         const DataType& result, double q);  // agg_quantile.cc

}  // namespace quiver::kernels::internal
