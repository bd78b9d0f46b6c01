// COUNT(DISTINCT x) (an exact hash set of (group, value) pairs) and
// approx_count_distinct (HyperLogLog per group, exact while small).
#include <xxhash.h>

#include <algorithm>
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

// One open-addressing set of (group, value) entries for all groups of the
// state: a group's distinct count is the number of its entries, kept as a
// counter. Strings live in one arena; an entry keeps their hash, offset and
// length. Linear probing, load at most one half.
template <typename Entry>
class CountDistinctAgg final : public GroupedAgg {
 public:
  explicit CountDistinctAgg(const DataType& input)
      : GroupedAgg(GroupedAggKind::kCountDistinct, input, DataType(TypeId::kInt64)) {
    slots_.assign(64, Entry{});
  }

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<CountDistinctAgg<Entry>>(input_type());
  }
  void Resize(size_t groups) override {
    if (counts_.size() < groups) counts_.resize(groups);
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
      using V = decltype(v);
      const uint32_t g = uint32_t(BatchGroup(gids, k));
      if constexpr (std::is_same_v<V, std::string_view>) {
        Insert(g, KeyOf(v), v);
      } else {
        Insert(g, KeyOf(v), {});
      }
    });
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const CountDistinctAgg<Entry>&>(other);
    for (const Entry& e : o.slots_) {
      if (e.gid == kEmpty || (map && map[e.gid] < 0)) continue;
      const uint32_t g = map ? uint32_t(map[e.gid]) : e.gid;
      if constexpr (kStrings) {
        Insert(g, e.key, std::string_view(o.arena_.data() + e.str, e.len));
      } else {
        Insert(g, e.key, {});
      }
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    std::vector<Scalar> out(groups, Scalar::Int64(0));
    for (size_t g = 0; g < groups && g < counts_.size(); ++g) out[g] = Scalar::Int64(counts_[g]);
    return ScalarsToArray(out, result_type());
  }
  size_t MemoryBytes() const override {
    return slots_.capacity() * sizeof(Entry) + arena_.capacity() +
           counts_.capacity() * sizeof(int64_t);
  }

 private:
  static constexpr bool kStrings = std::is_same_v<Entry, StringEntry>;
  static constexpr uint32_t kEmpty = Entry::kEmpty;

  static size_t SlotOf(uint32_t g, uint64_t key, size_t mask) {
    return size_t(Mix64(key ^ (uint64_t(g) * 0x9E3779B97F4A7C15ull))) & mask;
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
  void Insert(uint32_t g, uint64_t key, std::string_view s) {
    size_t mask = slots_.size() - 1;
    size_t i = SlotOf(g, key, mask);
    while (slots_[i].gid != kEmpty) {
      if (Same(slots_[i], g, key, s)) return;
      i = (i + 1) & mask;
    }
    Entry& e = slots_[i];
    e.gid = g;
    e.key = key;
    if constexpr (kStrings) {
      e.str = arena_.size();
      e.len = uint32_t(s.size());
      arena_.append(s);
    }
    ++counts_[g];
    if (++size_ * 2 > slots_.size()) Grow();
  }
  void Grow() {
    std::vector<Entry> old = std::move(slots_);
    slots_.assign(old.size() * 2, Entry{});
    const size_t mask = slots_.size() - 1;
    for (const Entry& e : old) {
      if (e.gid == kEmpty) continue;
      size_t i = SlotOf(e.gid, e.key, mask);
      while (slots_[i].gid != kEmpty) i = (i + 1) & mask;
      slots_[i] = e;
    }
  }

  std::vector<Entry> slots_;
  size_t size_ = 0;
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
