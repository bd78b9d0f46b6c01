// decimal128 through the kernels: exact comparison with literals, sort,
// take, aggregates and group-by, checked against __int128 arithmetic done
// here on the same values.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "columnar/builder.h"
#include "columnar/decimal.h"
#include "kernels/aggregate.h"
#include "kernels/group_by.h"
#include "kernels/predicate.h"
#include "kernels/sort.h"
#include "kernels/take.h"

namespace qk = quiver::kernels;
using qk::AggKind;
using qk::Scalar;
using quiver::ArrayBuilder;
using quiver::DataType;
using quiver::int128_t;
using quiver::TypeId;

namespace {

struct DecColumn {
  std::vector<std::optional<int128_t>> values;
  std::shared_ptr<quiver::ArrayData> data;
};

DecColumn MakeColumn(const DataType& type, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  DecColumn c;
  ArrayBuilder b(type);
  const int128_t max = quiver::MaxDecimal128(type.precision);
  for (int64_t i = 0; i < n; ++i) {
    if (rng() % 10 == 0) {
      c.values.push_back(std::nullopt);
      b.AppendNull();
      continue;
    }
    int128_t v = rng() % 3 == 0 ? int128_t(int64_t(rng() % 2001) - 1000)
                                : (int128_t(rng()) << 64 | int128_t(rng())) % (max + 1);
    if (rng() % 2) v = -v;
    c.values.push_back(v);
    b.AppendDecimal(v);
  }
  c.data = b.Finish().value();
  return c;
}

}  // namespace

TEST_CASE("decimal128 compares exactly with number literals, inexact ones included", "[kernels]") {
  const DataType type = DataType::Decimal(20, 3);
  DecColumn c = MakeColumn(type, 700, 1);
  quiver::ArrayView v = c.data->View();
  // literal text, and its exact value times 1000 as lo/hi (lo < hi: inexact).
  struct Lit {
    Scalar s;
    int128_t lo, hi;
  };
  std::vector<Lit> lits = {
      {Scalar::Double(10.5), 10500, 10500},   {Scalar::Int64(-3), -3000, -3000},
      {Scalar::String("0.0005"), 0, 1},      {Scalar::String("-0.0005"), -1, 0},
      {Scalar::Double(0.1), 100, 100},       {Scalar::String("1e30"), quiver::Pow10Int128(33), quiver::Pow10Int128(33)},
  };
  for (const Lit& l : lits) {
    for (auto op : {qk::CompareOp::kEq, qk::CompareOp::kNe, qk::CompareOp::kLt, qk::CompareOp::kLe,
                    qk::CompareOp::kGt, qk::CompareOp::kGe}) {
      auto m = qk::Compare(v, op, l.s);
      REQUIRE(m.ok());
      for (size_t i = 0; i < c.values.size(); ++i) {
        INFO(l.s.ToString() << " op " << int(op) << " row " << i);
        if (!c.values[i]) {
          CHECK(m->IsNull(int64_t(i)));
          continue;
        }
        // x op lit, with lit in (lo, hi) when inexact: compare x*2 with lo+hi.
        const int128_t x2 = *c.values[i] * 2, l2 = l.lo + l.hi;
        bool want = op == qk::CompareOp::kEq   ? x2 == l2
                    : op == qk::CompareOp::kNe ? x2 != l2
                    : op == qk::CompareOp::kLt ? x2 < l2
                    : op == qk::CompareOp::kLe ? x2 <= l2
                    : op == qk::CompareOp::kGt ? x2 > l2
                                               : x2 >= l2;
        CHECK(m->IsTrue(int64_t(i)) == want);
      }
    }
  }
  CHECK(qk::Compare(v, qk::CompareOp::kEq, Scalar::String("abc")).status().code() == quiver::StatusCode::kTypeError);
  CHECK(qk::CastLiteral(Scalar::Double(1.2345), type).status().message() ==
        "literal 1.2345 has more than 3 digits after the point for a decimal128(20, 3) column");
  CHECK(qk::CastLiteral(Scalar::String("12.5"), type).value() == Scalar::Decimal(12500, 20, 3));
}

TEST_CASE("decimal128 sorts, gathers, sums exactly and groups", "[kernels]") {
  const DataType type = DataType::Decimal(38, 4);
  DecColumn c = MakeColumn(DataType::Decimal(30, 4), 1000, 2);  // sums stay within 38 digits
  c.data->type = type;
  quiver::ArrayView v = c.data->View();

  auto order = qk::SortIndices({v}, {{0, false, false}});
  REQUIRE(order.ok());
  std::vector<int32_t> want(c.values.size());
  for (size_t i = 0; i < want.size(); ++i) want[i] = int32_t(i);
  std::stable_sort(want.begin(), want.end(), [&](int32_t a, int32_t b) {
    const auto &x = c.values[size_t(a)], &y = c.values[size_t(b)];
    if (!x || !y) return x.has_value() && !y.has_value();
    return *x < *y;
  });
  CHECK(*order == want);
  auto taken = qk::Take(v, *order);
  REQUIRE(taken.ok());
  quiver::ArrayView tv = (*taken)->View();
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& x = c.values[size_t(want[i])];
    REQUIRE(tv.IsValid(int64_t(i)) == x.has_value());
    if (x) CHECK(quiver::LoadDecimal128(tv.values + (tv.offset + int64_t(i)) * 16) == *x);
  }

  int128_t sum = 0, mn = 0, mx = 0;
  int64_t count = 0;
  std::map<int, int128_t> group_sum;
  for (size_t i = 0; i < c.values.size(); ++i) {
    if (!c.values[i]) continue;
    const int128_t x = *c.values[i];
    sum += x;
    mn = count == 0 ? x : std::min(mn, x);
    mx = count == 0 ? x : std::max(mx, x);
    ++count;
    group_sum[int(i % 3)] += x;
  }
  qk::AggState st(type);
  REQUIRE(st.Update(v).ok());
  CHECK(st.Finalize(AggKind::kSum).value() == Scalar::Decimal(sum, 38, 4));
  CHECK(st.Finalize(AggKind::kMin).value() == Scalar::Decimal(mn, 38, 4));
  CHECK(st.Finalize(AggKind::kMax).value() == Scalar::Decimal(mx, 38, 4));
  CHECK(st.Finalize(AggKind::kAvg).value().double_value() ==
        Approx(quiver::Decimal128ToDouble(sum, 4) / double(count)).epsilon(1e-12));

  ArrayBuilder kb{DataType(TypeId::kInt32)};
  for (size_t i = 0; i < c.values.size(); ++i) kb.AppendInt(int64_t(i % 3));
  auto keys = kb.Finish().value();
  auto g = qk::GroupByState::Make({DataType(TypeId::kInt32)}, {type}, {{AggKind::kSum, 0}, {AggKind::kMax, 0}});
  REQUIRE(g.ok());
  REQUIRE(g->Consume({keys->View()}, {v}).ok());
  auto out = g->Finalize();
  REQUIRE(out.ok());
  REQUIRE((*out)[0]->length == 3);
  CHECK((*out)[1]->type == DataType::Decimal(38, 4));
  for (int64_t r = 0; r < 3; ++r) {
    int key = (*out)[0]->View().Value<int32_t>(r);
    CHECK(qk::ValueAt((*out)[1]->View(), r) == Scalar::Decimal(group_sum[key], 38, 4));
  }
}

TEST_CASE("A decimal128 sum beyond 38 digits is an overflow error, also across merged states", "[kernels]") {
  const DataType type = DataType::Decimal(38, 0);
  ArrayBuilder b(type);
  b.AppendDecimal(quiver::MaxDecimal128(38));
  b.AppendDecimal(1);
  auto col = b.Finish().value();
  qk::AggState a(type), c(type);
  REQUIRE(a.Update(col->View()).ok());
  // 10^38 fits 128 bits but not 38 digits.
  CHECK(a.Finalize(AggKind::kSum).status().code() == quiver::StatusCode::kOverflow);
  CHECK(a.Finalize(AggKind::kMax).value() == Scalar::Decimal(quiver::MaxDecimal128(38), 38, 0));
  // Merged twice more, the 128-bit accumulator itself passes 2^127 - 1.
  REQUIRE(c.Update(col->View()).ok());
  REQUIRE(a.Merge(c).ok());
  REQUIRE(a.Merge(c).ok());
  auto s = a.Finalize(AggKind::kSum);
  CHECK(s.status().code() == quiver::StatusCode::kOverflow);
  CHECK(s.status().message() == "sum of decimal128(38, 0) column overflows decimal128(38, 0)");
  CHECK(qk::AggResultType(AggKind::kSum, DataType::Decimal(50, 2)).status().code() == quiver::StatusCode::kTypeError);
}
