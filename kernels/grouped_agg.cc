// Grouped aggregates: names, result types, the factory, and the small
// fixed-size states (variance / standard deviation, bool_and / bool_or,
// any_value). Distinct counts are in agg_distinct.cc, quantiles in
// agg_quantile.cc.
#include "kernels/grouped_agg.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/aggregate.h"
#include "kernels/grouped_agg_internal.h"

namespace quiver::kernels {
namespace {

using internal::BatchGroup;
using internal::ForEachValue;

bool IsStringLike(const DataType& t) {
  return t.is_dictionary() || IsBinaryLike(t.id);
}
bool IsTemporal(const DataType& t) {
  return !t.is_dictionary() && (t.id == TypeId::kDate32 || t.id == TypeId::kTimestamp);
}
bool IsNumber(const DataType& t) { return !t.is_dictionary() && IsNumeric(t.id); }

// Variance and standard deviation: count, mean and the sum of squared
// deviations per group (Welford), merged pairwise (Chan et al.).
class MomentsAgg final : public GroupedAgg {
 public:
  MomentsAgg(GroupedAggKind kind, const DataType& input)
      : GroupedAgg(kind, input, DataType(TypeId::kFloat64)) {}

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<MomentsAgg>(kind(), input_type());
  }
  void Resize(size_t groups) override {
    if (count_.size() >= groups) return;
    count_.resize(groups);
    mean_.resize(groups);
    m2_.resize(groups);
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    int64_t* count = count_.data();
    double* mean = mean_.data();
    double* m2 = m2_.data();
    ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
      using V = decltype(v);
      if constexpr (std::is_arithmetic_v<V> && !std::is_same_v<V, bool>) {
        const size_t g = BatchGroup(gids, k);
        const double x = double(v);
        const int64_t c = ++count[g];
        const double delta = x - mean[g];
        mean[g] += delta / double(c);
        m2[g] += delta * (x - mean[g]);
      }
    });
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const MomentsAgg&>(other);
    for (size_t og = 0; og < o.count_.size(); ++og) {
      const int64_t nb = o.count_[og];
      if (nb == 0 || (map && map[og] < 0)) continue;
      const size_t g = map ? size_t(map[og]) : og;
      const int64_t na = count_[g];
      if (na == 0) {
        count_[g] = nb;
        mean_[g] = o.mean_[og];
        m2_[g] = o.m2_[og];
        continue;
      }
      const double n = double(na + nb);
      const double delta = o.mean_[og] - mean_[g];
      mean_[g] += delta * double(nb) / n;
      m2_[g] += o.m2_[og] + delta * delta * double(na) * double(nb) / n;
      count_[g] = na + nb;
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    const bool sample = kind() == GroupedAggKind::kVarSamp || kind() == GroupedAggKind::kStddevSamp;
    const bool root = kind() == GroupedAggKind::kStddevSamp || kind() == GroupedAggKind::kStddevPop;
    std::vector<Scalar> out(groups);
    for (size_t g = 0; g < groups && g < count_.size(); ++g) {
      const int64_t c = count_[g];
      if (c == 0 || (sample && c < 2)) continue;
      double var = m2_[g] / double(sample ? c - 1 : c);
      if (var < 0) var = 0;  // rounding can leave -epsilon
      out[g] = Scalar::Double(root ? std::sqrt(var) : var);
    }
    return ScalarsToArray(out, result_type());
  }
  size_t MemoryBytes() const override {
    return count_.capacity() * sizeof(int64_t) + (mean_.capacity() + m2_.capacity()) * 8;
  }

 private:
  std::vector<int64_t> count_;
  std::vector<double> mean_, m2_;
};

// bool_and / bool_or: per group 0 (no value yet), or 2 | the result bit.
class BoolAgg final : public GroupedAgg {
 public:
  BoolAgg(GroupedAggKind kind, const DataType& input) : GroupedAgg(kind, input, input) {}

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<BoolAgg>(kind(), input_type());
  }
  void Resize(size_t groups) override {
    if (state_.size() < groups) state_.resize(groups);
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
      if constexpr (std::is_same_v<decltype(v), bool>) Fold(BatchGroup(gids, k), v);
    });
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const BoolAgg&>(other);
    for (size_t og = 0; og < o.state_.size(); ++og) {
      if (map && map[og] < 0) continue;
      if (o.state_[og] != 0) Fold(map ? size_t(map[og]) : og, (o.state_[og] & 1) != 0);
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    std::vector<Scalar> out(groups);
    for (size_t g = 0; g < groups && g < state_.size(); ++g) {
      if (state_[g] != 0) out[g] = Scalar::Bool((state_[g] & 1) != 0);
    }
    return ScalarsToArray(out, result_type());
  }
  size_t MemoryBytes() const override { return state_.capacity(); }

 private:
  void Fold(size_t g, bool v) {
    uint8_t& s = state_[g];
    if (s == 0) {
      s = uint8_t(2 | int(v));
    } else if (kind() == GroupedAggKind::kBoolAnd) {
      s = uint8_t(2 | ((s & 1) & int(v)));
    } else {
      s = uint8_t(2 | ((s & 1) | int(v)));
    }
  }
  std::vector<uint8_t> state_;
};

// any_value: the first non-NULL value seen per group.
class AnyValueAgg final : public GroupedAgg {
 public:
  explicit AnyValueAgg(const DataType& input)
      : GroupedAgg(GroupedAggKind::kAnyValue, input, input.value_type()) {}

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<AnyValueAgg>(input_type());
  }
  void Resize(size_t groups) override {
    if (values_.size() < groups) values_.resize(groups);
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    for (int64_t k = 0; k < n; ++k) {
      Scalar& slot = values_[BatchGroup(gids, k)];
      if (!slot.is_null()) continue;
      Scalar v = ValueAt(col, internal::BatchRow(rows, base, k));
      if (!v.is_null()) Take(&slot, std::move(v));
    }
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const AnyValueAgg&>(other);
    for (size_t og = 0; og < o.values_.size(); ++og) {
      if (map && map[og] < 0) continue;
      Scalar& slot = values_[map ? size_t(map[og]) : og];
      if (slot.is_null() && !o.values_[og].is_null()) Take(&slot, o.values_[og]);
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    std::vector<Scalar> out(values_.begin(),
                            values_.begin() + ptrdiff_t(std::min(groups, values_.size())));
    out.resize(groups);
    return ScalarsToArray(out, result_type());
  }
  size_t MemoryBytes() const override {
    return values_.capacity() * sizeof(Scalar) + string_bytes_;
  }

 private:
  void Take(Scalar* slot, Scalar v) {
    if (v.kind() == Scalar::Kind::kString) string_bytes_ += v.string_value().size();
    *slot = std::move(v);
  }
  std::vector<Scalar> values_;
  size_t string_bytes_ = 0;
};

// list / array_agg: each group's values in the order Update and Merge
// brought them, NULLs included.
class ListAgg final : public GroupedAgg {
 public:
  ListAgg(const DataType& input, const DataType& result)
      : GroupedAgg(GroupedAggKind::kList, input, result) {}

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<ListAgg>(input_type(), result_type());
  }
  void Resize(size_t groups) override {
    if (values_.size() < groups) values_.resize(groups);
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    for (int64_t k = 0; k < n; ++k) {
      Add(&values_[BatchGroup(gids, k)], ValueAt(col, internal::BatchRow(rows, base, k)));
    }
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const ListAgg&>(other);
    for (size_t og = 0; og < o.values_.size(); ++og) {
      if (map && map[og] < 0) continue;
      std::vector<Scalar>& to = values_[map ? size_t(map[og]) : og];
      for (const Scalar& v : o.values_[og]) Add(&to, v);
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    // The values of every group in one child column; offsets per group.
    std::vector<Scalar> all;
    auto offsets = Buffer::Allocate(int64_t(groups + 1) * 4);
    int32_t* off = reinterpret_cast<int32_t*>(offsets->mutable_data());
    for (size_t g = 0; g < groups; ++g) {
      off[g] = int32_t(all.size());
      if (g < values_.size()) all.insert(all.end(), values_[g].begin(), values_[g].end());
      if (all.size() > size_t(INT32_MAX)) {
        return Status::ResourceExhausted("list(): more than 2^31 - 1 values in one result");
      }
    }
    off[groups] = int32_t(all.size());
    QUIVER_ASSIGN_OR_RETURN(auto child, ScalarsToArray(all, input_type()));
    auto out = std::make_shared<ArrayData>();
    out->type = result_type();
    out->length = int64_t(groups);
    // A group with no value (its FILTER kept no row; no rows at all
    // ungrouped) is NULL, as in PostgreSQL and DuckDB.
    auto validity = Buffer::Allocate(BytesForBits(int64_t(groups)));
    for (size_t g = 0; g < groups; ++g) {
      if (off[g + 1] > off[g]) {
        SetBit(validity->mutable_data(), int64_t(g));
      } else {
        ++out->null_count;
      }
    }
    out->buffers = {out->null_count > 0 ? std::move(validity) : nullptr, std::move(offsets)};
    out->children = {std::move(child)};
    return out;
  }
  size_t MemoryBytes() const override {
    return values_.capacity() * sizeof(std::vector<Scalar>) + scalars_ * sizeof(Scalar) +
           string_bytes_;
  }

 private:
  void Add(std::vector<Scalar>* to, Scalar v) {
    if (v.kind() == Scalar::Kind::kString) string_bytes_ += v.string_value().size();
    ++scalars_;
    to->push_back(std::move(v));
  }
  std::vector<std::vector<Scalar>> values_;
  size_t scalars_ = 0;
  size_t string_bytes_ = 0;
};

// string_agg: each group's non-NULL strings joined by the separator, in the
// order Update and Merge brought them.
class StringAggAgg final : public GroupedAgg {
 public:
  StringAggAgg(const DataType& input, std::string sep)
      : GroupedAgg(GroupedAggKind::kStringAgg, input, input.value_type()), sep_(std::move(sep)) {}

  std::unique_ptr<GroupedAgg> NewEmpty() const override {
    return std::make_unique<StringAggAgg>(input_type(), sep_);
  }
  void Resize(size_t groups) override {
    if (joined_.size() < groups) {
      joined_.resize(groups);
      has_.resize(groups, 0);
    }
  }
  void Update(const ArrayView& col, const int32_t* rows, int64_t base, int64_t n,
              const int32_t* gids) override {
    // utf8 and dictionary<utf8> values come as string_view; NULLs not at all.
    ForEachValue(col, rows, base, n, [&](int64_t k, auto v) {
      if constexpr (std::is_same_v<decltype(v), std::string_view>) Append(BatchGroup(gids, k), v);
    });
  }
  void Merge(const GroupedAgg& other, const int32_t* map) override {
    const auto& o = static_cast<const StringAggAgg&>(other);
    for (size_t og = 0; og < o.joined_.size(); ++og) {
      if ((map && map[og] < 0) || !o.has_[og]) continue;
      Append(map ? size_t(map[og]) : og, o.joined_[og]);
    }
  }
  Result<std::shared_ptr<ArrayData>> Finalize(size_t groups) const override {
    ArrayBuilder b{result_type()};
    for (size_t g = 0; g < groups; ++g) {
      if (g < has_.size() && has_[g]) {
        b.AppendString(joined_[g]);
      } else {
        b.AppendNull();
      }
    }
    return b.Finish();
  }
  size_t MemoryBytes() const override {
    return joined_.capacity() * sizeof(std::string) + has_.capacity() + bytes_;
  }

 private:
  void Append(size_t g, std::string_view v) {
    std::string& s = joined_[g];
    const size_t before = s.capacity();
    if (has_[g]) s += sep_;
    s += v;
    has_[g] = 1;
    bytes_ += s.capacity() - before;
  }
  std::string sep_;
  std::vector<std::string> joined_;
  std::vector<uint8_t> has_;
  size_t bytes_ = 0;
};

}  // namespace

const char* GroupedAggKindName(GroupedAggKind k) {
  switch (k) {
    case GroupedAggKind::kNone:
      return "none";
    case GroupedAggKind::kCountDistinct:
      return "count_distinct";
    case GroupedAggKind::kApproxCountDistinct:
      return "approx_count_distinct";
    case GroupedAggKind::kVarSamp:
      return "var_samp";
    case GroupedAggKind::kVarPop:
      return "var_pop";
    case GroupedAggKind::kStddevSamp:
      return "stddev_samp";
    case GroupedAggKind::kStddevPop:
      return "stddev_pop";
    case GroupedAggKind::kMedian:
      return "median";
    case GroupedAggKind::kQuantileCont:
      return "quantile_cont";
    case GroupedAggKind::kQuantileDisc:
      return "quantile_disc";
    case GroupedAggKind::kBoolAnd:
      return "bool_and";
    case GroupedAggKind::kBoolOr:
      return "bool_or";
    case GroupedAggKind::kAnyValue:
      return "any_value";
    case GroupedAggKind::kList:
      return "list";
    case GroupedAggKind::kStringAgg:
      return "string_agg";
  }
  return "?";
}

const char* GroupedAggAccepts(GroupedAggKind k) {
  switch (k) {
    case GroupedAggKind::kVarSamp:
    case GroupedAggKind::kVarPop:
    case GroupedAggKind::kStddevSamp:
    case GroupedAggKind::kStddevPop:
      return "a numeric column";
    case GroupedAggKind::kMedian:
    case GroupedAggKind::kQuantileDisc:
      return "a numeric, date, timestamp or string column";
    case GroupedAggKind::kQuantileCont:
      return "a numeric, date or timestamp column";
    case GroupedAggKind::kBoolAnd:
    case GroupedAggKind::kBoolOr:
      return "a bool column";
    case GroupedAggKind::kStringAgg:
      return "a string column (CAST other values AS VARCHAR)";
    case GroupedAggKind::kAnyValue:
    case GroupedAggKind::kList:
      return "a column of any type but decimal256, float16 and intervals";
    default:
      return "a column of a flat type (not a list, struct or map: count one of its members)";
  }
}

Result<DataType> GroupedAggResultType(GroupedAggKind kind, const DataType& input) {
  const DataType value = input.value_type();
  std::optional<DataType> r;
  switch (kind) {
    case GroupedAggKind::kNone:
      break;
    case GroupedAggKind::kCountDistinct:
    case GroupedAggKind::kApproxCountDistinct:
      // Nested values have no equality here (count a member instead).
      if (input.id != TypeId::kNone && !input.is_nested()) r = DataType(TypeId::kInt64);
      break;
    case GroupedAggKind::kVarSamp:
    case GroupedAggKind::kVarPop:
    case GroupedAggKind::kStddevSamp:
    case GroupedAggKind::kStddevPop:
      if (IsNumber(input)) r = DataType(TypeId::kFloat64);
      break;
    case GroupedAggKind::kMedian:
    case GroupedAggKind::kQuantileCont:
      if (IsNumber(input)) {
        r = DataType(TypeId::kFloat64);
      } else if (IsTemporal(input)) {
        r = input.id == TypeId::kDate32 ? DataType::Timestamp(TimeUnit::kMicro) : input;
      } else if (kind == GroupedAggKind::kMedian && IsStringLike(input)) {
        r = value;
      }
      break;
    case GroupedAggKind::kQuantileDisc:
      if (IsNumber(input) || IsTemporal(input) || IsStringLike(input)) r = value;
      break;
    case GroupedAggKind::kBoolAnd:
    case GroupedAggKind::kBoolOr:
      if (!input.is_dictionary() && input.id == TypeId::kBool) r = input;
      break;
    case GroupedAggKind::kStringAgg:
      if (value.id == TypeId::kUtf8) r = value;
      break;
    case GroupedAggKind::kAnyValue:
    case GroupedAggKind::kList:
      // Kept as Scalars: not for the types a Scalar cannot hold.
      if (input.id != TypeId::kNone && !input.is_nested() &&
          (internal::RawKeyWidth(input.id) == 0 || input.id == TypeId::kDecimal128)) {
        r = kind == GroupedAggKind::kList ? DataType::List(Field{"item", value, true, {}}) : value;
      }
      break;
  }
  if (!r) {
    return Status::TypeError(std::string(GroupedAggKindName(kind)) + " is not defined for a " +
                             input.ToString() + " column; it needs " + GroupedAggAccepts(kind));
  }
  return *r;
}

Result<std::unique_ptr<GroupedAgg>> GroupedAgg::Make(GroupedAggKind kind, const DataType& input,
                                                     double param, std::string_view sep) {
  QUIVER_ASSIGN_OR_RETURN(DataType result, GroupedAggResultType(kind, input));
  switch (kind) {
    case GroupedAggKind::kCountDistinct:
      return internal::MakeCountDistinct(input);
    case GroupedAggKind::kApproxCountDistinct:
      return internal::MakeApproxCountDistinct(input);
    case GroupedAggKind::kVarSamp:
    case GroupedAggKind::kVarPop:
    case GroupedAggKind::kStddevSamp:
    case GroupedAggKind::kStddevPop:
      return std::unique_ptr<GroupedAgg>(std::make_unique<MomentsAgg>(kind, input));
    case GroupedAggKind::kMedian:
    case GroupedAggKind::kQuantileCont:
    case GroupedAggKind::kQuantileDisc: {
      const double q = kind == GroupedAggKind::kMedian ? 0.5 : param;
      if (!(q >= 0 && q <= 1)) {
        return Status::Invalid(std::string(GroupedAggKindName(kind)) +
                               ": the quantile must be between 0 and 1, got " + std::to_string(q));
      }
      return internal::MakeQuantile(kind, input, result, q);
    }
    case GroupedAggKind::kBoolAnd:
    case GroupedAggKind::kBoolOr:
      return std::unique_ptr<GroupedAgg>(std::make_unique<BoolAgg>(kind, input));
    case GroupedAggKind::kAnyValue:
      return std::unique_ptr<GroupedAgg>(std::make_unique<AnyValueAgg>(input));
    case GroupedAggKind::kList:
      return std::unique_ptr<GroupedAgg>(std::make_unique<ListAgg>(input, result));
    case GroupedAggKind::kStringAgg:
      return std::unique_ptr<GroupedAgg>(std::make_unique<StringAggAgg>(input, std::string(sep)));
    case GroupedAggKind::kNone:
      break;
  }
  return Status::Invalid("no grouped aggregate");
}

}  // namespace quiver::kernels
