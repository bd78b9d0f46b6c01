// COUNT(DISTINCT x) (an exact hash set of (group, value) pairs) and
// approx_count_distinct (HyperLogLog per group, exact while small).
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/aggregate.h"
#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels::internal {
namespace {

bool HoldsStrings(const DataType& t) {
  return t.is_dictionary() || IsBinaryLike(t.id);
}

// The 64-bit key of a value: its canonical bits, or the XXH3 hash of a
// string's bytes.
template <typename V>
uint64_t KeyOf(const V& v) {
  if constexpr (std::is_same_v<V, std::string_view>) {
    return XXH3_64bits(v.data(), v.size());
  } else {
    return CanonicalBits(v);
  }
}

// A set entry of a number: its canonical bits and group (16 bytes).
struct NumberEntry {
  static constexpr uint32_t kEmpty = UINT32_MAX;
  uint64_t key = 0;
  uint32_t gid = kEmpty;
  uint32_t unused = 0;
};
// A set entry of a string: its hash, its bytes in the arena, its group.
struct StringEntry {
  static constexpr uint32_t kEmpty = UINT32_MAX;
  uint64_t key = 0;
  uint64_t str = 0;  // offset into the arena
  uint32_t gid = kEmpty;
  uint32_t len = 0;
};

// The (group, value) pairs seen, for all groups of the state, in
// kPartitions open-addressing sets chosen by the value's hash; a group's
// distinct count is the number of its entries, kept as a counter. Strings
// live in one arena; an entry keeps their hash, offset and length.
//
// Why partitions: with many distinct values (COUNT(DISTINCT UserID) over
// millions of rows) one big set makes every insert a cache miss, and merging
// the partial states of the threads re-inserts every entry with another
// miss each. Here an update first stages a batch's entries by partition,
// then inserts them one partition at a time, so each partition's set is hot
// in cache while it is filled; and since the partition depends on the value
// only, Merge combines partition p with partition p (a group renumbering
// keeps every entry in its partition). Linear probing, load at most one half.
template <typename Entry>
class CountDistinctAgg final : public GroupedAgg {
 public:
  explicit CountDistinctAgg(const DataType& input)
      : GroupedAgg(GroupedAggKind::kCountDistinct, input, DataType(TypeId::kInt64)) {
    for (Part& p : parts_) p.slots.assign(kInitialSlots, Entry{});
  }

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<CountDistinctAgg<Entry>>(input_type());
  }
  void Resize(size_t groups) override {
    if (counts_.size() < groups) counts_.resize(groups);
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    for (auto& st : staged_) st.clear();
    ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
      using V = decltype(v);
      Staged e;
      e.g = uint32_t(BatchGroup(gids, k));
      e.key = KeyOf(v);
      e.hash = SlotHash(e.g, e.key);
      if constexpr (std::is_same_v<V, std::string_view>) e.s = v;
      staged_[PartOf(e.key)].push_back(e);
    });
    // A partition's entries in a row, each slot prefetched kAhead entries
    // before its insert: the misses of a table larger than the cache overlap
    // instead of queueing one behind the other.
    for (size_t p = 0; p < kPartitions; ++p) {
      const std::vector<Staged>& st = staged_[p];
      Part& part = parts_[p];
      for (size_t i = 0; i < st.size(); ++i) {
        if (i + kAhead < st.size()) Prefetch(part, st[i + kAhead].hash);
        Insert(&part, st[i].g, st[i].key, st[i].s, st[i].hash);
      }
    }
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const CountDistinctAgg<Entry>&>(other);
    for (size_t p = 0; p < kPartitions; ++p) {
      // The other partition's entries, renumbered and hashed, then inserted
      // with prefetching as in Update.
      std::vector<Staged>& st = staged_[p];
      st.clear();
      for (const Entry& e : o.parts_[p].slots) {
        if (e.gid == kEmpty || (map && map[e.gid] < 0)) continue;
        Staged x;
        x.g = map ? uint32_t(map[e.gid]) : e.gid;
        x.key = e.key;
        x.hash = SlotHash(x.g, x.key);
        if constexpr (kStrings) x.s = std::string_view(o.arena_.data() + e.str, e.len);
        st.push_back(x);
      }
      Part& part = parts_[p];
      for (size_t i = 0; i < st.size(); ++i) {
        if (i + kAhead < st.size()) Prefetch(part, st[i + kAhead].hash);
        Insert(&part, st[i].g, st[i].key, st[i].s, st[i].hash);
      }
      st.clear();
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    std::vector<Scalar> out(groups, Scalar::Int64(0));
    for (size_t g = 0; g < groups && g < counts_.size(); ++g) out[g] = Scalar::Int64(counts_[g]);
    return ScalarsToArray(out, result_type());
  }
  std::optional<Scalar> GroupResult(size_t g) const override {
    return Scalar::Int64(g < counts_.size() ? counts_[g] : 0);
  }
  size_t MemoryBytes() const override {
    size_t n = arena_.capacity() + counts_.capacity() * sizeof(int64_t);
    for (const Part& p : parts_) n += p.slots.capacity() * sizeof(Entry);
    for (const auto& st : staged_) n += st.capacity() * sizeof(Staged);
    return n;
  }

 private:
  static constexpr bool kStrings = std::is_same_v<Entry, StringEntry>;
  static constexpr uint32_t kEmpty = Entry::kEmpty;
  static constexpr int kPartitionBits = 8;
  static constexpr size_t kPartitions = size_t(1) << kPartitionBits;
  static constexpr size_t kInitialSlots = 8;

  struct Part {
    std::vector<Entry> slots;
    size_t size = 0;
  };
  // An entry of the batch being added, waiting for its partition's turn.
  struct Staged {
    uint32_t g = 0;
    uint64_t key = 0;
    uint64_t hash = 0;   // SlotHash(g, key)
    std::string_view s;  // the batch's bytes (strings only)
  };
  static constexpr size_t kAhead = 8;

  static size_t PartOf(uint64_t key) {
    return size_t(Mix64(key ^ 0x2545F4914F6CDD1Dull) >> (64 - kPartitionBits));
  }
  static uint64_t SlotHash(uint32_t g, uint64_t key) {
    return Mix64(key ^ (uint64_t(g) * 0x9E3779B97F4A7C15ull));
  }
  static void Prefetch(const Part& part, uint64_t hash) {
    __builtin_prefetch(&part.slots[size_t(hash) & (part.slots.size() - 1)]);
  }
  bool Same(const Entry& e, uint32_t g, uint64_t key, std::string_view s) const {
    if (e.gid != g || e.key != key) return false;
    if constexpr (kStrings) {
      return e.len == s.size() && std::memcmp(arena_.data() + e.str, s.data(), s.size()) == 0;
    } else {
      (void)s;
      return true;
    }
  }
  void Insert(Part* part, uint32_t g, uint64_t key, std::string_view s, uint64_t hash) {
    size_t mask = part->slots.size() - 1;
    size_t i = size_t(hash) & mask;
    while (part->slots[i].gid != kEmpty) {
      if (Same(part->slots[i], g, key, s)) return;
      i = (i + 1) & mask;
    }
    Entry& e = part->slots[i];
    e.gid = g;
    e.key = key;
    if constexpr (kStrings) {
      e.str = arena_.size();
      e.len = uint32_t(s.size());
      arena_.append(s);
    }
    ++counts_[g];
    if (++part->size * 2 > part->slots.size()) Grow(part);
  }
  static void Grow(Part* part) {
    std::vector<Entry> old = std::move(part->slots);
    part->slots.assign(old.size() * 2, Entry{});
    const size_t mask = part->slots.size() - 1;
    for (const Entry& e : old) {
      if (e.gid == kEmpty) continue;
      size_t i = size_t(SlotHash(e.gid, e.key)) & mask;
      while (part->slots[i].gid != kEmpty) i = (i + 1) & mask;
      part->slots[i] = e;
    }
  }

  std::array<Part, kPartitions> parts_;
  std::array<std::vector<Staged>, kPartitions> staged_;  // scratch of Update
  std::string arena_;
  std::vector<int64_t> counts_;
};

// HyperLogLog per group. A group keeps its distinct hashes in a small list
// until it has more than kHllSparseMax, then 2^p one-byte registers.
class ApproxCountDistinctAgg final : public GroupedAgg {
 public:
  explicit ApproxCountDistinctAgg(const DataType& input)
      : GroupedAgg(GroupedAggKind::kApproxCountDistinct, input, DataType(TypeId::kInt64)) {}

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<ApproxCountDistinctAgg>(input_type());
  }
  void Resize(size_t groups) override {
    if (sketches_.size() < groups) sketches_.resize(groups);
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
      using V = decltype(v);
      uint64_t h;
      if constexpr (std::is_same_v<V, std::string_view>) {
        h = XXH3_64bits(v.data(), v.size());
      } else {
        const uint64_t bits = CanonicalBits(v);
        h = XXH3_64bits(&bits, sizeof bits);
      }
      Add(BatchGroup(gids, k), h);
    });
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const ApproxCountDistinctAgg&>(other);
    for (size_t og = 0; og < o.sketches_.size(); ++og) {
      if (map && map[og] < 0) continue;
      const Sketch& b = o.sketches_[og];
      const size_t g = map ? size_t(map[og]) : og;
      if (b.dense.empty()) {
        for (uint64_t h : b.sparse) Add(g, h);
        continue;
      }
      Sketch& a = sketches_[g];
      if (a.dense.empty()) Densify(&a);
      for (size_t j = 0; j < kRegisters; ++j) a.dense[j] = std::max(a.dense[j], b.dense[j]);
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    std::vector<Scalar> out(groups, Scalar::Int64(0));
    for (size_t g = 0; g < groups && g < sketches_.size(); ++g) {
      out[g] = Scalar::Int64(Estimate(sketches_[g]));
    }
    return ScalarsToArray(out, result_type());
  }
  std::optional<Scalar> GroupResult(size_t g) const override {
    return Scalar::Int64(g < sketches_.size() ? Estimate(sketches_[g]) : 0);
  }
  size_t MemoryBytes() const override { return sketches_.capacity() * sizeof(Sketch) + bytes_; }

 private:
  static constexpr size_t kRegisters = size_t(1) << kHllPrecision;
  struct Sketch {
    std::vector<uint64_t> sparse;  // distinct hashes, unordered
    std::vector<uint8_t> dense;    // kRegisters, or empty
  };

  static void Register(Sketch* s, uint64_t h) {
    const size_t idx = size_t(h >> (64 - kHllPrecision));
    // The guard bit caps the rank at 64 - p + 1.
    const uint64_t w = (h << kHllPrecision) | (uint64_t(1) << (kHllPrecision - 1));
    const uint8_t rank = uint8_t(std::countl_zero(w) + 1);
    if (rank > s->dense[idx]) s->dense[idx] = rank;
  }
  void Densify(Sketch* s) {
    bytes_ -= s->sparse.capacity() * sizeof(uint64_t);
    s->dense.assign(kRegisters, 0);
    bytes_ += kRegisters;
    for (uint64_t h : s->sparse) Register(s, h);
    std::vector<uint64_t>().swap(s->sparse);
  }
  void Add(size_t g, uint64_t h) {
    Sketch& s = sketches_[g];
    if (!s.dense.empty()) {
      Register(&s, h);
      return;
    }
    if (std::find(s.sparse.begin(), s.sparse.end(), h) != s.sparse.end()) return;
    if (s.sparse.size() < kHllSparseMax) {
      const size_t before = s.sparse.capacity();
      s.sparse.push_back(h);
      bytes_ += (s.sparse.capacity() - before) * sizeof(uint64_t);
      return;
    }
    Densify(&s);
    Register(&s, h);
  }
  static int64_t Estimate(const Sketch& s) {
    if (s.dense.empty()) return int64_t(s.sparse.size());
    const double m = double(kRegisters);
    double sum = 0;
    size_t zeros = 0;
    for (uint8_t r : s.dense) {
      sum += std::ldexp(1.0, -int(r));
      zeros += r == 0;
    }
    const double alpha = 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    // Small range: linear counting is more accurate while registers are empty.
    if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / double(zeros));
    return std::llround(e);
  }

  std::vector<Sketch> sketches_;
  size_t bytes_ = 0;  // heap bytes of the sketches' lists and registers
};

}  // namespace

std::unique_ptr<GroupedAgg> MakeCountDistinct(const DataType& input) {
  if (HoldsStrings(input)) return std::make_unique<CountDistinctAgg<StringEntry>>(input);
  return std::make_unique<CountDistinctAgg<NumberEntry>>(input);
}

std::unique_ptr<GroupedAgg> MakeApproxCountDistinct(const DataType& input) {
  return std::make_unique<ApproxCountDistinctAgg>(input);
}

}  // namespace quiver::kernels::internal
