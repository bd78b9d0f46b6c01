// Group-by keys and aggregates of the types added with issue 16 (decimals,
// date64, time, duration, float16, intervals) through GroupByState: exact
// decimal sums, min/max and keys across split tables and the partitioned
// merge, overflow found in any partial table, and equal float16 values in
// one group; against references computed here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <climits>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "columnar/decimal.h"
#include "kernels/group_by.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using qk::AggKind;
using quiver::ArrayBuilder;
using quiver::ArrayData;
using quiver::ArrayView;
using quiver::DataType;
using quiver::int128_t;
using quiver::Status;
using quiver::StatusCode;
using quiver::TimeUnit;
using quiver::TypeId;

namespace {

using qk::testing::Serial;

std::string DecText(const ArrayView& v, int64_t i) {
  if (v.IsNull(i)) return "NULL";
  return quiver::FormatDecimal128(quiver::LoadDecimal128(v.values + (v.offset + i) * 16),
                                  v.type->scale);
}

// Feeds rows [0, n) to `parts` partial tables in morsels handed out
// round-robin and merges them with FinalizeAll.
quiver::Result<std::vector<std::shared_ptr<ArrayData>>> Run(
    const std::vector<std::shared_ptr<ArrayData>>& keys,
    const std::vector<std::shared_ptr<ArrayData>>& values, const std::vector<qk::AggregateSpec>& aggs,
    int parts, int64_t morsel) {
  std::vector<DataType> kt, vt;
  for (const auto& k : keys) kt.push_back(k->type);
  for (const auto& v : values) vt.push_back(v->type);
  std::vector<qk::GroupByState> states;
  for (int p = 0; p < parts; ++p) states.push_back(qk::GroupByState::Make(kt, vt, aggs).value());
  const int64_t n = keys[0]->length;
  int64_t m = 0;
  for (int64_t start = 0; start < n; start += morsel, ++m) {
    auto slice = [&](const std::shared_ptr<ArrayData>& a) {
      ArrayView v = a->View();
      v.offset += start;
      v.length = std::min(morsel, n - start);
      return v;
    };
    std::vector<ArrayView> ks, vs;
    for (const auto& k : keys) ks.push_back(slice(k));
    for (const auto& v : values) vs.push_back(slice(v));
    QUIVER_RETURN_NOT_OK(states[size_t(m % parts)].Consume(ks, vs, nullptr, start));
  }
  int64_t groups = 0, bytes = 0;
  return qk::GroupByState::FinalizeAll(&states, Serial, &groups, &bytes);
}

}  // namespace

TEST_CASE("Decimal group keys and exact decimal aggregates survive split tables and the merge",
          "[kernels]") {
  const int64_t n = 120000;  // ~60000 groups: past the size where tables split
  const DataType key_type = DataType::Decimal(30, 2), value_type = DataType::Decimal(38, 3);
  ArrayBuilder kb(key_type), sb{DataType(TypeId::kUtf8)}, vb(value_type);
  struct Want {
    int128_t sum = 0, mn = 0, mx = 0;
    int64_t count = 0;
  };
  std::map<std::string, Want> want_one, want_two;
  std::vector<std::string> order_one, order_two;
  std::vector<int128_t> keys(n), vals(n);
  for (int64_t i = 0; i < n; ++i) {
    // Keys: large magnitudes of both signs differing in the low digits.
    const int128_t k = (int128_t((i * 7919) % 60013) - 30000) * 100000000000000000LL + (i % 3);
    const int128_t v = (int128_t(i) * 0x7fffffffffff - 12345) * ((i % 5) ? 1 : -1);
    keys[size_t(i)] = k;
    vals[size_t(i)] = v;
    if (i % 97 == 0) kb.AppendNull(); else kb.AppendDecimal(k);
    sb.AppendString(i % 2 ? "a" : "b");
    if (i % 11 == 0) vb.AppendNull(); else vb.AppendDecimal(v);
  }
  auto key_col = kb.Finish().value(), str_col = sb.Finish().value(), val_col = vb.Finish().value();
  const ArrayView kv = key_col->View(), sv = str_col->View(), vv = val_col->View();
  for (int64_t i = 0; i < n; ++i) {
    const std::string k = DecText(kv, i);
    for (auto* w : {&want_one, &want_two}) {
      const std::string key = w == &want_one ? k : k + "|" + std::string(sv.StringValue(i));
      auto [it, added] = w->emplace(key, Want{});
      if (added) (w == &want_one ? order_one : order_two).push_back(key);
      if (vv.IsNull(i)) continue;
      Want& g = it->second;
      const int128_t v = vals[size_t(i)];
      g.mn = g.count == 0 ? v : std::min(g.mn, v);
      g.mx = g.count == 0 ? v : std::max(g.mx, v);
      g.sum += v;
      ++g.count;
    }
  }
  const std::vector<qk::AggregateSpec> aggs = {
      {AggKind::kSum, 0}, {AggKind::kMin, 0}, {AggKind::kMax, 0}, {AggKind::kCount, 0}};
  for (int parts : {1, 3}) {
    for (bool two_keys : {false, true}) {
      INFO("partial tables " << parts << ", two keys " << two_keys);
      std::vector<std::shared_ptr<ArrayData>> key_cols = {key_col};
      if (two_keys) key_cols.push_back(str_col);
      auto out = Run(key_cols, {val_col}, aggs, parts, 5000);
      INFO(out.status().ToString());
      REQUIRE(out.ok());
      const auto& order = two_keys ? order_two : order_one;
      auto& want = two_keys ? want_two : want_one;
      const size_t nk = key_cols.size();
      REQUIRE((*out)[0]->length == int64_t(order.size()));
      CHECK((*out)[0]->type == key_type);
      CHECK((*out)[nk]->type == DataType::Decimal(38, 3));
      CHECK((*out)[nk + 1]->type == value_type);
      std::vector<std::string> got_rows, want_rows;
      for (int64_t g = 0; g < int64_t(order.size()); ++g) {
        std::string row = DecText((*out)[0]->View(), g);
        if (two_keys) row += "|" + std::string((*out)[1]->View().StringValue(g));
        for (size_t a = 0; a < 3; ++a) row += "|" + DecText((*out)[nk + a]->View(), g);
        got_rows.push_back(row + "|" + std::to_string((*out)[nk + 3]->View().Value<int64_t>(g)));
        const Want& w = want[order[size_t(g)]];
        auto text = [&](int128_t x) { return w.count ? quiver::FormatDecimal128(x, 3) : "NULL"; };
        want_rows.push_back(order[size_t(g)] + "|" + text(w.sum) + "|" + text(w.mn) + "|" + text(w.mx) +
                            "|" + std::to_string(w.count));
      }
      CHECK(got_rows == want_rows);
    }
  }
}

TEST_CASE("A grouped decimal sum that overflows in any partial table, or only once merged, is an error",
          "[kernels]") {
  const DataType type = DataType::Decimal(38, 0);
  const int128_t max = quiver::MaxDecimal128(38);
  // Group 1's sum is max in each of the three tables: past 38 digits once
  // merged, past 2^127 (the accumulator itself) in the third merge.
  ArrayBuilder kb{DataType(TypeId::kInt64)}, vb(type);
  for (int64_t i = 0; i < 6; ++i) {
    kb.AppendInt(i % 2);
    vb.AppendDecimal(i % 2 ? max : int128_t(i));
  }
  auto k = kb.Finish().value(), v = vb.Finish().value();
  auto one = Run({k}, {v}, {{AggKind::kSum, 0}}, 1, 2);
  CHECK(one.status().code() == StatusCode::kOverflow);
  for (int parts : {2, 3}) {
    auto out = Run({k}, {v}, {{AggKind::kSum, 0}}, parts, 2);
    REQUIRE_FALSE(out.ok());
    CHECK(out.status().code() == StatusCode::kOverflow);
    CHECK(out.status().message() == "sum of decimal128(38, 0) column overflows decimal128(38, 0) in a group");
  }
  // AVG of the same: the 128-bit sum overflows.
  auto avg = Run({k}, {v}, {{AggKind::kAvg, 0}}, 3, 2);
  CHECK(avg.status().code() == StatusCode::kOverflow);
  // Group 0 alone fits.
  ArrayBuilder k0{DataType(TypeId::kInt64)}, v0(type);
  for (int64_t i = 0; i < 4; ++i) k0.AppendInt(0), v0.AppendDecimal(max / 4);
  auto fits = Run({k0.Finish().value()}, {v0.Finish().value()}, {{AggKind::kSum, 0}}, 2, 1);
  REQUIRE(fits.ok());
  CHECK(DecText((*fits)[1]->View(), 0) == quiver::FormatDecimal128(max / 4 * 4, 0));
}

TEST_CASE("date64, time, duration, float16 and interval keys group by value; min/max keep their types",
          "[kernels]") {
  const DataType d64(TypeId::kDate64), t64 = DataType::WithUnit(TypeId::kTime64, TimeUnit::kNano),
                 dur = DataType::WithUnit(TypeId::kDuration, TimeUnit::kMilli),
                 t32 = DataType::WithUnit(TypeId::kTime32, TimeUnit::kSecond);
  ArrayBuilder db(d64), tb(t64), ub(dur), sb(t32);
  for (int64_t i = 0; i < 1000; ++i) {
    db.AppendInt((i % 4 - 2) * int64_t(86400000));  // negative days too
    tb.AppendInt(i * 1000000007 % 86400000000000);
    ub.AppendInt(-i);
    if (i % 10 == 0) sb.AppendNull(); else sb.AppendInt(i % 86400);
  }
  auto dc = db.Finish().value(), tc = tb.Finish().value(), uc = ub.Finish().value(), sc = sb.Finish().value();
  auto out = Run({dc}, {tc, uc, sc},
                 {{AggKind::kMin, 0}, {AggKind::kMax, 0}, {AggKind::kMin, 1}, {AggKind::kMax, 2}}, 2, 100);
  INFO(out.status().ToString());
  REQUIRE(out.ok());
  REQUIRE((*out)[0]->length == 4);
  CHECK((*out)[0]->type == d64);
  CHECK((*out)[1]->type == t64);
  CHECK((*out)[3]->type == dur);
  CHECK((*out)[4]->type == t32);
  for (int64_t g = 0; g < 4; ++g) {
    const int64_t day = (*out)[0]->View().Value<int64_t>(g);
    const int64_t r = day / 86400000 + 2;  // rows r, r + 4, ...
    CHECK(day == (g - 2) * int64_t(86400000));
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    int32_t smax = -1;
    for (int64_t i = r; i < 1000; i += 4) {
      tmin = std::min(tmin, i * 1000000007 % 86400000000000);
      tmax = std::max(tmax, i * 1000000007 % 86400000000000);
      if (i % 10) smax = std::max(smax, int32_t(i % 86400));
    }
    CHECK((*out)[1]->View().Value<int64_t>(g) == tmin);
    CHECK((*out)[2]->View().Value<int64_t>(g) == tmax);
    CHECK((*out)[3]->View().Value<int64_t>(g) == -(996 + r));
    CHECK((*out)[4]->View().Value<int32_t>(g) == smax);
  }

  // float16: +0 and -0 are one group, every NaN another; intervals by their bytes.
  ArrayBuilder hb{DataType(TypeId::kFloat16)}, ib{DataType(TypeId::kIntervalDayTime)};
  const uint16_t halves[] = {0x0000, 0x8000, 0x7e00, 0x7c01, 0x3c00, 0x3c00};
  for (int64_t i = 0; i < 6; ++i) {
    hb.AppendBytes(&halves[i]);
    const int32_t iv[2] = {int32_t(i / 2), 5};
    ib.AppendBytes(iv);
  }
  hb.AppendNull();
  ib.AppendNull();
  auto hc = hb.Finish().value(), ic = ib.Finish().value();
  auto h = Run({hc}, {}, {{AggKind::kCountStar, -1}}, 2, 2);
  REQUIRE(h.ok());
  REQUIRE((*h)[0]->length == 4);
  const ArrayView hv = (*h)[0]->View(), hn = (*h)[1]->View();
  CHECK(hv.Value<uint16_t>(0) == 0x0000);
  CHECK(hn.Value<int64_t>(0) == 2);
  CHECK(hv.Value<uint16_t>(1) == 0x7e00);
  CHECK(hn.Value<int64_t>(1) == 2);
  CHECK(hv.Value<uint16_t>(2) == 0x3c00);
  CHECK(hv.IsNull(3));
  auto iv = Run({ic, hc}, {}, {{AggKind::kCountStar, -1}}, 1, 7);
  REQUIRE(iv.ok());
  REQUIRE((*iv)[0]->length == 4);  // (0,5)+0 (both zeros), (1,5)+NaN, (2,5)+1.0, NULL+NULL
  int32_t got[2];
  std::memcpy(got, (*iv)[0]->View().values + 16, 8);
  CHECK(got[0] == 2);
  CHECK(got[1] == 5);
}

TEST_CASE("COUNT(DISTINCT) and approx_count_distinct count decimals, intervals and float16 by value",
          "[kernels]") {
  ArrayBuilder kb{DataType(TypeId::kInt32)}, db(DataType::Decimal(40, 2)),
      hb{DataType(TypeId::kFloat16)}, ib{DataType(TypeId::kIntervalMonthDayNano)};
  const uint16_t halves[] = {0x0000, 0x8000, 0x7e00, 0x7c01, 0x3c00};
  for (int64_t i = 0; i < 300; ++i) {
    kb.AppendInt(i % 2);
    if (i % 7 == 0) db.AppendNull(); else db.AppendDecimal(int128_t(i % 50) * 1000000000000000000LL - 25);
    hb.AppendBytes(&halves[i % 5]);
    const int32_t md[4] = {int32_t(i % 6), 0, 0, 0};
    ib.AppendBytes(md);
  }
  auto k = kb.Finish().value(), d = db.Finish().value(), h = hb.Finish().value(), iv = ib.Finish().value();
  std::vector<qk::AggregateSpec> aggs;
  for (int v = 0; v < 3; ++v) {
    for (auto kind : {qk::GroupedAggKind::kCountDistinct, qk::GroupedAggKind::kApproxCountDistinct}) {
      qk::AggregateSpec s;
      s.value = v;
      s.grouped = kind;
      aggs.push_back(s);
    }
  }
  auto out = Run({k}, {d, h, iv}, aggs, 2, 64);
  INFO(out.status().ToString());
  REQUIRE(out.ok());
  for (int64_t g = 0; g < 2; ++g) {
    // Rows of parity g: i % 50 takes 25 values; i % 7 == 0 rows are NULL, but
    // every value still appears in another row.
    CHECK((*out)[1]->View().Value<int64_t>(g) == 25);
    CHECK((*out)[2]->View().Value<int64_t>(g) == 25);
    CHECK((*out)[3]->View().Value<int64_t>(g) == 3);  // 0 and -0, NaNs, 1.0
    CHECK((*out)[4]->View().Value<int64_t>(g) == 3);
    CHECK((*out)[5]->View().Value<int64_t>(g) == 3);  // i % 6 of one parity
    CHECK((*out)[6]->View().Value<int64_t>(g) == 3);
  }
  // ANY_VALUE keeps Scalars, which hold neither float16 nor intervals.
  CHECK(qk::GroupedAggResultType(qk::GroupedAggKind::kAnyValue, DataType(TypeId::kFloat16)).status().code() ==
        StatusCode::kTypeError);
  CHECK(qk::GroupedAggResultType(qk::GroupedAggKind::kAnyValue, DataType::Decimal(10, 2)).ok());
  CHECK(qk::AggResultType(AggKind::kMin, DataType(TypeId::kIntervalDayTime)).status().code() ==
        StatusCode::kTypeError);
}
