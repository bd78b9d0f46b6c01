// The hash table behind GroupByState (kernels/group_by.h): group keys to
// dense group ids 0, 1, 2, ... in insertion order. Private to kernels/.
//
// Open addressing with linear probing, load at most one half. Two kinds:
//   - int keys: one int64 per group, kept in the slot itself (a probe reads
//     one cache line), hashed with a 64-bit integer mix;
//   - byte keys: each group's encoded key (the encoding below) in one arena,
//     its XXH3 hash kept per group (growth never rehashes a key); a slot
//     holds the hash's top 32 bits as a tag and the key's arena offset, so
//     that a probe compares the tag, then the bytes, with no other read in
//     between (the key's bytes are the only miss after the slot's).
// Group ids are int32 (at most 2^31 - 1 groups per table).
//
// Thread-safety: none; one table per thread. Movable, not copyable.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "columnar/types.h"

namespace quiver::kernels::internal {

// murmur3's 64-bit finaliser: every key bit reaches the low bits the table
// indexes with and the high bits partitions use.
inline uint64_t MixInt(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

// Key encoding (byte-keyed tables), per key column: a tag byte (0 NULL,
// 1 value), then
//   - strings, binary and dictionary values: a 4-byte length and the bytes
//     (length 0 for NULL); dictionary keys encode as their strings, so equal
//     strings are one group whatever their index;
//   - decimals, intervals and float16: their ByteWidth little-endian bytes
//     as stored (float16 with -0 and NaN canonical; zeros for NULL);
//   - other numbers and bools: 8 bytes, the int64 bit pattern or the double
//     with -0 and NaN canonical (zeros for NULL).
// The encoding is self-delimiting for a given list of key types, so the keys
// of one table are prefix-free: two keys that agree on the first n bytes of
// one of them are equal. A probe therefore compares its own bytes against
// the arena at the slot's offset without reading the stored key's length.
constexpr uint32_t kStringKeyHeader = 5;

// Bytes of a value kept as stored (decimals, intervals, float16), or 0.
inline uint32_t RawKeyWidth(TypeId id) {
  switch (id) {
    case TypeId::kDecimal128: return 16;
    case TypeId::kDecimal256: return 32;
    case TypeId::kIntervalYearMonth: return 4;
    case TypeId::kIntervalDayTime: return 8;
    case TypeId::kIntervalMonthDayNano: return 16;
    case TypeId::kFloat16: return 2;
    default: return 0;
  }
}
inline bool IsStringKey(const DataType& t) {
  return t.is_dictionary() || IsBinaryLike(t.id);
}
// Encoded bytes of a non-string key column (tag included).
inline uint32_t FixedKeyBytes(const DataType& t) {
  const uint32_t raw = RawKeyWidth(t.id);
  return 1 + (raw ? raw : 8);
}

// XXH3 of an encoded key (group_key_table.cc).
uint64_t HashBytes(const uint8_t* p, size_t n);

class GroupKeyTable {
 public:
  explicit GroupKeyTable(bool int_keys);
  GroupKeyTable(GroupKeyTable&&) = default;
  GroupKeyTable& operator=(GroupKeyTable&&) = default;

  bool int_keys() const { return int_keys_; }
  int64_t size() const { return int_keys_ ? int64_t(ints_.size()) : int64_t(hashes_.size()); }

  // The group of key v (int keys), added when new; h must be MixInt(v).
  int32_t FindOrAddInt(int64_t v, uint64_t h) {
    size_t i = size_t(h) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.gid < 0) break;
      if (int64_t(s.word) == v) return s.gid;
      i = (i + 1) & mask_;
    }
    const int32_t g = int32_t(ints_.size());
    ints_.push_back(v);
    slots_[i] = Slot{uint64_t(v), g, 0};
    if (size_t(g + 1) * 2 > slots_.size()) Grow();
    return g;
  }
  // The group of key v (int keys), or -1 when absent; h must be MixInt(v).
  int32_t FindInt(int64_t v, uint64_t h) const {
    for (size_t i = size_t(h) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.gid < 0 || int64_t(s.word) == v) return s.gid;
    }
  }
  // A group outside the table (the NULL key of an int table): a new id.
  int32_t AddUnindexedInt() {
    ints_.push_back(0);
    return int32_t(ints_.size() - 1);
  }
  // The group of the encoded key [p, p + n) with hash h (HashBytes), added
  // when new (the bytes are copied).
  int32_t FindOrAddBytes(const uint8_t* p, uint32_t n, uint64_t h) {
    const uint32_t tag = uint32_t(h >> 32);
    size_t i = size_t(h) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.gid < 0) break;
      if (s.tag == tag && SameBytes(s.word, p, n)) return s.gid;
      i = (i + 1) & mask_;
    }
    const int32_t g = int32_t(hashes_.size());
    const uint64_t at = arena_.size();
    hashes_.push_back(h);
    arena_.insert(arena_.end(), p, p + n);
    offsets_.push_back(arena_.size());
    slots_[i] = Slot{at, g, tag};
    if (size_t(g + 1) * 2 > slots_.size()) Grow();
    return g;
  }
  // The group of the encoded key [p, p + n) with hash h, or -1 when absent.
  int32_t FindBytes(const uint8_t* p, uint32_t n, uint64_t h) const {
    const uint32_t tag = uint32_t(h >> 32);
    for (size_t i = size_t(h) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.gid < 0) return -1;
      if (s.tag == tag && SameBytes(s.word, p, n)) return s.gid;
    }
  }
  // Makes room for `groups` groups of `key_bytes` encoded bytes in all
  // without growing.
  void Reserve(int64_t groups, int64_t key_bytes);
  // Hints the slot a key with hash h starts probing at into the cache.
  void Prefetch(uint64_t h) const { __builtin_prefetch(&slots_[size_t(h) & mask_]); }

  // Hints group g's key into the cache.
  void PrefetchKey(int32_t g) const {
    if (int_keys_) {
      __builtin_prefetch(&ints_[size_t(g)]);
    } else {
      __builtin_prefetch(&hashes_[size_t(g)]);
      __builtin_prefetch(&offsets_[size_t(g)]);
    }
  }
  // The hash of group g (MixInt of its key for int keys).
  uint64_t hash(int32_t g) const {
    return int_keys_ ? MixInt(uint64_t(ints_[size_t(g)])) : hashes_[size_t(g)];
  }
  int64_t int_key(int32_t g) const { return ints_[size_t(g)]; }
  std::string_view bytes(int32_t g) const {
    const uint64_t at = offsets_[size_t(g)];
    return {reinterpret_cast<const char*>(arena_.data()) + at,
            size_t(offsets_[size_t(g) + 1] - at)};
  }
  // Encoded bytes of all keys (byte keys).
  int64_t key_bytes() const { return int64_t(arena_.size()); }
  // Bytes held (capacities), for memory accounting.
  int64_t memory_bytes() const;

 private:
  struct Slot {
    uint64_t word;  // the key (int keys) or its arena offset (byte keys)
    int32_t gid;    // -1: empty
    uint32_t tag;   // byte keys: the top 32 bits of the key's hash
  };
  static_assert(sizeof(Slot) == 16);
  // Whether the key at arena offset `at` is [p, p + n): the keys are
  // prefix-free, so a stored key shorter than n ends the arena or differs
  // within its own bytes.
  bool SameBytes(uint64_t at, const uint8_t* p, uint32_t n) const {
    return at + n <= arena_.size() && std::memcmp(arena_.data() + at, p, n) == 0;
  }
  // The slots, made empty by one memset (every bit set: gid -1) rather
  // than slot by slot: growth's cost is mostly this fill.
  class SlotArray {
   public:
    explicit SlotArray(size_t n = 0) : n_(n), p_(n ? new Slot[n] : nullptr) {
      if (n) std::memset(static_cast<void*>(p_.get()), 0xff, n * sizeof(Slot));
    }
    SlotArray(SlotArray&& o) noexcept : n_(std::exchange(o.n_, 0)), p_(std::move(o.p_)) {}
    SlotArray& operator=(SlotArray&& o) noexcept {
      n_ = std::exchange(o.n_, 0);
      p_ = std::move(o.p_);
      return *this;
    }
    Slot& operator[](size_t i) { return p_[i]; }
    const Slot& operator[](size_t i) const { return p_[i]; }
    size_t size() const { return n_; }

   private:
    size_t n_;
    std::unique_ptr<Slot[]> p_;
  };
  void Grow();
  void Rehash(size_t slots);

  bool int_keys_;
  SlotArray slots_;
  size_t mask_ = 0;
  std::vector<int64_t> ints_;      // int keys: the key of each group
  std::vector<uint64_t> hashes_;   // byte keys: the hash of each group
  std::vector<uint64_t> offsets_;  // byte keys: group g is arena_[offsets_[g], offsets_[g + 1])
  std::vector<uint8_t> arena_;
};

}  // namespace quiver::kernels::internal
