// GroupByState's keys: the group id of each row, by key mode (a single
// integer key, a dictionary key, fixed-width keys packed into 128 bits, or
// keys encoded as bytes; see group_by.h). The tables, aggregates and merge
// are in group_by.cc and group_by_finalize.cc.
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "kernels/column_internal.h"
#include "kernels/group_by.h"
#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels {
namespace {

using internal::BatchRow;
using internal::HasNulls;

// Key encoding: group_key_table_internal.h.
using internal::FixedKeyBytes;
using internal::RawKeyWidth;
constexpr uint32_t kNumberBytes = 9;
constexpr uint32_t kStringHeader = internal::kStringKeyHeader;

void PutNumber(uint8_t* p, bool valid, uint64_t bits) {
  p[0] = valid;
  std::memcpy(p + 1, &bits, 8);
}

uint64_t DoubleBits(double d) {
  if (d == 0) d = 0;
  if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

// A value kept as its stored bytes (RawKeyWidth); float16 with -0 and NaN
// canonical, so that equal numbers are one group.
void PutRaw(uint8_t* p, bool valid, TypeId id, const uint8_t* v, uint32_t width) {
  p[0] = valid;
  if (!valid) {
    std::memset(p + 1, 0, width);
    return;
  }
  std::memcpy(p + 1, v, width);
  if (id == TypeId::kFloat16) {
    uint16_t h;
    std::memcpy(&h, v, 2);
    if (h == 0x8000) h = 0;
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) h = 0x7e00;
    std::memcpy(p + 1, &h, 2);
  }
}

void PutString(uint8_t* p, bool valid, std::string_view v) {
  p[0] = valid;
  const uint32_t len = uint32_t(v.size());
  std::memcpy(p + 1, &len, 4);
  if (len) std::memcpy(p + kStringHeader, v.data(), len);
}

// The dictionary entry of row r, or nullopt when the row, its index or the
// entry is NULL (or the index is out of range).
std::optional<std::string_view> DictEntry(const ArrayView& col, int64_t r) {
  if (col.IsNull(r) || col.dictionary == nullptr) return std::nullopt;
  const ArrayView& dict = *col.dictionary;
  const int64_t e = col.DictIndex(r);
  if (e < 0 || e >= dict.length || dict.IsNull(e)) return std::nullopt;
  return dict.StringValue(e);
}

}  // namespace

int32_t GroupByState::NullIntGroup() {
  if (null_gid_ < 0) null_gid_ = table_.AddUnindexedInt();
  return null_gid_;
}

template <typename T>
bool GroupByState::DirectGroupIds(const T* data, const int32_t* rows, int64_t base, int64_t n,
                                  int32_t* out) {
  if (n == 0 || (direct_tried_ && direct_.empty())) return false;
  int64_t lo = int64_t(data[BatchRow(rows, base, 0)]), hi = lo;
  for (int64_t k = 1; k < n; ++k) {
    const int64_t v = int64_t(data[BatchRow(rows, base, k)]);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!direct_tried_) {
    direct_tried_ = true;
    // A small range in the first batch: likely a small key (a counter, a
    // region, an engine id) for the whole scan. The window is 4 times the
    // range, centred on it (in 1024 .. kDirectRange slots).
    const uint64_t range = uint64_t(hi) - uint64_t(lo) + 1;
    if (range > uint64_t(kDirectRange / 4)) return false;
    uint64_t slots = 1024;
    while (slots < range * 4) slots *= 2;
    // Within int64's range at both ends, so that the window never wraps.
    __int128 from = __int128(lo) - __int128((slots - range) / 2);
    from = std::max<__int128>(from, std::numeric_limits<int64_t>::min());
    from = std::min<__int128>(from, __int128(std::numeric_limits<int64_t>::max()) - __int128(slots) + 1);
    direct_base_ = int64_t(from);
    direct_.assign(size_t(slots), 0);
  }
  // Unsigned differences: a value below the base wraps to a large one.
  const uint64_t window = uint64_t(direct_.size());
  if (uint64_t(lo) - uint64_t(direct_base_) >= window ||
      uint64_t(hi) - uint64_t(direct_base_) >= window) {
    return false;
  }
  int32_t* d = direct_.data();
  for (int64_t k = 0; k < n; ++k) {
    const int64_t v = int64_t(data[BatchRow(rows, base, k)]);
    int32_t& slot = d[uint64_t(v) - uint64_t(direct_base_)];
    if (slot == 0) slot = table_.FindOrAddInt(v, internal::MixInt(uint64_t(v))) + 1;
    out[k] = slot - 1;
  }
  return true;
}

void GroupByState::IntGroupIds(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                               int32_t* out) {
  const bool nulls = HasNulls(col);
  hashes_.resize(size_t(n));
  uint64_t* h = hashes_.data();
  internal::VisitFixedWidth(
      col.type->id,
      [&](auto tag) {
        using T = decltype(tag);
        if constexpr (std::is_floating_point_v<T>) {
          return 0;  // not reached: float keys use the generic mode
        } else {
          const T* data = col.data<T>();
          if (!nulls && admit_limit_ < 0 && DirectGroupIds(data, rows, base, n, out)) return 0;
          // Hash the batch first, then probe with the slots of rows ahead in
          // flight: the table of a million groups does not fit in cache.
          for (int64_t k = 0; k < n; ++k)
            h[k] = internal::MixInt(uint64_t(int64_t(data[BatchRow(rows, base, k)])));
          constexpr int64_t kAhead = 16;
          if (!nulls && admit_limit_ < 0) {  // the common case, without a test per row
            for (int64_t k = 0; k < n; ++k) {
              if (k + kAhead < n) table_.Prefetch(h[k + kAhead]);
              out[k] = table_.FindOrAddInt(int64_t(data[BatchRow(rows, base, k)]), h[k]);
            }
            return 0;
          }
          for (int64_t k = 0; k < n; ++k) {
            if (k + kAhead < n) table_.Prefetch(h[k + kAhead]);
            const int64_t r = BatchRow(rows, base, k);
            if (nulls && col.IsNull(r)) {
              out[k] = null_gid_ >= 0 || admitting() ? NullIntGroup() : -1;
            } else {
              // AdmitAtMost: -1 for a key left out.
              out[k] = admitting() ? table_.FindOrAddInt(int64_t(data[r]), h[k])
                                   : table_.FindInt(int64_t(data[r]), h[k]);
            }
          }
          return 0;
        }
      },
      [] { return 0; });
}

Status GroupByState::DictGroupIds(const ArrayView& col, const int32_t* rows, int64_t base,
                                  int64_t n, int32_t* out) {
  const int64_t dn = col.dictionary ? col.dictionary->length : 0;
  // Each dictionary entry is looked up once per Consume, when a row first
  // uses it; rows then index this table (reset by Consume).
  if (int64_t(dict_gids_.size()) != dn) dict_gids_.assign(size_t(dn), -1);
  // -1: a key AdmitAtMost leaves out (for good: the table only fills up).
  auto lookup = [&](bool valid, std::string_view v) {
    enc_.resize(kStringHeader + (valid ? v.size() : 0));
    PutString(enc_.data(), valid, valid ? v : std::string_view());
    const uint64_t h = internal::HashBytes(enc_.data(), enc_.size());
    return admitting() ? table_.FindOrAddBytes(enc_.data(), uint32_t(enc_.size()), h)
                       : table_.FindBytes(enc_.data(), uint32_t(enc_.size()), h);
  };
  int32_t* table = dict_gids_.data();
  return internal::ForEachDictEntry(col, rows, base, n, [&](int64_t k, int64_t x) {
    if (x < 0) {
      if (dict_null_gid_ < 0) dict_null_gid_ = lookup(false, {});
      out[k] = dict_null_gid_;
      return;
    }
    int32_t g = table[x];  // -1: not looked up yet; -2: left out
    if (g == -1) {
      g = lookup(true, col.dictionary->StringValue(x));
      table[x] = g < 0 ? -2 : g;
    }
    out[k] = g < 0 ? -1 : g;
  });
}

void GroupByState::EncodeKeys(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                              int64_t n) {
  // Pass 1: each row's encoded length, then the offsets.
  enc_off_.assign(size_t(n) + 1, 0);
  uint32_t* len = enc_off_.data() + 1;
  for (const ArrayView& col : keys) {
    if (IsBinaryLike(col.type->id) && !col.type->is_dictionary()) {
      for (int64_t k = 0; k < n; ++k) {
        const int64_t r = BatchRow(rows, base, k);
        len[k] += kStringHeader + (col.IsNull(r) ? 0 : uint32_t(col.StringValue(r).size()));
      }
    } else if (col.type->is_dictionary()) {
      for (int64_t k = 0; k < n; ++k) {
        auto e = DictEntry(col, BatchRow(rows, base, k));
        len[k] += kStringHeader + (e ? uint32_t(e->size()) : 0);
      }
    } else {
      const uint32_t w = FixedKeyBytes(*col.type);
      for (int64_t k = 0; k < n; ++k) len[k] += w;
    }
  }
  for (int64_t k = 0; k < n; ++k) enc_off_[size_t(k) + 1] += enc_off_[size_t(k)];
  // Grown only: a resize to a batch's bytes would zero-fill what the
  // previous, shorter batch left, every batch.
  if (enc_.size() < enc_off_[size_t(n)]) enc_.resize(enc_off_[size_t(n)]);
  std::vector<uint32_t>& at = enc_at_;
  at.assign(enc_off_.begin(), enc_off_.end() - 1);
  // Pass 2: the bytes, column by column.
  uint8_t* buf = enc_.data();
  for (const ArrayView& col : keys) {
    const bool nulls = HasNulls(col);
    if (IsBinaryLike(col.type->id) && !col.type->is_dictionary()) {
      for (int64_t k = 0; k < n; ++k) {
        const int64_t r = BatchRow(rows, base, k);
        const bool valid = !col.IsNull(r);
        const std::string_view v = valid ? col.StringValue(r) : std::string_view();
        PutString(buf + at[size_t(k)], valid, v);
        at[size_t(k)] += kStringHeader + uint32_t(v.size());
      }
    } else if (col.type->is_dictionary()) {
      for (int64_t k = 0; k < n; ++k) {
        auto e = DictEntry(col, BatchRow(rows, base, k));
        PutString(buf + at[size_t(k)], e.has_value(), e ? *e : std::string_view());
        at[size_t(k)] += kStringHeader + (e ? uint32_t(e->size()) : 0);
      }
    } else if (const uint32_t w = RawKeyWidth(col.type->id); w != 0) {
      const uint8_t* data = col.values + col.offset * w;
      for (int64_t k = 0; k < n; ++k) {
        const int64_t r = BatchRow(rows, base, k);
        PutRaw(buf + at[size_t(k)], !(nulls && col.IsNull(r)), col.type->id, data + r * w, w);
        at[size_t(k)] += 1 + w;
      }
    } else if (col.type->id == TypeId::kBool) {
      for (int64_t k = 0; k < n; ++k) {
        const int64_t r = BatchRow(rows, base, k);
        const bool valid = !(nulls && col.IsNull(r));
        PutNumber(buf + at[size_t(k)], valid, valid && col.BoolValue(r));
        at[size_t(k)] += kNumberBytes;
      }
    } else {
      internal::VisitFixedWidth(
          col.type->id,
          [&](auto tag) {
            using T = decltype(tag);
            const T* data = col.data<T>();
            for (int64_t k = 0; k < n; ++k) {
              const int64_t r = BatchRow(rows, base, k);
              const bool valid = !(nulls && col.IsNull(r));
              uint64_t bits = 0;
              if (valid) {
                if constexpr (std::is_floating_point_v<T>) {
                  bits = DoubleBits(double(data[r]));
                } else {
                  bits = uint64_t(int64_t(data[r]));
                }
              }
              PutNumber(buf + at[size_t(k)], valid, bits);
              at[size_t(k)] += kNumberBytes;
            }
            return 0;
          },
          [] { return 0; });
    }
  }
  // Pass 3: hashes.
  hashes_.resize(size_t(n));
  for (int64_t k = 0; k < n; ++k) {
    hashes_[size_t(k)] = internal::HashBytes(buf + enc_off_[size_t(k)],
                                             enc_off_[size_t(k) + 1] - enc_off_[size_t(k)]);
  }
}

void GroupByState::EncodedGroupIds(const std::vector<ArrayView>& keys, const int32_t* rows,
                                   int64_t base, int64_t n, int32_t* out) {
  EncodeKeys(keys, rows, base, n);
  const uint8_t* buf = enc_.data();
  // Probes with the slots of rows kAhead ahead in flight, and the stored
  // bytes of rows kAhead / 2 ahead (StringGroupIds).
  constexpr int64_t kAhead = 32;
  const int64_t bytes_ahead = table_.BytesOutOfCache() ? kAhead / 2 : n;
  for (int64_t k = 0; k < n; ++k) {
    if (k + kAhead < n) table_.Prefetch(hashes_[size_t(k + kAhead)]);
    if (k + bytes_ahead < n) table_.PrefetchBytesAt(hashes_[size_t(k + bytes_ahead)]);
    const uint32_t o = enc_off_[size_t(k)], len = enc_off_[size_t(k) + 1] - o;
    // AdmitAtMost: -1 for a key left out.
    out[k] = admitting() ? table_.FindOrAddBytes(buf + o, len, hashes_[size_t(k)])
                         : table_.FindBytes(buf + o, len, hashes_[size_t(k)]);
  }
}

void GroupByState::StringHashes(const ArrayView& col, const int32_t* rows, int64_t base,
                                int64_t n) {
  const bool nulls = HasNulls(col);
  hashes_.resize(size_t(n));
  for (int64_t k = 0; k < n; ++k) {
    const int64_t r = BatchRow(rows, base, k);
    if (nulls && col.IsNull(r)) {
      hashes_[size_t(k)] = kNullStringHash;
    } else {
      const std::string_view v = col.StringValue(r);
      hashes_[size_t(k)] = internal::HashBytes(reinterpret_cast<const uint8_t*>(v.data()), v.size());
    }
  }
}

void GroupByState::StringGroupIds(const ArrayView& col, const int32_t* rows, int64_t base,
                                  int64_t n, int32_t* out) {
  StringHashes(col, rows, base, n);
  const bool nulls = HasNulls(col);
  const uint64_t* h = hashes_.data();
  // Probes with the slots of rows kAhead ahead in flight, and, once the
  // keys outgrow the cache, the stored bytes of rows kAhead / 2 ahead
  // (their slots have arrived by then).
  constexpr int64_t kAhead = 32;
  const int64_t bytes_ahead = table_.BytesOutOfCache() ? kAhead / 2 : n;
  for (int64_t k = 0; k < n; ++k) {
    if (k + kAhead < n) table_.Prefetch(h[k + kAhead]);
    if (k + bytes_ahead < n) table_.PrefetchBytesAt(h[k + bytes_ahead]);
    const int64_t r = BatchRow(rows, base, k);
    if (nulls && col.IsNull(r)) {
      uint8_t null_key[kStringHeader];
      PutString(null_key, false, {});
      out[k] = admitting() ? table_.FindOrAddBytes(null_key, kStringHeader, kNullStringHash)
                           : table_.FindBytes(null_key, kStringHeader, kNullStringHash);
      continue;
    }
    // AdmitAtMost: -1 for a key left out.
    const std::string_view v = col.StringValue(r);
    if (admit_limit_ < 0 || admitting()) {
      out[k] = table_.FindOrAddString(v, h[k]);
    } else {
      out[k] = table_.FindString(v, h[k]);
    }
  }
}

void GroupByState::PackIntKeys(const std::vector<ArrayView>& keys, const int32_t* rows,
                               int64_t base, int64_t n) {
  packed_.assign(size_t(n), internal::PackedKey{});
  internal::PackedKey* out = packed_.data();
  for (size_t c = 0; c < keys.size(); ++c) {
    const ArrayView& col = keys[c];
    if (internal::IsStringKey(*col.type)) continue;  // kInterned: InternedGroupIds
    const internal::PackField f = pack_[c];
    internal::ForEachIntKey(col, rows, base, n, [&](int64_t k, int64_t, bool valid, int64_t v) {
      if (valid) {
        internal::PackPut(&out[k], f, uint64_t(v));
      } else {
        out[k].nulls |= uint64_t(1) << c;  // value bits stay 0
      }
    });
  }
}

void GroupByState::PackKeys(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                            int64_t n) {
  PackIntKeys(keys, rows, base, n);
  const internal::PackedKey* key = packed_.data();
  hashes_.resize(size_t(n));
  for (int64_t k = 0; k < n; ++k) hashes_[size_t(k)] = internal::MixPacked(key[k]);
}

void GroupByState::PackedGroupIds(const std::vector<ArrayView>& keys, const int32_t* rows,
                                  int64_t base, int64_t n, int32_t* out) {
  PackKeys(keys, rows, base, n);
  const internal::PackedKey* key = packed_.data();
  const uint64_t* h = hashes_.data();
  // Probes with the slots of rows ahead in flight.
  constexpr int64_t kAhead = 16;
  if (admit_limit_ < 0) {  // the common case, without a test per row
    for (int64_t k = 0; k < n; ++k) {
      if (k + kAhead < n) table_.Prefetch(h[k + kAhead]);
      out[k] = table_.FindOrAddWide(key[k], h[k]);
    }
    return;
  }
  for (int64_t k = 0; k < n; ++k) {
    if (k + kAhead < n) table_.Prefetch(h[k + kAhead]);
    // AdmitAtMost: -1 for a key left out.
    out[k] = admitting() ? table_.FindOrAddWide(key[k], h[k]) : table_.FindWide(key[k], h[k]);
  }
}

Status GroupByState::GroupIds(const std::vector<ArrayView>& keys, const int32_t* rows, int64_t base,
                              int64_t n, std::vector<int32_t>* gids) {
  gids->resize(size_t(n));
  switch (mode_) {
    case Mode::kSingleInt:
      IntGroupIds(keys[0], rows, base, n, gids->data());
      return Status::OK();
    case Mode::kSingleDict:
      return DictGroupIds(keys[0], rows, base, n, gids->data());
    case Mode::kGeneric:
      EncodedGroupIds(keys, rows, base, n, gids->data());
      return Status::OK();
    case Mode::kPacked:
      PackedGroupIds(keys, rows, base, n, gids->data());
      return Status::OK();
    case Mode::kInterned:
      return InternedGroupIds(keys, rows, base, n, gids->data());
    case Mode::kSingleString:
      StringGroupIds(keys[0], rows, base, n, gids->data());
      return Status::OK();
  }
  return Status::OK();
}

}  // namespace quiver::kernels
