// Exact quantiles: median, quantile_cont and quantile_disc. A state keeps
// every non-NULL value with its group in two flat lists (no per-group
// containers, so millions of small groups stay cheap); Finalize buckets the
// values by group and selects ranks with nth_element.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/aggregate.h"
#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels::internal {
namespace {

// A string held in a state's arena.
struct StrRef {
  uint64_t offset;
  uint32_t length;
};

// Values of one storage kind: int64_t (signed integers, date32, timestamps),
// uint64_t, double, or StrRef (utf8, binary, dictionary values).
template <typename T>
class QuantileAgg final : public GroupedAgg {
 public:
  QuantileAgg(GroupedAggKind kind, const DataType& input, const DataType& result, double q)
      : GroupedAgg(kind, input, result), q_(q) {}

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<QuantileAgg<T>>(kind(), input_type(), result_type(), q_);
  }
  void Resize(size_t groups) override { groups_ = std::max(groups_, groups); }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
      using V = decltype(v);
      if constexpr (std::is_same_v<T, StrRef> && std::is_same_v<V, std::string_view>) {
        Push(uint32_t(BatchGroup(gids, k)), v);
      } else if constexpr (std::is_same_v<T, V>) {
        gids_.push_back(uint32_t(BatchGroup(gids, k)));
        values_.push_back(v);
      }
    });
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const QuantileAgg<T>&>(other);
    gids_.reserve(gids_.size() + o.gids_.size());
    values_.reserve(values_.size() + o.values_.size());
    for (size_t i = 0; i < o.gids_.size(); ++i) {
      if (map && map[o.gids_[i]] < 0) continue;
      const uint32_t g = map ? uint32_t(map[o.gids_[i]]) : o.gids_[i];
      if constexpr (std::is_same_v<T, StrRef>) {
        Push(g, o.View(o.values_[i]));
      } else {
        gids_.push_back(g);
        values_.push_back(o.values_[i]);
      }
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override;
  size_t MemoryBytes() const override {
    return gids_.capacity() * sizeof(uint32_t) + values_.capacity() * sizeof(T) + arena_.capacity();
  }

 private:
  void Push(uint32_t g, std::string_view s) {
    gids_.push_back(g);
    values_.push_back(StrRef{arena_.size(), uint32_t(s.size())});
    arena_.append(s);
  }
  std::string_view View(const StrRef& r) const {
    return std::string_view(arena_.data() + r.offset, r.length);
  }
  // NaN above every number, as in ORDER BY.
  bool Less(const T& a, const T& b) const {
    if constexpr (std::is_same_v<T, StrRef>) {
      return View(a) < View(b);
    } else if constexpr (std::is_same_v<T, double>) {
      return a < b || (std::isnan(b) && !std::isnan(a));
    } else {
      return a < b;
    }
  }
  Scalar Discrete(const T& v) const {
    const DataType& t = result_type();
    if constexpr (std::is_same_v<T, StrRef>) {
      return Scalar::String(std::string(View(v)));
    } else if constexpr (std::is_same_v<T, double>) {
      return Scalar::Double(v);
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      return Scalar::UInt64(v);
    } else {
      if (t.id == TypeId::kDate32) return Scalar::Date32(int32_t(v));
      if (t.id == TypeId::kTimestamp) return Scalar::Timestamp(v, t.unit);
      return Scalar::Int64(v);
    }
  }
  // lo + d (hi - lo) in the result type.
  Scalar Interpolate(const T& lo, const T& hi, double d) const {
    if constexpr (std::is_same_v<T, StrRef>) {
      (void)hi;
      (void)d;
      return Discrete(lo);
    } else {
      const DataType& t = result_type();
      if (t.id == TypeId::kTimestamp) {
        int64_t a = int64_t(lo), b = int64_t(hi);
        if (input_type().id == TypeId::kDate32) {
          constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
          a *= kMicrosPerDay;
          b *= kMicrosPerDay;
        }
        return Scalar::Timestamp(a + std::llround(d * double(b - a)), t.unit);
      }
      const double a = double(lo), b = double(hi);
      return Scalar::Double(d == 0 ? a : a + d * (b - a));
    }
  }

  double q_;
  size_t groups_ = 0;
  std::vector<uint32_t> gids_;
  std::vector<T> values_;
  std::string arena_;  // StrRef only
};

template <typename T>
Result<std::shared_ptr<ArrayData>> QuantileAgg<T>::Finalize(size_t groups) const {
  // Bucket the values by group (a counting sort).
  std::vector<size_t> start(groups + 1, 0);
  for (uint32_t g : gids_) {
    if (g < groups) ++start[g + 1];
  }
  for (size_t g = 0; g < groups; ++g) start[g + 1] += start[g];
  std::vector<T> sorted(start[groups]);
  {
    std::vector<size_t> at(start.begin(), start.end() - 1);
    for (size_t i = 0; i < gids_.size(); ++i) {
      if (gids_[i] < groups) sorted[at[gids_[i]]++] = values_[i];
    }
  }
  auto less = [this](const T& a, const T& b) { return Less(a, b); };
  // MEDIAN of strings is discrete, as in DuckDB.
  const bool discrete = kind() == GroupedAggKind::kQuantileDisc || std::is_same_v<T, StrRef>;
  std::vector<Scalar> out(groups);
  for (size_t g = 0; g < groups; ++g) {
    auto b = sorted.begin() + ptrdiff_t(start[g]);
    auto e = sorted.begin() + ptrdiff_t(start[g + 1]);
    const size_t n = size_t(e - b);
    if (n == 0) continue;
    if (discrete) {
      size_t idx = size_t(std::ceil(double(n) * q_));
      idx = std::min(std::max<size_t>(idx, 1) - 1, n - 1);
      std::nth_element(b, b + ptrdiff_t(idx), e, less);
      out[g] = Discrete(*(b + ptrdiff_t(idx)));
      continue;
    }
    const double rn = double(n - 1) * q_;
    const size_t lo = size_t(std::floor(rn));
    const size_t hi = std::min(size_t(std::ceil(rn)), n - 1);
    std::nth_element(b, b + ptrdiff_t(lo), e, less);
    const T lo_v = *(b + ptrdiff_t(lo));
    T hi_v = lo_v;
    if (hi != lo) hi_v = *std::min_element(b + ptrdiff_t(lo + 1), e, less);
    out[g] = Interpolate(lo_v, hi_v, rn - double(lo));
  }
  return ScalarsToArray(out, result_type());
}

}  // namespace

std::unique_ptr<GroupedAgg> MakeQuantile(GroupedAggKind kind, const DataType& input,
                                         const DataType& result, double q) {
  const TypeId id = input.id;
  if (input.is_dictionary() || id == TypeId::kUtf8 || id == TypeId::kBinary) {
    return std::make_unique<QuantileAgg<StrRef>>(kind, input, result, q);
  }
  if (IsFloating(id)) return std::make_unique<QuantileAgg<double>>(kind, input, result, q);
  if (IsInteger(id) && !IsSignedInteger(id)) {
    return std::make_unique<QuantileAgg<uint64_t>>(kind, input, result, q);
  }
  return std::make_unique<QuantileAgg<int64_t>>(kind, input, result, q);
}

}  // namespace quiver::kernels::internal
