// The query executor against hand-computed expectations on a small table
// split into many chunks (so that pruning, parallel scans and cross-chunk
// merges are exercised). tests/store/sqlite_reference_test.cc compares it
// with SQLite on a large random table.
#include "store/exec.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <future>
#include <latch>
#include <map>
#include <numeric>

#include "columnar/builder.h"
#include "kernels/kernels.h"
#include "sql_test_util.h"
#include "store/thread_pool.h"
#include "test_util.h"

using namespace quiver;
using namespace quiver::store;
using quiver::testing::TempDir;

namespace {

constexpr int64_t kRows = 1000;
constexpr int64_t kChunkRows = 100;

std::shared_ptr<const Schema> ExecSchema() {
  return std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt8), true, {}},
      {"note", DataType(TypeId::kUtf8), true, {}},
      {"small", DataType(TypeId::kInt8), true, {}},
      {"ok", DataType(TypeId::kBool), true, {}},
  });
}

// Row i: id = i; fare = (i % 50) / 2 (NULL when i % 7 == 0); city
// "c<i % 4>" (NULL when i % 11 == 0); note "n<i>" (NULL when i % 3 == 0);
// small = i % 100 - 50; ok = i % 2 == 0 (NULL when i % 5 == 0).
std::optional<double> Fare(int64_t i) {
  if (i % 7 == 0) return std::nullopt;
  return double(i % 50) / 2;
}
std::optional<std::string> City(int64_t i) {
  if (i % 11 == 0) return std::nullopt;
  return "c" + std::to_string(i % 4);
}

RecordBatch MakeRows(int64_t start, int64_t n) {
  RecordBatchBuilder b(ExecSchema());
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    if (auto f = Fare(i)) b.column(1).AppendDouble(*f);
    else b.column(1).AppendNull();
    if (auto c = City(i)) b.column(2).AppendString(*c);
    else b.column(2).AppendNull();
    if (i % 3 == 0) b.column(3).AppendNull();
    else b.column(3).AppendString("n" + std::to_string(i));
    b.column(4).AppendInt(i % 100 - 50);
    if (i % 5 == 0) b.column(5).AppendNull();
    else b.column(5).AppendBool(i % 2 == 0);
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
    auto s = Store::Create(dir.path() + "/exec.pool", 64ull << 20, o);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    store = std::move(s).value();
    WriteOptions w;
    w.create_schema = ExecSchema();
    REQUIRE(store->Write("t", {MakeRows(0, kRows)}, w).ok());
  }

  std::shared_ptr<const Snapshot> Snap() {
    auto s = store->GetSnapshot();
    REQUIRE(s.ok());
    return *s;
  }

  QueryResult Run(const std::string& sql, QueryOptions o = {}) {
    auto r = ExecuteSql(Snap(), sql, o);
    INFO(sql);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return std::move(r).value();
  }

  Status Fail(const std::string& sql) {
    auto r = ExecuteSql(Snap(), sql);
    REQUIRE_FALSE(r.ok());
    return r.status();
  }
};

std::vector<std::string> Rows(const QueryResult& r) { return quiver::testing::ResultRows(r); }

std::string Num(double v) { return kernels::Scalar::Double(v).ToString(); }

}  // namespace

TEST_CASE("A filtered projection returns the matching rows in table order") {
  Fixture f;
  QueryResult r = f.Run("SELECT id, note FROM t WHERE fare > 20 AND note IS NOT NULL");
  std::vector<std::string> want;
  for (int64_t i = 0; i < kRows; ++i) {
    if (Fare(i) && *Fare(i) > 20 && i % 3 != 0) want.push_back(std::to_string(i) + "|'n" + std::to_string(i) + "'");
  }
  CHECK(Rows(r) == want);
  CHECK(r.num_rows == int64_t(want.size()));
  REQUIRE(r.schema->num_fields() == 2);
  CHECK(r.schema->field(0).name == "id");
  CHECK(r.schema->field(1).name == "note");
  CHECK(r.stats.chunks_total == kRows / kChunkRows);
  CHECK(r.stats.rows_scanned == kRows);
}

TEST_CASE("An unfiltered projection hands out the chunks' own buffers") {
  Fixture f;
  auto snap = f.Snap();
  query::Query q;
  q.table = "t";
  q.select = {query::SelectItem{query::AggFunc::kNone, "fare", ""}};
  auto r = ExecuteQuery(snap, q);
  REQUIRE(r.ok());
  REQUIRE(r->batches.size() == size_t(kRows / kChunkRows));
  auto table = snap->table("t");
  REQUIRE(table.ok());
  for (size_t c = 0; c < r->batches.size(); ++c) {
    auto chunk = (*table)->ReadChunk(c);
    REQUIRE(chunk.ok());
    CHECK(r->batches[c].columns[0]->buffers[1]->data() == chunk->columns[1]->buffers[1]->data());
  }
}

TEST_CASE("Chunks whose statistics exclude the condition are not read") {
  Fixture f;
  QueryResult r = f.Run("SELECT id FROM t WHERE id BETWEEN 250 AND 260");
  CHECK(r.num_rows == 11);
  CHECK(r.stats.chunks_pruned == 9);
  CHECK(r.stats.chunks_scanned == 1);
  CHECK(r.stats.rows_scanned == kChunkRows);

  r = f.Run("SELECT id FROM t WHERE id = 5000 OR id < 0");
  CHECK(r.num_rows == 0);
  CHECK(r.stats.chunks_pruned == 10);

  r = f.Run("SELECT id FROM t WHERE id >= 950 OR id IN (3, 4)");
  CHECK(r.num_rows == 52);
  CHECK(r.stats.chunks_pruned == 8);

  // NOT cannot be pruned by ranges; the answer must still be right.
  r = f.Run("SELECT count(*) FROM t WHERE NOT (id < 990)");
  CHECK(Rows(r) == std::vector<std::string>{"10"});

  // A literal-only FALSE reads nothing; TRUE reads everything.
  r = f.Run("SELECT count(*) FROM t WHERE 1 = 2");
  CHECK(Rows(r) == std::vector<std::string>{"0"});
  CHECK(r.stats.chunks_scanned == 0);
  r = f.Run("SELECT count(*) FROM t WHERE 1 = 1");
  CHECK(Rows(r) == std::vector<std::string>{"1000"});
}

TEST_CASE("WHERE follows SQL three-valued logic") {
  Fixture f;
  auto count = [&](const std::string& where) {
    auto rows = Rows(f.Run("SELECT count(*) FROM t WHERE " + where));
    REQUIRE(rows.size() == 1);
    return std::stoll(rows[0]);
  };
  int64_t gt = 0, le = 0, null_fare = 0, ok_true = 0, ok_null = 0;
  for (int64_t i = 0; i < kRows; ++i) {
    if (!Fare(i)) ++null_fare;
    else if (*Fare(i) > 10) ++gt;
    else ++le;
    if (i % 5 == 0) ++ok_null;
    else if (i % 2 == 0) ++ok_true;
  }
  CHECK(count("fare > 10") == gt);
  CHECK(count("NOT (fare > 10)") == le);  // NULL fares are neither
  CHECK(count("fare IS NULL") == null_fare);
  CHECK(count("fare > 10 OR fare IS NULL") == gt + null_fare);
  CHECK(count("ok") == ok_true);
  CHECK(count("NOT ok") == kRows - ok_true - ok_null);
  CHECK(count("ok IS NULL") == ok_null);
  CHECK(count("small NOT IN (1, NULL)") == 0);
  CHECK(count("small IN (1, NULL)") == 10);
  CHECK(count("fare = NULL") == 0);
  CHECK(count("small < 1000") == kRows);  // int8 column against a wider literal
  CHECK(count("small > 2.5") == 10 * 47);  // 3..49
  CHECK(count("id < small") == 0);          // column against column: small = id % 100 - 50 < id
  CHECK(count("id > small") == kRows);
}

TEST_CASE("AND and OR follow Kleene logic, folded on literals and evaluated on columns") {
  Fixture f;
  auto run = [&](const std::string& where) {
    QueryResult r = f.Run("SELECT count(*) FROM t WHERE " + where);
    REQUIRE(Rows(r).size() == 1);
    return std::pair<int64_t, int64_t>{std::stoll(Rows(r)[0]), r.stats.chunks_scanned};
  };
  const std::pair<int64_t, int64_t> none{0, 0};  // no row, no chunk read
  // Literals only: FALSE absorbs AND, TRUE absorbs OR, else NULL wins over
  // the identity; a condition folded to anything but TRUE reads no chunk.
  CHECK(run("NULL AND 1 = 2") == none);
  CHECK(run("NULL OR 1 = 1").first == kRows);
  CHECK(run("NULL AND 1 = 1") == none);
  CHECK(run("NULL OR 1 = 2") == none);
  CHECK(run("NOT (NULL AND 1 = 2)").first == kRows);
  CHECK(run("NOT (NULL OR 1 = 2)") == none);
  CHECK(run("1 = 1 AND 2 = 2 AND 3 = 3").first == kRows);
  CHECK(run("1 = 2 OR 2 = 3 OR 3 = 3").first == kRows);

  // On columns: a decided prefix stops the evaluation, without changing the
  // answer, and NULL rows stay NULL (so NOT does not count them).
  int64_t ok_true = 0, ok_null = 0, ok_and_fare = 0, ok_or_fare = 0, not_or = 0;
  for (int64_t i = 0; i < kRows; ++i) {
    const bool ok_is_null = i % 5 == 0, ok = !ok_is_null && i % 2 == 0;
    const bool fare_null = !Fare(i), fare_gt = !fare_null && *Fare(i) > 10;
    ok_true += ok;
    ok_null += ok_is_null;
    ok_and_fare += ok && fare_gt;
    ok_or_fare += ok || fare_gt;
    // NOT (ok OR fare > 10) is TRUE only when both are known FALSE.
    not_or += !ok_is_null && !ok && !fare_null && !fare_gt;
  }
  CHECK(run("ok AND fare > 10").first == ok_and_fare);
  CHECK(run("ok OR fare > 10").first == ok_or_fare);
  CHECK(run("NOT (ok OR fare > 10)").first == not_or);
  CHECK(run("fare > 1000 AND ok").first == 0);
  CHECK(run("id >= 0 OR ok").first == kRows);
  CHECK(run("ok AND NULL").first == 0);
  CHECK(run("ok OR NULL").first == ok_true);
  CHECK(run("NOT (ok AND NULL)").first == kRows - ok_true - ok_null);
}

TEST_CASE("String predicates: LIKE, ranges and dictionaries") {
  Fixture f;
  auto count = [&](const std::string& where) {
    return std::stoll(Rows(f.Run("SELECT count(*) FROM t WHERE " + where))[0]);
  };
  int64_t like = 0, city1 = 0, city_ge = 0, city_null = 0;
  for (int64_t i = 0; i < kRows; ++i) {
    std::string n = "n" + std::to_string(i);
    if (i % 3 != 0 && n.size() == 3 && n[1] == '1') ++like;  // 'n1_'
    if (City(i) == std::optional<std::string>("c1")) ++city1;
    if (City(i) && *City(i) >= "c2") ++city_ge;
    if (!City(i)) ++city_null;
  }
  CHECK(count("note LIKE 'n1_'") == like);
  CHECK(count("note LIKE 'N1_'") == 0);  // case-sensitive
  CHECK(count("city = 'c1'") == city1);
  CHECK(count("city >= 'c2'") == city_ge);
  CHECK(count("city IS NULL") == city_null);
  CHECK(count("city NOT IN ('c0', 'c1', 'c2', 'c3')") == 0);
}

TEST_CASE("ORDER BY puts NULLs last ascending and first descending, and is stable") {
  Fixture f;
  // Ascending fare: non-null fares ascending, ties in id order, NULLs last.
  std::vector<int64_t> ids(kRows);
  std::iota(ids.begin(), ids.end(), 0);
  auto asc = ids;
  std::stable_sort(asc.begin(), asc.end(), [](int64_t a, int64_t b) {
    auto fa = Fare(a), fb = Fare(b);
    if (!fa || !fb) return fa.has_value() && !fb.has_value();
    return *fa < *fb;
  });
  auto desc = ids;
  std::stable_sort(desc.begin(), desc.end(), [](int64_t a, int64_t b) {
    auto fa = Fare(a), fb = Fare(b);
    if (!fa || !fb) return !fa.has_value() && fb.has_value();
    return *fa > *fb;
  });
  auto ids_of = [](const QueryResult& r) {
    std::vector<int64_t> out;
    for (const auto& row : Rows(r)) out.push_back(std::stoll(row.substr(0, row.find('|'))));
    return out;
  };
  CHECK(ids_of(f.Run("SELECT id, fare FROM t ORDER BY fare")) == asc);
  CHECK(ids_of(f.Run("SELECT id, fare FROM t ORDER BY fare DESC")) == desc);
  // Top-k (with LIMIT) agrees with the full sort, OFFSET included.
  auto limited = ids_of(f.Run("SELECT id, fare FROM t ORDER BY fare DESC LIMIT 25 OFFSET 130"));
  CHECK(limited == std::vector<int64_t>(desc.begin() + 130, desc.begin() + 155));
  auto nulls_last = ids_of(f.Run("SELECT id FROM t ORDER BY fare DESC NULLS LAST, id DESC LIMIT 3"));
  CHECK(nulls_last == std::vector<int64_t>{999, 949, 899});  // fare 24.5
  // Order by a column that is not selected, and by position.
  auto by_city = Rows(f.Run("SELECT note FROM t WHERE id < 12 ORDER BY city DESC, 1 LIMIT 4"));
  CHECK(by_city == std::vector<std::string>{"'n11'", "NULL", "'n7'", "NULL"});
}

TEST_CASE("LIMIT stops the scan early and OFFSET skips across chunks") {
  Fixture f;
  QueryResult r = f.Run("SELECT id FROM t LIMIT 5 OFFSET 98");
  CHECK(Rows(r) == std::vector<std::string>{"98", "99", "100", "101", "102"});
  QueryOptions one;
  one.threads = 1;
  r = f.Run("SELECT id FROM t WHERE id > 10 LIMIT 3", one);
  CHECK(Rows(r) == std::vector<std::string>{"11", "12", "13"});
  CHECK(r.stats.chunks_scanned == 1);
  CHECK(f.Run("SELECT id FROM t LIMIT 0").num_rows == 0);
}

TEST_CASE("max_rows truncates a result and says so") {
  Fixture f;
  QueryOptions o;
  o.max_rows = 150;
  QueryResult r = f.Run("SELECT id FROM t", o);
  CHECK(r.num_rows == 150);
  CHECK(r.truncated);
  r = f.Run("SELECT id FROM t WHERE id < 150", o);
  CHECK(r.num_rows == 150);
  CHECK_FALSE(r.truncated);
  r = f.Run("SELECT id FROM t ORDER BY id DESC", o);
  CHECK(r.num_rows == 150);
  CHECK(r.truncated);
  r = f.Run("SELECT id FROM t LIMIT 150", o);
  CHECK_FALSE(r.truncated);
}

TEST_CASE("Aggregates without GROUP BY give one row; over no rows NULL and 0") {
  Fixture f;
  double sum = 0, mn = 1e9, mx = -1e9;
  int64_t n = 0;
  for (int64_t i = 0; i < kRows; ++i) {
    if (auto v = Fare(i)) {
      sum += *v;
      mn = std::min(mn, *v);
      mx = std::max(mx, *v);
      ++n;
    }
  }
  auto rows = Rows(f.Run("SELECT count(*), count(fare), sum(fare), min(fare), max(fare), avg(fare) FROM t"));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == "1000|" + std::to_string(n) + "|" + Num(sum) + "|" + Num(mn) + "|" + Num(mx) + "|" +
                       Num(sum / double(n)));
  rows = Rows(f.Run("SELECT count(*), count(fare), sum(small), min(note), avg(fare) FROM t WHERE id < 0"));
  CHECK(rows == std::vector<std::string>{"0|0|NULL|NULL|NULL"});
  rows = Rows(f.Run("SELECT min(city), max(city), sum(small) AS s FROM t"));
  CHECK(rows == std::vector<std::string>{"'c0'|'c3'|-500"});
  QueryResult r = f.Run("SELECT count(*) AS n FROM t");
  CHECK(r.schema->field(0).name == "n");
  CHECK(r.stats.rows_scanned == 0);  // answered from the catalog
}

TEST_CASE("GROUP BY makes NULL a group and orders groups by aggregates") {
  Fixture f;
  std::map<std::string, std::pair<int64_t, double>> want;  // city -> count, sum fare
  for (int64_t i = 0; i < kRows; ++i) {
    std::string c = City(i) ? "'" + *City(i) + "'" : "NULL";
    want[c].first++;
    if (Fare(i)) want[c].second += *Fare(i);
  }
  auto rows = Rows(f.Run("SELECT city, count(*) AS n, sum(fare) FROM t GROUP BY city ORDER BY city"));
  std::vector<std::string> expect;
  for (auto& [c, v] : want) {
    if (c != "NULL") expect.push_back(c + "|" + std::to_string(v.first) + "|" + Num(v.second));
  }
  expect.push_back("NULL|" + std::to_string(want["NULL"].first) + "|" + Num(want["NULL"].second));
  CHECK(rows == expect);
  QueryResult r = f.Run("SELECT city, count(*) AS n FROM t GROUP BY city ORDER BY n DESC LIMIT 2");
  CHECK(r.num_rows == 2);
  CHECK(r.schema->field(0).type.id == TypeId::kUtf8);
  // Group keys need not be selected; ORDER BY may use one.
  rows = Rows(f.Run("SELECT count(*) FROM t WHERE id < 20 GROUP BY ok ORDER BY ok NULLS FIRST"));
  CHECK(rows == std::vector<std::string>{"4", "8", "8"});
}

TEST_CASE("GROUP BY ALL and bare aliases run as their spelled-out forms") {
  Fixture f;
  // The same groups, counts and names as GROUP BY with AS.
  QueryResult all = f.Run("SELECT city c, upper(city) u, count(*) n FROM t x "
                          "WHERE x.id < 500 GROUP BY ALL ORDER BY n DESC, c");
  QueryResult spelled = f.Run("SELECT city AS c, upper(city) AS u, count(*) AS n FROM t "
                              "WHERE id < 500 GROUP BY city, upper(city) ORDER BY n DESC, c");
  CHECK(Rows(all) == Rows(spelled));
  REQUIRE(all.schema->num_fields() == 3);
  CHECK(all.schema->field(0).name == "c");
  CHECK(all.schema->field(2).name == "n");
  CHECK(Rows(all).size() == 5);  // c0..c3 and NULL
  CHECK(Rows(f.Run("SELECT count(*) total FROM t GROUP BY ALL")) ==
        std::vector<std::string>{std::to_string(kRows)});
  // ORDER BY ALL is ORDER BY 1, 2, ...; LIMIT ALL no limit.
  CHECK(Rows(f.Run("SELECT city, ok, count(*) FROM t GROUP BY ALL ORDER BY ALL DESC LIMIT ALL")) ==
        Rows(f.Run("SELECT city, ok, count(*) FROM t GROUP BY ALL ORDER BY 1 DESC, 2 DESC, 3 DESC")));
}

TEST_CASE("array_agg and list gather a group's values, NULLs too; no value is NULL") {
  Fixture f;
  QueryOptions one;
  one.threads = 1;  // one worker: each list in table order
  auto rows = Rows(f.Run("SELECT city, CAST(array_agg(id) AS VARCHAR), "
                         "CAST(list(fare) FILTER (WHERE id > 100) AS VARCHAR), list(fare)[1] "
                         "FROM t WHERE id < 12 GROUP BY city ORDER BY city NULLS LAST",
                         one));
  // City(i) is NULL for i % 11 == 0, else c(i % 4); Fare(i) is NULL for
  // i % 7 == 0, else (i % 50) / 2; the FILTER keeps no row.
  CHECK(rows == std::vector<std::string>{"'c0'|'[4,8]'|NULL|2", "'c1'|'[1,5,9]'|NULL|0.5",
                                         "'c2'|'[2,6,10]'|NULL|1", "'c3'|'[3,7]'|NULL|1.5",
                                         "NULL|'[0,11]'|NULL|NULL"});
  // NULL values are elements; any number of threads gives the same multiset.
  rows = Rows(f.Run("SELECT array_length(list(fare)), count(*) FROM t WHERE id < 100"));
  CHECK(rows == std::vector<std::string>{"100|100"});
  CHECK(Rows(f.Run("SELECT array_agg(id) FROM t WHERE id < 0")) == std::vector<std::string>{"NULL"});
}

TEST_CASE("string_agg joins a group's strings by its separator, skipping NULLs") {
  Fixture f;
  QueryOptions one;
  one.threads = 1;  // one worker: each group's strings in table order
  // note(i) is NULL for i % 3 == 0, else n<i>; City(i) NULL for i % 11 == 0
  // (rows 0 and 11: one note, n11).
  auto rows = Rows(f.Run("SELECT city, string_agg(note, '; ') AS notes, string_agg(note) "
                         "FILTER (WHERE id > 100), string_agg(city || '') "
                         "FROM t WHERE id < 12 GROUP BY city ORDER BY city NULLS LAST",
                         one));
  CHECK(rows == std::vector<std::string>{"'c0'|'n4; n8'|NULL|'c0,c0'",
                                         "'c1'|'n1; n5'|NULL|'c1,c1,c1'",
                                         "'c2'|'n2; n10'|NULL|'c2,c2,c2'",
                                         "'c3'|'n7'|NULL|'c3,c3'", "NULL|'n11'|NULL|NULL"});
  // Every thread's share is joined: the lengths add up.
  rows = Rows(f.Run("SELECT length(string_agg(note, '')) = sum(length(note)) FROM t"));
  CHECK(rows == std::vector<std::string>{"true"});
  Status s = f.Fail("SELECT string_agg(id) FROM t");
  CHECK(s.code() == StatusCode::kTypeError);
  CHECK_THAT(s.message(), Catch::Contains("string column"));
}

TEST_CASE("Integer SUM overflow is an error, never a wrapped value") {
  TempDir dir;
  auto store = Store::Create(dir.path() + "/o.pool", 16ull << 20);
  REQUIRE(store.ok());
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"v", DataType(TypeId::kInt64), true, {}}});
  RecordBatchBuilder b(schema);
  b.column(0).AppendInt(INT64_MAX);
  b.column(0).AppendInt(1);
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  WriteOptions w;
  w.create_schema = schema;
  REQUIRE((*store)->Write("big", {*batch}, w).ok());
  auto snap = (*store)->GetSnapshot();
  REQUIRE(snap.ok());
  auto r = ExecuteSql(*snap, "SELECT sum(v) FROM big");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kOverflow);
  CHECK_THAT(r.status().message(), Catch::Contains("\"v\""));
  auto g = ExecuteSql(*snap, "SELECT v, sum(v) FROM big GROUP BY v");
  CHECK(g.ok());  // per group it fits
}

TEST_CASE("Query errors name the column, table, types and position") {
  Fixture f;
  Status s = f.Fail("SELECT nope FROM t");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK_THAT(s.message(), Catch::Contains("nope") && Catch::Contains("fare"));
  s = f.Fail("SELECT * FROM missing");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK_THAT(s.message(), Catch::Contains("missing"));
  s = f.Fail("SELECT * FROM t WHERE id = 'abc'");
  CHECK(s.code() == StatusCode::kTypeError);
  CHECK_THAT(s.message(), Catch::Contains("int64"));
  s = f.Fail("SELECT * FORM t");
  CHECK_THAT(s.message(), Catch::Contains("line 1, column 10"));
}

TEST_CASE("A cursor keeps its snapshot while the writer changes the table") {
  Fixture f;
  auto snap = f.Snap();
  query::Query q;
  q.table = "t";
  auto cursor = OpenQuery(snap, q);
  REQUIRE(cursor.ok());
  snap.reset();
  REQUIRE(f.store->TruncateTable("t").ok());
  REQUIRE(f.store->Write("t", {MakeRows(5000, 10)}).ok());
  int64_t rows = 0, first = -1;
  for (;;) {
    auto b = (*cursor)->Next();
    REQUIRE(b.ok());
    if (!*b) break;
    if (first < 0) first = (*b)->columns[0]->View().Value<int64_t>(0);
    rows += (*b)->num_rows;
  }
  CHECK(rows == kRows);
  CHECK(first == 0);
  CHECK(Rows(f.Run("SELECT count(*) FROM t")) == std::vector<std::string>{"10"});
}

TEST_CASE("A cancelled query stops with Cancelled") {
  Fixture f;
  std::atomic<bool> cancel{true};
  QueryOptions o;
  o.cancel = &cancel;
  auto r = ExecuteSql(f.Snap(), "SELECT sum(fare) FROM t", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kCancelled);
}

TEST_CASE("Comparisons on a sorted integer column (binary search) match a row-by-row count") {
  Fixture f;
  // Every chunk holds ids ascending and `small` ascending (-50..49, int8):
  // their statistics say sorted, and the lookup takes over from Eval.
  auto snap = f.Snap();
  auto t = snap->table("t");
  REQUIRE(t.ok());
  CHECK((*t)->chunks()[0].stats[0].sorted);
  CHECK((*t)->chunks()[0].stats[4].sorted);
  CHECK_FALSE((*t)->chunks()[0].stats[1].sorted);  // float64 with nulls
  auto count = [&](const std::string& where) {
    QueryResult r = f.Run("SELECT count(*) FROM t WHERE " + where);
    return Rows(r).at(0);
  };
  auto want = [](const std::function<bool(int64_t)>& p) {
    int64_t n = 0;
    for (int64_t i = 0; i < kRows; ++i) n += p(i);
    return std::to_string(n);
  };
  auto small = [](int64_t i) { return i % 100 - 50; };
  for (int64_t x : {-1000, -129, -128, -51, -50, -1, 0, 7, 49, 50, 127, 128, 500, 999, 1000}) {
    const std::string v = std::to_string(x);
    INFO(v);
    CHECK(count("id = " + v) == want([&](int64_t i) { return i == x; }));
    CHECK(count("id < " + v) == want([&](int64_t i) { return i < x; }));
    CHECK(count("id <= " + v) == want([&](int64_t i) { return i <= x; }));
    CHECK(count("id > " + v) == want([&](int64_t i) { return i > x; }));
    CHECK(count("id >= " + v) == want([&](int64_t i) { return i >= x; }));
    CHECK(count("small = " + v) == want([&](int64_t i) { return small(i) == x; }));
    CHECK(count("small < " + v) == want([&](int64_t i) { return small(i) < x; }));
    CHECK(count("small >= " + v) == want([&](int64_t i) { return small(i) >= x; }));
    CHECK(count("small BETWEEN -10 AND " + v) ==
          want([&](int64_t i) { return small(i) >= -10 && small(i) <= x; }));
  }
  CHECK(count("id = 9223372036854775807") == "0");
  CHECK(count("id > 9223372036854775807") == "0");
  CHECK(count("id < -9223372036854775808") == "0");
  QueryResult r = f.Run("SELECT id, note FROM t WHERE id = 502");
  CHECK(Rows(r) == std::vector<std::string>{"502|'n502'"});
}

// Drains a cursor: the first column's int64 values in the order given.
Result<std::vector<int64_t>> DrainIds(QueryCursor& c) {
  std::vector<int64_t> ids;
  for (;;) {
    QUIVER_ASSIGN_OR_RETURN(std::optional<RecordBatch> b, c.Next());
    if (!b) return ids;
    const ArrayView v = b->columns[0]->View();
    for (int64_t i = 0; i < v.length; ++i) ids.push_back(v.Value<int64_t>(i));
  }
}

TEST_CASE("A streamed projection scans ahead while the caller consumes, in table order") {
  Fixture f;
  QueryOptions o;
  o.threads = 2;  // windows of several chunks: the next is scanned ahead
  auto q = query::ParseSql("SELECT id FROM t WHERE small >= 0");
  REQUIRE(q.ok());
  std::vector<int64_t> want;
  for (int64_t i = 0; i < kRows; ++i) {
    if (i % 100 - 50 >= 0) want.push_back(i);
  }
  SECTION("every row once, in table order, every chunk counted") {
    auto c = OpenQuery(f.Snap(), *q, o);
    REQUIRE(c.ok());
    auto ids = DrainIds(**c);
    REQUIRE(ids.ok());
    CHECK(*ids == want);
    CHECK((*c)->stats().chunks_scanned == kRows / kChunkRows);
    CHECK((*c)->stats().rows_scanned == kRows);
    CHECK((*c)->stats().rows_returned == int64_t(want.size()));
  }
  SECTION("a cursor dropped with a window in flight or queued") {
    for (int i = 0; i < 20; ++i) {
      auto c = OpenQuery(f.Snap(), *q, o);
      REQUIRE(c.ok());
      auto b = (*c)->Next();
      REQUIRE(b.ok());
      REQUIRE(b->has_value());
      CHECK((*b)->columns[0]->View().Value<int64_t>(0) == 50);
    }
  }
  SECTION("a cursor dropped while its window waits in the pool's queue") {
    // Every pool thread is held, so the window's task is still queued when
    // the cursor goes; it runs afterwards and must touch nothing of the
    // cursor (under ASan a use of the freed cursor aborts the test).
    ThreadPool& pool = ThreadPool::Shared();
    const size_t n = size_t(pool.size());
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    // Shared, not on this stack: a task may still be inside a wait when
    // this thread moves on.
    auto held = std::make_shared<std::latch>(std::ptrdiff_t(n));
    for (size_t t = 0; t < n; ++t) {
      pool.Submit([held, released] {
        held->count_down();
        released.wait();
      });
    }
    held->wait();
    {
      auto c = OpenQuery(f.Snap(), *q, o);
      REQUIRE(c.ok());
      auto b = (*c)->Next();
      REQUIRE(b.ok());
      REQUIRE(b->has_value());
    }
    release.set_value();
    // The queue is FIFO: once n later tasks all run at once, every task
    // queued before them, the window's too, has finished.
    auto after = std::make_shared<std::latch>(std::ptrdiff_t(n) + 1);
    for (size_t t = 0; t < n; ++t) pool.Submit([after] { after->arrive_and_wait(); });
    after->arrive_and_wait();
  }
  SECTION("cursors drained on every pool thread at once do not wait on each other") {
    // Each task's window ahead is queued behind the other tasks: a caller
    // that waited for its task instead of scanning it would never finish.
    ThreadPool& pool = ThreadPool::Shared();
    const int n = pool.size() * 2;
    std::vector<std::promise<std::vector<int64_t>>> done;
    done.resize(size_t(n));
    std::vector<std::future<std::vector<int64_t>>> got;
    for (auto& p : done) got.push_back(p.get_future());
    auto snap = f.Snap();
    for (int t = 0; t < n; ++t) {
      pool.Submit([&, t] {
        auto c = OpenQuery(snap, *q, o);
        auto ids = c.ok() ? DrainIds(**c) : Result<std::vector<int64_t>>(c.status());
        done[size_t(t)].set_value(ids.ok() ? *ids : std::vector<int64_t>{-1});
      });
    }
    for (auto& g : got) {
      // A deadline for a hang, not a synchronisation: the value is awaited.
      REQUIRE(g.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
      CHECK(g.get() == want);
    }
  }
  SECTION("an error in a window scanned ahead ends the stream after the rows before it") {
    // Overflows from id 900 on (chunk 9, the last of 10): the window that
    // holds chunks 8 and 9 fails, whether windows are of 2, 4 or 8 chunks.
    auto bad = query::ParseSql(
        "SELECT id FROM t WHERE (CASE WHEN id >= 900 THEN id * 9223372036854775807 ELSE 0 END) = 0");
    REQUIRE(bad.ok());
    auto c = OpenQuery(f.Snap(), *bad, o);
    REQUIRE(c.ok());
    int64_t rows = 0, expect_next = 0;
    Status st;
    for (;;) {
      auto b = (*c)->Next();
      if (!b.ok()) {
        st = b.status();
        break;
      }
      REQUIRE(b->has_value());
      const ArrayView v = (**b).columns[0]->View();
      for (int64_t i = 0; i < v.length; ++i) CHECK(v.Value<int64_t>(i) == expect_next++);
      rows += v.length;
    }
    CHECK(st.code() == StatusCode::kOverflow);
    CHECK(rows == 800);
  }
}
