// COUNT(DISTINCT x): an exact hash set of (group, value) pairs.
//
// Update works in blocks of kBlock rows: a block is gathered into flat
// arrays (the value's canonical 64-bit bits or, for strings, its bytes and
// XXH3 hash; its group), NULL rows compacted out without a branch per row;
// the hashes of the block are computed in one loop; then the pairs are
// inserted with the slot of the pair kAhead positions on prefetched, so
// that the cache misses of a set larger than the cache overlap.
//
// The set is kPartitions open-addressing tables (linear probing, power-of-two
// capacity, load at most one half), chosen by the top bits of the value's
// hash: the partition of a value does not depend on its group, so Merge
// combines partition p of the other state with partition p of this one
// (small tables, hot in cache) even when it renumbers the groups, and a
// table that grows rehashes only its own entries. The slot within a
// partition is the low bits of the value's hash xor a multiple of the
// group. A group's distinct count is kept as a counter. Tables are small
// heap blocks that malloc recycles as they grow (one table for all
// partitions was measured slower: every doubling maps fresh pages, and a
// page fault costs more than the rehash).
//
// Ungrouped numbers (no group ids: SELECT COUNT(DISTINCT x) FROM t) use a
// GlobalNumberSet of 8-byte keys, half the bytes of a pair, until a group id
// or a renumbering merge arrives.
//
// Strings: an entry keeps the XXH3 hash, the length and an offset into one
// arena holding the bytes of the distinct strings (copied once, when first
// seen: a computed column's bytes do not outlive the batch); a probe
// compares group, hash and length before the bytes. Runs of empty strings
// are skipped before hashing. Dictionary columns hash each entry once per
// batch when the batch has at least as many rows as the dictionary; then,
// ungrouped, the entries the rows use are marked first and each is
// inserted once.
// XXH3 inlined: most strings counted are short, where a call costs as much
// as the hash.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "kernels/aggregate.h"
#include "kernels/group_key_table_internal.h"
#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels::internal {
namespace {

// Slots of an open-addressing table, all bits zero when empty, in the
// group tables' zeroed blocks: a large table reuses a block an earlier
// table or query gave back (kept mappings, group_key_table_internal.h)
// instead of faulting in fresh pages and unmapping them again (each unmap
// stops every other core of the process for a TLB flush). T is trivially
// copyable; move-only.
template <typename T>
class ZeroedSlots {
 public:
  ZeroedSlots() = default;
  explicit ZeroedSlots(size_t n) : block_(n * sizeof(T)), n_(n) {}
  ZeroedSlots(ZeroedSlots&& o) noexcept : block_(std::move(o.block_)), n_(std::exchange(o.n_, 0)) {}
  ZeroedSlots& operator=(ZeroedSlots&& o) noexcept {
    block_ = std::move(o.block_);
    n_ = std::exchange(o.n_, 0);
    return *this;
  }
  size_t size() const { return n_; }
  T* data() { return static_cast<T*>(block_.data()); }
  const T* data() const { return static_cast<const T*>(block_.data()); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + n_; }

 private:
  ZeroedBlock block_;
  size_t n_ = 0;
};

// A set entry of a number: its canonical bits and group, packed in 12
// bytes (a quarter less memory to fault in and to miss on than 16; x86
// loads unaligned words at full speed). Growing and merging rehash the key.
struct __attribute__((packed)) NumberEntry {
  uint64_t key;
  uint32_t tag;  // group + 1; 0: an empty slot
};
static_assert(sizeof(NumberEntry) == 12);
// A set entry of a string: its XXH3 hash, its bytes in the arena, its group.
struct StringEntry {
  uint64_t key;  // XXH3 of the bytes; its low 32 bits are the hash bits
  uint64_t str;  // offset into the arena
  uint32_t tag;  // group + 1; 0: an empty slot
  uint32_t len;
};

// Appends the canonical bits and group of every non-NULL row of a batch of
// a fixed-width number column to keys / gs; returns how many. A NULL row is
// written and then overwritten (the cursor advances by the validity bit).
template <typename T, bool kRows, bool kNulls, bool kGids>
size_t GatherNumbers(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                     const int32_t* gids, uint64_t* keys, uint32_t* gs) {
  const T* data = col.data<T>();
  size_t j = 0;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t r = kRows ? rows[k] : base + k;
    const T v = data[r];
    uint64_t bits;
    if constexpr (std::is_floating_point_v<T>) {
      bits = CanonicalBits(double(v));
    } else if constexpr (std::is_signed_v<T>) {
      bits = uint64_t(int64_t(v));
    } else {
      bits = uint64_t(v);
    }
    keys[j] = bits;
    gs[j] = kGids ? uint32_t(gids[k]) : 0;
    if constexpr (kNulls) {
      j += size_t(GetBit(col.validity, col.offset + r));
    } else {
      ++j;
    }
  }
  return j;
}

template <typename T, bool kRows, bool kNulls>
size_t GatherNumbersG(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                      const int32_t* gids, uint64_t* keys, uint32_t* gs) {
  return gids ? GatherNumbers<T, kRows, kNulls, true>(col, rows, base, n, gids, keys, gs)
              : GatherNumbers<T, kRows, kNulls, false>(col, rows, base, n, gids, keys, gs);
}

template <typename T>
size_t GatherNumbersT(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                      const int32_t* gids, uint64_t* keys, uint32_t* gs) {
  const bool nulls = HasNulls(col);
  if (rows) {
    return nulls ? GatherNumbersG<T, true, true>(col, rows, base, n, gids, keys, gs)
                 : GatherNumbersG<T, true, false>(col, rows, base, n, gids, keys, gs);
  }
  return nulls ? GatherNumbersG<T, false, true>(col, rows, base, n, gids, keys, gs)
               : GatherNumbersG<T, false, false>(col, rows, base, n, gids, keys, gs);
}

constexpr int kPartitionBits = 8;
constexpr size_t kPartitions = size_t(1) << kPartitionBits;
constexpr size_t kInitialSlots = 8;
// Inserts this many positions ahead of the one whose slot is prefetched.
constexpr size_t kAhead = 8;
// The same for the ungrouped set, whose inserts are a few instructions
// each: 8 ahead left half its time waiting on the slot.
constexpr size_t kGlobalAhead = 32;

size_t PartOf(uint64_t hash) { return size_t(hash >> (64 - kPartitionBits)); }

// A full partition's next size: 4 times while under 2^14 slots (fewer
// rehashes of a set that keeps growing), then twice (memory).
size_t GrownSlots(size_t slots) { return slots * (slots < (size_t(1) << 14) ? 4 : 2); }

// The distinct canonical bits of one group's numbers: the set of a state
// whose rows all belong to group 0 (the ungrouped COUNT(DISTINCT x)), in
// 8-byte slots, half the bytes of a (group, value) entry, so that a set of
// a hundred thousand values fits in a core's L2 cache. Bits 0 mark an empty
// slot; the value 0 is a flag. Partitioned as the pairs (see the top).
class GlobalNumberSet {
 public:
  GlobalNumberSet() {
    for (Part& p : parts_) p.slots = ZeroedSlots<uint64_t>(kInitialSlots);
  }
  // Adds keys[0, m) with hashes[i] = Mix64(keys[i]).
  void Insert(const uint64_t* keys, const uint64_t* hashes, size_t m) {
    for (size_t i = 0; i < m; ++i) {
      if (i + kGlobalAhead < m) PrefetchSlot(hashes[i + kGlobalAhead]);
      Add(keys[i], hashes[i]);
    }
  }
  void Merge(const GlobalNumberSet& o) {
    has_zero_ = has_zero_ || o.has_zero_;
    for (size_t p = 0; p < kPartitions; ++p) MergePart(o, p);
  }
  // Merge, partition p only: partitions merge on several threads at once.
  void MergePart(const GlobalNumberSet& o, size_t p) {
    if (p == 0) has_zero_ = has_zero_ || o.has_zero_;
    // Room for the larger of the two at once (the union is at least that;
    // the sum would over-allocate when the workers saw the same values).
    size_t want = parts_[p].slots.size();
    while (o.parts_[p].size * 2 > want) want *= 2;
    if (want != parts_[p].slots.size()) Grow(&parts_[p], want);
    for (uint64_t k : o.parts_[p].slots) {
      if (k != 0) AddTo(&parts_[p], k, Mix64(k));
    }
  }
  // Calls fn(key, hash) for every value.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (has_zero_) fn(uint64_t(0), Mix64(0));
    for (const Part& p : parts_) {
      for (uint64_t k : p.slots) {
        if (k != 0) fn(k, Mix64(k));
      }
    }
  }
  int64_t size() const {
    size_t n = has_zero_ ? 1 : 0;
    for (const Part& p : parts_) n += p.size;
    return int64_t(n);
  }
  size_t MemoryBytes() const {
    size_t n = 0;
    for (const Part& p : parts_) n += p.slots.size() * 8;
    return n;
  }

 private:
  struct Part {
    ZeroedSlots<uint64_t> slots;
    size_t size = 0;
  };

  void PrefetchSlot(uint64_t hash) const {
    const Part& p = parts_[PartOf(hash)];
    __builtin_prefetch(p.slots.data() + (hash & (p.slots.size() - 1)));
  }
  void Add(uint64_t key, uint64_t hash) {
    if (key == 0) {
      has_zero_ = true;
      return;
    }
    AddTo(&parts_[PartOf(hash)], key, hash);
  }
  void AddTo(Part* part, uint64_t key, uint64_t hash) {
    const size_t mask = part->slots.size() - 1;
    uint64_t* slots = part->slots.data();
    size_t i = size_t(hash) & mask;
    for (; slots[i] != 0; i = (i + 1) & mask) {
      if (slots[i] == key) return;
    }
    slots[i] = key;
    if (++part->size * 2 > part->slots.size()) Grow(part, GrownSlots(part->slots.size()));
  }
  static void Grow(Part* part, size_t slots_wanted) {
    ZeroedSlots<uint64_t> old = std::move(part->slots);
    part->slots = ZeroedSlots<uint64_t>(slots_wanted);
    const size_t mask = part->slots.size() - 1;
    uint64_t* slots = part->slots.data();
    for (uint64_t k : old) {
      if (k == 0) continue;
      size_t i = size_t(Mix64(k)) & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = k;
    }
  }

  std::array<Part, kPartitions> parts_;
  bool has_zero_ = false;
};

// The set of (group, value) pairs; Entry is NumberEntry or StringEntry.
// A number state starts with a GlobalNumberSet and moves its values into
// the pairs (as group 0) when it first sees a group id or a map that does
// not keep group 0 as 0.
template <typename Entry>
class CountDistinctAgg final : public GroupedAgg {
 public:
  explicit CountDistinctAgg(const DataType& input)
      : GroupedAgg(GroupedAggKind::kCountDistinct, input, DataType(TypeId::kInt64)) {
    for (Part& p : parts_) p.slots = ZeroedSlots<Entry>(kInitialSlots);
  }

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<CountDistinctAgg<Entry>>(input_type());
  }
  void Resize(size_t groups) override {
    if (counts_.size() < groups) counts_.resize(groups);
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    if (n <= 0) return;
    keys_.resize(size_t(std::min(n, kBlock)));
    gs_.resize(keys_.size());
    hashes_.resize(keys_.size());
    if constexpr (kStrings) {
      strs_.resize(keys_.size());
      HashDictionary(col, n);
      if (dict_once_ && gids == nullptr) {
        UpdateDictionaryEntries(col, rows, base, n);
        return;
      }
    }
    // Blocks of kBlock rows: the scratch arrays stay in L1, and a state
    // does not fault in pages for a batch-sized scratch.
    for (int64_t start = 0; start < n; start += kBlock) {
      UpdateBlock(col, rows ? rows + start : nullptr, base + start, std::min(kBlock, n - start),
                  gids ? gids + start : nullptr);
    }
  }
  void UpdateBlock(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                   const int32_t* gids) {
    const size_t m = Gather(col, rows, base, n, gids);
    const uint64_t* keys = keys_.data();
    const uint32_t* gs = gs_.data();
    if constexpr (kStrings) {
      // keys are XXH3 hashes already. Once the distinct bytes outgrow the
      // cache, the bytes a probe will compare are fetched too, for the pair
      // kAhead / 2 on (its slot has arrived by then).
      const std::string_view* strs = strs_.data();
      const size_t bytes_ahead = arena_.size() > kBytesInCache ? kAhead / 2 : m;
      for (size_t i = 0; i < m; ++i) {
        if (i + kAhead < m) Prefetch(keys[i + kAhead], gs[i + kAhead]);
        if (i + bytes_ahead < m) PrefetchBytes(keys[i + bytes_ahead], gs[i + bytes_ahead]);
        Insert(keys[i], gs[i], keys[i], strs[i]);
      }
    } else {
      uint64_t* hs = hashes_.data();
      for (size_t i = 0; i < m; ++i) hs[i] = Mix64(keys[i]);
      if (gids == nullptr && !grouped_) {
        global_.Insert(keys, hs, m);
        return;
      }
      if (!grouped_) ToGrouped();
      for (size_t i = 0; i < m; ++i) {
        if (i + kAhead < m) Prefetch(hs[i + kAhead], gs[i + kAhead]);
        Insert(hs[i], gs[i], keys[i], {});
      }
    }
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const CountDistinctAgg<Entry>&>(other);
    if (MergeUngrouped(o, map)) return;
    Staging st;
    for (size_t p = 0; p < kPartitions; ++p) MergePart(o, map, p, &st, nullptr);
  }
  Status MergeParallel(const GroupedAgg& other, const int32_t* map,
                       const TaskRunner& run) override {
    if constexpr (kStrings) {  // one arena holds the bytes of every partition
      Merge(other, map);
      return Status::OK();
    } else {
      const auto& o = static_cast<const CountDistinctAgg<Entry>&>(other);
      if (!grouped_ && !o.grouped_ && (map == nullptr || map[0] == 0)) {
        return run(int64_t(kPartitions), [&](int64_t p) -> Status {
          global_.MergePart(o.global_, size_t(p));
          return Status::OK();
        });
      }
      if (MergeUngrouped(o, map)) return Status::OK();
      // The group of each pair a partition adds, counted once all are in.
      std::vector<std::vector<uint32_t>> added(kPartitions);
      QUIVER_RETURN_NOT_OK(run(int64_t(kPartitions), [&](int64_t p) -> Status {
        if (o.parts_[size_t(p)].size == 0) return Status::OK();
        Staging st;
        MergePart(o, map, size_t(p), &st, &added[size_t(p)]);
        return Status::OK();
      }));
      for (const std::vector<uint32_t>& a : added) {
        for (uint32_t g : a) ++counts_[g];
      }
      return Status::OK();
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    std::vector<Scalar> out(groups, Scalar::Int64(0));
    for (size_t g = 0; g < groups; ++g) out[g] = Scalar::Int64(Count(g));
    return ScalarsToArray(out, result_type());
  }
  std::optional<Scalar> GroupResult(size_t g) const override { return Scalar::Int64(Count(g)); }
  size_t MemoryBytes() const override {
    size_t n = arena_.capacity() + counts_.capacity() * sizeof(int64_t) +
               keys_.capacity() * 8 + hashes_.capacity() * 8 + gs_.capacity() * 4 +
               strs_.capacity() * sizeof(std::string_view) + dict_hash_.capacity() * 8 +
               dict_used_.capacity() +
               half_.capacity() * 2;
    for (const Part& p : parts_) n += p.slots.size() * sizeof(Entry);
    if constexpr (!kStrings) n += global_.MemoryBytes();
    return n;
  }

 private:
  static constexpr bool kStrings = std::is_same_v<Entry, StringEntry>;
  static constexpr int64_t kBlock = 1024;

  struct Part {
    ZeroedSlots<Entry> slots;
    size_t size = 0;
  };
  // Entries of another state staged for insertion, kBlock at a time.
  struct Staging {
    std::vector<uint64_t> keys, hashes;
    std::vector<uint32_t> gs;
    std::vector<std::string_view> strs;
    Staging()
        : keys(size_t(kBlock)), hashes(size_t(kBlock)), gs(size_t(kBlock)),
          strs(kStrings ? size_t(kBlock) : 0) {}
  };

  // Merge of numbers where either state still has its global set; false
  // when both hold pairs (merged partition by partition).
  bool MergeUngrouped(const CountDistinctAgg<Entry>& o, const int32_t* map) {
    if constexpr (!kStrings) {
      if (!grouped_ && !o.grouped_ && (map == nullptr || map[0] == 0)) {
        global_.Merge(o.global_);
        return true;
      }
      if (!grouped_) ToGrouped();
      if (!o.grouped_) {
        const int32_t g = map ? map[0] : 0;
        if (g >= 0) o.global_.ForEach([&](uint64_t k, uint64_t h) { Insert(h, uint32_t(g), k, {}); });
        return true;
      }
    }
    return false;
  }
  // Partition p of o into partition p of this state (a value's partition
  // does not depend on its group). New pairs are counted, or their groups
  // appended to *added when partitions merge at once.
  void MergePart(const CountDistinctAgg<Entry>& o, const int32_t* map, size_t p, Staging* st,
                 std::vector<uint32_t>* added) {
    Part* part = &parts_[p];
    // Room for the larger of the two at once (the union is at least that;
    // the sum would over-allocate when the workers saw the same values).
    Reserve(part, o.parts_[p].size);
    // Staged kBlock at a time, then inserted with prefetching as in Update:
    // the partition's table is larger than L1.
    size_t m = 0;
    for (const Entry& e : o.parts_[p].slots) {
      if (e.tag == 0 || (map && map[e.tag - 1] < 0)) continue;
      st->keys[m] = e.key;
      st->gs[m] = map ? uint32_t(map[e.tag - 1]) : e.tag - 1;
      st->hashes[m] = HashBits(e);
      if constexpr (kStrings) st->strs[m] = std::string_view(o.arena_.data() + e.str, e.len);
      if (++m == size_t(kBlock)) {
        MergeStaged(part, *st, m, added);
        m = 0;
      }
    }
    MergeStaged(part, *st, m, added);
  }
  // Inserts the first m staged entries into *part.
  void MergeStaged(Part* part, const Staging& st, size_t m, std::vector<uint32_t>* added) {
    for (size_t i = 0; i < m; ++i) {
      if (i + kAhead < m) {
        const size_t mask = part->slots.size() - 1;
        __builtin_prefetch(part->slots.data() +
                           (SlotBits(uint32_t(st.hashes[i + kAhead]), st.gs[i + kAhead]) & mask));
      }
      std::string_view s;
      if constexpr (kStrings) s = st.strs[i];
      if (!InsertInto(part, uint32_t(st.hashes[i]), st.gs[i], st.keys[i], s)) continue;
      if (added != nullptr) {
        added->push_back(st.gs[i]);
      } else {
        ++counts_[st.gs[i]];
      }
    }
  }

  // The slot bits of group g's copy of a value with hash bits h: distinct
  // groups of one value land apart.
  static uint32_t SlotBits(uint32_t h, uint32_t g) { return h ^ (g * 0x9E3779B1u); }
  static uint32_t HashBits(const Entry& e) {
    if constexpr (kStrings) {
      return uint32_t(e.key);
    } else {
      return uint32_t(Mix64(e.key));
    }
  }

  int64_t Count(size_t g) const {
    if constexpr (!kStrings) {
      if (!grouped_) return g == 0 ? global_.size() : 0;
    }
    return g < counts_.size() ? counts_[g] : 0;
  }
  // Group 0's values, moved from the global set into the pairs.
  void ToGrouped() {
    grouped_ = true;
    if constexpr (!kStrings) {
      if (counts_.empty()) counts_.resize(1);
      global_.ForEach([&](uint64_t k, uint64_t h) { Insert(h, 0, k, {}); });
      global_ = GlobalNumberSet();
    }
  }
  void Prefetch(uint64_t hash, uint32_t g) const {
    const Part& part = parts_[PartOf(hash)];
    __builtin_prefetch(part.slots.data() + (SlotBits(uint32_t(hash), g) & (part.slots.size() - 1)));
  }
  // Strings: the stored bytes of the entry a probe for (hash, g) meets
  // first, when it is that pair's (the slot should be in the cache already).
  void PrefetchBytes(uint64_t hash, uint32_t g) const {
    if constexpr (kStrings) {
      const Part& part = parts_[PartOf(hash)];
      const Entry& e = part.slots.data()[SlotBits(uint32_t(hash), g) & (part.slots.size() - 1)];
      if (e.tag == g + 1 && e.key == hash) {
        __builtin_prefetch(arena_.data() + e.str);
        __builtin_prefetch(arena_.data() + e.str + 64);
      }
    }
  }
  void Insert(uint64_t hash, uint32_t g, uint64_t key, std::string_view s) {
    if (InsertInto(&parts_[PartOf(hash)], uint32_t(hash), g, key, s)) ++counts_[g];
  }
  // Adds the pair (g, value) to *part; false when it was there. Touches
  // nothing outside the partition but the string arena.
  bool InsertInto(Part* part, uint32_t h, uint32_t g, uint64_t key, std::string_view s) {
    const size_t mask = part->slots.size() - 1;
    Entry* slots = part->slots.data();
    size_t i = SlotBits(h, g) & mask;
    for (;; i = (i + 1) & mask) {
      const Entry& e = slots[i];
      if (e.tag == 0) break;
      if (e.key != key || e.tag != g + 1) continue;
      if constexpr (kStrings) {
        if (e.len == s.size() &&
            (s.empty() || std::memcmp(arena_.data() + e.str, s.data(), s.size()) == 0)) {
          return false;
        }
      } else {
        return false;
      }
    }
    Entry& e = slots[i];
    e.tag = g + 1;
    e.key = key;
    if constexpr (kStrings) {
      e.str = arena_.size();
      e.len = uint32_t(s.size());
      arena_.append(s);
    }
    if (++part->size * 2 > part->slots.size()) Grow(part, GrownSlots(part->slots.size()));
    return true;
  }
  // Makes room for n entries at a load of at most one half.
  static void Reserve(Part* part, size_t n) {
    size_t want = part->slots.size();
    while (n * 2 > want) want *= 2;
    if (want != part->slots.size()) Grow(part, want);
  }
  static void Grow(Part* part, size_t slots_wanted) {
    ZeroedSlots<Entry> old = std::move(part->slots);
    part->slots = ZeroedSlots<Entry>(slots_wanted);
    const size_t mask = part->slots.size() - 1;
    Entry* slots = part->slots.data();
    for (const Entry& e : old) {
      if (e.tag == 0) continue;
      size_t i = SlotBits(HashBits(e), e.tag - 1) & mask;
      while (slots[i].tag != 0) i = (i + 1) & mask;
      slots[i] = e;
    }
  }

  // Fills keys_ / gs_ (and strs_ for strings) with the batch's non-NULL
  // rows; returns how many.
  size_t Gather(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                const int32_t* gids) {
    uint64_t* keys = keys_.data();
    uint32_t* gs = gs_.data();
    if constexpr (!kStrings) {
      const size_t m = VisitFixedWidth(
          col.type->id,
          [&](auto tag) -> size_t {
            return GatherNumbersT<decltype(tag)>(col, rows, base, n, gids, keys, gs);
          },
          [] { return ~size_t(0); });
      if (m != ~size_t(0)) return m;
      // bool: 0 or 1.
      size_t j = 0;
      ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
        if constexpr (!std::is_same_v<decltype(v), std::string_view>) {
          keys[j] = CanonicalBits(v);
          gs[j++] = uint32_t(BatchGroup(gids, k));
        }
      });
      return j;
    } else {
      std::string_view* strs = strs_.data();
      if (col.type->is_dictionary()) return GatherDictionary(col, rows, base, n, gids);
      if (col.type->id == TypeId::kFloat16) return GatherFloat16(col, rows, base, n, gids);
      if (gids == nullptr && col.offsets != nullptr) return GatherPlainStrings(col, rows, base, n);
      size_t j = 0;
      ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
        if constexpr (std::is_same_v<decltype(v), std::string_view>) {
          const uint32_t g = uint32_t(BatchGroup(gids, k));
          // A repeat of the previous row's value in its group, when that
          // costs no byte comparison (runs of empty strings), is left out.
          if (j > 0 && gs[j - 1] == g && strs[j - 1].size() == v.size() &&
              (v.empty() || strs[j - 1].data() == v.data())) {
            return;
          }
          keys[j] = XXH3_64bits(v.data(), v.size());
          strs[j] = v;
          gs[j++] = g;
        }
      });
      return j;
    }
  }
  // Ungrouped utf8 / binary: an empty string (the value of most rows of
  // many string columns) is told from the offsets alone and gathered once
  // for the batch; a non-empty one is hashed.
  size_t GatherPlainStrings(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n) {
    const int32_t* o = col.offsets + col.offset;
    const char* data = reinterpret_cast<const char*>(col.values);
    const bool nulls = HasNulls(col);
    uint64_t* keys = keys_.data();
    uint32_t* gs = gs_.data();
    std::string_view* strs = strs_.data();
    bool empty = false;
    size_t j = 0;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (nulls && col.IsNull(r)) continue;
      const int32_t a = o[r], b = o[r + 1];
      if (a == b) {
        empty = true;
        continue;
      }
      strs[j] = std::string_view(data + a, size_t(b - a));
      keys[j] = XXH3_64bits(data + a, size_t(b - a));
      gs[j++] = 0;
    }
    if (empty) {  // room: the empty rows were not gathered
      strs[j] = std::string_view();
      keys[j] = XXH3_64bits("", 0);
      gs[j++] = 0;
    }
    return j;
  }
  // float16: the canonical bits (-0 is 0, every NaN one NaN) kept in
  // half_ for the string views to point at.
  size_t GatherFloat16(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                       const int32_t* gids) {
    half_.resize(size_t(n));
    const bool nulls = HasNulls(col);
    size_t j = 0;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (nulls && col.IsNull(r)) continue;
      uint16_t h;
      std::memcpy(&h, col.values + (col.offset + r) * 2, 2);
      if (h == 0x8000) h = 0;
      if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) h = 0x7e00;
      half_[j] = h;
      strs_[j] = std::string_view(reinterpret_cast<const char*>(&half_[j]), 2);
      keys_[j] = XXH3_64bits(&h, 2);
      gs_[j++] = uint32_t(BatchGroup(gids, k));
    }
    return j;
  }
  // A dictionary column: each entry's hash is computed once for the batch
  // when the batch has at least as many rows as the dictionary has entries
  // (dict_once_), else once per row.
  void HashDictionary(const ArrayView& col, int64_t n) {
    dict_once_ = col.type->is_dictionary() && col.dictionary != nullptr &&
                 col.dictionary->length <= n;
    if (!dict_once_) return;
    const ArrayView& d = *col.dictionary;
    dict_hash_.resize(size_t(d.length));
    for (int64_t x = 0; x < d.length; ++x) {
      const std::string_view v = d.StringValue(x);
      dict_hash_[size_t(x)] = XXH3_64bits(v.data(), v.size());
    }
  }
  // Ungrouped, a batch at least as long as its dictionary: the entries its
  // rows use are marked first, then each entry used is inserted once.
  void UpdateDictionaryEntries(const ArrayView& col, const int32_t* rows, int64_t base,
                               int64_t n) {
    const ArrayView& d = *col.dictionary;
    dict_used_.assign(size_t(d.length) + 1, 0);
    const bool nulls = HasNulls(col), dict_nulls = HasNulls(d);
    uint8_t* used = dict_used_.data();
    const auto mark = [&](auto tag) {
      using T = decltype(tag);
      const T* idx = col.data<T>();
      for (int64_t k = 0; k < n; ++k) {
        const int64_t r = BatchRow(rows, base, k);
        // As DictIndex: a uint64 index past INT64_MAX is out of range.
        const int64_t x = std::is_same_v<T, uint64_t> && uint64_t(idx[r]) > uint64_t(INT64_MAX)
                              ? -1
                              : int64_t(idx[r]);
        // NULL rows and indices out of range mark the spare last byte.
        const bool ok = !(nulls && col.IsNull(r)) && x >= 0 && x < d.length;
        used[ok ? x : d.length] = 1;
      }
      return 0;
    };
    VisitIndex(col.type->dict_index, mark, [] { return 0; });
    for (int64_t x = 0; x < d.length; ++x) {
      if (!used[x] || (dict_nulls && d.IsNull(x))) continue;
      const uint64_t h = dict_hash_[size_t(x)];
      Insert(h, 0, h, d.StringValue(x));
    }
  }
  size_t GatherDictionary(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
                          const int32_t* gids) {
    uint64_t* keys = keys_.data();
    uint32_t* gs = gs_.data();
    std::string_view* strs = strs_.data();
    if (col.dictionary == nullptr) return 0;
    const ArrayView& d = *col.dictionary;
    const bool nulls = HasNulls(col), dict_nulls = HasNulls(d);
    size_t j = 0;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = BatchRow(rows, base, k);
      if (nulls && col.IsNull(r)) continue;
      const int64_t x = col.DictIndex(r);
      if (x < 0 || x >= d.length || (dict_nulls && d.IsNull(x))) continue;
      strs[j] = d.StringValue(x);
      keys[j] = dict_once_ ? dict_hash_[size_t(x)] : XXH3_64bits(strs[j].data(), strs[j].size());
      gs[j++] = uint32_t(BatchGroup(gids, k));
    }
    return j;
  }

  std::array<Part, kPartitions> parts_;
  // Numbers: the set while every row is in group 0 (grouped_ false).
  struct Empty {};
  std::conditional_t<kStrings, Empty, GlobalNumberSet> global_;
  bool grouped_ = kStrings;
  std::string arena_;
  std::vector<int64_t> counts_;
  // Scratch of Update: the batch's keys, groups, hashes and strings.
  std::vector<uint64_t> keys_, hashes_, dict_hash_;
  std::vector<uint32_t> gs_;
  std::vector<std::string_view> strs_;
  std::vector<uint16_t> half_;
  std::vector<uint8_t> dict_used_;
  bool dict_once_ = false;
};

}  // namespace

std::unique_ptr<GroupedAgg> MakeCountDistinct(const DataType& input) {
  // Decimals, intervals and float16 compare by their stored bytes, exactly.
  if (IsStringKey(input) || RawKeyWidth(input.id) != 0) {
    return std::make_unique<CountDistinctAgg<StringEntry>>(input);
  }
  return std::make_unique<CountDistinctAgg<NumberEntry>>(input);
}

}  // namespace quiver::kernels::internal
