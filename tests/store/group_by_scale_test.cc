// GROUP BY through the executor on a table of many chunks and many groups:
// the same rows in the same order whatever the thread count, the memory
// limit, and the shared thread pool (concurrent queries do not start threads
// of their own).
#include <dirent.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <thread>

#include "columnar/builder.h"
#include "config/units.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "store/thread_pool.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

constexpr int64_t kRows = 120000;

std::shared_ptr<const Schema> ScaleSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"k", DataType(TypeId::kInt64), true, {}},
      {"s", DataType(TypeId::kUtf8), true, {}},
      {"i", DataType(TypeId::kInt32), false, {}},
      {"f", DataType(TypeId::kFloat64), true, {}},
      {"v", DataType(TypeId::kInt64), false, {}},
  });
}

struct ScaleFixture {
  TempDir dir;
  std::unique_ptr<Store> store;

  ScaleFixture() {
    StoreOptions o;
    o.max_chunk_rows = 10000;  // 12 chunks
    auto s = Store::Create(dir.path() + "/scale.pool", 128ull << 20, o);
    REQUIRE(s.ok());
    store = std::move(s).value();
    RecordBatchBuilder b(ScaleSchema());
    for (int64_t i = 0; i < kRows; ++i) {
      const int64_t x = (i * 7919) % 100003;
      if (i % 101 == 0)
        b.column(0).AppendNull();
      else
        b.column(0).AppendInt(x * x / 89);
      if (i % 89 == 0)
        b.column(1).AppendNull();
      else
        b.column(1).AppendString("s" + std::to_string((i * 31) % 50021));
      b.column(2).AppendInt(i % 3);
      if (i % 13 == 0)
        b.column(3).AppendDouble(std::nan(""));
      else if (i % 17 == 0)
        b.column(3).AppendDouble(-0.0);
      else if (i % 23 == 0)
        b.column(3).AppendNull();
      else
        b.column(3).AppendDouble(double((i * 13) % 40009) / 4);
      b.column(4).AppendInt((i * 37) % 1001 - 500);
    }
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    WriteOptions w;
    w.create_schema = ScaleSchema();
    REQUIRE(store->Write("t", {*batch}, w).ok());
  }

  Result<QueryResult> Run(const std::string& sql, QueryOptions o) {
    auto snap = store->GetSnapshot();
    REQUIRE(snap.ok());
    return ExecuteSql(*snap, sql, o);
  }
};

// Every row of a result as text, in order.
std::vector<std::string> Rows(const QueryResult& r) {
  std::vector<std::string> out;
  for (const RecordBatch& b : r.batches) {
    const ColumnViews views(b);
    for (int64_t i = 0; i < b.num_rows; ++i) {
      std::string row;
      for (size_t c = 0; c < views.size(); ++c)
        row += kernels::ValueAt(views[c], i).ToString() + "|";
      out.push_back(std::move(row));
    }
  }
  return out;
}

int ThreadsOfProcess() {
  int n = 0;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return -1;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

}  // namespace

TEST_CASE("GROUP BY on many groups gives the same rows in the same order on 1, 2 and 4 threads",
          "[store]") {
  ScaleFixture f;
  for (const char* sql : {
           "SELECT k, count(*), sum(v), min(v), max(s) FROM t GROUP BY k",
           "SELECT k, s, count(*) FROM t GROUP BY k, s",
           "SELECT k, i, count(*), avg(v) FROM t GROUP BY k, i",
           "SELECT s, count(*), sum(v) FROM t GROUP BY s",
           "SELECT f, count(*) FROM t GROUP BY f",
           "SELECT k, count(*) AS c FROM t GROUP BY k ORDER BY c DESC LIMIT 20",
       }) {
    INFO(sql);
    QueryOptions one;
    one.threads = 1;
    auto base = f.Run(sql, one);
    REQUIRE(base.ok());
    const std::vector<std::string> want = Rows(*base);
    CHECK(want.size() >= 20);
    for (int threads : {2, 4}) {
      QueryOptions o;
      o.threads = threads;
      auto got = f.Run(sql, o);
      REQUIRE(got.ok());
      CHECK(Rows(*got) == want);
    }
  }
  // Unordered groups come in the order of their first row: row 0 has
  // k NULL (0 % 101), row 1 has k = 7919^2 / 89.
  QueryOptions o;
  o.threads = 4;
  auto r = f.Run("SELECT k, count(*) FROM t GROUP BY k", o);
  REQUIRE(r.ok());
  const auto rows = Rows(*r);
  REQUIRE(rows.size() > 2);
  CHECK(rows[0].rfind("NULL|", 0) == 0);
  CHECK(rows[1].rfind(std::to_string(int64_t(7919) * 7919 / 89) + "|", 0) == 0);
}

TEST_CASE("GROUP BY past the memory limit fails with resource_exhausted naming the limit",
          "[store]") {
  ScaleFixture f;
  QueryOptions o;
  o.memory_limit_bytes = 1 << 20;
  for (int threads : {1, 2}) {
    o.threads = threads;
    auto r = f.Run("SELECT k, s, count(*) FROM t GROUP BY k, s", o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kResourceExhausted);
    CHECK_THAT(r.status().message(),
               Catch::Contains("more than " + FormatBytes(1 << 20) + " (memory_limit)"));
  }
  // Under the limit (and with none) the same query runs.
  o.memory_limit_bytes = int64_t(1) << 30;
  CHECK(f.Run("SELECT k, s, count(*) FROM t GROUP BY k, s", o).ok());
  o.memory_limit_bytes = 0;
  CHECK(f.Run("SELECT k, s, count(*) FROM t GROUP BY k, s", o).ok());
}

TEST_CASE("Concurrent queries share one thread pool instead of starting threads each", "[store]") {
  ScaleFixture f;
  ThreadPool::Shared();  // its threads count in the baseline
  const int base = ThreadsOfProcess();
  REQUIRE(base > 0);
  constexpr int kQueries = 8;
  std::atomic<int> done{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kQueries; ++c) {
    clients.emplace_back([&] {
      QueryOptions o;
      o.threads = 4;
      for (int i = 0; i < 3; ++i) {
        if (!f.Run("SELECT k, count(*) FROM t GROUP BY k", o).ok()) ++failures;
      }
      ++done;
    });
  }
  // Sample the thread count until every client is done: at most the pool and
  // the clients themselves, however many threads each query asked for.
  int most = 0;
  while (done.load() < kQueries) most = std::max(most, ThreadsOfProcess());
  for (auto& t : clients) t.join();
  CHECK(failures.load() == 0);
  CHECK(most <= base + kQueries);
  CHECK(ThreadsOfProcess() == base);
}

TEST_CASE("A cancelled GROUP BY stops with Cancelled on the shared pool", "[store]") {
  ScaleFixture f;
  std::atomic<bool> cancel{true};
  QueryOptions o;
  o.threads = 4;
  o.cancel = &cancel;
  auto r = f.Run("SELECT k, count(*) FROM t GROUP BY k", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kCancelled);
}

TEST_CASE("COUNT(DISTINCT) sets count against the memory limit of a GROUP BY", "[store]") {
  // Three groups, ~50k distinct strings and ~100k distinct numbers: the
  // bytes are in the distinct sets, not in the group table.
  ScaleFixture f;
  QueryOptions o;
  o.memory_limit_bytes = 1 << 20;
  for (const char* q : {"SELECT i, count(DISTINCT s) FROM t GROUP BY i",
                        "SELECT i, count(DISTINCT k) FROM t GROUP BY i"}) {
    INFO(q);
    for (int threads : {1, 2}) {
      o.threads = threads;
      auto r = f.Run(q, o);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kResourceExhausted);
    }
  }
  o.memory_limit_bytes = int64_t(1) << 30;
  CHECK(f.Run("SELECT i, count(DISTINCT s) FROM t GROUP BY i", o).ok());
}

TEST_CASE("COUNT(DISTINCT) and median without GROUP BY count against the memory limit", "[store]") {
  ScaleFixture f;
  QueryOptions o;
  o.memory_limit_bytes = 1 << 20;
  for (const char* q : {"SELECT count(DISTINCT s) FROM t", "SELECT count(DISTINCT k) FROM t",
                        "SELECT median(k) FROM t"}) {
    INFO(q);
    for (int threads : {1, 2}) {
      o.threads = threads;
      auto r = f.Run(q, o);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kResourceExhausted);
      CHECK_THAT(r.status().message(), Catch::Contains("(memory_limit)"));
    }
  }
  o.memory_limit_bytes = int64_t(1) << 30;
  CHECK(f.Run("SELECT count(DISTINCT s), count(DISTINCT k), median(k) FROM t", o).ok());
}

TEST_CASE("ORDER BY over more rows than the memory limit allows fails with resource_exhausted",
          "[store]") {
  ScaleFixture f;
  QueryOptions o;
  o.memory_limit_bytes = 1 << 20;
  auto r = f.Run("SELECT s, v FROM t ORDER BY s", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kResourceExhausted);
  CHECK_THAT(r.status().message(), Catch::Contains("ORDER BY"));
  o.memory_limit_bytes = int64_t(1) << 30;
  CHECK(f.Run("SELECT s, v FROM t ORDER BY s", o).ok());
}

TEST_CASE("GROUP BY with ORDER BY and LIMIT gives the window of the full order, ties included",
          "[store]") {
  // The group-by builds the output only for the groups a top-k keeps; the
  // rows must be those of the whole ordered result, window by window, on
  // every thread count (counts tie a lot here: ties go by first row).
  ScaleFixture f;
  struct Case {
    const char* order;  // ORDER BY ... of `SELECT k, i, count(*) AS c, sum(v) AS sv ...`
    int64_t limit, offset;
  };
  for (const Case& c : {Case{"c DESC", 20, 0}, Case{"c DESC", 7, 13}, Case{"c, k", 5, 0},
                        Case{"sv DESC NULLS LAST, k", 9, 2}, Case{"i, c DESC", 30, 0},
                        Case{"k DESC", 3, 100}, Case{"s", 4, 0}}) {
    const std::string group = std::string(c.order) == "s" ? "k, i, s" : "k, i";
    const std::string base = "SELECT k, i, count(*) AS c, sum(v) AS sv FROM t GROUP BY " + group +
                             " ORDER BY " + c.order;
    INFO(base << " LIMIT " << c.limit << " OFFSET " << c.offset);
    QueryOptions one;
    one.threads = 1;
    auto all = f.Run(base, one);
    REQUIRE(all.ok());
    const std::vector<std::string> rows = Rows(*all);
    REQUIRE(int64_t(rows.size()) > c.offset + c.limit);
    const std::vector<std::string> want(rows.begin() + c.offset,
                                        rows.begin() + c.offset + c.limit);
    for (int threads : {1, 2, 4}) {
      QueryOptions o;
      o.threads = threads;
      auto got = f.Run(base + " LIMIT " + std::to_string(c.limit) + " OFFSET " +
                           std::to_string(c.offset),
                       o);
      REQUIRE(got.ok());
      CHECK(Rows(*got) == want);
    }
  }
  // max_rows cuts a result the same way, and says so.
  QueryOptions o;
  o.max_rows = 6;
  auto cut = f.Run("SELECT k, count(*) AS c FROM t GROUP BY k ORDER BY c DESC, k", o);
  REQUIRE(cut.ok());
  CHECK(cut->truncated);
  CHECK(Rows(*cut).size() == 6);
}

TEST_CASE("GROUP BY with LIMIT and no ORDER BY gives the first groups of the full result, whole",
          "[store]") {
  // Any k groups would be an answer, but each with all of its rows: the
  // plan admits k groups per worker, then aggregates those keys in a second
  // pass. The groups are the first k of the full result (table order of
  // their first row), every count exact, on every thread count. Keys spread
  // over all 12 chunks (i has 3 values in every chunk; k and s recur), k
  // has NULLs (row 0 is its first group), and WHERE makes the first groups
  // start late in the table.
  ScaleFixture f;
  struct Case {
    const char* query;
    int64_t limit, offset;
  };
  for (const Case& c : {
           Case{"SELECT k, count(*), sum(v), min(v), max(s) FROM t GROUP BY k", 10, 0},
           Case{"SELECT i, count(*), sum(v), avg(f) FROM t GROUP BY i", 2, 0},
           Case{"SELECT i, count(*), count(DISTINCT s) FROM t GROUP BY i", 2, 1},
           Case{"SELECT k, s, count(*) FROM t GROUP BY k, s", 25, 5},
           Case{"SELECT s, count(*), count(v) FILTER (WHERE v > 0) FROM t GROUP BY s", 7, 0},
           Case{"SELECT f, count(*) FROM t GROUP BY f", 4, 3},
           Case{"SELECT k, count(*) FROM t WHERE v > 480 AND k > 100000000 GROUP BY k", 6, 0},
           Case{"SELECT s, i, count(*) AS c FROM t WHERE s > 's49' GROUP BY s, i", 3, 0},
           Case{"SELECT i, count(*) FROM t GROUP BY i", 5, 0},  // fewer groups than the limit
           Case{"SELECT k, count(*) FROM t GROUP BY k HAVING count(*) > 1", 5, 0},
           Case{"SELECT k, count(*) + 1 AS c1 FROM t GROUP BY k", 8, 0},
           Case{"SELECT DISTINCT i, s FROM t", 9, 0},
           Case{"SELECT DISTINCT c FROM (SELECT k, count(*) AS c FROM t GROUP BY k)", 3, 0},
           Case{"SELECT k, count(*) FROM t GROUP BY k", 0, 0},
       }) {
    INFO(c.query << " LIMIT " << c.limit << " OFFSET " << c.offset);
    QueryOptions one;
    one.threads = 1;
    auto all = f.Run(c.query, one);
    REQUIRE(all.ok());
    const std::vector<std::string> rows = Rows(*all);
    const size_t begin = std::min(rows.size(), size_t(c.offset));
    const size_t end = std::min(rows.size(), size_t(c.offset + c.limit));
    const std::vector<std::string> want(rows.begin() + begin, rows.begin() + end);
    CHECK(rows.size() > 2);
    for (int threads : {1, 2, 4}) {
      QueryOptions o;
      o.threads = threads;
      auto got = f.Run(std::string(c.query) + " LIMIT " + std::to_string(c.limit) + " OFFSET " +
                           std::to_string(c.offset),
                       o);
      REQUIRE(got.ok());
      CHECK(Rows(*got) == want);
      CHECK(got->stats.rows_scanned <= kRows);
    }
  }
  // EXPLAIN says which groups the group-by keeps.
  auto plan = f.Run("EXPLAIN SELECT k, count(*) FROM t GROUP BY k LIMIT 5 OFFSET 2", {});
  REQUIRE(plan.ok());
  bool noted = false;
  for (const std::string& line : Rows(*plan)) {
    noted = noted || line.find("hash group by 1 key(s), 2 output(s), first 7 groups in table "
                               "order") != std::string::npos;
  }
  CHECK(noted);
  // max_rows alone takes the same path, and says the result was cut.
  QueryOptions o;
  o.threads = 4;
  o.max_rows = 6;
  auto cut = f.Run("SELECT k, s, count(*) FROM t GROUP BY k, s", o);
  REQUIRE(cut.ok());
  CHECK(cut->truncated);
  QueryOptions one;
  one.threads = 1;
  auto all = f.Run("SELECT k, s, count(*) FROM t GROUP BY k, s", one);
  REQUIRE(all.ok());
  const std::vector<std::string> rows = Rows(*all);
  CHECK(Rows(*cut) == std::vector<std::string>(rows.begin(), rows.begin() + 6));
}

TEST_CASE("GROUP BY keys computed from other keys are evaluated per group, with the same results",
          "[store]") {
  // k - 1 given k adds nothing to the grouping: the table groups by k and
  // computes k - 1 once per group. The oracle groups the same expressions
  // materialised by a subquery (plain columns there, so every key is
  // grouped on). NULL k gives NULL keys; f (with -0, NaN and NULL) is a
  // float, where -0 and 0 are one group but not one text: a key computed
  // from it is grouped on.
  ScaleFixture f;
  struct Case {
    const char* keys;  // GROUP BY and select list: "k, k - 1 AS a"
    const char* names; // the same keys by their names in the subquery
    const char* tail;  // after GROUP BY
  };
  for (const Case& c : {
           Case{"k, k - 1 AS a, k * 2 + i AS b, i", "k, a, b, i", ""},
           Case{"k, k - 1 AS a, k - 2 AS b", "k, a, b", " ORDER BY c DESC, k LIMIT 10"},
           Case{"k, k - 1 AS a, k - 2 AS b", "k, a, b", " ORDER BY a DESC LIMIT 5 OFFSET 3"},
           Case{"k, k - 1 AS a", "k, a", " ORDER BY c DESC, a LIMIT 4"},
           Case{"k, k - 1 AS a", "k, a", " LIMIT 6"},
           Case{"k, k - 1 AS a", "k, a", " HAVING a > 10 ORDER BY c DESC, k LIMIT 3"},
           Case{"s, length(s) AS a, upper(s) AS b", "s, a, b", ""},
           Case{"s, i, s || i AS a", "s, i, a", " ORDER BY c DESC, s, i LIMIT 7"},
           Case{"f, CAST(f AS VARCHAR) AS a", "f, a", ""},
           Case{"7 AS a, i", "a, i", ""},
           // A constant key with a top-k (ClickBench's GROUP BY 1, URL):
           // only the groups kept are built.
           Case{"7 AS a, k", "a, k", " ORDER BY c DESC, k LIMIT 5"},
           Case{"'x' AS a, s", "a, s", " ORDER BY c DESC, s LIMIT 3"},
           // Keys that cannot overflow (an int32 column - or * an int64
           // literal, as int64; ClickBench's Q36): evaluated only for the
           // groups the top-k keeps.
           Case{"i, i - 1 AS a, i * 1000000 + 7 AS b", "i, a, b", " ORDER BY c DESC, i LIMIT 3"},
       }) {
    const std::string direct = std::string("SELECT ") + c.keys + ", count(*) AS c, sum(v) AS sv " +
                               "FROM t GROUP BY " + c.names + c.tail;
    const std::string oracle = std::string("SELECT ") + c.names + ", count(*) AS c, sum(v) AS sv " +
                               "FROM (SELECT " + c.keys + ", v FROM t) GROUP BY " + c.names +
                               c.tail;
    INFO(direct);
    QueryOptions one;
    one.threads = 1;
    auto want = f.Run(oracle, one);
    REQUIRE(want.ok());
    CHECK(Rows(*want).size() >= 3);
    for (int threads : {1, 2, 4}) {
      QueryOptions o;
      o.threads = threads;
      auto got = f.Run(direct, o);
      REQUIRE(got.ok());
      CHECK(Rows(*got) == Rows(*want));
    }
  }
  // EXPLAIN says which keys the table groups on.
  auto plan = f.Run("EXPLAIN SELECT k, k - 1, k - 2, count(*) FROM t GROUP BY 1, 2, 3", {});
  REQUIRE(plan.ok());
  bool noted = false;
  for (const std::string& line : Rows(*plan)) {
    noted = noted || line.find("hash group by 1 key(s), 4 output(s), 2 key(s) computed per "
                               "group") != std::string::npos;
  }
  CHECK(noted);
}

TEST_CASE("A GROUP BY key computed per group overflows where a per-row evaluation would",
          "[store]") {
  // k * 10^11 overflows int64 for k > 92233720: evaluated per group, over
  // every group before the top-k keeps ten, it fails as evaluating it per
  // row fails — and not for rows that WHERE leaves out.
  ScaleFixture f;
  for (int threads : {1, 2}) {
    QueryOptions o;
    o.threads = threads;
    for (const char* tail : {"", " ORDER BY c DESC LIMIT 10", " ORDER BY c LIMIT 1", " LIMIT 2000000"}) {
      const std::string sql =
          std::string("SELECT k, k * 100000000000 AS a, count(*) AS c FROM t GROUP BY k, a") + tail;
      INFO(sql);
      auto r = f.Run(sql, o);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kOverflow);
      auto per_row = f.Run("SELECT k * 100000000000 FROM t", o);
      REQUIRE_FALSE(per_row.ok());
      CHECK(per_row.status().code() == r.status().code());
    }
    // An int32 key times 10^11 fits int64 whatever the row: no error. Times
    // 10^10 squared it may not (the range says so), and it does not here.
    auto fits = f.Run("SELECT i, i * 100000000000 AS a, count(*) AS c FROM t GROUP BY i, a "
                      "ORDER BY c DESC LIMIT 1", o);
    REQUIRE(fits.ok());
    CHECK(Rows(*fits).size() == 1);
    auto kept = f.Run(
        "SELECT k, k * 100000000000 AS a, count(*) AS c FROM t WHERE k < 90000000 GROUP BY k, a "
        "ORDER BY c DESC, k LIMIT 3",
        o);
    REQUIRE(kept.ok());
    CHECK(Rows(*kept).size() == 3);
  }
}
