// GroupByState's fast path for a single dictionary key with few entries
// (GROUP BY vendor, city, ...): the aggregates of one Consume accumulate in
// small arrays indexed by the row's dictionary index itself (a "slot"), with
// no per-row lookup; the slots then fold into the groups once per Consume.
//
// Slots: one per dictionary index the index type can hold when it is one
// byte wide (256), else one per dictionary entry; plus one for NULL keys
// (and, for wider indices, indices out of range). A used slot is looked up
// through DictGroupIds on its first row, the slots in the order of their
// first rows, so groups are created, numbered and ordered exactly as the
// general path creates them (NULL keys, NULL and out-of-range entries and
// duplicate entries resolve to their group there). The table remembers the
// slots' groups while the next batches bring the same dictionary (equal
// entries, checked by content: chunks of a table share theirs), so most
// batches look up nothing.
//
// Accumulators: count(*) and the counts and sums of the aggregates are kept
// in kCopies interleaved copies when the slots are few (the k-th row of a
// block adds into copy k mod kCopies), so that consecutive rows of one key
// do not wait for each other's stores. NULL values add 0 (the value's bits
// ANDed with a mask from the validity bit) instead of branching. min/max keep
// one copy and the general path's rule (a value replaces the extreme only
// when strictly beyond it, so between 0 and -0 the first seen stays).
//
// Float sums (documented order, which differs from the general path's row
// order in the last bits): within one Consume, each group's copies sum the
// rows they take in row order, the copies combine as ((c0 + c1) + c2) + c3,
// and that adds to the group's running sum. Integer sums, counts, min/max
// and NaN/Inf handling are exactly the general path's.
#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <numeric>
#include <type_traits>

#include "kernels/column_internal.h"
#include "kernels/dispatch_internal.h"
#include "kernels/group_by.h"

namespace quiver::kernels {
namespace {

using internal::HasNulls;

// Dictionaries longer than this take the general path (the per-Consume
// arrays would outgrow the L2 cache and their zeroing would show).
constexpr int64_t kMaxEntries = 4096;
// Rows per block: their slots and copy positions stay in L1.
constexpr int64_t kBlockRows = 2048;
// Interleaved copies of the counts and sums when there are at most
// kCopySlots slots (with more slots, consecutive rows rarely share one).
constexpr int64_t kCopies = 4;
constexpr int64_t kCopySlots = 257;
// Rows ahead whose values a filtered block prefetches.
constexpr int64_t kAhead = 16;

bool ValueFits(const DataType& t) {
  return !t.is_dictionary() &&
         (IsInteger(t.id) || t.id == TypeId::kFloat32 || t.id == TypeId::kFloat64);
}

// Visits the value types ValueFits accepts.
template <typename F>
void VisitValue(TypeId id, F&& f) {
  switch (id) {
    case TypeId::kInt8: f(int8_t{}); break;
    case TypeId::kInt16: f(int16_t{}); break;
    case TypeId::kInt32: f(int32_t{}); break;
    case TypeId::kInt64: f(int64_t{}); break;
    case TypeId::kUInt8: f(uint8_t{}); break;
    case TypeId::kUInt16: f(uint16_t{}); break;
    case TypeId::kUInt32: f(uint32_t{}); break;
    case TypeId::kUInt64: f(uint64_t{}); break;
    case TypeId::kFloat32: f(float{}); break;
    case TypeId::kFloat64: f(double{}); break;
    default: break;
  }
}

// One block of taken rows: [b, b + m) (dense) or sel[0..m) (absolute rows).
struct Block {
  int64_t b = 0;
  int64_t m = 0;
  const int32_t* sel = nullptr;  // null: dense
  int64_t Row(int64_t k) const { return sel ? sel[k] : b + k; }
};

// The TRUE rows of is_true among rows [b, b + len) into sel (b a multiple
// of 64; bits past the mask's length are zero); returns their number.
int64_t SelectBlock(const uint64_t* is_true, int64_t b, int64_t len, int32_t* sel) {
  int64_t n = 0;
  for (int64_t w = b >> 6, end = (b + len + 63) >> 6; w < end; ++w) {
    for (uint64_t bits = is_true[w]; bits != 0; bits &= bits - 1)
      sel[n++] = int32_t(w * 64 + __builtin_ctzll(bits));
  }
  return n;
}

// Calls f(k, row) for each row of the block, the dense loop separately so
// that it compiles to straight indexing. The bounds are copied to locals:
// the callers' stores through int64_t pointers could otherwise alias them.
template <typename F>
inline void ForRows(const Block& blk, F&& f) {
  const int64_t b = blk.b, m = blk.m;
  const int32_t* sel = blk.sel;
  if (sel == nullptr) {
    for (int64_t k = 0; k < m; ++k) f(k, b + k);
  } else {
    for (int64_t k = 0; k < m; ++k) f(k, int64_t(sel[k]));
  }
}

// Byte j of kSpread[x] is bit j of x: a bitmap byte as 8 validity bytes.
constexpr auto kSpread = [] {
  std::array<uint64_t, 256> t{};
  for (uint64_t x = 0; x < 256; ++x) {
    for (uint64_t j = 0; j < 8; ++j) t[x] |= ((x >> j) & 1) << (8 * j);
  }
  return t;
}();

// 1 or 0 per row of the block: whether col's value is valid.
void ValidBytes(const ArrayView& col, const Block& blk, uint8_t* out) {
  const uint8_t* bits = col.validity;
  const int64_t off = col.offset;
  const int64_t m = blk.m;
  if (blk.sel == nullptr) {
    const int64_t first = off + blk.b;
    int64_t k = 0;
    for (; k < m && ((first + k) & 7) != 0; ++k) out[k] = uint8_t(GetBit(bits, first + k));
    for (; k + 8 <= m; k += 8) std::memcpy(out + k, &kSpread[bits[(first + k) >> 3]], 8);
    for (; k < m; ++k) out[k] = uint8_t(GetBit(bits, first + k));
  } else {
    const int32_t* sel = blk.sel;
    for (int64_t k = 0; k < m; ++k) out[k] = uint8_t(GetBit(bits, off + sel[k]));
  }
}

// The slot of each row of the block (see the file comment). With `per`:
// also pos[k] = (k mod copies) * slots + slot[k], and per[pos[k]] counts
// the row (count(*) of the slot's copy).
struct SlotCount {
  uint32_t* pos = nullptr;
  int64_t* per = nullptr;
  int64_t copy_mask = 0;
  int64_t slots = 0;
};
template <bool kCount>
void SlotsOf(const ArrayView& key, int64_t entries, const Block& blk, uint16_t* slot,
             const SlotCount& sc) {
  const bool nulls = HasNulls(key);
  const uint8_t* validity = key.validity;
  const int64_t off = key.offset;
  uint32_t* pos = sc.pos;
  int64_t* per = sc.per;
  const int64_t copy_mask = sc.copy_mask, slots = sc.slots;
  internal::VisitIndex(
      key.type->dict_index,
      [&](auto tag) {
        using I = decltype(tag);
        const I* idx = key.data<I>();
        const uint64_t null_slot = sizeof(I) == 1 ? 256 : uint64_t(entries);
        ForRows(blk, [&](int64_t k, int64_t r) {
          uint64_t s;
          if constexpr (sizeof(I) == 1) {
            s = uint8_t(idx[r]);
          } else {
            const uint64_t u = uint64_t(idx[r]);
            s = u < null_slot ? u : null_slot;
          }
          if (nulls && !GetBit(validity, off + r)) s = null_slot;
          slot[k] = uint16_t(s);
          if constexpr (kCount) {
            const uint32_t p = uint32_t((k & copy_mask) * slots + int64_t(s));
            pos[k] = p;
            ++per[p];
          }
        });
        return 0;
      },
      [] { return 0; });
}

void ComputeSlots(const ArrayView& key, int64_t entries, const Block& blk, uint16_t* slot) {
  SlotsOf<false>(key, entries, blk, slot, SlotCount{});
}

inline double MaskDouble(double v, uint64_t valid) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  bits &= 0 - valid;
  std::memcpy(&v, &bits, 8);
  return v;
}

// Accumulators of one aggregate over one Consume, copies x slots.
struct SlotAcc {
  std::vector<int64_t> count;  // non-NULL values
  std::vector<double> fsum;
  std::vector<__int128> isum;
  // min/max: one copy; the extreme in the value's widest type of its kind.
  std::vector<double> fext;
  std::vector<int64_t> sext;
  std::vector<uint64_t> uext;
  std::vector<uint8_t> has, nan;
};

template <typename A>
std::vector<A>& Ext(SlotAcc& acc) {
  if constexpr (std::is_same_v<A, double>) return acc.fext;
  else if constexpr (std::is_same_v<A, int64_t>) return acc.sext;
  else return acc.uext;
}

// count / sum / avg of one block: pos[k] = copy * slots + slot of row k;
// vb[k]: row k's value is valid (null: every value is).
template <typename T>
void SumBlock(AggKind kind, const T* data, const Block& blk, const uint8_t* vb,
              const uint32_t* pos, SlotAcc* acc) {
  int64_t* cnt = acc->count.data();
  auto run = [&](auto nulls_tag) {
    constexpr bool kNulls = decltype(nulls_tag)::value;
    auto valid = [&](int64_t k) -> uint64_t { return kNulls ? uint64_t(vb[k]) : 1; };
    if (kind == AggKind::kCount) {
      ForRows(blk, [&](int64_t k, int64_t) { cnt[pos[k]] += int64_t(valid(k)); });
    } else if constexpr (std::is_floating_point_v<T>) {
      double* sum = acc->fsum.data();
      ForRows(blk, [&](int64_t k, int64_t r) {
        const uint64_t v = valid(k);
        const uint32_t p = pos[k];
        cnt[p] += int64_t(v);
        sum[p] += MaskDouble(double(data[r]), v);
      });
    } else {
      __int128* sum = acc->isum.data();
      ForRows(blk, [&](int64_t k, int64_t r) {
        const uint64_t v = valid(k);
        const uint32_t p = pos[k];
        cnt[p] += int64_t(v);
        sum[p] += static_cast<__int128>(data[r]) & -static_cast<__int128>(v);
      });
    }
  };
  if (vb != nullptr) run(std::true_type{});
  else run(std::false_type{});
}

// A dense block in one pass when the aggregates are count(*) and one
// count/sum/avg of `col` (GROUP BY key, count(*), avg(x)): each row's slot,
// its count(*) and the value's count and sum, with no slot, position or
// validity arrays in between (a fifth fewer instructions per row than the
// passes of SlotsOf and SumBlock).
template <typename I, typename T>
void FusedSumBlock(const ArrayView& key, int64_t entries, const ArrayView& col, AggKind kind,
                   const Block& blk, int64_t copies, int64_t slots, int64_t* per, SlotAcc* acc) {
  const I* idx = key.data<I>() + blk.b;
  const T* data = col.data<T>() + blk.b;
  const bool key_nulls = HasNulls(key), val_nulls = HasNulls(col);
  const uint8_t* kbits = key.validity;
  const uint8_t* vbits = col.validity;
  const int64_t kfirst = key.offset + blk.b, vfirst = col.offset + blk.b;
  const uint64_t null_slot = sizeof(I) == 1 ? 256 : uint64_t(entries);
  const int64_t m = blk.m, copy_mask = copies - 1;
  int64_t* cnt = acc->count.data();
  double* fsum = acc->fsum.data();
  __int128* isum = acc->isum.data();
  auto run = [&](auto sum_tag, auto key_nulls_tag, auto val_nulls_tag) {
    constexpr bool kSum = decltype(sum_tag)::value;
    constexpr bool kKeyNulls = decltype(key_nulls_tag)::value;
    constexpr bool kValNulls = decltype(val_nulls_tag)::value;
    for (int64_t k = 0; k < m; ++k) {
      uint64_t s;
      if constexpr (sizeof(I) == 1) {
        s = uint8_t(idx[k]);
      } else {
        const uint64_t u = uint64_t(idx[k]);
        s = u < null_slot ? u : null_slot;
      }
      if (kKeyNulls && !((kbits[(kfirst + k) >> 3] >> ((kfirst + k) & 7)) & 1)) s = null_slot;
      uint64_t v = 1;
      if constexpr (kValNulls) v = (vbits[(vfirst + k) >> 3] >> ((vfirst + k) & 7)) & 1;
      const int64_t p = (k & copy_mask) * slots + int64_t(s);
      ++per[p];
      cnt[p] += int64_t(v);
      if constexpr (kSum) {
        if constexpr (std::is_floating_point_v<T>) {
          fsum[p] += MaskDouble(double(data[k]), v);
        } else {
          isum[p] += static_cast<__int128>(data[k]) & -static_cast<__int128>(v);
        }
      }
    }
  };
  auto nulls = [&](auto sum_tag) {
    if (key_nulls && val_nulls) run(sum_tag, std::true_type{}, std::true_type{});
    else if (key_nulls) run(sum_tag, std::true_type{}, std::false_type{});
    else if (val_nulls) run(sum_tag, std::false_type{}, std::true_type{});
    else run(sum_tag, std::false_type{}, std::false_type{});
  };
  if (kind == AggKind::kCount) nulls(std::false_type{});
  else nulls(std::true_type{});
}

// The rows [0, n) (n a multiple of 8) whose bit in the validity bytes vbyte
// is clear take one off cnt[idx[row]] (copy 0 of their slot; every index is
// below 8). They count into four copies in turn: with few entries, one
// counter per entry would make each NULL row wait for the previous one's
// store. The validity is read 64 rows at a time: a loop per byte
// mispredicts its exit at about a third of the bytes when 1 row in 20 is
// NULL.
template <typename I>
void SubtractNulls(const I* idx, const uint8_t* vbyte, int64_t n, int64_t* cnt) {
  int64_t nulls[4][8] = {};
  uint32_t turn = 0;
  int64_t k = 0;
  for (; k + 64 <= n; k += 64) {
    uint64_t w;
    std::memcpy(&w, vbyte + (k >> 3), sizeof w);
    for (uint64_t z = ~w; z != 0; z &= z - 1) ++nulls[turn++ & 3][idx[k + __builtin_ctzll(z)]];
  }
  for (; k < n; k += 8) {
    for (uint32_t z = uint8_t(~vbyte[k >> 3]); z != 0; z &= z - 1) ++nulls[turn++ & 3][idx[k + __builtin_ctz(z)]];
  }
  for (int e = 0; e < 8; ++e) cnt[e] -= nulls[0][e] + nulls[1][e] + nulls[2][e] + nulls[3][e];
}

// The rows [0, n8) of an unfiltered Consume (n8: its length rounded down
// to 8) at once in vector lanes (KernelTable::dict_sum_*, dict_count; see
// kernels/dict_sum_internal.h) when the key has indices of 1, 2 or 4 bytes,
// no NULLs, at most 8 entries and every index below `entries`, and the
// aggregate is count(x) or the sum or avg of a float: the rows, counts and
// sums of FusedSumBlock, bit for bit, into copy 0 of rows_per (count(*))
// and of *acc (count(x), the sums in all four copies). The NULL values of
// each entry are counted by the kernel, or, when they are rare, taken off
// count(x) from the validity bytes. Returns the rows it took, a multiple of
// 8 from the start (0: the case does not apply, the validity does not start
// on a byte, or the target has no vector kernel); the caller's general loop
// takes the rest.
int64_t VectorSums(const ArrayView& key, int64_t entries, const ArrayView& col, AggKind kind, int64_t slots,
                   int64_t* rows_per, SlotAcc* acc) {
  const internal::KernelTable& kt = internal::Kernels();
  const bool sum = kind != AggKind::kCount;
  const TypeId id = col.type->id;
  if (entries < 1 || entries > 8) return 0;
  if (kt.dict_count == nullptr) return 0;
  if (sum && !((id == TypeId::kFloat64 && kt.dict_sum_f64) || (id == TypeId::kFloat32 && kt.dict_sum_f32)))
    return 0;
  const bool val_nulls = HasNulls(col);
  // NULL values are taken off count(x) from the validity bytes when they
  // are rare (a loop over the NULL rows), else counted by the sum kernel.
  const bool sparse = val_nulls && col.null_count > 0 && col.null_count * 16 <= col.length;
  if (val_nulls && ((col.offset & 7) != 0 || (!sum && !sparse))) return 0;
  const int width = ByteWidth(key.type->dict_index);
  if (width != 1 && width != 2 && width != 4) return 0;
  const auto* idx = key.values + key.offset * width;
  const int64_t n8 = key.length & ~int64_t(7);
  const uint8_t* vbyte = val_nulls ? col.validity + (col.offset >> 3) : nullptr;
  double lanes[4 * 8];
  int64_t values[8] = {}, taken_per[8] = {};
  for (int64_t e = 0; sum && e < entries; ++e) {
    for (int64_t c = 0; c < kCopies; ++c) lanes[4 * e + c] = acc->fsum[size_t(c * slots + e)];
  }
  int64_t* counted_values = val_nulls && !sparse ? values : nullptr;
  // Blocks of 16 KiB of indices, each counted first and then summed while
  // its indices are in the L1 cache (one read of them from memory). When a
  // block's rows do not add up, some index is out of range (its row belongs
  // to the NULL group) and the general loop takes the rest from there.
  const int64_t block = 16384 / width;
  int64_t done = 0;
  while (done < n8) {
    const int64_t m = std::min(block, n8 - done);
    const uint8_t* bidx = idx + done * width;
    const uint8_t* bvalid = vbyte != nullptr ? vbyte + (done >> 3) : nullptr;
    int64_t per_entry[8] = {};
    kt.dict_count(bidx, width, m, int(entries), per_entry);
    int64_t counted = 0;
    for (int64_t e = 0; e < entries; ++e) counted += per_entry[e];
    if (counted != m) break;
    for (int64_t e = 0; e < entries; ++e) taken_per[e] += per_entry[e];
    if (sum && id == TypeId::kFloat64)
      kt.dict_sum_f64(bidx, width, col.data<double>() + done, bvalid, m, int(entries), lanes, counted_values);
    else if (sum)
      kt.dict_sum_f32(bidx, width, col.data<float>() + done, bvalid, m, int(entries), lanes, counted_values);
    if (sparse) {
      int64_t* cnt = acc->count.data();
      if (width == 1) SubtractNulls(bidx, bvalid, m, cnt);
      else if (width == 2) SubtractNulls(reinterpret_cast<const uint16_t*>(bidx), bvalid, m, cnt);
      else SubtractNulls(reinterpret_cast<const uint32_t*>(bidx), bvalid, m, cnt);
    }
    done += m;
  }
  for (int64_t e = 0; e < entries; ++e) {
    rows_per[e] += taken_per[e];
    // count(x): the rows less their NULL values (those of sparse NULLs
    // were taken off above).
    acc->count[size_t(e)] += counted_values != nullptr ? values[e] : taken_per[e];
    for (int64_t c = 0; sum && c < kCopies; ++c) acc->fsum[size_t(c * slots + e)] = lanes[4 * e + c];
  }
  return done;
}

// min / max of the block's rows: rows[k] (kDense: b + k), slot[k], vb[k]
// (null: every value valid). Plain loops, not lambdas: GCC left a per-row
// call in the lambda version.
template <typename T, typename A, bool kMax, bool kDense>
void ExtremeRows(const T* data, int64_t b, const int32_t* rows, int64_t m, const uint8_t* vb,
                 const uint16_t* slot, int64_t* cnt, A* ext, uint8_t* has, uint8_t* nan) {
  for (int64_t k = 0; k < m; ++k) {
    const int64_t r = kDense ? b + k : int64_t(rows[k]);
    // Selected rows are far apart: fetch the value of a row ahead (the
    // hardware prefetcher follows only steady strides).
    if (!kDense && k + kAhead < m) __builtin_prefetch(data + rows[k + kAhead]);
    const uint32_t s = slot[k];
    const bool v = vb == nullptr || vb[k];
    const A x = A(data[r]);
    cnt[s] += v;
    bool ok = v;
    if constexpr (std::is_floating_point_v<T>) {
      nan[s] |= uint8_t(v && x != x);
      ok = v && x == x;
    }
    // The general path's rule: replace when there is none yet or when
    // strictly beyond.
    const bool take = ok && (!has[s] || (kMax ? x > ext[s] : x < ext[s]));
    ext[s] = take ? x : ext[s];
    has[s] |= uint8_t(ok);
  }
}

// min / max of one block (one copy: slot[k]).
template <typename T>
void ExtremeBlock(bool is_max, const T* data, const Block& blk, const uint8_t* vb,
                  const uint16_t* slot, SlotAcc* acc) {
  using A = std::conditional_t<std::is_floating_point_v<T>, double,
                               std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
  int64_t* cnt = acc->count.data();
  A* ext = Ext<A>(*acc).data();
  uint8_t* has = acc->has.data();
  uint8_t* nan = acc->nan.data();
  const bool dense = blk.sel == nullptr;
  if (is_max && dense) ExtremeRows<T, A, true, true>(data, blk.b, blk.sel, blk.m, vb, slot, cnt, ext, has, nan);
  else if (is_max) ExtremeRows<T, A, true, false>(data, blk.b, blk.sel, blk.m, vb, slot, cnt, ext, has, nan);
  else if (dense) ExtremeRows<T, A, false, true>(data, blk.b, blk.sel, blk.m, vb, slot, cnt, ext, has, nan);
  else ExtremeRows<T, A, false, false>(data, blk.b, blk.sel, blk.m, vb, slot, cnt, ext, has, nan);
}

// Folds slot s of one aggregate's accumulators into group g of *a (a
// GroupByState::Agg): counts and sums over the copies (float copies in the
// documented order), min/max by the general path's rule.
template <typename AggT>
void FoldSlot(const SlotAcc& acc, int64_t s, int64_t slots, int64_t copies, size_t g, AggT* a) {
  if (a->kind == AggKind::kMin || a->kind == AggKind::kMax) {
    a->count[g] += acc.count[size_t(s)];
    a->nan[g] |= acc.nan[size_t(s)];
    if (!acc.has[size_t(s)]) return;
    long double l;
    if (!acc.fext.empty()) l = acc.fext[size_t(s)];
    else if (!acc.sext.empty()) l = static_cast<long double>(acc.sext[size_t(s)]);
    else l = static_cast<long double>(acc.uext[size_t(s)]);
    if (a->kind == AggKind::kMin) {
      if (!a->has[g] || l < a->num_min[g]) a->num_min[g] = l;
    } else {
      if (!a->has[g] || l > a->num_max[g]) a->num_max[g] = l;
    }
    a->has[g] = 1;
    return;
  }
  for (int64_t c = 0; c < copies; ++c) a->count[g] += acc.count[size_t(c * slots + s)];
  if (!acc.fsum.empty()) {
    double t = acc.fsum[size_t(s)];
    for (int64_t c = 1; c < copies; ++c) t += acc.fsum[size_t(c * slots + s)];
    a->float_sum[g] += t;
  } else if (!acc.isum.empty()) {
    for (int64_t c = 0; c < copies; ++c) a->int_sum[g] += acc.isum[size_t(c * slots + s)];
  }
}

// Whether cache (a GroupByState::SmallDictCache) holds dictionary `dict`
// of indices of type `index`: the same entries, bytes and NULLs.
template <typename Cache>
bool SameDict(const Cache& c, TypeId index, const ArrayView& dict) {
  if (c.index != index || c.entries != dict.length || dict.offsets == nullptr) return false;
  const int32_t* o = dict.offsets + dict.offset;
  const int64_t n = dict.length;
  const bool nulls = HasNulls(dict);
  for (int64_t i = 0; i < n; ++i) {
    if (o[i + 1] - o[0] != c.ends[size_t(i)] || c.valid[size_t(i)] != uint8_t(!nulls || dict.IsValid(i)))
      return false;
  }
  const size_t total = size_t(o[n] - o[0]);
  return total == c.bytes.size() &&
         (total == 0 || std::memcmp(dict.values + o[0], c.bytes.data(), total) == 0);
}

// Makes cache describe `dict`, with no slot looked up yet (a dictionary
// without offsets is not remembered: entries -1 matches none).
template <typename Cache>
void RememberDict(Cache* c, TypeId index, const ArrayView& dict, int64_t slots) {
  c->index = index;
  c->entries = -1;
  c->gids.assign(size_t(slots), -1);
  c->ends.clear();
  c->valid.clear();
  c->bytes.clear();
  if (dict.offsets == nullptr) return;
  const int32_t* o = dict.offsets + dict.offset;
  const bool nulls = HasNulls(dict);
  for (int64_t i = 0; i < dict.length; ++i) {
    c->ends.push_back(o[i + 1] - o[0]);
    c->valid.push_back(uint8_t(!nulls || dict.IsValid(i)));
  }
  c->bytes.assign(reinterpret_cast<const char*>(dict.values) + o[0], size_t(o[dict.length] - o[0]));
  c->entries = dict.length;
}

// Zeroed accumulators for each of `aggs` (GroupByState::Agg): min/max one
// copy of `slots`, the others `cells` (copies x slots).
template <typename Aggs>
std::vector<SlotAcc> MakeAccs(const Aggs& aggs, const std::vector<ArrayView>& values,
                              int64_t slots, int64_t cells) {
  std::vector<SlotAcc> accs(aggs.size());
  for (size_t i = 0; i < aggs.size(); ++i) {
    const auto& a = aggs[i];
    SlotAcc& acc = accs[i];
    if (a.kind == AggKind::kCountStar) continue;
    const TypeId id = values[size_t(a.value)].type->id;
    if (a.kind == AggKind::kMin || a.kind == AggKind::kMax) {
      acc.count.assign(size_t(slots), 0);
      acc.has.assign(size_t(slots), 0);
      acc.nan.assign(size_t(slots), 0);
      if (IsFloating(id)) acc.fext.assign(size_t(slots), 0);
      else if (IsSignedInteger(id)) acc.sext.assign(size_t(slots), 0);
      else acc.uext.assign(size_t(slots), 0);
      continue;
    }
    acc.count.assign(size_t(cells), 0);
    if (a.kind != AggKind::kCount) {
      if (IsFloating(id)) acc.fsum.assign(size_t(cells), 0.0);
      else acc.isum.assign(size_t(cells), 0);
    }
  }
  return accs;
}

}  // namespace

bool GroupByState::SmallDictApplies(const std::vector<ArrayView>& keys,
                                    const std::vector<ArrayView>& values,
                                    const std::vector<const Mask*>& agg_filters) const {
  if (mode_ != Mode::kSingleDict || split() || admit_limit_ >= 0) return false;
  const ArrayView& key = keys[0];
  if (key.dictionary == nullptr || key.dictionary->length > kMaxEntries) return false;
  for (const Mask* f : agg_filters) {
    if (f != nullptr) return false;
  }
  for (const Agg& a : aggs_) {
    if (a.grouped || a.filtered) return false;
    if (a.kind == AggKind::kCountStar) continue;
    if (!ValueFits(*values[size_t(a.value)].type)) return false;
  }
  return true;
}

Status GroupByState::ConsumeSmallDict(const ArrayView& key, const std::vector<ArrayView>& values,
                                      const Mask* filter, int64_t first_row) {
  const int64_t len = key.length;
  const int64_t entries = key.dictionary->length;
  bool one_byte = false;
  internal::VisitIndex(
      key.type->dict_index, [&](auto tag) { return one_byte = sizeof(tag) == 1; },
      [] { return false; });
  const int64_t slots = (one_byte ? 256 : entries) + 1;
  const int64_t copies = slots <= kCopySlots ? kCopies : 1;
  const int64_t cells = copies * slots;
  if (!SameDict(small_dict_, key.type->dict_index, *key.dictionary) ||
      int64_t(small_dict_.gids.size()) != slots) {
    RememberDict(&small_dict_, key.type->dict_index, *key.dictionary, slots);
  }

  std::vector<int64_t> rows_per(static_cast<size_t>(cells), 0);
  std::vector<SlotAcc> accs = MakeAccs(aggs_, values, slots, cells);

  // The rows of each block, their slots and copy positions.
  std::vector<int32_t> sel(filter ? size_t(kBlockRows) : 0);
  std::vector<uint16_t> slot(static_cast<size_t>(kBlockRows));
  std::vector<uint32_t> pos(static_cast<size_t>(kBlockRows));
  std::vector<uint8_t> valid(static_cast<size_t>(kBlockRows));
  auto block_at = [&](int64_t b) {
    Block blk;
    blk.b = b;
    const int64_t m = std::min(kBlockRows, len - b);
    if (filter == nullptr) {
      blk.m = m;
    } else {
      blk.m = SelectBlock(filter->is_true.data(), b, m, sel.data());
      blk.sel = sel.data();
    }
    return blk;
  };
  // The one count/sum/avg FusedSumBlock takes when the others are count(*).
  int fused = -1;
  for (size_t i = 0; i < aggs_.size(); ++i) {
    const AggKind k = aggs_[i].kind;
    if (k == AggKind::kCountStar) continue;
    const bool sum_like = k == AggKind::kCount || k == AggKind::kSum || k == AggKind::kAvg;
    fused = fused == -1 && sum_like ? int(i) : -2;
  }
  // FusedTypes: the value types FusedSumBlock is built for.
  if (fused >= 0) {
    const TypeId id = values[size_t(aggs_[size_t(fused)].value)].type->id;
    if (id != TypeId::kFloat64 && id != TypeId::kFloat32 && id != TypeId::kInt64 && id != TypeId::kInt32)
      fused = -1;
  }
  int64_t taken = 0, start = 0;
  if (fused >= 0 && filter == nullptr && !HasNulls(key)) {
    const Agg& a = aggs_[size_t(fused)];
    start = VectorSums(key, entries, values[size_t(a.value)], a.kind, slots, rows_per.data(),
                       &accs[size_t(fused)]);
    taken += start;
  }
  for (int64_t b = start; b < len; b += kBlockRows) {
    const Block blk = block_at(b);
    if (blk.m == 0) continue;
    taken += blk.m;
    if (fused >= 0 && blk.sel == nullptr) {
      const Agg& a = aggs_[size_t(fused)];
      const ArrayView& col = values[size_t(a.value)];
      internal::VisitIndex(
          key.type->dict_index,
          [&](auto itag) {
            using I = decltype(itag);
            auto go = [&](auto vtag) {
              using T = decltype(vtag);
              FusedSumBlock<I, T>(key, entries, col, a.kind, blk, copies, slots, rows_per.data(),
                                  &accs[size_t(fused)]);
            };
            switch (col.type->id) {
              case TypeId::kFloat64: go(double{}); break;
              case TypeId::kFloat32: go(float{}); break;
              case TypeId::kInt64: go(int64_t{}); break;
              default: go(int32_t{}); break;  // FusedTypes: int32 last
            }
            return 0;
          },
          [] { return 0; });
      continue;
    }
    SlotsOf<true>(key, entries, blk, slot.data(),
                  SlotCount{pos.data(), rows_per.data(), copies - 1, slots});
    for (size_t i = 0; i < aggs_.size(); ++i) {
      const Agg& a = aggs_[i];
      if (a.kind == AggKind::kCountStar) continue;
      const ArrayView& col = values[size_t(a.value)];
      const uint8_t* vb = nullptr;
      if (HasNulls(col)) {
        ValidBytes(col, blk, valid.data());
        vb = valid.data();
      }
      VisitValue(col.type->id, [&](auto tag) {
        using T = decltype(tag);
        if (a.kind == AggKind::kMin || a.kind == AggKind::kMax) {
          ExtremeBlock<T>(a.kind == AggKind::kMax, col.data<T>(), blk, vb, slot.data(), &accs[i]);
        } else {
          SumBlock<T>(a.kind, col.data<T>(), blk, vb, pos.data(), &accs[i]);
        }
      });
    }
  }
  rows_taken_ += taken;
  rows_fed_ += taken;
  if (taken == 0) return Status::OK();

  // Rows per slot over the copies. The groups of the slots this table has
  // not looked up for this dictionary yet: their first rows, then one
  // lookup each (DictGroupIds), in first-row order so that new groups are
  // numbered as the general path numbers them.
  std::vector<int64_t> total(static_cast<size_t>(slots), 0);
  for (int64_t c = 0; c < copies; ++c) {
    for (int64_t s = 0; s < slots; ++s) total[size_t(s)] += rows_per[size_t(c * slots + s)];
  }
  int32_t* slot_gid = small_dict_.gids.data();
  std::vector<int64_t> first(static_cast<size_t>(slots), -1);
  std::vector<int32_t> order;  // those slots by first row (found in row order)
  int64_t unknown = 0;
  for (int64_t s = 0; s < slots; ++s) unknown += total[size_t(s)] > 0 && slot_gid[s] < 0;
  for (int64_t b = 0; b < len && int64_t(order.size()) < unknown; b += kBlockRows) {
    const Block blk = block_at(b);
    ComputeSlots(key, entries, blk, slot.data());
    for (int64_t k = 0; k < blk.m && int64_t(order.size()) < unknown; ++k) {
      const uint16_t s = slot[size_t(k)];
      if (slot_gid[s] < 0 && first[s] < 0) {
        first[s] = blk.Row(k);
        order.push_back(int32_t(s));
      }
    }
  }
  const int32_t old_groups = int32_t(group_rows_.size());
  if (!order.empty()) {
    std::vector<int32_t> reps(order.size()), gids(order.size());
    for (size_t j = 0; j < order.size(); ++j) reps[j] = int32_t(first[size_t(order[j])]);
    dict_gids_.clear();
    dict_null_gid_ = -1;
    QUIVER_RETURN_NOT_OK(DictGroupIds(key, reps.data(), 0, int64_t(reps.size()), gids.data()));
    Resize(size_t(table_.size()));
    for (size_t j = 0; j < order.size(); ++j) {
      const int32_t g = gids[j];
      slot_gid[order[j]] = g;
      if (g >= old_groups && group_first_[size_t(g)] < 0) group_first_[size_t(g)] = first_row + reps[j];
    }
  }
  for (int64_t s = 0; s < slots; ++s) {
    if (total[size_t(s)] == 0) continue;
    const size_t g = size_t(slot_gid[s]);
    group_rows_[g] += total[size_t(s)];
    for (size_t i = 0; i < aggs_.size(); ++i) {
      if (aggs_[i].kind != AggKind::kCountStar) FoldSlot(accs[i], s, slots, copies, g, &aggs_[i]);
    }
  }
  return Status::OK();
}

}  // namespace quiver::kernels
