// GROUP BY ... ORDER BY COUNT(*) DESC LIMIT k through the heavy-keys passes
// (kernels/heavy_keys.h, store/op_group_by.cc) against the same query
// counted in one pass: every value, the order of ties, on 1 and 4 threads.
#include <catch2/catch.hpp>
#include <cstdint>
#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "kernels/heavy_keys.h"
#include "sql_test_util.h"
#include "store/exec.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

std::vector<std::string> Run(Store& st, const std::string& sql, int threads, bool heavy,
                             int64_t memory_limit = int64_t(4) << 30) {
  auto snap = st.GetSnapshot();
  REQUIRE(snap.ok());
  QueryOptions o;
  o.threads = threads;
  o.memory_limit_bytes = memory_limit;
  o.heavy_keys_min_rows = heavy ? 0 : std::numeric_limits<int64_t>::max();
  auto r = ExecuteSql(*snap, sql, o);
  INFO(sql);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return quiver::testing::ResultRows(*r);
}

// Both ways, on 1 and 4 threads: the rows must be the same, in order.
void Agree(Store& st, const std::string& sql) {
  const std::vector<std::string> want = Run(st, sql, 1, false);
  INFO(sql);
  REQUIRE_FALSE(want.empty());
  CHECK(Run(st, sql, 1, true) == want);
  CHECK(Run(st, sql, 4, true) == want);
  CHECK(Run(st, sql, 4, false) == want);
}

std::shared_ptr<const Schema> HitsSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"user", DataType(TypeId::kInt64), true, {}},
      {"phrase", DataType(TypeId::kUtf8), true, {}},
      {"engine", DataType(TypeId::kInt16), false, {}},
      {"width", DataType(TypeId::kInt32), false, {}},
      {"score", DataType(TypeId::kFloat64), true, {}},
  });
}

// 200,000 rows: a few heavy users and phrases (counts 6000, 3000, 2000, ...,
// two of them equal, so that ties decide the order) among 150,000 light
// ones; NULL users and phrases, -0.0 and 0.0, in chunks of 4096 rows.
std::unique_ptr<Store> SkewedStore(const std::string& path) {
  StoreOptions so;
  so.max_chunk_rows = 4096;
  RecordBatchBuilder b(HitsSchema());
  constexpr int64_t kRows = 200000;
  for (int64_t i = 0; i < kRows; ++i) {
    // Row i belongs to heavy user h when i % 1000 < its share.
    const int64_t slot = i % 1000;
    int64_t user = 1000000 + i;  // light: one row each
    if (slot < 30) user = 7;          // 6000 rows
    else if (slot < 45) user = 11;    // 3000
    else if (slot < 55) user = -3;    // 2000
    else if (slot < 65) user = 5;     // 2000: ties with -3
    else if (slot < 70) user = 13;    // 1000
    if (slot == 70) b.column(0).AppendNull(); else b.column(0).AppendInt(user);
    const int64_t p = i % 7;
    if (slot == 71) {
      b.column(1).AppendNull();
    } else if (p < 3) {
      b.column(1).AppendString("");
    } else if (p < 5) {
      b.column(1).AppendString(slot < 45 ? "weather" : "news");
    } else {
      b.column(1).AppendString("q" + std::to_string(i % 50000) + (i % 3 ? "é" : ""));
    }
    b.column(2).AppendInt(int64_t(i % 5));
    b.column(3).AppendInt(int64_t(1000 + i % 900));
    if (i % 97 == 0) b.column(4).AppendNull(); else b.column(4).AppendDouble(i % 2 ? -0.0 : 0.0);
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  return quiver::testing::StoreWithTable(path, "hits", HitsSchema(), {*batch}, so);
}

}  // namespace

TEST_CASE("Heavy keys first gives the one-pass answer of ORDER BY COUNT(*) DESC LIMIT k",
          "[store]") {
  TempDir dir;
  auto st = SkewedStore(dir.path() + "/heavy.pool");
  for (const char* sql : {
           "SELECT user, COUNT(*) FROM hits GROUP BY user ORDER BY COUNT(*) DESC LIMIT 10",
           // Ties at the boundary: -3 and 5 both have 2000 rows.
           "SELECT user, COUNT(*) AS c FROM hits GROUP BY user ORDER BY c DESC LIMIT 3",
           "SELECT user, COUNT(*) AS c FROM hits GROUP BY user ORDER BY c DESC, user LIMIT 4",
           "SELECT user, COUNT(*) AS c FROM hits GROUP BY user ORDER BY c DESC LIMIT 2 OFFSET 2",
           "SELECT user, phrase, COUNT(*) AS c FROM hits GROUP BY user, phrase ORDER BY c DESC "
           "LIMIT 10",
           "SELECT phrase, COUNT(*) AS c FROM hits WHERE phrase <> '' GROUP BY phrase "
           "ORDER BY c DESC LIMIT 5",
           "SELECT engine, phrase, COUNT(*) AS c, SUM(width), AVG(width), MIN(phrase), "
           "COUNT(DISTINCT width) FROM hits WHERE phrase <> '' GROUP BY engine, phrase "
           "ORDER BY c DESC LIMIT 10",
           "SELECT user, width % 3 AS m, COUNT(*) FROM hits GROUP BY user, m "
           "ORDER BY COUNT(*) DESC LIMIT 10",
           "SELECT 1, user, COUNT(*) AS c FROM hits GROUP BY 1, user ORDER BY c DESC LIMIT 5",
           // COUNT(x) skips NULLs: at most the rows of the group, as the sketch's bound.
           "SELECT user, COUNT(score) AS c FROM hits GROUP BY user ORDER BY c DESC LIMIT 5",
           // COUNT(DISTINCT) per group: a second pass pays over more rows.
           "SELECT user, COUNT(*) AS c, COUNT(DISTINCT phrase) AS u FROM hits GROUP BY user "
           "ORDER BY c DESC LIMIT 3",
           "SELECT engine, COUNT(*) AS c, COUNT(DISTINCT user) FROM hits GROUP BY engine "
           "ORDER BY c DESC LIMIT 2",
           // Ordered by COUNT(DISTINCT): at most the rows, so the bound holds.
           "SELECT user, COUNT(DISTINCT phrase) AS u FROM hits GROUP BY user ORDER BY u DESC "
           "LIMIT 3",
           "SELECT phrase, COUNT(DISTINCT user) AS u, COUNT(*) FROM hits WHERE phrase <> '' "
           "GROUP BY phrase ORDER BY u DESC LIMIT 5",
           // -0.0 and 0.0 are one group.
           "SELECT score, COUNT(*) AS c FROM hits GROUP BY score ORDER BY c DESC LIMIT 3",
       }) {
    Agree(*st, sql);
  }
  // EXPLAIN says so; without enough rows, the one pass runs.
  auto snap = st->GetSnapshot();
  REQUIRE(snap.ok());
  for (const bool heavy : {true, false}) {
    QueryOptions o;
    o.heavy_keys_min_rows = heavy ? 200000 : 200001;
    auto r = ExecuteSql(*snap,
                        "EXPLAIN SELECT user, COUNT(*) AS c FROM hits GROUP BY user "
                        "ORDER BY c DESC LIMIT 5",
                        o);
    REQUIRE(r.ok());
    std::string plan;
    for (const std::string& line : quiver::testing::ResultRows(*r)) plan += line + "\n";
    INFO(plan);
    CHECK((plan.find("heavy keys first") != std::string::npos) == heavy);
  }
  // Under a small memory limit pass 1's key hashes (8 bytes a row, 1.6 MB)
  // are not kept but computed again: the same answer.
  const std::string phrases =
      "SELECT phrase, COUNT(*) AS c FROM hits WHERE phrase <> '' GROUP BY phrase "
      "ORDER BY c DESC LIMIT 5";
  CHECK(Run(*st, phrases, 2, true, int64_t(12) << 20) == Run(*st, phrases, 2, false));
  // The values themselves, for the first query.
  const std::vector<std::string> top = Run(
      *st, "SELECT user, COUNT(*) AS c FROM hits GROUP BY user ORDER BY c DESC LIMIT 5", 4, true);
  CHECK(top == std::vector<std::string>{"7|6000", "11|3000", "-3|2000", "5|2000", "13|1000"});
}

TEST_CASE("Heavy keys first steps aside when no keys stand out, and when WHERE keeps few rows",
          "[store]") {
  TempDir dir;
  auto st = SkewedStore(dir.path() + "/flat.pool");
  for (const char* sql : {
           // Every key once or twice: the sketch finds no heavy keys.
           "SELECT width, user, COUNT(*) AS c FROM hits GROUP BY width, user ORDER BY c DESC "
           "LIMIT 10",
           // WHERE keeps under 1 row in 16.
           "SELECT user, COUNT(*) AS c FROM hits WHERE width < 1010 GROUP BY user "
           "ORDER BY c DESC LIMIT 5",
           // Few keys: the counters that reach the threshold hold most rows.
           "SELECT engine, COUNT(*) AS c FROM hits GROUP BY engine ORDER BY c DESC LIMIT 2",
       }) {
    Agree(*st, sql);
  }
}

TEST_CASE("Heavy keys first counts every key when fewer than k keys reach its threshold",
          "[store]") {
  // Light keys chosen to share one counter in each row of the sketch (by
  // their hashes) make both rows' second largest counter large, so the
  // threshold for k = 2 is above every key but the heaviest: the check
  // after pass 2 finds one group, and the query counts every key.
  constexpr int64_t kCandidates = int64_t(1) << 23;
  std::vector<int64_t> values(static_cast<size_t>(kCandidates));
  for (int64_t i = 0; i < kCandidates; ++i) values[size_t(i)] = 100 + i;
  ArrayBuilder vb{DataType(TypeId::kInt64)};
  for (int64_t v : values) vb.AppendInt(v);
  auto arr = vb.Finish();
  REQUIRE(arr.ok());
  std::vector<uint64_t> h(values.size());
  kernels::KeyHashes({(*arr)->View()}, nullptr, 0, kCandidates, h.data());
  constexpr uint64_t kMask = kernels::CountSketch::kWidth - 1;
  // The counters s0 and s1 share: value 101's, not the heavy key's (100).
  const uint64_t row0 = h[1] & kMask, row1 = (h[1] >> 32) & kMask;
  std::vector<int64_t> s0, s1;
  for (size_t i = 2; i < h.size() && (s0.size() < 100 || s1.size() < 100); ++i) {
    if ((h[i] & kMask) == row0 && s0.size() < 100) s0.push_back(values[i]);
    else if (((h[i] >> 32) & kMask) == row1 && s1.size() < 100) s1.push_back(values[i]);
  }
  REQUIRE(s0.size() == 100);
  REQUIRE(s1.size() == 100);

  // Key 100: 10,000 rows. Each of s0 and s1: 50 rows (5,000 per counter).
  // Key 2: 40 rows. 200,000 other keys, one row each; the heavy rows
  // shuffled and spread among them, so that a prefix of the table looks
  // like the whole.
  std::vector<int64_t> heavy;
  for (int i = 0; i < 10000; ++i) heavy.push_back(values[0]);
  for (int64_t v : s0) for (int i = 0; i < 50; ++i) heavy.push_back(v);
  for (int64_t v : s1) for (int i = 0; i < 50; ++i) heavy.push_back(v);
  for (int i = 0; i < 40; ++i) heavy.push_back(2);
  std::mt19937_64 rng(42);
  std::shuffle(heavy.begin(), heavy.end(), rng);
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"key", DataType(TypeId::kInt64), false, {}}});
  RecordBatchBuilder b(schema);
  int64_t light = int64_t(1) << 40;
  size_t next = 0;
  for (int64_t i = 0; i < 200000; ++i) {
    b.column(0).AppendInt(light++);
    if (i % 10 == 0 && next < heavy.size()) b.column(0).AppendInt(heavy[next++]);
  }
  while (next < heavy.size()) b.column(0).AppendInt(heavy[next++]);
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  TempDir dir;
  StoreOptions so;
  so.max_chunk_rows = 8192;
  auto st = quiver::testing::StoreWithTable(dir.path() + "/collide.pool", "t", schema, {*batch}, so);
  const std::string sql = "SELECT key, COUNT(*) AS c FROM t GROUP BY key ORDER BY c DESC LIMIT 2";
  Agree(*st, sql);
  const std::vector<std::string> top = Run(*st, sql, 1, true);
  REQUIRE(top.size() == 2);
  CHECK(top[0] == "100|10000");
  CHECK(top[1].substr(top[1].find('|')) == "|50");
}
