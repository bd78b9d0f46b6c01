// kernels/grouped_agg.h: the per-group states on their own (update, merge
// with a group map, finalize, memory) and driven by GroupByState with
// per-aggregate FILTER masks.
#include "kernels/grouped_agg.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/aggregate.h"
#include "kernels/group_by.h"

namespace qk = quiver::kernels;
using qk::GroupedAgg;
using qk::GroupedAggKind;
using qk::Scalar;
using quiver::ArrayBuilder;
using quiver::ArrayData;
using quiver::ColumnViews;
using quiver::DataType;
using quiver::TypeId;

namespace {

std::shared_ptr<ArrayData> Ints(const std::vector<int64_t>& v, TypeId id = TypeId::kInt64) {
  ArrayBuilder b{DataType(id)};
  for (int64_t x : v) b.AppendInt(x);
  auto r = b.Finish();
  REQUIRE(r.ok());
  return *r;
}

std::shared_ptr<ArrayData> Strings(const std::vector<std::string>& v, DataType type) {
  ArrayBuilder b{type};
  for (const auto& s : v) b.AppendString(s);
  auto r = b.Finish();
  REQUIRE(r.ok());
  return *r;
}

std::unique_ptr<GroupedAgg> Make(GroupedAggKind k, const DataType& t, double q = 0.5) {
  auto r = GroupedAgg::Make(k, t, q);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::vector<Scalar> Values(const GroupedAgg& a, size_t groups) {
  auto r = a.Finalize(groups);
  REQUIRE(r.ok());
  std::vector<Scalar> out;
  for (int64_t i = 0; i < (*r)->length; ++i) out.push_back(qk::ValueAt((*r)->View(), i));
  return out;
}

}  // namespace

TEST_CASE("HyperLogLog estimates a million distinct values within its error bound", "[kernels]") {
  constexpr int64_t kN = 1000000;
  constexpr int64_t kPart = 1 << 16;
  // Two workers see overlapping halves; the merge must not double-count.
  auto a = Make(GroupedAggKind::kApproxCountDistinct, DataType(TypeId::kInt64));
  auto b = a->NewEmpty();
  a->Resize(1);
  b->Resize(1);
  std::vector<int64_t> v(kPart);
  for (int64_t start = 0; start < kN; start += kPart) {
    std::iota(v.begin(), v.end(), start);
    auto col = Ints(v);
    a->Update(col->View(), nullptr, 0, std::min(kPart, kN - start), nullptr);
    if (start >= kN / 2 - kPart)
      b->Update(col->View(), nullptr, 0, std::min(kPart, kN - start), nullptr);
  }
  a->Merge(*b, nullptr);
  const auto got = Values(*a, 1);
  REQUIRE(got[0].kind() == Scalar::Kind::kInt64);
  // Standard error 1.04 / sqrt(4096) = 1.6%; allow four of them.
  CHECK(std::fabs(double(got[0].int64_value()) - double(kN)) < 0.065 * kN);
  CHECK(a->MemoryBytes() >= size_t(1) << qk::kHllPrecision);
}

TEST_CASE("COUNT(DISTINCT) compares dictionary values, not indices, across workers", "[kernels]") {
  const DataType dict = DataType::Dictionary(TypeId::kInt8);
  // The same strings in different dictionary orders.
  auto c1 = Strings({"x", "y", "x", "z"}, dict);
  auto c2 = Strings({"z", "w", "y", "y"}, dict);
  ColumnViews v1({c1}), v2({c2});
  auto a = Make(GroupedAggKind::kCountDistinct, dict);
  auto b = a->NewEmpty();
  a->Resize(2);
  b->Resize(1);
  const int32_t gids1[] = {0, 0, 1, 1};
  a->Update(v1[0], nullptr, 0, 4, gids1);    // group 0: x, y; group 1: x, z
  b->Update(v2[0], nullptr, 0, 4, nullptr);  // z, w, y
  const int32_t map[] = {1};                 // b's group 0 is a's group 1
  a->Merge(*b, map);
  CHECK(Values(*a, 3) == std::vector<Scalar>{Scalar::Int64(2), Scalar::Int64(4), Scalar::Int64(0)});
  CHECK(a->MemoryBytes() > 0);
}

TEST_CASE("COUNT(DISTINCT) over many values and groups matches a set, merged with a map",
          "[kernels]") {
  // 200k rows over 37 groups and ~60k distinct values (numbers, then the same
  // as strings): partitions grow many times; two workers' states overlap and
  // are merged with a renumbering map; every group's count and GroupResult
  // equal a std::set reference.
  constexpr int64_t kRows = 200000, kGroups = 37;
  std::vector<int64_t> vals(kRows);
  std::vector<int32_t> gids(kRows);
  uint64_t x = 12345;
  for (int64_t i = 0; i < kRows; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    vals[size_t(i)] = int64_t(x >> 33) % 60000 - 30000;
    gids[size_t(i)] = int32_t((x >> 20) % kGroups);
  }
  std::vector<std::set<int64_t>> want(kGroups);
  for (int64_t i = 0; i < kRows; ++i) want[size_t(gids[size_t(i)])].insert(vals[size_t(i)]);
  std::vector<std::string> texts;
  for (int64_t v : vals) texts.push_back("v" + std::to_string(v));
  for (const bool strings : {false, true}) {
    INFO((strings ? "strings" : "numbers"));
    const DataType type = strings ? DataType(TypeId::kUtf8) : DataType(TypeId::kInt64);
    auto col = strings ? Strings(texts, type) : Ints(vals);
    auto a = Make(GroupedAggKind::kCountDistinct, type);
    auto b = a->NewEmpty();
    a->Resize(kGroups);
    b->Resize(kGroups);
    // a: the first 120k rows; b: rows from 80k on, its groups numbered in
    // reverse (b's group g is a's kGroups - 1 - g).
    a->Update(col->View(), nullptr, 0, 120000, gids.data());
    std::vector<int32_t> rev(kRows);
    for (int64_t i = 0; i < kRows; ++i) rev[size_t(i)] = int32_t(kGroups - 1 - gids[size_t(i)]);
    b->Update(col->View(), nullptr, 80000, kRows - 80000, rev.data() + 80000);
    std::vector<int32_t> map(kGroups);
    for (int32_t g = 0; g < kGroups; ++g) map[size_t(g)] = int32_t(kGroups - 1 - g);
    a->Merge(*b, map.data());
    const auto got = Values(*a, kGroups);
    for (size_t g = 0; g < size_t(kGroups); ++g) {
      INFO("group " << g);
      CHECK(got[g] == Scalar::Int64(int64_t(want[g].size())));
      CHECK(a->GroupResult(g) == std::optional<Scalar>(Scalar::Int64(int64_t(want[g].size()))));
    }
  }
}

TEST_CASE("Quantile states merge with a group map and select exact ranks", "[kernels]") {
  auto a = Make(GroupedAggKind::kQuantileDisc, DataType(TypeId::kInt32), 0.5);
  auto b = a->NewEmpty();
  a->Resize(2);
  b->Resize(2);
  auto col = Ints({5, 1, 4, 2, 3, 100}, TypeId::kInt32);
  const int32_t rows[] = {0, 1, 2};
  const int32_t ga[] = {0, 0, 1};
  a->Update(col->View(), rows, 0, 3, ga);  // g0: 5, 1; g1: 4
  const int32_t gb[] = {1, 0, 1};
  b->Update(col->View(), nullptr, 3, 3, gb);  // b g1: 2, 100; b g0: 3
  const int32_t map[] = {1, 0};               // b's groups swapped
  a->Merge(*b, map);
  // g0: 1 2 5 100 -> rank ceil(2) - 1 = 1 -> 2; g1: 3 4 -> 3.
  CHECK(Values(*a, 2) == std::vector<Scalar>{Scalar::Int64(2), Scalar::Int64(3)});
  CHECK(a->result_type() == DataType(TypeId::kInt32));

  auto c = Make(GroupedAggKind::kQuantileCont, DataType(TypeId::kInt64), 0.75);
  c->Resize(1);
  auto big = Ints({INT64_MAX, 0, 10, 20});
  // Rows 0..2: INT64_MAX, 0, 10 -> sorted 0, 10, MAX; rank (3 - 1) 0.75 = 1.5.
  c->Update(big->View(), nullptr, 0, 3, nullptr);
  const double want = 10 + 0.5 * (double(INT64_MAX) - 10);
  CHECK(Values(*c, 1) == std::vector<Scalar>{Scalar::Double(want)});
}

TEST_CASE("Grouped aggregate kinds reject the types they do not accept", "[kernels]") {
  CHECK(GroupedAgg::Make(GroupedAggKind::kVarPop, DataType(TypeId::kUtf8)).status().code() ==
        quiver::StatusCode::kTypeError);
  CHECK(GroupedAgg::Make(GroupedAggKind::kBoolOr, DataType(TypeId::kInt8)).status().code() ==
        quiver::StatusCode::kTypeError);
  CHECK(GroupedAgg::Make(GroupedAggKind::kQuantileCont, DataType(TypeId::kUtf8)).status().code() ==
        quiver::StatusCode::kTypeError);
  CHECK(GroupedAgg::Make(GroupedAggKind::kQuantileCont, DataType(TypeId::kFloat64), 1.01)
            .status()
            .code() == quiver::StatusCode::kInvalidArgument);
  auto median_date = qk::GroupedAggResultType(GroupedAggKind::kMedian, DataType(TypeId::kDate32));
  REQUIRE(median_date.ok());
  CHECK(*median_date == DataType::Timestamp(quiver::TimeUnit::kMicro));
}

TEST_CASE("GroupByState folds each aggregate's FILTER rows and keeps empty groups", "[kernels]") {
  auto keys = Ints({1, 2, 1, 2, 3});
  auto vals = Ints({10, 20, 30, 20, 50});
  qk::AggregateSpec count_star;  // plain COUNT(*)
  qk::AggregateSpec filtered_star;
  filtered_star.filtered = true;
  qk::AggregateSpec distinct;
  distinct.value = 0;
  distinct.grouped = GroupedAggKind::kCountDistinct;
  distinct.filtered = true;
  qk::AggregateSpec sum;
  sum.kind = qk::AggKind::kSum;
  sum.value = 0;
  sum.filtered = true;
  auto state = qk::GroupByState::Make({DataType(TypeId::kInt64)}, {DataType(TypeId::kInt64)},
                                      {count_star, filtered_star, distinct, sum});
  REQUIRE(state.ok());
  qk::Mask where = qk::Mask::FromSelection({0, 1, 2, 3, 4}, 5);
  qk::Mask odd = qk::Mask::FromSelection({1, 3}, 5);
  qk::Mask big = qk::Mask::FromSelection({2, 3, 4}, 5);
  REQUIRE(
      state->Consume({keys->View()}, {vals->View()}, &where, 0, {nullptr, &odd, &odd, &big}).ok());
  auto cols = state->Finalize();
  REQUIRE(cols.ok());
  auto at = [&](size_t c, int64_t g) { return qk::ValueAt((*cols)[c]->View(), g); };
  // Groups in first-seen order: 1, 2, 3.
  CHECK(at(0, 0) == Scalar::Int64(1));
  CHECK(at(1, 0) == Scalar::Int64(2));
  CHECK(at(2, 0) == Scalar::Int64(0));  // no odd row in group 1
  CHECK(at(2, 1) == Scalar::Int64(2));  // both rows of group 2
  CHECK(at(3, 1) == Scalar::Int64(1));  // distinct 20
  CHECK(at(4, 0) == Scalar::Int64(30));
  CHECK(at(4, 1) == Scalar::Int64(20));
  CHECK(at(4, 2) == Scalar::Int64(50));
  CHECK(state->GroupedAggBytes() > 0);
}

namespace {

// Feeds "a", "bb", "", "c", NULL to `a` (3 groups) and to a NewEmpty()
// state (2 groups) merged into it with its groups swapped:
// a's g0: a, ""; g1: bb; then b's g0 (c) into g1 and b's g1 (NULL) into g0.
void FeedTwoStates(GroupedAgg* a) {
  ArrayBuilder sb{DataType(TypeId::kUtf8)};
  for (const char* s : {"a", "bb", "", "c"}) sb.AppendString(s);
  sb.AppendNull();
  auto strs = sb.Finish();
  REQUIRE(strs.ok());
  auto b = a->NewEmpty();
  a->Resize(3);
  b->Resize(2);
  const int32_t ga[] = {0, 1, 0};
  a->Update((*strs)->View(), nullptr, 0, 3, ga);
  const int32_t rows[] = {3, 4};
  const int32_t gb[] = {0, 1};
  b->Update((*strs)->View(), rows, 0, 2, gb);
  const int32_t map[] = {1, 0};
  a->Merge(*b, map);
}

}  // namespace

TEST_CASE("list (array_agg) keeps every value of a group, NULLs too, and merges by map",
          "[kernels]") {
  auto a = Make(GroupedAggKind::kList, DataType(TypeId::kUtf8));
  CHECK(a->result_type() == DataType::List(quiver::Field{"item", DataType(TypeId::kUtf8), true, {}}));
  FeedTwoStates(a.get());
  auto out = a->Finalize(3);
  REQUIRE(out.ok());
  const ArrayData& l = **out;
  REQUIRE(l.length == 3);
  REQUIRE(l.children.size() == 1);
  const int32_t* off = l.buffers[1]->data_as<int32_t>();
  // g0: a, "", NULL (b's g1); g1: bb, c (b's g0); g2: no value -> NULL.
  CHECK(std::vector<int32_t>(off, off + 4) == std::vector<int32_t>{0, 3, 5, 5});
  const quiver::ArrayView items = l.children[0]->View();
  std::vector<std::string> got;
  for (int64_t i = 0; i < items.length; ++i)
    got.push_back(items.IsNull(i) ? "NULL" : std::string(items.StringValue(i)));
  CHECK(got == std::vector<std::string>{"a", "", "NULL", "bb", "c"});
  CHECK(l.null_count == 1);
  const quiver::ArrayView v = l.View();
  CHECK(!v.IsNull(0));
  CHECK(!v.IsNull(1));
  CHECK(v.IsNull(2));
  CHECK(a->MemoryBytes() > 0);
  CHECK(GroupedAgg::Make(GroupedAggKind::kList, DataType::List(quiver::Field{"item", DataType(TypeId::kInt64), true, {}}))
            .status()
            .code() == quiver::StatusCode::kTypeError);
}

TEST_CASE("string_agg joins a group's non-NULL strings by its separator, merged by map",
          "[kernels]") {
  auto r = GroupedAgg::Make(GroupedAggKind::kStringAgg, DataType(TypeId::kUtf8), 0.5, "--");
  REQUIRE(r.ok());
  auto a = std::move(r).value();
  CHECK(a->result_type() == DataType(TypeId::kUtf8));
  FeedTwoStates(a.get());  // the merged state (NewEmpty) keeps the separator; NULL skipped
  // g0: "a" + "--" + "" ; g1: "bb--c"; g2: no value -> NULL.
  CHECK(Values(*a, 3) ==
        std::vector<Scalar>{Scalar::String("a--"), Scalar::String("bb--c"), Scalar()});
  // Dictionary strings by value.
  auto dict = Strings({"x", "y", "x"}, DataType::Dictionary(TypeId::kInt32));
  ColumnViews dv({dict});  // a view that keeps its dictionary's view
  auto d = Make(GroupedAggKind::kStringAgg, DataType::Dictionary(TypeId::kInt32));
  d->Resize(1);
  d->Update(dv[0], nullptr, 0, 3, nullptr);
  CHECK(Values(*d, 1) == std::vector<Scalar>{Scalar::String("x,y,x")});
  CHECK(GroupedAgg::Make(GroupedAggKind::kStringAgg, DataType(TypeId::kInt64)).status().code() ==
        quiver::StatusCode::kTypeError);
}
