// ORDER BY ... LIMIT (top-k) against the full sort of the same query: the
// running bound that lets later chunks skip rows ordered after the k-th
// (TopKBound), and the late top-k that reads the other output columns of the
// chosen rows alone (RunTopKLate), must give the full sort's first rows,
// ties in table order, NULLs where the ORDER BY puts them.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "columnar/builder.h"
#include "sql_test_util.h"
#include "store/exec.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

constexpr int64_t kRows = 3000;
constexpr int64_t kChunkRows = 100;

std::shared_ptr<const Schema> TopKSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"k", DataType(TypeId::kInt32), true, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMicro), true, {}},
      {"url", DataType(TypeId::kUtf8), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt16), true, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
  });
}

// Row i: k in [0, 400) scattered, so every chunk holds early and late keys
// and many ties (NULL when i % 13 == 0); ts scattered over a day (NULL
// when i % 17 == 0); url 'http://site<i % 37>/p<i>' (its 'site3' rows
// match '%site3%'; NULL when i % 19 == 0); city 'c<i % 5>'; fare i / 4.
RecordBatch MakeRows() {
  RecordBatchBuilder b(TopKSchema());
  for (int64_t i = 0; i < kRows; ++i) {
    b.column(0).AppendInt(i);
    if (i % 13 == 0) b.column(1).AppendNull();
    else b.column(1).AppendInt((i * 7919) % 400);
    if (i % 17 == 0) b.column(2).AppendNull();
    else b.column(2).AppendInt(1372636800000000 + ((i * 104729) % 86400) * 1000000);
    if (i % 19 == 0) b.column(3).AppendNull();
    else b.column(3).AppendString("http://site" + std::to_string(i % 37) + "/p" + std::to_string(i));
    b.column(4).AppendString("c" + std::to_string(i % 5));
    b.column(5).AppendDouble(double(i) / 4);
  }
  auto r = b.Finish();
  REQUIRE(r.ok());
  return std::move(r).value();
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;

  Fixture() {
    StoreOptions o;
    o.max_chunk_rows = kChunkRows;
    store = quiver::testing::StoreWithTable(dir.path() + "/topk.pool", "t", TopKSchema(),
                                            {MakeRows()}, o);
  }

  std::vector<std::string> Rows(const std::string& sql, int threads) {
    return quiver::testing::ResultRows(quiver::testing::RunSql(*store, sql, threads));
  }
};

}  // namespace

TEST_CASE("A top-k gives the full sort's first rows, ties in table order, on any threads") {
  Fixture f;
  const std::vector<std::string> selects = {
      "SELECT *", "SELECT id", "SELECT id, url", "SELECT city, fare, ts"};
  const std::vector<std::string> wheres = {
      "", " WHERE url LIKE '%site3%'", " WHERE fare > 100 AND city <> 'c2'", " WHERE id < 0"};
  const std::vector<std::string> orders = {
      " ORDER BY k", " ORDER BY k DESC", " ORDER BY k NULLS FIRST", " ORDER BY k DESC NULLS LAST",
      " ORDER BY ts", " ORDER BY ts DESC, id", " ORDER BY k, ts DESC", " ORDER BY k + 1",
      " ORDER BY url, k"};
  const std::vector<std::pair<int64_t, int64_t>> windows = {{1, 0}, {10, 0}, {7, 45}, {150, 3}};
  int checked = 0;
  for (const auto& sel : selects) {
    for (const auto& where : wheres) {
      for (const auto& order : orders) {
        const std::string base = sel + " FROM t" + where + order;
        const std::vector<std::string> all = f.Rows(base, 1);
        for (const auto& [limit, offset] : windows) {
          const std::string sql =
              base + " LIMIT " + std::to_string(limit) + " OFFSET " + std::to_string(offset);
          const size_t from = std::min(all.size(), size_t(offset));
          const size_t to = std::min(all.size(), size_t(offset + limit));
          const std::vector<std::string> want(all.begin() + from, all.begin() + to);
          for (int threads : {1, 2, 3}) {
            INFO(sql << " on " << threads << " threads");
            CHECK(f.Rows(sql, threads) == want);
            ++checked;
          }
        }
      }
    }
  }
  CHECK(checked == 4 * 4 * 9 * 4 * 3);
}

TEST_CASE("A late top-k reads the chosen rows' other columns from their chunks") {
  Fixture f;
  // The ten earliest timestamps among site3's URLs, by hand: rows i with
  // i % 37 == 3, i % 19 != 0 and i % 17 != 0, ordered by ts then table order.
  std::vector<std::pair<int64_t, int64_t>> hits;  // (ts, id)
  for (int64_t i = 0; i < kRows; ++i) {
    if (i % 37 != 3 || i % 19 == 0 || i % 17 == 0) continue;
    hits.push_back({(i * 104729) % 86400, i});
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  REQUIRE(hits.size() > 10);
  std::vector<std::string> want;
  for (size_t j = 2; j < 12; ++j) {
    const int64_t i = hits[j].second;
    want.push_back(std::to_string(i) + "|'http://site3/p" + std::to_string(i) + "'|'c" +
                   std::to_string(i % 5) + "'");
  }
  for (int threads : {1, 2}) {
    CHECK(f.Rows("SELECT id, url, city FROM t WHERE url LIKE '%site3/%' ORDER BY ts LIMIT 10 OFFSET 2",
                 threads) == want);
  }
}
