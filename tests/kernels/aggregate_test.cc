#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "kernels/aggregate.h"
#include "kernels/dispatch.h"
#include "kernels/reference.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using qk::AggKind;
using qk::Scalar;
using quiver::DataType;
using quiver::TypeId;
using qk::testing::RandomColumn;

namespace {

qk::Mask RandomFilter(int64_t n, uint64_t seed, int density_pct) {
  std::mt19937_64 rng(seed);
  qk::Mask m = qk::Mask::AllNull(n);
  for (int64_t i = 0; i < n; ++i) {
    int r = int(rng() % 100);
    if (r < density_pct) {
      m.is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
      m.is_known[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
    } else if (r < density_pct + 10) {
      m.is_known[size_t(i >> 6)] |= uint64_t(1) << (i & 63);  // FALSE
    }  // else NULL
  }
  // Long runs of full and empty 64-row blocks, as real selections have.
  for (int64_t w = 0; w < int64_t(m.is_true.size()) && (w + 1) * 64 <= n; w += 3) {
    m.is_true[size_t(w)] = ~uint64_t(0);
    m.is_known[size_t(w)] = ~uint64_t(0);
  }
  m.Normalize();
  return m;
}

// min and max of the selected rows per the documented NaN rule.
void ReferenceMinMax(const quiver::ArrayView& col, const quiver::SelectionVector& rows, Scalar* mn,
                     Scalar* mx) {
  bool nan = false, any = false;
  for (int32_t r : rows) {
    Scalar v = qk::ValueAt(col, r);
    if (v.is_null()) continue;
    if (v.kind() == Scalar::Kind::kDouble && std::isnan(v.double_value())) {
      nan = true;
      continue;
    }
    if (!any || qk::CompareScalars(v, *mn) < 0) *mn = v;
    if (!any || qk::CompareScalars(v, *mx) > 0) *mx = v;
    any = true;
  }
  if (nan) *mx = Scalar::Double(std::nan(""));
  if (!any) {
    *mn = nan ? Scalar::Double(std::nan("")) : Scalar::Null();
    if (!nan) *mx = Scalar::Null();
  }
}

}  // namespace

TEST_CASE("Aggregates over a selection match the reference on every target", "[kernels]") {
  std::vector<DataType> types = qk::testing::FixedTypes();
  types.push_back(DataType(TypeId::kUtf8));
  types.push_back(DataType::Dictionary(TypeId::kInt16));
  types.push_back(DataType(TypeId::kBool));
  for (qk::Target target : qk::SupportedTargets()) {
    qk::ScopedKernelTarget scoped(target);
    uint64_t seed = 200;
    for (const DataType& type : types) {
      for (int64_t n : qk::testing::TestLengths()) {
        for (double null_prob : {0.0, 0.2, 1.0}) {
          for (int density : {0, 30, 90}) {
            auto col = RandomColumn(type, n, 5, null_prob, ++seed);
            qk::Mask filter = RandomFilter(n, seed, density);
            quiver::SelectionVector rows = qk::ToSelection(filter);
            INFO(qk::TargetName(target) << " " << type.ToString() << " n=" << n << " nulls=" << null_prob
                                        << " density=" << density);
            qk::AggState state(type);
            REQUIRE(state.Update(col.view, &filter).ok());
            qk::reference::Sums want = qk::reference::Sum(col.view, rows);
            CHECK(state.Finalize(AggKind::kCountStar)->int64_value() == int64_t(rows.size()));
            int64_t count = 0;
            for (int32_t r : rows) count += !qk::ValueAt(col.view, r).is_null();
            CHECK(state.Finalize(AggKind::kCount)->int64_value() == count);
            Scalar mn, mx;
            ReferenceMinMax(col.view, rows, &mn, &mx);
            CHECK(state.Finalize(AggKind::kMin)->ToString() == mn.ToString());
            CHECK(state.Finalize(AggKind::kMax)->ToString() == mx.ToString());
            if (!quiver::IsNumeric(type.id) || type.is_dictionary()) {
              CHECK(state.Finalize(AggKind::kSum).status().code() == quiver::StatusCode::kTypeError);
              continue;
            }
            auto sum = state.Finalize(AggKind::kSum);
            if (count == 0) {
              CHECK(sum->is_null());
            } else if (quiver::IsFloating(type.id)) {
              long double w = want.float_sum;
              double got = sum->double_value();
              if (std::isnan(static_cast<double>(w))) {
                CHECK(std::isnan(got));
              } else {
                CHECK(std::fabs(got - double(w)) <= 1e-9 * (1 + std::fabs(double(w))));
              }
            } else if (want.int_sum > std::numeric_limits<int64_t>::max() ||
                       want.int_sum < std::numeric_limits<int64_t>::min()) {
              if (quiver::IsSignedInteger(type.id)) {
                CHECK(sum.status().code() == quiver::StatusCode::kOverflow);
              }
            } else if (quiver::IsSignedInteger(type.id)) {
              REQUIRE(sum.ok());
              CHECK(sum->int64_value() == int64_t(want.int_sum));
            } else {
              REQUIRE(sum.ok());
              CHECK(sum->uint64_value() == uint64_t(want.int_sum));
            }
            // Partial states over two halves merge to the same result.
            if (n >= 2 && quiver::IsInteger(type.id)) {
              int64_t half = n / 2;
              qk::Mask a = filter, b = filter;
              for (int64_t i = 0; i < n; ++i) {
                uint64_t bit = uint64_t(1) << (i & 63);
                if (i < half) b.is_true[size_t(i >> 6)] &= ~bit;
                else a.is_true[size_t(i >> 6)] &= ~bit;
              }
              qk::AggState s1(type), s2(type);
              REQUIRE(s1.Update(col.view, &a).ok());
              REQUIRE(s2.Update(col.view, &b).ok());
              REQUIRE(s1.Merge(s2).ok());
              CHECK(s1.count() == state.count());
              CHECK(s1.Finalize(AggKind::kSum).ok() == sum.ok());
              if (sum.ok()) CHECK(s1.Finalize(AggKind::kSum)->ToString() == sum->ToString());
              CHECK(s1.Finalize(AggKind::kMin)->ToString() == mn.ToString());
            }
          }
        }
      }
    }
  }
}

TEST_CASE("Integer sums are exact and report overflow instead of wrapping", "[kernels]") {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  for (qk::Target target : qk::SupportedTargets()) {
    qk::ScopedKernelTarget scoped(target);
    // Lanes overflow on the way but the total fits: max, max, -max, -max...
    std::vector<int64_t> v;
    for (int i = 0; i < 256; ++i) v.push_back(i % 32 < 16 ? kMax : -kMax);
    v.push_back(7);
    auto data = std::make_shared<quiver::ArrayData>();
    data->type = DataType(TypeId::kInt64);
    data->length = int64_t(v.size());
    data->buffers = {nullptr, quiver::Buffer::Copy(v.data(), int64_t(v.size() * 8))};
    qk::AggState s(data->type);
    REQUIRE(s.Update(data->View()).ok());
    INFO(qk::TargetName(target));
    CHECK(s.Finalize(AggKind::kSum)->int64_value() == 7);
    CHECK(s.Finalize(AggKind::kAvg)->double_value() == Approx(7.0 / 257));
    // A real overflow.
    std::vector<int64_t> big(100, kMax / 50);
    data->length = 100;
    data->buffers = {nullptr, quiver::Buffer::Copy(big.data(), 800)};
    qk::AggState o(data->type);
    REQUIRE(o.Update(data->View()).ok());
    auto sum = o.Finalize(AggKind::kSum);
    REQUIRE_FALSE(sum.ok());
    CHECK(sum.status().code() == quiver::StatusCode::kOverflow);
    CHECK(o.Finalize(AggKind::kAvg).ok());
  }
}

TEST_CASE("Aggregates of an empty or all-null selection are NULL, counts zero", "[kernels]") {
  auto col = RandomColumn(DataType(TypeId::kFloat64), 100, 0, 1.0, 3);
  qk::AggState s(col.data->type);
  REQUIRE(s.Update(col.view).ok());
  CHECK(s.Finalize(AggKind::kCountStar)->int64_value() == 100);
  CHECK(s.Finalize(AggKind::kCount)->int64_value() == 0);
  CHECK(s.Finalize(AggKind::kSum)->is_null());
  CHECK(s.Finalize(AggKind::kAvg)->is_null());
  CHECK(s.Finalize(AggKind::kMin)->is_null());
  qk::AggState other{DataType(TypeId::kInt32)};
  CHECK_FALSE(s.Merge(other).ok());
  CHECK_FALSE(other.Update(col.view).ok());
}
