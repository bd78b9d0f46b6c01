// GroupByState's interned mode (Mode::kInterned, see group_by.h): keys that
// are integers and strings, each string replaced by its id in a table of
// that column's strings (StringIds), so that the whole key packs into one
// internal::PackedKey and probes the group table without encoding a copy of
// the key or comparing its bytes. A dictionary chunk's entry is interned
// once per ConsumeRows, when a row first uses it.
//
// Ids are per table: the merge of two tables translates the other's ids
// into this one's (AddKeyOf, FindKeyOf), and the hash that picks a key's
// partition (InternedGroupHash, InternedRowHashes) hashes the strings
// themselves, so that a key lands in the same partition in every table.
#include <cstring>
#include <string_view>

#include "kernels/column_internal.h"
#include "kernels/group_by.h"
#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels {
namespace {

using internal::BatchRow;
using internal::HasNulls;
using internal::PackedKey;
using internal::PackField;

// Sets key field f to v (its low f.bits bits), whatever it held.
void PackSet(PackedKey* k, const PackField& f, uint64_t v) {
  const uint64_t mask = f.bits < 64 ? (uint64_t(1) << f.bits) - 1 : ~uint64_t(0);
  if (f.shift >= 64) {
    k->hi &= ~(mask << (f.shift - 64));
  } else {
    k->lo &= ~(mask << f.shift);
    if (f.shift + f.bits > 64) k->hi &= ~(mask >> (64 - f.shift));
  }
  internal::PackPut(k, f, v);
}

bool IsNullKey(const PackedKey& k, size_t c) { return ((k.nulls >> c) & 1) != 0; }

// Calls fn(k, valid, string) for each row k of a string key column (plain
// or dictionary: NULL when the row, its index or its entry is NULL, or the
// index is out of range).
template <typename Fn>
Status VisitStrings(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n, Fn&& fn) {
  const bool nulls = HasNulls(col);
  if (!col.type->is_dictionary()) {
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (nulls && col.IsNull(r))
        fn(k, false, std::string_view());
      else
        fn(k, true, col.StringValue(r));
    }
    return Status::OK();
  }
  if (col.dictionary == nullptr)
    return Status::Invalid("group-by: dictionary key without dictionary");
  const ArrayView& dict = *col.dictionary;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t r = BatchRow(rows, base, k);
    const int64_t x = nulls && col.IsNull(r) ? -1 : col.DictIndex(r);
    if (x < 0 || x >= dict.length || dict.IsNull(x))
      fn(k, false, std::string_view());
    else
      fn(k, true, dict.StringValue(x));
  }
  return Status::OK();
}

}  // namespace

Status GroupByState::InternRows(const std::vector<ArrayView>& keys, const int32_t* rows,
                                int64_t base, int64_t n) {
  const bool admit = admitting();  // the table only fills: false stays false
  for (StringIds& s : strs_) {
    s.ids.resize(size_t(n));
    int32_t* ids = s.ids.data();
    internal::GroupKeyTable& strings = s.strings;
    // -2: a string not interned while AdmitAtMost admits no key (no group
    // has it, none will).
    auto intern = [&](std::string_view v, uint64_t h) {
      if (admit) return strings.FindOrAddString(v, h);
      const int32_t id = strings.FindString(v, h);
      return id < 0 ? -2 : id;
    };
    auto hash = [](std::string_view v) {
      return internal::HashBytes(reinterpret_cast<const uint8_t*>(v.data()), v.size());
    };
    const ArrayView& col = keys[s.col];
    if (!col.type->is_dictionary()) {
      // Hashes first (-1 NULL, -3 '', -4 to look up), then lookups with the
      // slot of a row ahead in flight: a table of many strings is not in
      // cache.
      constexpr int32_t kEmpty = -3, kLookUp = -4;
      const bool nulls = HasNulls(col);
      hashes_.resize(size_t(n));
      uint64_t* h = hashes_.data();
      for (int64_t k = 0; k < n; ++k) {
        const int64_t r = BatchRow(rows, base, k);
        if (nulls && col.IsNull(r)) {
          ids[k] = -1;
          continue;
        }
        const std::string_view v = col.StringValue(r);
        ids[k] = v.empty() ? kEmpty : kLookUp;
        if (!v.empty()) h[k] = hash(v);
      }
      // The slots of rows kAhead ahead, and the stored bytes of rows
      // kAhead / 2 ahead once they outgrow the cache (StringGroupIds).
      constexpr int64_t kAhead = 32;
      const int64_t bytes_ahead = strings.BytesOutOfCache() ? kAhead / 2 : n;
      for (int64_t k = 0; k < n; ++k) {
        if (k + kAhead < n && ids[k + kAhead] == kLookUp) strings.Prefetch(h[k + kAhead]);
        if (k + bytes_ahead < n && ids[k + bytes_ahead] == kLookUp) strings.PrefetchBytesAt(h[k + bytes_ahead]);
        if (ids[k] == kLookUp) {
          ids[k] = intern(col.StringValue(BatchRow(rows, base, k)), h[k]);
        } else if (ids[k] == kEmpty) {  // '' is common: its id is kept
          if (s.empty_id == -1) s.empty_id = intern(std::string_view(), hash(std::string_view()));
          ids[k] = s.empty_id;
        }
      }
      continue;
    }
    const int64_t dn = col.dictionary ? col.dictionary->length : 0;
    if (int64_t(s.dict_ids.size()) != dn) s.dict_ids.assign(size_t(dn), -1);
    int32_t* entry_ids = s.dict_ids.data();
    QUIVER_RETURN_NOT_OK(internal::ForEachDictEntry(col, rows, base, n, [&](int64_t k, int64_t x) {
      if (x < 0) {
        ids[k] = -1;
        return;
      }
      int32_t id = entry_ids[x];
      if (id == -1) {
        const std::string_view v = col.dictionary->StringValue(x);
        entry_ids[x] = id = intern(v, hash(v));
      }
      ids[k] = id;
    }));
  }
  return Status::OK();
}

Status GroupByState::InternedGroupIds(const std::vector<ArrayView>& keys, const int32_t* rows,
                                      int64_t base, int64_t n, int32_t* out) {
  QUIVER_RETURN_NOT_OK(InternRows(keys, rows, base, n));
  PackIntKeys(keys, rows, base, n);
  PackedKey* key = packed_.data();
  // A string AdmitAtMost keeps out (-2) packs as id 0xfffffffe, which no
  // string has (ids are below 2^31): the key is in no group, and FindWide
  // says so without a test per row.
  for (const StringIds& s : strs_) {
    const PackField f = pack_[s.col];
    const uint64_t null_bit = uint64_t(1) << s.col;
    const int32_t* ids = s.ids.data();
    for (int64_t k = 0; k < n; ++k) {
      if (ids[k] == -1)
        key[k].nulls |= null_bit;
      else
        internal::PackPut(&key[k], f, uint32_t(ids[k]));
    }
  }
  hashes_.resize(size_t(n));
  const uint64_t* h = hashes_.data();
  for (int64_t k = 0; k < n; ++k) hashes_[size_t(k)] = internal::MixPacked(key[k]);
  // Probes with the slots of rows ahead in flight.
  constexpr int64_t kAhead = 16;
  if (admit_limit_ < 0) {  // the common case, without a test per row
    for (int64_t k = 0; k < n; ++k) {
      if (k + kAhead < n) table_.Prefetch(h[k + kAhead]);
      out[k] = table_.FindOrAddWide(key[k], h[k]);
    }
    return Status::OK();
  }
  // AdmitAtMost: -1 for a key left out. A -2 string comes only from a
  // batch that started with the table full (InternRows), which stays full.
  for (int64_t k = 0; k < n; ++k) {
    if (k + kAhead < n) table_.Prefetch(h[k + kAhead]);
    out[k] = admitting() ? table_.FindOrAddWide(key[k], h[k]) : table_.FindWide(key[k], h[k]);
  }
  return Status::OK();
}

Status GroupByState::InternedRowHashes(const std::vector<ArrayView>& keys, const int32_t* rows,
                                       int64_t base, int64_t n) {
  // As InternedGroupHash: the key with each string's hash in place of its
  // id, then each string's whole hash mixed in.
  PackIntKeys(keys, rows, base, n);
  PackedKey* key = packed_.data();
  std::vector<std::vector<uint64_t>> str_hashes(strs_.size());
  for (size_t j = 0; j < strs_.size(); ++j) {
    const size_t c = strs_[j].col;
    std::vector<uint64_t>& sh = str_hashes[j];
    sh.assign(size_t(n), 0);
    QUIVER_RETURN_NOT_OK(
        VisitStrings(keys[c], rows, base, n, [&](int64_t k, bool valid, std::string_view v) {
          if (!valid) {
            key[k].nulls |= uint64_t(1) << c;
            return;
          }
          sh[size_t(k)] = internal::HashBytes(reinterpret_cast<const uint8_t*>(v.data()), v.size());
          internal::PackPut(&key[k], pack_[c], uint32_t(sh[size_t(k)]));
        }));
  }
  hashes_.resize(size_t(n));
  for (int64_t k = 0; k < n; ++k) {
    uint64_t h = internal::MixPacked(key[k]);
    for (size_t j = 0; j < strs_.size(); ++j) {
      if (!IsNullKey(key[k], strs_[j].col)) h = internal::MixInt(h ^ str_hashes[j][size_t(k)]);
    }
    hashes_[size_t(k)] = h;
  }
  return Status::OK();
}

uint64_t GroupByState::InternedGroupHash(int32_t g) const {
  PackedKey k = table_.wide_key(g);
  // Not zeroed: each one read was set (zeroing 512 bytes a call was half
  // of this hash's time in a profile). One per key at most (64: the width
  // of PackedKey::nulls).
  uint64_t sh[64];
  for (size_t j = 0; j < strs_.size(); ++j) {
    const size_t c = strs_[j].col;
    if (IsNullKey(k, c)) continue;
    const PackField& f = pack_[c];
    sh[j] = strs_[j].strings.hash(int32_t(internal::PackGet(k, f)));
    PackSet(&k, f, uint32_t(sh[j]));
  }
  uint64_t h = internal::MixPacked(k);
  for (size_t j = 0; j < strs_.size(); ++j) {
    if (!IsNullKey(k, strs_[j].col)) h = internal::MixInt(h ^ sh[j]);
  }
  return h;
}

template <typename Mine>
bool GroupByState::TranslateKeyOf(const GroupByState& o, int32_t og, PackedKey* key, Mine&& mine) const {
  PackedKey k = o.table_.wide_key(og);
  for (size_t j = 0; j < strs_.size(); ++j) {
    const size_t c = strs_[j].col;
    if (IsNullKey(k, c)) continue;
    const PackField& f = pack_[c];
    const int32_t id = mine(j, int32_t(internal::PackGet(k, f)));
    if (id < 0) return false;
    PackSet(&k, f, uint64_t(id));
  }
  *key = k;
  return true;
}

PackedKey GroupByState::AddKeyOf(const GroupByState& o, int32_t og) {
  PackedKey k;
  TranslateKeyOf(o, og, &k, [&](size_t j, int32_t id) {
    const internal::GroupKeyTable& from = o.strs_[j].strings;
    return strs_[j].strings.FindOrAddString(from.string(id), from.hash(id));
  });
  return k;
}

bool GroupByState::FindKeyOf(const GroupByState& o, int32_t og, PackedKey* key) const {
  return TranslateKeyOf(o, og, key, [&](size_t j, int32_t id) {
    const internal::GroupKeyTable& from = o.strs_[j].strings;
    return strings_of_ == &o ? strs_[j].of_other[size_t(id)]
                             : strs_[j].strings.FindString(from.string(id), from.hash(id));
  });
}

int32_t GroupByState::AddInternedGroupOf(const GroupByState& o, int32_t og) {
  const PackedKey k = AddKeyOf(o, og);
  return table_.FindOrAddWide(k, internal::MixPacked(k));
}

int32_t GroupByState::FindInternedGroupOf(const GroupByState& o, int32_t og) const {
  PackedKey k;
  return FindKeyOf(o, og, &k) ? table_.FindWide(k, internal::MixPacked(k)) : -1;
}

void GroupByState::MapStringsOf(const GroupByState* o) {
  strings_of_ = o;
  for (size_t j = 0; j < strs_.size(); ++j) {
    std::vector<int32_t>& map = strs_[j].of_other;
    map.clear();
    if (o == nullptr) {
      map.shrink_to_fit();
      continue;
    }
    const internal::GroupKeyTable& from = o->strs_[j].strings;
    map.resize(size_t(from.size()));
    constexpr int32_t kAhead = 8;
    const int32_t n = int32_t(from.size());
    for (int32_t id = 0; id < n; ++id) {
      if (id + kAhead < n) strs_[j].strings.Prefetch(from.hash(id + kAhead));
      map[size_t(id)] = strs_[j].strings.FindString(from.string(id), from.hash(id));
    }
  }
}

void GroupByState::PrefetchGroupOf(const GroupByState& o, int32_t og) const {
  if (mode_ != Mode::kInterned) {
    table_.Prefetch(o.table_.hash(og));
    return;
  }
  if (strings_of_ != &o) return;  // translating costs lookups: no hint
  PackedKey k;
  if (FindKeyOf(o, og, &k)) table_.Prefetch(internal::MixPacked(k));
}

void GroupByState::AppendInternedKey(ArrayBuilder* b, size_t c, int32_t g) const {
  const PackedKey& k = table_.wide_key(g);
  if (IsNullKey(k, c)) {
    b->AppendNull();
    return;
  }
  const uint64_t v = internal::PackGet(k, pack_[c]);
  for (const StringIds& s : strs_) {
    if (s.col == c) {
      b->AppendString(s.strings.string(int32_t(v)));
      return;
    }
  }
  if (IsSignedIntStorage(key_types_[c].id))
    b->AppendInt(int64_t(v));
  else
    b->AppendUInt(v);
}

int64_t GroupByState::InternBytes() const {
  int64_t b = 0;
  for (const StringIds& s : strs_) {
    b += s.strings.memory_bytes() +
         int64_t((s.dict_ids.capacity() + s.ids.capacity() + s.of_other.capacity()) * 4);
  }
  return b;
}

}  // namespace quiver::kernels
