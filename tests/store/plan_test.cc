// The general planner (store/plan_internal.h) through ExecuteSql: computed
// columns, the two aggregate stages, DISTINCT, subqueries, WITH, UNION ALL,
// SELECT without FROM, EXPLAIN, and the errors each names. Every expected
// value is computed here from the rows the fixture writes, not copied from
// a run.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "columnar/builder.h"
#include "kernels/kernels.h"
#include "store/exec.h"
#include "sql_test_util.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

constexpr int64_t kRows = 600;

// id 0..599; k = id % 6 (NULL when id % 25 == 0); x = id * 3 % 101 - 50;
// s = "w" + (id % 4), NULL when id % 9 == 0.
std::optional<int64_t> K(int64_t i) { return i % 25 == 0 ? std::nullopt : std::optional(i % 6); }
int64_t X(int64_t i) { return i * 3 % 101 - 50; }
std::optional<std::string> S(int64_t i) {
  return i % 9 == 0 ? std::nullopt : std::optional("w" + std::to_string(i % 4));
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;

  Fixture() {
    StoreOptions o;
    o.max_chunk_rows = 64;
    auto schema = std::make_shared<Schema>(std::vector<Field>{
        {"id", DataType(TypeId::kInt64), false, {}},
        {"k", DataType(TypeId::kInt32), true, {}},
        {"x", DataType(TypeId::kInt64), false, {}},
        {"s", DataType::Dictionary(TypeId::kInt8), true, {}},
    });
    RecordBatchBuilder b(schema);
    for (int64_t i = 0; i < kRows; ++i) {
      b.column(0).AppendInt(i);
      if (auto k = K(i)) b.column(1).AppendInt(*k); else b.column(1).AppendNull();
      b.column(2).AppendInt(X(i));
      if (auto v = S(i)) b.column(3).AppendString(*v); else b.column(3).AppendNull();
    }
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    store = quiver::testing::StoreWithTable(dir.path() + "/plan.pool", "t", schema, {*batch}, o);
  }

  QueryResult Run(const std::string& sql, int threads = 0) { return quiver::testing::RunSql(*store, sql, threads); }
  // EXPLAIN's lines, as ResultRows prints them (quoted, inner quotes doubled).
  std::string Explain(const std::string& sql) {
    std::string all;
    for (const auto& x : quiver::testing::ResultRows(Run("EXPLAIN " + sql))) all += x + "\n";
    return all;
  }
  Status Fail(const std::string& sql) { return quiver::testing::SqlError(*store, sql); }
};

std::vector<std::string> Rows(const QueryResult& r) { return quiver::testing::ResultRows(r); }

}  // namespace

TEST_CASE("Expressions in the select list, WHERE and ORDER BY are computed per chunk", "[store]") {
  Fixture f;
  QueryResult r = f.Run("SELECT id, x * 2 + id AS v FROM t WHERE x - id > -60 ORDER BY x * 2 + id DESC, id LIMIT 5");
  std::vector<std::pair<int64_t, int64_t>> want;
  for (int64_t i = 0; i < kRows; ++i) {
    if (X(i) - i > -60) want.push_back({-(X(i) * 2 + i), i});
  }
  std::sort(want.begin(), want.end());
  std::vector<std::string> rows;
  for (size_t i = 0; i < 5 && i < want.size(); ++i) {
    rows.push_back(std::to_string(want[i].second) + "|" + std::to_string(-want[i].first));
  }
  CHECK(Rows(r) == rows);
  REQUIRE(r.schema->num_fields() == 2);
  CHECK(r.schema->field(1).name == "v");
}

TEST_CASE("HAVING, expressions over aggregates and group keys that are expressions", "[store]") {
  Fixture f;
  // Groups of k % 3 (NULL k is its own group), sum(x) / count(*) per group.
  std::map<std::optional<int64_t>, std::pair<int64_t, int64_t>> g;  // key -> (sum x, count)
  for (int64_t i = 0; i < kRows; ++i) {
    std::optional<int64_t> key = K(i) ? std::optional(*K(i) % 3) : std::nullopt;
    g[key].first += X(i);
    g[key].second++;
  }
  QueryResult r = f.Run(
      "SELECT k % 3 AS m, sum(x) * 1.0 / count(*) AS avgx, count(*) FROM t GROUP BY 1 "
      "HAVING count(*) > 100 ORDER BY m NULLS FIRST");
  std::vector<std::string> want;
  for (const auto& [key, v] : g) {
    if (v.second <= 100) continue;
    want.push_back((key ? std::to_string(*key) : std::string("NULL")) + "|" +
                   kernels::Scalar::Double(double(v.first) * 1.0 / double(v.second)).ToString() +
                   "|" + std::to_string(v.second));
  }
  CHECK(Rows(r) == want);
  // The same with 1 and 4 threads.
  CHECK(Rows(f.Run("SELECT k % 3 AS m, sum(x) * 1.0 / count(*) AS avgx, count(*) FROM t "
                   "GROUP BY 1 HAVING count(*) > 100 ORDER BY m NULLS FIRST",
                   1)) == want);
  CHECK(Rows(f.Run("SELECT k % 3 AS m, sum(x) * 1.0 / count(*) AS avgx, count(*) FROM t "
                   "GROUP BY 1 HAVING count(*) > 100 ORDER BY m NULLS FIRST",
                   4)) == want);
}

TEST_CASE("DISTINCT, subqueries in FROM, WITH, UNION ALL and IN (SELECT)", "[store]") {
  Fixture f;
  std::set<std::string> distinct;
  for (int64_t i = 0; i < kRows; ++i) distinct.insert(S(i) ? "'" + *S(i) + "'" : "NULL");
  std::vector<std::string> want(distinct.begin(), distinct.end());
  // NULL sorts last ascending; 'w0' < 'w1' < ...
  std::sort(want.begin(), want.end(), [](const std::string& a, const std::string& b) {
    if (a == "NULL" || b == "NULL") return b == "NULL" && a != "NULL";
    return a < b;
  });
  CHECK(Rows(f.Run("SELECT DISTINCT s FROM t ORDER BY s")) == want);

  int64_t big = 0, n_big = 0;
  for (int64_t i = 0; i < kRows; ++i) n_big += X(i) > 40;
  for (int64_t i = 0; i < kRows; ++i) big += X(i) > 40 ? X(i) : 0;
  CHECK(Rows(f.Run("SELECT count(*), sum(v) FROM (SELECT x AS v FROM t WHERE x > 40) AS q")) ==
        std::vector<std::string>{std::to_string(n_big) + "|" + std::to_string(big)});
  CHECK(Rows(f.Run("WITH a AS (SELECT x FROM t WHERE x > 40), b AS (SELECT count(*) AS n "
                   "FROM a) SELECT n * 2 FROM b")) ==
        std::vector<std::string>{std::to_string(n_big * 2)});
  CHECK(f.Run("SELECT id FROM t WHERE id < 3 UNION ALL SELECT k FROM t WHERE id < 2 "
              "ORDER BY 1").num_rows == 5);
  int64_t in_count = 0;
  for (int64_t i = 0; i < kRows; ++i) in_count += X(i) == 50 || X(i) == 49;
  CHECK(Rows(f.Run("SELECT count(*) FROM t WHERE x IN (SELECT max(x) FROM t UNION ALL SELECT "
                   "max(x) - 1 FROM t)")) == std::vector<std::string>{std::to_string(in_count)});
  CHECK(Rows(f.Run("SELECT id FROM t WHERE x = (SELECT min(x) FROM t) ORDER BY id LIMIT 1"))
            .size() == 1);
  CHECK(Rows(f.Run("SELECT 1 + 2 AS three, 'a' || 'b' AS ab")) ==
        std::vector<std::string>{"3|'ab'"});
}

TEST_CASE("EXPLAIN shows the plan without running it; EXPLAIN ANALYZE runs it", "[store]") {
  Fixture f;
  QueryResult plan = f.Run("EXPLAIN SELECT k, count(*) FROM t WHERE id >= 590 GROUP BY k");
  const std::vector<std::string> lines = Rows(plan);
  REQUIRE(!lines.empty());
  REQUIRE(plan.schema->field(0).name == "plan");
  // 600 rows in chunks of 64: 10 chunks, the first nine hold ids below 576.
  CHECK(lines[0].find("scan table t: 10 chunks, 9 pruned by statistics; columns read: id k") !=
        std::string::npos);
  bool group = false, analyze = false;
  for (const auto& l : lines) group = group || l.find("hash group by 1 key") != std::string::npos;
  CHECK(group);
  for (const auto& l : Rows(f.Run("EXPLAIN ANALYZE SELECT k, count(*) FROM t GROUP BY k"))) {
    analyze = analyze || l.find("rows returned, 600 rows scanned in 10 chunks") != std::string::npos;
  }
  CHECK(analyze);
  // Aggregates answered without reading a chunk say how, and read no column.
  const std::string minmax = f.Explain("SELECT min(id), max(id), count(*) FROM t");
  CHECK(minmax.find("columns read: none;") != std::string::npos);
  CHECK(minmax.find("aggregate (one row): MIN/MAX from chunk statistics") != std::string::npos);
  const std::string count = f.Explain("SELECT count(*) FROM t");
  CHECK(count.find("columns read: none;") != std::string::npos);
  CHECK(count.find("aggregate (one row): COUNT(*) from the catalog") != std::string::npos);
  const std::string scan = f.Explain("SELECT min(id) FROM t WHERE x > 3");
  CHECK(scan.find("columns read: id x;") != std::string::npos);
  CHECK(scan.find("from chunk statistics") == std::string::npos);
}

TEST_CASE("The planner's errors name what is wrong", "[store]") {
  Fixture f;
  CHECK(f.Fail("SELECT lowr(s) FROM t").message() == "unknown function 'lowr'");
  CHECK(f.Fail("SELECT round(s) FROM t").code() == StatusCode::kTypeError);
  CHECK(f.Fail("SELECT id FROM t WHERE count(*) > 1").message() ==
        "aggregates are not allowed in WHERE (use HAVING)");
  CHECK(f.Fail("SELECT x + 1, count(*) FROM t GROUP BY k").message() ==
        "column \"x\" must appear in GROUP BY or be used in an aggregate function");
  CHECK(f.Fail("SELECT id FROM t WHERE x = (SELECT x FROM t)").message().find(
            "a scalar subquery returned more than one row") == 0);
  CHECK(f.Fail("SELECT id FROM t UNION ALL SELECT id, x FROM t").message() ==
        "UNION ALL branch 2 has 2 columns; the first has 1");
  CHECK(f.Fail("SELECT nope + 1 FROM t").message().find("unknown column \"nope\"; table \"t\" "
                                                        "has columns: id, k, x, s") == 0);
  CHECK(f.Fail("SELECT 9223372036854775807 + id FROM t").code() == StatusCode::kOverflow);
}

TEST_CASE("SUM(x + c) over small integers is SUM(x) + c * COUNT(x), NULLs and all", "[store]") {
  Fixture f;
  // k is int32 with NULLs; as smallint, k + c fits int32 for every smallint,
  // so the planner may share one sum and one count between the three sums.
  // Group id % 25 == 0 holds only NULL k: its sums are NULL.
  std::map<int64_t, std::pair<int64_t, int64_t>> g;  // id % 25 -> (sum k, count k)
  for (int64_t i = 0; i < kRows; ++i) {
    auto& v = g[i % 25];
    if (auto k = K(i)) {
      v.first += *k;
      v.second++;
    }
  }
  const std::string sql =
      "SELECT id % 25 AS m, sum(k::smallint + 1), sum(k::smallint - 7), sum(3 + k::smallint), "
      "sum(x + 1) FROM t GROUP BY 1 ORDER BY m";
  std::map<int64_t, int64_t> sum_x1;
  for (int64_t i = 0; i < kRows; ++i) sum_x1[i % 25] += X(i) + 1;
  std::vector<std::string> want;
  for (const auto& [m, v] : g) {
    auto sum = [&, v = v](int64_t c) {
      return v.second == 0 ? std::string("NULL") : std::to_string(v.first + c * v.second);
    };
    want.push_back(std::to_string(m) + "|" + sum(1) + "|" + sum(-7) + "|" + sum(3) + "|" +
                   std::to_string(sum_x1[m]));
  }
  CHECK(Rows(f.Run(sql)) == want);
  CHECK(Rows(f.Run(sql, 1)) == want);
  // The three small-integer sums share their aggregates; sum(x + 1) of an
  // int64 x could overflow row by row, so it keeps its computed column.
  // Stage A computes id % 25, k::smallint and x + 1 only (five without the
  // rewrite), and groups into the key plus sum(x + 1), sum(k), count(k).
  const std::vector<std::string> plan = Rows(f.Run("EXPLAIN " + sql));
  REQUIRE(plan.size() >= 3);
  CHECK(plan[1] == "'  compute: #0:int64 #1:int16 #2:int64'");
  CHECK(plan[2] == "'  hash group by 1 key(s), 4 output(s)'");
}

TEST_CASE("CASE computes a branch only for the rows that reach it", "[store]") {
  Fixture f;
  constexpr int64_t kBig = 9223372036854775800;  // kBig - x overflows for x < -7
  // THEN: rows with x < -7 would overflow in the branch they do not take.
  std::vector<std::string> want;
  for (int64_t i = 0; i < kRows; ++i) {
    want.push_back(std::to_string(i) + "|" + std::to_string(X(i) >= 0 ? kBig - X(i) : X(i)));
  }
  const char* then_sql = "SELECT id, CASE WHEN x >= 0 THEN 9223372036854775800 - x ELSE x END FROM t ORDER BY id";
  CHECK(Rows(f.Run(then_sql)) == want);
  CHECK(Rows(f.Run(then_sql, 1)) == want);
  // WHEN: the second condition is computed only on the rows the first did
  // not take; ELSE only on the rows no WHEN took.
  std::vector<std::string> when_want;
  for (int64_t i = 0; i < kRows; ++i) {
    const int64_t x = X(i);
    when_want.push_back(std::to_string(x < -7 ? 0 : kBig - x > kBig - 20 ? 1 : 2));
  }
  CHECK(Rows(f.Run("SELECT CASE WHEN x < -7 THEN 0 WHEN 9223372036854775800 - x > 9223372036854775780 "
                   "THEN 1 ELSE 2 END FROM t ORDER BY id")) == when_want);
  // Grouped and inside an aggregate.
  std::map<std::optional<int64_t>, int64_t> mx;
  for (int64_t i = 0; i < kRows; ++i) {
    const int64_t v = X(i) >= 0 ? kBig - X(i) : X(i);
    auto [it, fresh] = mx.try_emplace(K(i), v);
    if (!fresh) it->second = std::max(it->second, v);
  }
  std::vector<std::string> agg_want;
  for (const auto& [k, v] : mx) {
    if (k) agg_want.push_back(std::to_string(*k) + "|" + std::to_string(v));
  }
  agg_want.push_back("NULL|" + std::to_string(mx[std::nullopt]));  // NULLS LAST
  CHECK(Rows(f.Run("SELECT k, max(CASE WHEN x >= 0 THEN 9223372036854775800 - x ELSE x END) FROM t "
                   "GROUP BY k ORDER BY k NULLS LAST")) == agg_want);
  // A row that takes the failing branch still fails, naming its values.
  Status st = f.Fail("SELECT CASE WHEN x < 0 THEN 9223372036854775800 - x ELSE 0 END FROM t");
  CHECK(st.code() == StatusCode::kOverflow);
  CHECK(st.message().find("9223372036854775800 - -") != std::string::npos);
}

TEST_CASE("SELECT * returns the table's columns, not those an ORDER BY or WHERE computes", "[store]") {
  Fixture f;
  for (const char* q : {"SELECT * FROM t ORDER BY x * 2 + id, id LIMIT 3", "SELECT * FROM t WHERE x + id > 10 LIMIT 3"}) {
    INFO(q);
    QueryResult r = f.Run(q);
    REQUIRE(r.schema->num_fields() == 4);
    CHECK(r.schema->field(3).name == "s");
  }
}

TEST_CASE("An expression is computed only on the rows the WHERE keeps", "[store]") {
  Fixture f;
  constexpr int64_t kBig = 9223372036854775800;  // kBig - x overflows for x < -7
  for (int threads : {1, 4}) {
    // A WHERE keeping few rows (each computed alone) and one keeping most
    // (the whole morsel first; its overflow sends it to the kept rows).
    for (int64_t lo : {int64_t(40), int64_t(-7)}) {
      INFO("threads " << threads << ", x >= " << lo);
      const std::string where = " WHERE x >= " + std::to_string(lo);
      std::vector<std::string> rows, sorted;
      std::map<std::optional<int64_t>, int64_t> mx;
      for (int64_t i = 0; i < kRows; ++i) {
        if (X(i) < lo) continue;
        rows.push_back(std::to_string(i) + "|" + std::to_string(kBig - X(i)));
        auto [it, fresh] = mx.try_emplace(K(i), kBig - X(i));
        if (!fresh) it->second = std::max(it->second, kBig - X(i));
      }
      CHECK(Rows(f.Run("SELECT id, 9223372036854775800 - x FROM t" + where, threads)) == rows);
      std::vector<std::string> by_value = rows;
      std::sort(by_value.begin(), by_value.end(), [](const std::string& a, const std::string& b) {
        const int64_t va = std::stoll(a.substr(a.find('|') + 1)), vb = std::stoll(b.substr(b.find('|') + 1));
        return va != vb ? va < vb : std::stoll(a) < std::stoll(b);
      });
      by_value.resize(std::min<size_t>(by_value.size(), 5));
      CHECK(Rows(f.Run("SELECT id, 9223372036854775800 - x AS v FROM t" + where + " ORDER BY v, id LIMIT 5",
                       threads)) == by_value);
      std::vector<std::string> groups;
      for (const auto& [k, v] : mx) {
        if (k) groups.push_back(std::to_string(*k) + "|" + std::to_string(v));
      }
      if (mx.count(std::nullopt)) groups.push_back("NULL|" + std::to_string(mx[std::nullopt]));
      CHECK(Rows(f.Run("SELECT k, max(9223372036854775800 - x) FROM t" + where +
                       " GROUP BY k ORDER BY k NULLS LAST", threads)) == groups);
    }
    // Strings and dictionaries spread back over a morsel: every 7th row.
    std::vector<std::string> want;
    for (int64_t i = 0; i < kRows; i += 7) {
      const auto s = S(i);
      want.push_back(std::to_string(i) + "|" + (s ? "'" + *s + "!'" : "NULL") + "|" + (s ? "'" + *s + "'" : "NULL"));
    }
    CHECK(Rows(f.Run("SELECT id, s || '!', lower(s) FROM t WHERE id % 7 = 0", threads)) == want);
  }
  // A kept row still raises the error.
  CHECK(f.Fail("SELECT 9223372036854775800 - x FROM t WHERE x >= -9").code() == StatusCode::kOverflow);
}

TEST_CASE("AND and OR compute each operand only on the rows still undecided", "[store]") {
  Fixture f;
  // 9223372036854775800 - x overflows for x < -7: OR after x < 0 and AND
  // after x >= 0 never reach those rows.
  std::vector<std::string> below10, from0to10, k_w1;
  for (int64_t i = 0; i < kRows; ++i) {
    if (X(i) < 10) below10.push_back(std::to_string(i));
    if (X(i) >= 0 && X(i) < 10) from0to10.push_back(std::to_string(i));
    // k > 4 keeps a sixth of the rows (NULL k: unknown, still undecided
    // for AND, and dropped at the end); lower(s) runs on those alone.
    if (K(i) && *K(i) > 4 && S(i) == std::optional<std::string>("w1")) k_w1.push_back(std::to_string(i));
  }
  for (int threads : {1, 4}) {
    INFO("threads " << threads);
    CHECK(Rows(f.Run("SELECT id FROM t WHERE x < 0 OR 9223372036854775800 - x > 9223372036854775790", threads)) ==
          below10);
    CHECK(Rows(f.Run("SELECT id FROM t WHERE x >= 0 AND 9223372036854775800 - x > 9223372036854775790", threads)) ==
          from0to10);
    CHECK(Rows(f.Run("SELECT id FROM t WHERE k > 4 AND lower(s) = 'w1'", threads)) == k_w1);
    CHECK(Rows(f.Run("SELECT id FROM t WHERE NOT (k <= 4 OR k IS NULL OR lower(s) <> 'w1')", threads)) == k_w1);
  }
  // A guard in front of a CAST: no s is all digits, so none is cast.
  CHECK(f.Run("SELECT id, CAST(s AS int) FROM t WHERE regexp_matches(s, '^[0-9]+$') AND CAST(s AS int) > 1").num_rows == 0);
  CHECK(f.Fail("SELECT id FROM t WHERE CAST(s AS int) > 1").code() == StatusCode::kInvalidArgument);
  // An undecided row still raises the error.
  CHECK(f.Fail("SELECT id FROM t WHERE x >= -8 AND 9223372036854775800 - x > 0").code() == StatusCode::kOverflow);
}

TEST_CASE("An AND runs its cheapest operands first when none can fail, as EXPLAIN shows", "[store]") {
  Fixture f;
  // Fixed-width comparisons, then strings (s is a dictionary column), then
  // LIKE; equal costs keep their written order.
  const std::string sql =
      "SELECT id FROM t WHERE s LIKE '%1%' AND x > 0 AND (k = 1 OR s = 'w2') AND id < 500";
  CHECK(f.Explain(sql).find("filter: x > 0 AND id < 500 AND (k = 1 OR s = ''w2'') AND s LIKE ''%1%''") !=
        std::string::npos);
  std::vector<std::string> want;
  for (int64_t i = 0; i < kRows; ++i) {
    const auto s = S(i);
    const bool like = s && s->find('1') != std::string::npos;
    // (k = 1 OR s = 'w2'): TRUE rows only; a NULL there drops the row too.
    const bool either = (K(i) && *K(i) == 1) || (s && *s == "w2");
    if (like && X(i) > 0 && either && i < 500) want.push_back(std::to_string(i));
  }
  REQUIRE(!want.empty());
  for (int threads : {1, 4}) CHECK(Rows(f.Run(sql, threads)) == want);
  // An operand that may fail (an overflow, a computed column) keeps every
  // operand where it was written: moving `x >= -7` first would keep the
  // overflowing rows (x < -7) from ever reaching the subtraction.
  const std::string failing = "SELECT id FROM t WHERE s LIKE '%1%' AND 9223372036854775800 - x > 0 AND x >= -7";
  CHECK(f.Explain(failing).find("filter: s LIKE ''%1%'' AND \"#0\" > 0 AND x >= -7") != std::string::npos);
  CHECK(f.Fail(failing).code() == StatusCode::kOverflow);
}

TEST_CASE("x >= a AND x <= b on one column run as one BETWEEN, in either order", "[store]") {
  Fixture f;
  auto want = [&](int64_t lo, int64_t hi, bool like) {
    std::vector<std::string> ids;
    for (int64_t i = 0; i < kRows; ++i) {
      const auto s = S(i);
      if (X(i) >= lo && X(i) <= hi && (!like || (s && s->find('1') != std::string::npos)))
        ids.push_back(std::to_string(i));
    }
    return ids;
  };
  // The two ends, apart in the AND and in either order, run together first
  // (EXPLAIN brackets the pair).
  const std::string a = "SELECT id FROM t WHERE x >= -10 AND s LIKE '%1%' AND x <= 10";
  CHECK(f.Explain(a).find("filter: (x >= -10 AND x <= 10) AND s LIKE ''%1%''") != std::string::npos);
  const std::string b = "SELECT id FROM t WHERE x <= 10 AND s LIKE '%1%' AND x >= -10";
  CHECK(f.Explain(b).find("filter: (x <= 10 AND x >= -10) AND s LIKE ''%1%''") != std::string::npos);
  for (int threads : {1, 4}) {
    CHECK(Rows(f.Run(a, threads)) == want(-10, 10, true));
    CHECK(Rows(f.Run(b, threads)) == want(-10, 10, true));
    // The whole WHERE one range; an empty one.
    CHECK(Rows(f.Run("SELECT id FROM t WHERE x <= 3 AND x >= 0", threads)) == want(0, 3, false));
    CHECK(f.Run("SELECT id FROM t WHERE x >= 5 AND x <= 2", threads).num_rows == 0);
  }
}
