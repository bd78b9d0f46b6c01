// The hash table behind GroupByState (kernels/group_by.h): group keys to
// dense group ids 0, 1, 2, ... in insertion order. Private to kernels/.
//
// Open addressing with linear probing in a power-of-two slot array, load at
// most one half. Three kinds of key (KeyKind):
//   - int: one int64 per group, kept in the slot itself (a probe reads one
//     cache line), hashed with a 64-bit integer mix;
//   - wide: several fixed-width integer keys packed into 128 bits and a
//     word of NULL flags (PackedKey), hashed with the same mix (MixPacked),
//     kept in the slot: a key with no NULL that fits 96 bits (two int32 and
//     an int16, an int64 and an int32, ...) in a 16-byte slot of the main
//     slot array, any other in a 32-byte slot of a second array (keys with
//     NULLs are usually few);
//   - bytes: each group's encoded key (the encoding below) in one arena,
//     its XXH3 hash kept per group (growth never rehashes a key); a slot
//     holds the hash's top 32 bits as a tag and the key's arena offset, so
//     that a probe compares the tag, then the bytes, with no other read in
//     between (the key's bytes are the only miss after the slot's).
// A slot holds its group id + 1 (0: empty), so that zeroed memory is an
// empty table: a large slot array is a scratch block (TakeScratch below): a
// fresh mapping with huge pages asked for (zero pages, not filled by hand;
// a million groups take a few faults instead of thousands) or a block an
// earlier table released, zeroed by memset.
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

// Memory of the group tables' per-group arrays. Blocks of kScratchBytes and
// more are anonymous mappings aligned to and asking for huge pages, and a
// released one is kept (up to ScratchCacheCap() in all, see
// scratch_cache_internal.h) for the next table — the next rehash, morsel or
// query: on the 2-core VM a fresh
// page's first touch (a fault, the kernel zeroing it) cost a quarter of a
// million-group GROUP BY's CPU. Thread-safe. Throws std::bad_alloc.
constexpr size_t kScratchBytes = size_t(2) << 20;
// A block of at least `bytes`; *len gets its length (a multiple of
// kScratchBytes). `most`: a kept block up to that long will do. *fresh (if
// given): whether the block is a new mapping (zero pages) rather than kept.
// The new pages of a block are faulted in for writing, unless `populate`
// is false (memory written before it is read, in order, and maybe only in
// part: its pages fault in as they are first written).
void* TakeScratch(size_t bytes, size_t most, size_t* len, bool* fresh = nullptr,
                  bool populate = true);
// Gives back a block TakeScratch returned, with its length.
void GiveScratch(void* p, size_t len);
inline size_t ScratchLength(size_t bytes) {
  return (bytes + kScratchBytes - 1) / kScratchBytes * kScratchBytes;
}
// std::vector's allocator for such arrays: small ones from the heap, large
// ones as above (contents uninitialised, as std::allocator's).
template <typename T>
struct ScratchAllocator {
  using value_type = T;
  ScratchAllocator() = default;
  template <typename U>
  ScratchAllocator(const ScratchAllocator<U>&) noexcept {}  // NOLINT: rebinding converts
  T* allocate(size_t n) {
    if (n * sizeof(T) < kScratchBytes) return std::allocator<T>().allocate(n);
    const size_t len = ScratchLength(n * sizeof(T));
    size_t got = 0;
    return static_cast<T*>(TakeScratch(len, len, &got));
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kScratchBytes) {
      std::allocator<T>().deallocate(p, n);
      return;
    }
    GiveScratch(p, ScratchLength(n * sizeof(T)));
  }
  template <typename U>
  bool operator==(const ScratchAllocator<U>&) const {
    return true;
  }
};
template <typename T>
using ScratchVector = std::vector<T, ScratchAllocator<T>>;

// A zeroed block (every slot of a table empty): large ones TakeScratch
// blocks (memset when kept from before), small ones calloc'd. Move-only.
class ZeroedBlock {
 public:
  ZeroedBlock() = default;
  explicit ZeroedBlock(size_t bytes);
  ZeroedBlock(ZeroedBlock&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), bytes_(std::exchange(o.bytes_, 0)),
        mapped_(o.mapped_) {}
  ZeroedBlock& operator=(ZeroedBlock&& o) noexcept {
    if (this != &o) {
      Release();
      p_ = std::exchange(o.p_, nullptr);
      bytes_ = std::exchange(o.bytes_, 0);
      mapped_ = o.mapped_;
    }
    return *this;
  }
  ~ZeroedBlock() { Release(); }
  void* data() const { return p_; }
  size_t bytes() const { return bytes_; }

 private:
  void Release();
  void* p_ = nullptr;
  size_t bytes_ = 0;
  bool mapped_ = false;
};

// Fixed-width integer keys packed together (GroupByState's packed mode):
// each key's value bits, zero-extended from its width, at its bit offset in
// the 128 bits lo | hi << 64 (0 for NULL), and bit i of `nulls` set when
// key i is NULL.
struct PackedKey {
  uint64_t lo = 0, hi = 0;
  uint64_t nulls = 0;
  bool operator==(const PackedKey&) const = default;
};
// Where key i's value lies in a PackedKey: `bits` bits (8, 16, 32 or 64)
// from bit `shift`; `is_signed`: the value reads back sign-extended.
struct PackField {
  uint32_t shift = 0;
  uint32_t bits = 64;
  bool is_signed = false;
};
// Ors value v (its low f.bits bits) into k.
inline void PackPut(PackedKey* k, const PackField& f, uint64_t v) {
  if (f.bits < 64) v &= (uint64_t(1) << f.bits) - 1;
  if (f.shift >= 64) {
    k->hi |= v << (f.shift - 64);
    return;
  }
  k->lo |= v << f.shift;
  if (f.shift + f.bits > 64) k->hi |= v >> (64 - f.shift);  // shift > 0 here
}
// The value PackPut put, zero- or sign-extended to 64 bits.
inline uint64_t PackGet(const PackedKey& k, const PackField& f) {
  uint64_t v;
  if (f.shift >= 64) {
    v = k.hi >> (f.shift - 64);
  } else {
    v = k.lo >> f.shift;
    if (f.shift + f.bits > 64) v |= k.hi << (64 - f.shift);
  }
  if (f.bits == 64) return v;
  v &= (uint64_t(1) << f.bits) - 1;
  if (f.is_signed && (v >> (f.bits - 1)) != 0) v |= ~uint64_t(0) << f.bits;
  return v;
}
inline uint64_t MixPacked(const PackedKey& k) {
  return MixInt(k.lo ^ MixInt(k.hi + k.nulls * 0x9e3779b97f4a7c15ull));
}

enum class KeyKind : uint8_t { kInt, kWide, kBytes };

// Stored key bytes beyond which a hash table's probes fetch the bytes they
// will compare some rows ahead (about one core's L2 cache): GroupKeyTable's
// byte keys and COUNT(DISTINCT)'s strings.
constexpr size_t kBytesInCache = size_t(1) << 20;

class GroupKeyTable {
 public:
  explicit GroupKeyTable(KeyKind kind);
  GroupKeyTable(GroupKeyTable&&) = default;
  GroupKeyTable& operator=(GroupKeyTable&&) = default;

  KeyKind kind() const { return kind_; }
  bool int_keys() const { return kind_ == KeyKind::kInt; }
  // Whether adding n more keys may make the slot array grow (at half full).
  bool NearGrowth(int64_t n) const { return size_t(size() + n) * 2 > slots_.size(); }
  size_t slot_count() const { return slots_.size(); }
  int64_t size() const {
    switch (kind_) {
      case KeyKind::kInt: return int64_t(ints_.size());
      case KeyKind::kWide: return int64_t(wides_.size());
      case KeyKind::kBytes: break;
    }
    return int64_t(hashes_.size());
  }

  // The group of key v (int keys), added when new; h must be MixInt(v).
  int32_t FindOrAddInt(int64_t v, uint64_t h) {
    size_t i = size_t(h) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.id1 == 0) break;
      if (int64_t(s.word) == v) return int32_t(s.id1 - 1);
      i = (i + 1) & mask_;
    }
    const int32_t g = int32_t(ints_.size());
    ints_.push_back(v);
    slots_[i] = Slot{uint64_t(v), uint32_t(g) + 1, 0};
    if (size_t(g + 1) * 2 > slots_.size()) Grow();
    return g;
  }
  // The group of key v (int keys), or -1 when absent; h must be MixInt(v).
  int32_t FindInt(int64_t v, uint64_t h) const {
    for (size_t i = size_t(h) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id1 == 0 || int64_t(s.word) == v) return int32_t(s.id1) - 1;
    }
  }
  // A group outside the table (the NULL key of an int table): a new id.
  int32_t AddUnindexedInt() {
    ints_.push_back(0);
    return int32_t(ints_.size() - 1);
  }
  // The group of packed key k (wide keys), added when new; h must be
  // MixPacked(k).
  int32_t FindOrAddWide(const PackedKey& k, uint64_t h) {
    if (Narrow(k)) {
      size_t i = size_t(h) & mask_;
      for (;;) {
        const Slot& s = slots_[i];
        if (s.id1 == 0) break;
        if (s.word == k.lo && s.tag == uint32_t(k.hi)) return int32_t(s.id1 - 1);
        i = (i + 1) & mask_;
      }
      const int32_t g = int32_t(wides_.size());
      wides_.push_back(k);
      slots_[i] = Slot{k.lo, uint32_t(g) + 1, uint32_t(k.hi)};
      if (++narrow_keys_ * 2 > slots_.size()) Grow();
      return g;
    }
    size_t i = size_t(h) & wide_mask_;
    for (;;) {
      const WideSlot& s = wide_slots_[i];
      if (s.id1 == 0) break;
      if (s.lo == k.lo && s.hi == k.hi && s.nulls == k.nulls) return int32_t(s.id1 - 1);
      i = (i + 1) & wide_mask_;
    }
    const int32_t g = int32_t(wides_.size());
    wides_.push_back(k);
    wide_slots_[i] = WideSlot{k.lo, k.hi, k.nulls, uint32_t(g) + 1, 0};
    if ((wides_.size() - narrow_keys_) * 2 > wide_slots_.size())
      RehashWide(wide_slots_.size() * 2);
    return g;
  }
  // The group of packed key k, or -1 when absent.
  int32_t FindWide(const PackedKey& k, uint64_t h) const {
    if (Narrow(k)) {
      for (size_t i = size_t(h) & mask_;; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.id1 == 0 || (s.word == k.lo && s.tag == uint32_t(k.hi))) return int32_t(s.id1) - 1;
      }
    }
    for (size_t i = size_t(h) & wide_mask_;; i = (i + 1) & wide_mask_) {
      const WideSlot& s = wide_slots_[i];
      if (s.id1 == 0 || (s.lo == k.lo && s.hi == k.hi && s.nulls == k.nulls))
        return int32_t(s.id1) - 1;
    }
  }
  // The group of the encoded key [p, p + n) with hash h (HashBytes), added
  // when new (the bytes are copied).
  int32_t FindOrAddBytes(const uint8_t* p, uint32_t n, uint64_t h) {
    const uint32_t tag = uint32_t(h >> 32);
    size_t i = size_t(h) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.id1 == 0) break;
      if (s.tag == tag && SameBytes(s.word, p, n)) return int32_t(s.id1 - 1);
      i = (i + 1) & mask_;
    }
    const int32_t g = int32_t(hashes_.size());
    const uint64_t at = arena_.size();
    hashes_.push_back(h);
    arena_.insert(arena_.end(), p, p + n);
    offsets_.push_back(arena_.size());
    slots_[i] = Slot{at, uint32_t(g) + 1, tag};
    if (size_t(g + 1) * 2 > slots_.size()) Grow();
    return g;
  }
  // The group of the encoded key [p, p + n) with hash h, or -1 when absent.
  int32_t FindBytes(const uint8_t* p, uint32_t n, uint64_t h) const {
    const uint32_t tag = uint32_t(h >> 32);
    for (size_t i = size_t(h) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id1 == 0) return -1;
      if (s.tag == tag && SameBytes(s.word, p, n)) return int32_t(s.id1 - 1);
    }
  }
  // The group of string s (byte keys) with hash h (HashBytes of s itself),
  // added when new: kept encoded as a string key column (tag 1, length,
  // bytes), so bytes(g) is that encoding. A table holds either these or
  // FindOrAddBytes keys, not both.
  int32_t FindOrAddString(std::string_view s, uint64_t h) {
    const uint32_t tag = uint32_t(h >> 32);
    size_t i = size_t(h) & mask_;
    for (;;) {
      const Slot& st = slots_[i];
      if (st.id1 == 0) break;
      if (st.tag == tag && SameString(st.word, s)) return int32_t(st.id1 - 1);
      i = (i + 1) & mask_;
    }
    const int32_t g = int32_t(hashes_.size());
    const uint64_t at = arena_.size();
    hashes_.push_back(h);
    uint8_t head[kStringKeyHeader] = {1};
    const uint32_t len = uint32_t(s.size());
    std::memcpy(head + 1, &len, 4);
    arena_.insert(arena_.end(), head, head + kStringKeyHeader);
    arena_.insert(arena_.end(), s.begin(), s.end());
    offsets_.push_back(arena_.size());
    slots_[i] = Slot{at, uint32_t(g) + 1, tag};
    if (size_t(g + 1) * 2 > slots_.size()) Grow();
    return g;
  }
  // The group of string s with hash h, or -1 when absent.
  int32_t FindString(std::string_view s, uint64_t h) const {
    const uint32_t tag = uint32_t(h >> 32);
    for (size_t i = size_t(h) & mask_;; i = (i + 1) & mask_) {
      const Slot& st = slots_[i];
      if (st.id1 == 0) return -1;
      if (st.tag == tag && SameString(st.word, s)) return int32_t(st.id1 - 1);
    }
  }
  // String s of group g (FindOrAddString keys).
  std::string_view string(int32_t g) const { return bytes(g).substr(kStringKeyHeader); }
  // Makes room for `groups` groups of `key_bytes` encoded bytes in all
  // without growing.
  void Reserve(int64_t groups, int64_t key_bytes);
  // Hints the slot a key with hash h starts probing at into the cache.
  // (Wide keys: the slot in the main array.)
  void Prefetch(uint64_t h) const { __builtin_prefetch(&slots_[size_t(h) & mask_]); }

  // Whether the stored bytes have outgrown the L2 cache (when they have not,
  // PrefetchBytesAt costs more than it saves).
  bool BytesOutOfCache() const { return arena_.size() > kBytesInCache; }
  // Hints into the cache the stored bytes of the byte key a probe with hash
  // h meets first, when its tag is h's (the slot itself should be in the
  // cache already: Prefetch(h) some rows before). A probe that finds its
  // key compares those bytes; without this they are a cache miss per row
  // once the keys outgrow the cache.
  void PrefetchBytesAt(uint64_t h) const {
    const Slot& st = slots_[size_t(h) & mask_];
    if (st.id1 != 0 && st.tag == uint32_t(h >> 32)) {
      const uint8_t* p = arena_.data() + st.word;
      __builtin_prefetch(p);
      __builtin_prefetch(p + 64);
    }
  }

  // Hints group g's key into the cache.
  void PrefetchKey(int32_t g) const {
    switch (kind_) {
      case KeyKind::kInt: __builtin_prefetch(&ints_[size_t(g)]); break;
      case KeyKind::kWide: __builtin_prefetch(&wides_[size_t(g)]); break;
      case KeyKind::kBytes:
        __builtin_prefetch(&hashes_[size_t(g)]);
        __builtin_prefetch(&offsets_[size_t(g)]);
        break;
    }
  }
  // The hash of group g (MixInt / MixPacked of its key for int / wide keys).
  uint64_t hash(int32_t g) const {
    switch (kind_) {
      case KeyKind::kInt: return MixInt(uint64_t(ints_[size_t(g)]));
      case KeyKind::kWide: return MixPacked(wides_[size_t(g)]);
      case KeyKind::kBytes: break;
    }
    return hashes_[size_t(g)];
  }
  int64_t int_key(int32_t g) const { return ints_[size_t(g)]; }
  const PackedKey& wide_key(int32_t g) const { return wides_[size_t(g)]; }
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
    uint64_t word;  // the key (int keys), its arena offset (byte keys), its lo (wide)
    uint32_t id1;   // group id + 1; 0: empty
    uint32_t tag;   // byte keys: the top 32 bits of the key's hash; wide: its hi
  };
  static_assert(sizeof(Slot) == 16);
  struct WideSlot {
    uint64_t lo, hi, nulls;  // the PackedKey
    uint32_t id1;            // group id + 1; 0: empty
    uint32_t pad;
  };
  static_assert(sizeof(WideSlot) == 32);
  // Whether the key at arena offset `at` is [p, p + n): the keys are
  // prefix-free, so a stored key shorter than n ends the arena or differs
  // within its own bytes.
  bool SameBytes(uint64_t at, const uint8_t* p, uint32_t n) const {
    return at + n <= arena_.size() && std::memcmp(arena_.data() + at, p, n) == 0;
  }
  // Whether the FindOrAddString key at arena offset `at` is s (not NULL,
  // whose tag is 0): the tag and length first (every stored string is followed by another key or the arena's
  // end, so the header is always in bounds).
  bool SameString(uint64_t at, std::string_view s) const {
    uint32_t len;
    std::memcpy(&len, arena_.data() + at + 1, 4);
    return arena_[at] == 1 && len == s.size() &&
           (len == 0 || std::memcmp(arena_.data() + at + kStringKeyHeader, s.data(), len) == 0);
  }
  template <typename S>
  class SlotArray {
   public:
    SlotArray() = default;
    explicit SlotArray(size_t n) : block_(n * sizeof(S)), n_(n) {}
    SlotArray(SlotArray&& o) noexcept : block_(std::move(o.block_)), n_(std::exchange(o.n_, 0)) {}
    SlotArray& operator=(SlotArray&& o) noexcept {
      block_ = std::move(o.block_);
      n_ = std::exchange(o.n_, 0);
      return *this;
    }
    S& operator[](size_t i) { return static_cast<S*>(block_.data())[i]; }
    const S& operator[](size_t i) const { return static_cast<const S*>(block_.data())[i]; }
    size_t size() const { return n_; }

   private:
    ZeroedBlock block_;
    size_t n_ = 0;
  };
  // Whether wide key k lives in the main slot array (word: lo, tag: hi).
  static bool Narrow(const PackedKey& k) { return k.nulls == 0 && (k.hi >> 32) == 0; }
  void Grow();
  // Rehashes the main slot array into `slots` slots.
  void Rehash(size_t slots);
  // Wide keys: rehashes the 32-byte slots into `slots` slots.
  void RehashWide(size_t slots);

  KeyKind kind_;
  SlotArray<Slot> slots_;           // int and byte keys, narrow wide keys
  SlotArray<WideSlot> wide_slots_;  // the other wide keys
  size_t mask_ = 0;
  size_t wide_mask_ = 0;
  size_t narrow_keys_ = 0;  // wide keys in slots_
  ScratchVector<int64_t> ints_;      // int keys: the key of each group
  ScratchVector<PackedKey> wides_;   // wide keys: the key of each group
  ScratchVector<uint64_t> hashes_;   // byte keys: the hash of each group
  ScratchVector<uint64_t> offsets_;  // byte keys: group g is arena_[offsets_[g], offsets_[g + 1])
  ScratchVector<uint8_t> arena_;
};

}  // namespace quiver::kernels::internal
