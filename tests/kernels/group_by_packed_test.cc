// Group-by on two or more integer keys of 16 bytes or less in all, which
// GroupByState packs into one 128-bit key: NULLs in either key (a NULL is not
// the value 0), negative numbers, the extremes of every width, date keys,
// exactly 16 bytes, and past 16 bytes (the byte-encoded path); fed to 1, 2
// and 4 partial tables (the partitioned merge with 4) and checked against a
// std::map reference, in first-row order.
#include <catch2/catch.hpp>

#include <climits>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/group_by.h"
#include "random_data.h"

namespace qk = quiver::kernels;
using quiver::ArrayBuilder;
using quiver::ArrayData;
using quiver::ArrayView;
using quiver::DataType;
using quiver::Status;
using quiver::TypeId;

namespace {

using Col = std::shared_ptr<ArrayData>;

using qk::testing::Serial;

std::string Text(const ArrayView& v, int64_t i) { return qk::ValueAt(v, i).ToString(); }

// Row i's key: one of `extremes` every third row, else f(i); NULL when
// i % null_every == 0.
Col Ints(TypeId type, int64_t n, const std::vector<int64_t>& extremes,
         const std::function<int64_t(int64_t)>& f, int null_every) {
  ArrayBuilder b{DataType(type)};
  for (int64_t i = 0; i < n; ++i) {
    if (i % null_every == 0)
      b.AppendNull();
    else if (i % 3 == 0)
      b.AppendInt(extremes[size_t(i / 3) % extremes.size()]);
    else
      b.AppendInt(f(i));
  }
  return b.Finish().value();
}

Col UInt64s(int64_t n, int null_every) {
  ArrayBuilder b{DataType(TypeId::kUInt64)};
  const std::vector<uint64_t> extremes = {0, 1, UINT64_MAX, UINT64_MAX - 1, uint64_t(1) << 63};
  for (int64_t i = 0; i < n; ++i) {
    if (i % null_every == 0)
      b.AppendNull();
    else if (i % 4 == 0)
      b.AppendUInt(extremes[size_t(i / 4) % extremes.size()]);
    else
      b.AppendUInt(uint64_t(i % 9001) * 0x9e3779b97f4a7c15ull);
  }
  return b.Finish().value();
}

// Group keys `keys`, COUNT(*) and SUM(value) through `parts` partial tables
// (morsels round-robin), merged by FinalizeAll; against the reference.
void Check(const std::vector<Col>& keys, const Col& value, int parts) {
  std::vector<DataType> kt;
  for (const Col& k : keys) kt.push_back(k->type);
  const int64_t n = keys[0]->length;
  std::map<std::string, std::pair<int64_t, int64_t>> want;
  std::vector<std::string> order;
  const ArrayView vv = value->View();
  for (int64_t r = 0; r < n; ++r) {
    std::string key;
    for (const Col& k : keys) key += Text(k->View(), r) + "|";
    auto [it, added] = want.emplace(key, std::make_pair(int64_t(0), int64_t(0)));
    if (added) order.push_back(key);
    ++it->second.first;
    it->second.second += vv.Value<int64_t>(r);
  }
  std::vector<qk::GroupByState> states;
  for (int p = 0; p < parts; ++p) {
    states.push_back(qk::GroupByState::Make(kt, {value->type}, {{qk::AggKind::kCountStar, -1},
                                                                {qk::AggKind::kSum, 0}})
                         .value());
  }
  const int64_t morsel = 5000;
  int64_t m = 0;
  for (int64_t start = 0; start < n; start += morsel, ++m) {
    auto slice = [&](const Col& a) {
      ArrayView v = a->View();
      v.offset += start;
      v.length = std::min(morsel, n - start);
      return v;
    };
    std::vector<ArrayView> ks;
    for (const Col& k : keys) ks.push_back(slice(k));
    REQUIRE(states[size_t(m % parts)].Consume(ks, {slice(value)}, nullptr, start).ok());
  }
  int64_t groups = 0, bytes = 0;
  auto out = qk::GroupByState::FinalizeAll(&states, Serial, &groups, &bytes);
  REQUIRE(out.ok());
  REQUIRE(groups == int64_t(order.size()));
  std::vector<std::string> got_rows, want_rows;
  const size_t nk = keys.size();
  for (size_t k = 0; k < nk; ++k) CHECK((*out)[k]->type == keys[k]->type);
  for (int64_t g = 0; g < groups; ++g) {
    std::string row;
    for (size_t k = 0; k < nk; ++k) row += Text((*out)[k]->View(), g) + "|";
    got_rows.push_back(row + Text((*out)[nk]->View(), g) + "|" + Text((*out)[nk + 1]->View(), g));
    const auto& [count, sum] = want[order[size_t(g)]];
    want_rows.push_back(order[size_t(g)] + std::to_string(count) + "|" + std::to_string(sum));
  }
  CHECK(got_rows == want_rows);
}

}  // namespace

TEST_CASE("Packed integer keys group by value with NULLs, negatives and extremes", "[kernels]") {
  const int64_t n = 90000;
  auto value = Ints(
      TypeId::kInt64, n, {0}, [](int64_t i) { return i % 1000 - 500; }, INT_MAX);
  // ~45000 distinct int64 values (past the split size with 4 tables), 0
  // among them as well as NULL.
  auto i64 = Ints(
      TypeId::kInt64, n, {INT64_MIN, INT64_MAX, -1, 0, INT64_MIN + 1},
      [](int64_t i) { return (i * 7919) % 45007 - 22000; }, 7);
  auto i32 = Ints(
      TypeId::kInt32, n, {INT32_MIN, INT32_MAX, -1, 0}, [](int64_t i) { return -(i % 5); }, 11);
  auto i8 = Ints(
      TypeId::kInt8, n, {-128, 127, -1, 0}, [](int64_t i) { return i % 200 - 100; }, 13);
  auto u16 = Ints(
      TypeId::kUInt16, n, {0, 65535, 32768}, [](int64_t i) { return i % 301; }, 17);
  auto u8 = Ints(
      TypeId::kUInt8, n, {0, 255, 128}, [](int64_t i) { return i % 7; }, 19);
  auto date = Ints(
      TypeId::kDate32, n, {-719162, 0, 2932896}, [](int64_t i) { return i % 400 - 200; }, 23);
  auto u64 = UInt64s(n, 29);
  for (int parts : {1, 2, 4}) {
    INFO("partial tables: " << parts);
    SECTION("int64, int32 (12 bytes) " + std::to_string(parts)) { Check({i64, i32}, value, parts); }
    SECTION("int32, int64 (NULLs in either) " + std::to_string(parts)) {
      Check({i32, i64}, value, parts);
    }
    SECTION("int8, uint16, int32, uint8 (8 bytes) " + std::to_string(parts)) {
      Check({i8, u16, i32, u8}, value, parts);
    }
    SECTION("date32, int8 " + std::to_string(parts)) { Check({date, i8}, value, parts); }
    SECTION("int64, uint64 (16 bytes) " + std::to_string(parts)) {
      Check({i64, u64}, value, parts);
    }
    SECTION("uint64, int64, int8 (17 bytes: encoded) " + std::to_string(parts)) {
      Check({u64, i64, i8}, value, parts);
    }
  }
}

TEST_CASE("Packed integer keys admit at most k groups, each whole", "[kernels]") {
  // Keys (r % 5, -(r % 5)) with (NULL, 0) every 4th row: groups in
  // first-row order (NULL, 0), (1, -1), (2, -2), (3, -3), ...
  const int64_t n = 1000;
  ArrayBuilder a{DataType(TypeId::kInt16)}, b{DataType(TypeId::kInt64)};
  for (int64_t r = 0; r < n; ++r) {
    if (r % 4 == 0)
      a.AppendNull();
    else
      a.AppendInt(r % 5);
    b.AppendInt(r % 4 == 0 ? 0 : -(r % 5));
  }
  auto ka = a.Finish().value(), kb = b.Finish().value();
  auto s = qk::GroupByState::Make({ka->type, kb->type}, {}, {{qk::AggKind::kCountStar, -1}});
  REQUIRE(s.ok());
  s->AdmitAtMost(3);
  REQUIRE(s->Consume({ka->View(), kb->View()}, {}).ok());
  std::vector<qk::GroupByState> states;
  states.push_back(std::move(*s));
  int64_t groups = 0, bytes = 0;
  auto out = qk::GroupByState::FinalizeAll(&states, Serial, &groups, &bytes);
  REQUIRE(out.ok());
  REQUIRE(groups == 3);
  std::map<std::string, int64_t> want;
  for (int64_t r = 0; r < n; ++r) {
    const std::string key =
        (r % 4 == 0 ? "NULL|0" : std::to_string(r % 5) + "|" + std::to_string(-(r % 5)));
    ++want[key];
  }
  std::vector<std::string> got;
  for (int64_t g = 0; g < groups; ++g)
    got.push_back(Text((*out)[0]->View(), g) + "|" + Text((*out)[1]->View(), g) + "=" +
                  Text((*out)[2]->View(), g));
  const std::vector<std::string> expect = {
      "NULL|0=" + std::to_string(want["NULL|0"]), "1|-1=" + std::to_string(want["1|-1"]),
      "2|-2=" + std::to_string(want["2|-2"])};
  CHECK(got == expect);
}
