// approx_count_distinct (HyperLogLog per group, exact while small).
// COUNT(DISTINCT x) is in agg_count_distinct.cc.
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

std::unique_ptr<GroupedAgg> MakeApproxCountDistinct(const DataType& input) {
  return std::make_unique<ApproxCountDistinctAgg>(input);
}

}  // namespace quiver::kernels::internal
