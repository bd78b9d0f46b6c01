// GroupByState's radix mode (kernels/group_by_radix.cc): a table of many
// groups keeps counting its first keys (the head) and lists the rows of
// other keys by partition, looked up later. Checked against a reference in
// first-row order, and against the same tables with the mode off: single
// integer keys of several widths with NULLs, packed keys, skewed and
// unique keys, a filter, 1 to 3 partial tables, lists folded while
// consuming, Seal, and the top-k output.
#include <catch2/catch.hpp>

#include <algorithm>
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
using quiver::TypeId;
using qk::testing::Serial;

namespace {

using Col = std::shared_ptr<ArrayData>;

// Small limits: the mode is decided at 64 groups and taken when 100 are
// expected; the lists fold into partitions past `list_bytes`.
qk::GroupByState::RadixLimits Small(int64_t list_bytes) { return {64, 100, list_bytes}; }
// The mode never taken.
const qk::GroupByState::RadixLimits kOff = {64, INT64_MAX, 1 << 20};

// Key of row i: a skewed mix (a few hot keys on most rows, a long tail of
// rarer ones, values spread over the type's range); NULL every null_every
// rows (0: never).
Col Keys(TypeId type, int64_t n, int64_t tail, int null_every, uint64_t seed) {
  ArrayBuilder b{DataType(type)};
  uint64_t x = seed;
  for (int64_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t r = x >> 20;
    if (null_every > 0 && i % null_every == 0) {
      b.AppendNull();
      continue;
    }
    int64_t v = r % 4 != 0 ? int64_t(r % 7) : int64_t((r >> 8) % uint64_t(tail));
    // Spread over int64 (wrapping as unsigned: no signed overflow).
    if (type == TypeId::kInt64) v = int64_t(uint64_t(v) * 0x9e3779b97f4a7c1ull - (uint64_t(1) << 62));
    if (type == TypeId::kInt8) v = v % 256 - 128;
    b.AppendInt(v);
  }
  return b.Finish().value();
}

struct Run {
  std::vector<std::string> rows;  // "key|key|count" per group, in output order
  int64_t groups = 0;
};

// Keys `keys` with COUNT(*) through `parts` partial tables (morsels of
// `morsel` rows round robin, as threads take them; rows where `keep` is
// false filtered out), merged by FinalizeAll (with `limit`, if any).
Run Group(const std::vector<Col>& keys, int parts, int64_t morsel,
          const qk::GroupByState::RadixLimits& limits, const std::vector<bool>* keep = nullptr,
          qk::GroupByState::OutputLimit* limit = nullptr) {
  std::vector<DataType> kt;
  for (const Col& k : keys) kt.push_back(k->type);
  const int64_t n = keys[0]->length;
  std::vector<qk::GroupByState> states;
  for (int p = 0; p < parts; ++p) {
    states.push_back(qk::GroupByState::Make(kt, {}, {{qk::AggKind::kCountStar, -1}}).value());
    states.back().SetRadixLimits(limits);
    states.back().ExpectRows(n / parts + 1);
  }
  int64_t m = 0;
  for (int64_t start = 0; start < n; start += morsel, ++m) {
    const int64_t len = std::min(morsel, n - start);
    std::vector<ArrayView> ks;
    for (const Col& k : keys) {
      ArrayView v = k->View();
      v.offset += start;
      v.length = len;
      ks.push_back(v);
    }
    qk::Mask mask;
    if (keep != nullptr) {
      mask = qk::Mask::AllFalse(len);
      for (int64_t i = 0; i < len; ++i) {
        if ((*keep)[size_t(start + i)]) mask.is_true[size_t(i >> 6)] |= uint64_t(1) << (i & 63);
      }
    }
    REQUIRE(states[size_t(m % parts)].Consume(ks, {}, keep ? &mask : nullptr, start).ok());
  }
  Run run;
  int64_t bytes = 0;
  auto out = qk::GroupByState::FinalizeAll(&states, Serial, &run.groups, &bytes, limit);
  REQUIRE(out.ok());
  for (int64_t g = 0; g < run.groups; ++g) {
    std::string row;
    for (size_t c = 0; c < out->size(); ++c) row += qk::ValueAt((*out)[c]->View(), g).ToString() + "|";
    run.rows.push_back(row);
  }
  return run;
}

// The reference: groups in the order of their first kept row.
std::vector<std::string> Want(const std::vector<Col>& keys, const std::vector<bool>* keep) {
  std::map<std::string, int64_t> count;
  std::vector<std::string> order;
  for (int64_t r = 0; r < keys[0]->length; ++r) {
    if (keep != nullptr && !(*keep)[size_t(r)]) continue;
    std::string key;
    for (const Col& k : keys) key += qk::ValueAt(k->View(), r).ToString() + "|";
    if (count[key]++ == 0) order.push_back(key);
  }
  std::vector<std::string> rows;
  for (const std::string& k : order) rows.push_back(k + std::to_string(count[k]) + "|");
  return rows;
}

}  // namespace

TEST_CASE("Radix group-by counts every row of every key, in first-row order", "[kernels]") {
  const int64_t n = 60000;
  struct Case {
    std::string name;
    std::vector<Col> keys;
  };
  const std::vector<Case> cases = {
      {"int64 with NULLs", {Keys(TypeId::kInt64, n, 20000, 9, 1)}},
      {"int64 without NULLs (read in place)", {Keys(TypeId::kInt64, n, 20000, 0, 8)}},
      {"uint64 without NULLs", {Keys(TypeId::kUInt64, n, 20000, 0, 9)}},
      {"int32, long tail", {Keys(TypeId::kInt32, n, 1000000, 0, 2)}},
      {"int8", {Keys(TypeId::kInt8, n, 256, 13, 3)}},
      {"uint16 and int32 packed, NULLs in both",
       {Keys(TypeId::kUInt16, n, 5000, 7, 4), Keys(TypeId::kInt32, n, 300, 11, 5)}},
      {"int64 and int64 packed", {Keys(TypeId::kInt64, n, 3000, 0, 6), Keys(TypeId::kInt64, n, 50, 0, 7)}},
  };
  std::vector<bool> keep(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) keep[size_t(i)] = (i * 7) % 10 < 6;
  for (const Case& c : cases) {
    for (int parts : {1, 2, 3}) {
      for (bool filtered : {false, true}) {
        // Lists of 1 entry and of 64 (1 KiB and 64 KiB in all): they fill
        // and fold into partitions many times while consuming, on every
        // row or within batches.
        for (int64_t list_bytes : {int64_t(1) << 10, int64_t(1) << 16, int64_t(1) << 30}) {
          INFO(c.name << ", " << parts << " tables, filtered " << filtered << ", lists of "
                      << list_bytes << " bytes");
          const std::vector<bool>* k = filtered ? &keep : nullptr;
          const std::vector<std::string> want = Want(c.keys, k);
          REQUIRE(want.size() > 100);
          const Run radix = Group(c.keys, parts, 4096, Small(list_bytes), k);
          CHECK(radix.groups == int64_t(want.size()));
          CHECK(radix.rows == want);
          CHECK(Group(c.keys, parts, 4096, kOff, k).rows == want);
        }
      }
    }
  }
}

TEST_CASE("Radix group-by of unique keys: every row a group of one", "[kernels]") {
  const int64_t n = 20000;
  ArrayBuilder b{DataType(TypeId::kInt64)};
  for (int64_t i = 0; i < n; ++i) b.AppendInt((i * 2654435761) % 1000003);
  const std::vector<Col> keys = {b.Finish().value()};
  const Run run = Group(keys, 2, 1000, Small(1 << 12));
  REQUIRE(run.groups == n);
  CHECK(run.rows == Want(keys, nullptr));
}

TEST_CASE("Radix group-by with a top-k on COUNT(*) keeps the k largest, ties by first row",
          "[kernels]") {
  const int64_t n = 50000;
  const std::vector<Col> keys = {Keys(TypeId::kInt32, n, 40000, 17, 8)};
  // The reference: groups by count descending, ties by first row.
  std::vector<std::string> want = Want(keys, nullptr);
  std::vector<std::pair<int64_t, size_t>> by_count;
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string& w = want[i];
    const size_t bar = w.rfind('|', w.size() - 2);
    by_count.emplace_back(-std::stoll(w.substr(bar + 1)), i);
  }
  std::sort(by_count.begin(), by_count.end());
  std::vector<size_t> top;
  for (size_t i = 0; i < 10; ++i) top.push_back(by_count[i].second);
  std::sort(top.begin(), top.end());  // the output keeps first-row order
  std::vector<std::string> expect;
  for (size_t i : top) expect.push_back(want[i]);
  qk::GroupByState::OutputLimit limit;
  limit.columns = {1};
  limit.keys = {qk::SortKey::Desc(0)};
  limit.k = 10;
  const Run run = Group(keys, 2, 4096, Small(1 << 12), nullptr, &limit);
  CHECK(run.groups == 10);
  CHECK(run.rows == expect);
}

TEST_CASE("A radix table merges and finalizes once sealed", "[kernels]") {
  const int64_t n = 30000;
  const std::vector<Col> keys = {Keys(TypeId::kInt64, n, 10000, 5, 9)};
  auto make = [&] {
    auto s = qk::GroupByState::Make({keys[0]->type}, {}, {{qk::AggKind::kCountStar, -1}}).value();
    s.SetRadixLimits(Small(1 << 12));
    s.ExpectRows(n);
    return s;
  };
  qk::GroupByState a = make(), b = make();
  ArrayView first = keys[0]->View(), second = keys[0]->View();
  first.length = n / 2;
  second.offset += n / 2;
  second.length = n - n / 2;
  REQUIRE(a.Consume({first}, {}, nullptr, 0).ok());
  REQUIRE(b.Consume({second}, {}, nullptr, n / 2).ok());
  // Unsealed: refused, nothing lost.
  CHECK(a.Merge(b).code() == quiver::StatusCode::kInvalidArgument);
  CHECK(a.Finalize().status().code() == quiver::StatusCode::kInvalidArgument);
  REQUIRE(a.Seal().ok());
  REQUIRE(b.Seal().ok());
  REQUIRE(a.Merge(b).ok());
  CHECK(a.Seal().ok());  // nothing left to seal
  auto out = a.Finalize();
  REQUIRE(out.ok());
  // Finalize keeps each partition's order: compare as sets of rows.
  std::vector<std::string> got;
  for (int64_t g = 0; g < a.num_groups(); ++g)
    got.push_back(qk::ValueAt((*out)[0]->View(), g).ToString() + "|" +
                  qk::ValueAt((*out)[1]->View(), g).ToString() + "|");
  std::vector<std::string> want = Want(keys, nullptr);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  CHECK(got == want);
}

