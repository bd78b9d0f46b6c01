// kernels/heavy_keys.h: key hashes equal wherever GroupByState puts rows in
// one group, and a count sketch whose bounds never fall below a key's count.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/heavy_keys.h"

using namespace quiver;
using namespace quiver::kernels;

namespace {

std::shared_ptr<ArrayData> Strings(const DataType& t, const std::vector<const char*>& v) {
  ArrayBuilder b{t};
  for (const char* s : v) {
    if (s == nullptr) b.AppendNull(); else b.AppendString(s);
  }
  auto a = b.Finish();
  REQUIRE(a.ok());
  return *a;
}

std::vector<uint64_t> Hashes(const std::vector<std::shared_ptr<ArrayData>>& cols, int64_t n) {
  ColumnViews views(cols);
  std::vector<uint64_t> h(static_cast<size_t>(n));
  KeyHashes(views.views(), nullptr, 0, n, h.data());
  return h;
}

}  // namespace

TEST_CASE("Key hashes are equal for keys one group holds", "[kernels]") {
  const std::vector<const char*> words = {"", "a", nullptr, "héllo", "a", ""};
  const auto plain = Strings(DataType(TypeId::kUtf8), words);
  const auto dict = Strings(DataType::Dictionary(TypeId::kInt32), words);
  ArrayBuilder fb{DataType(TypeId::kFloat64)};
  for (double d : {0.0, -0.0, std::nan(""), -std::numeric_limits<double>::quiet_NaN(), 1.5, 0.0}) {
    fb.AppendDouble(d);
  }
  const auto floats = *fb.Finish();
  // A string column, plain or dictionary-encoded: the same hashes.
  CHECK(Hashes({plain}, 6) == Hashes({dict}, 6));
  const std::vector<uint64_t> f = Hashes({floats}, 6);
  CHECK(f[0] == f[1]);  // -0.0 is 0.0
  CHECK(f[2] == f[3]);  // every NaN is one value
  CHECK(f[0] != f[4]);
  // Two columns: equal pairs hash equal, and the order of the columns counts.
  const std::vector<uint64_t> pairs = Hashes({plain, floats}, 6);
  CHECK(pairs[0] == pairs[5]);  // ("", 0.0) twice
  CHECK(pairs[1] != pairs[4]);  // ("a", -0.0) and ("a", 1.5)
  CHECK(pairs[0] != Hashes({floats, plain}, 6)[0]);
  // NULL is a value of its own.
  CHECK(Hashes({plain}, 6)[2] != Hashes({plain}, 6)[0]);
}

TEST_CASE("A count sketch's bound is at least each key's count, and Admit keeps whole keys",
          "[kernels]") {
  // About 490,000 rows: keys 0..999 Zipf-like (key i has 25000 / (i + 1)
  // rows), then 300,000 keys of one row each.
  std::mt19937_64 rng(3);
  std::vector<int64_t> keys;
  for (int64_t i = 0; i < 301000; ++i) {
    const int64_t n = std::max<int64_t>(1, i < 1000 ? 25000 / (i + 1) : 1);
    for (int64_t j = 0; j < n; ++j) keys.push_back(i * 7919);
  }
  std::shuffle(keys.begin(), keys.end(), rng);
  ArrayBuilder b{DataType(TypeId::kInt64)};
  for (int64_t k : keys) b.AppendInt(k);
  const auto col = *b.Finish();
  const int64_t n = int64_t(keys.size());
  std::map<int64_t, int64_t> count;
  for (int64_t k : keys) ++count[k];

  CountSketch a, both;
  const std::vector<ArrayView> views = {col->View()};
  // Two halves into two sketches, merged: the same as one over all rows.
  Mask first_half = Mask::AllFalse(n), second_half = Mask::AllFalse(n);
  for (int64_t r = 0; r < n; ++r) {
    Mask& m = r < n / 2 ? first_half : second_half;
    m.is_true[size_t(r >> 6)] |= uint64_t(1) << (r & 63);
  }
  a.AddRows(views, n, &first_half);
  CountSketch b2;
  b2.AddRows(views, n, &second_half);
  a.Merge(b2);
  both.AddRows(views, n, nullptr);
  REQUIRE(a.rows() == n);

  const uint64_t t = both.HeavyThreshold(10, n, {/*final=*/true});
  REQUIRE(t > 0);
  CHECK(a.HeavyThreshold(10, n, {true}) == t);
  // The 10 heaviest keys have at least t rows each (the caller's check).
  CHECK(uint64_t(count[9 * 7919]) >= t);
  // Every row of a key with t rows or more is admitted; a key's rows all
  // or none; few rows of the light keys.
  std::vector<uint64_t> h;
  CountSketch c;
  c.AddRows(views, n, nullptr, &h);
  REQUIRE(int64_t(h.size()) == n);
  const Mask kept = both.Admit(views, n, nullptr, t);
  CHECK(both.Admit(views, n, nullptr, t, &h).is_true == kept.is_true);
  // Hashes that are not one per row are not used: the keys are hashed again.
  const std::vector<uint64_t> short_h(h.begin(), h.end() - 1);
  CHECK(both.Admit(views, n, nullptr, t, &short_h).is_true == kept.is_true);
  std::map<int64_t, std::pair<int64_t, int64_t>> per_key;  // kept, not kept
  int64_t kept_rows = 0;
  for (int64_t r = 0; r < n; ++r) {
    auto& p = per_key[keys[size_t(r)]];
    if (kept.IsTrue(r)) {
      ++p.first;
      ++kept_rows;
    } else {
      ++p.second;
    }
  }
  for (const auto& [k, p] : per_key) {
    INFO("key " << k << " count " << count[k]);
    CHECK((p.first == 0 || p.second == 0));
    if (uint64_t(count[k]) >= t) CHECK(p.first == count[k]);
  }
  CHECK(kept_rows < n / 2);
  // With a filter, only its rows can be admitted.
  const Mask within = both.Admit(views, n, &first_half, t);
  for (int64_t r = 0; r < n; ++r) {
    if (within.IsTrue(r)) REQUIRE((r < n / 2 && kept.IsTrue(r)));
  }
}

TEST_CASE("A count sketch of evenly spread keys finds no heavy keys", "[kernels]") {
  ArrayBuilder b{DataType(TypeId::kInt64)};
  constexpr int64_t kRows = 400000;
  for (int64_t i = 0; i < kRows; ++i) b.AppendInt(i % 150000);
  const auto col = *b.Finish();
  CountSketch s;
  s.AddRows({col->View()}, kRows, nullptr);
  CHECK(s.HeavyThreshold(10, kRows, {true}) == 0);
  // Fewer than 1 row in 16 kept by WHERE: no second pass either.
  CHECK(s.HeavyThreshold(10, kRows * 17, {false}) == 0);
}

TEST_CASE("A count sketch of few keys pays only for costly rows", "[kernels]") {
  // 2,000 keys, fewer than CountSketch::kMinKeys: key i has 40000 / (i + 1)
  // rows (about 327,000 rows); the six heaviest hold 30 % of them.
  ArrayBuilder b{DataType(TypeId::kInt64)};
  int64_t rows = 0;
  for (int64_t i = 0; i < 2000; ++i) {
    for (int64_t j = 0; j < std::max<int64_t>(1, 40000 / (i + 1)); ++j, ++rows) b.AppendInt(i);
  }
  const auto col = *b.Finish();
  CountSketch s;
  s.AddRows({col->View()}, rows, nullptr);
  CHECK(s.HeavyThreshold(3, rows, {/*final=*/true, /*costly=*/false}) == 0);
  const uint64_t t = s.HeavyThreshold(3, rows, {/*final=*/true, /*costly=*/true});
  CHECK(t > 0);
  CHECK(t <= 40000 / 3);  // at most the third count: the check after pass 2 holds
  // Ordered by a COUNT(DISTINCT): the lower threshold first, a quarter of
  // the third counter, when it leaves few enough rows.
  CountSketch::Judgement distinct{/*final=*/true, /*costly=*/true, /*divisor=*/4};
  const uint64_t quarter = s.HeavyThreshold(3, rows, distinct);
  CHECK(quarter > 0);
  CHECK(quarter < t);
}
